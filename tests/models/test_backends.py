"""The real back-ends on the shared weights: YOLO on Ultralytics' bus.jpg, MCNN on a crowd."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from models import McnnConfig, ModelLoadError, UltralyticsConfig, build_density, build_detector
from models.mcnn import MCNN, load_h5_state

pytestmark = pytest.mark.media


def _bus() -> np.ndarray:
    import ultralytics

    path = Path(ultralytics.__file__).parent / "assets" / "bus.jpg"
    img = cv2.imread(str(path))
    assert img is not None, f"missing {path}"
    return np.asarray(img, dtype=np.uint8)


@pytest.mark.parametrize("weights", [None, "yolo11n.pt"], ids=["openvino-int8", "pytorch"])
def test_person_and_bus_are_found_on_bus_jpg(
    ultralytics_env: Path, models_dir: Path, weights: str | None
) -> None:
    cfg = UltralyticsConfig(model=weights, prefer_openvino_on_cpu=weights is None)
    det = build_detector(cfg, models_dir)
    (found,) = det.detect_batch([_bus()])
    names = found.class_names()
    assert names.count("person") >= 3
    assert "bus" in names
    assert set(names) <= {"person", "bicycle", "car", "motorcycle", "bus", "truck"}
    bus = found.xyxy[names.index("bus")]
    assert (bus[2] - bus[0]) > 0.7 * found.width  # the bus fills the picture's width


def test_a_corrupt_model_file_is_a_model_load_error(ultralytics_env: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelLoadError, match=r"broken\.pt"):
        build_detector(UltralyticsConfig(model=str(bad)), None)


def test_mcnn_loads_the_three_column_weights_strictly(models_dir: Path) -> None:
    net = MCNN()
    state = load_h5_state(models_dir / "mcnn" / "mcnn_shtechB_110.h5")
    net.load_state_dict(state, strict=True)  # every tensor matched by name and shape
    assert {k.split(".")[0] for k in state} == {"branch1", "branch2", "branch3", "fuse"}


def test_mcnn_counts_a_crowd_at_quarter_resolution(models_dir: Path, media_dir: Path) -> None:
    est = build_density(McnnConfig(), models_dir)
    img = cv2.imread(str(media_dir / "crowd" / "ShanghaiTech_B" / "images" / "IMG_10.jpg"))
    assert img is not None
    dmap = est.estimate(np.asarray(img, dtype=np.uint8))
    h, w = img.shape[:2]
    assert dmap.density.shape == (h // 4, w // 4)
    assert 181 * 0.5 < dmap.count < 181 * 1.5  # ground truth: 181 people
    empty = est.estimate(np.full((240, 322, 3), 128, np.uint8))
    assert empty.density.shape == (60, 80)  # sides rounded down to a multiple of 4
    assert empty.count < 20
