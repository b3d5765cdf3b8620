"""Typed model configs and the registry: weight resolution, fakes, clear load failures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from models import (
    FakeBox,
    FakeConfig,
    McnnConfig,
    ModelConfig,
    ModelLoadError,
    UltralyticsConfig,
    build_density,
    build_detector,
    resolve_detector_weights,
)
from models.protocols import DensityEstimator, Detector


def test_the_union_picks_the_back_end_by_type() -> None:
    adapter: TypeAdapter[ModelConfig] = TypeAdapter(ModelConfig)
    assert isinstance(adapter.validate_python({"type": "mcnn"}), McnnConfig)
    cfg = adapter.validate_python({"type": "ultralytics", "model": "x.onnx", "imgsz": 320})
    assert isinstance(cfg, UltralyticsConfig)
    assert cfg.imgsz == 320
    assert isinstance(adapter.validate_python({"type": "fake"}), FakeConfig)
    with pytest.raises(ValidationError, match="tag"):
        adapter.validate_python({"type": "tensorflow"})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"half": True}, "half precision needs a CUDA device"),
        ({"device": "tpu"}, "device must be"),
        ({"imgsz": 100}, "multiple of 32"),
        ({"classes": ()}, "at least one class"),
    ],
)
def test_bad_detector_settings_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        UltralyticsConfig.model_validate(fields)


def _models(tmp_path: Path) -> Path:
    (tmp_path / "yolo11n_int8_openvino_model").mkdir()
    (tmp_path / "yolo11n.pt").write_bytes(b"x")
    return tmp_path


def test_cpu_prefers_the_openvino_int8_export(tmp_path: Path) -> None:
    md = _models(tmp_path)
    got = resolve_detector_weights(UltralyticsConfig(), md)
    assert got == str(md / "yolo11n_int8_openvino_model")
    named = resolve_detector_weights(UltralyticsConfig(model="yolo11n.pt"), md)
    assert named == str(md / "yolo11n_int8_openvino_model")


def test_cuda_and_opt_out_take_the_pytorch_weights(tmp_path: Path) -> None:
    md = _models(tmp_path)
    assert resolve_detector_weights(UltralyticsConfig(device="cuda"), md) == str(md / "yolo11n.pt")
    cfg = UltralyticsConfig(prefer_openvino_on_cpu=False)
    assert resolve_detector_weights(cfg, md) == str(md / "yolo11n.pt")


def test_without_a_models_dir_a_bare_name_is_left_to_ultralytics(tmp_path: Path) -> None:
    assert resolve_detector_weights(UltralyticsConfig(), None) == "yolo11n.pt"
    assert resolve_detector_weights(UltralyticsConfig(model="yolo11s.pt"), tmp_path) == "yolo11s.pt"


def test_a_missing_explicit_path_fails_clearly(tmp_path: Path) -> None:
    cfg = UltralyticsConfig(model=str(tmp_path / "nope" / "best.engine"))
    with pytest.raises(ModelLoadError, match="not found"):
        resolve_detector_weights(cfg, tmp_path)
    with pytest.raises(ModelLoadError, match="not found"):
        build_detector(cfg, tmp_path)


def test_fake_detector_replays_its_script() -> None:
    person, car = FakeBox(xyxy=(10, 10, 20, 40)), FakeBox(xyxy=(0, 0, 5, 5), class_name="car")
    cfg = FakeConfig(frames=[[person], [], [car]])
    det = build_detector(cfg, None)
    assert isinstance(det, Detector)
    img = np.zeros((36, 64, 3), np.uint8)
    first = det.detect_batch([img, img])
    assert [len(d) for d in first] == [1, 1]
    assert first[0].class_names() == ["person"]
    assert [len(d) for d in det.detect_batch([img])] == [0]
    assert det.detect_batch([img])[0].class_names() == ["car"]


def test_fake_density_sums_to_the_scripted_count() -> None:
    est = build_density(FakeConfig(density_counts=[12.0, 3.0]), None)
    assert isinstance(est, DensityEstimator)
    img = np.zeros((360, 640, 3), np.uint8)
    first = est.estimate(img)
    assert first.density.shape == (90, 160)
    assert first.count == pytest.approx(12.0, rel=1e-4)
    assert est.estimate(img).count == pytest.approx(3.0, rel=1e-4)


def test_load_failures_and_wrong_roles_raise_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="boom"):
        build_detector(FakeConfig(fail_load="boom"), None)
    with pytest.raises(ModelLoadError, match="not a detector"):
        build_detector(McnnConfig(), tmp_path)
    with pytest.raises(ModelLoadError, match="not a density estimator"):
        build_density(UltralyticsConfig(), tmp_path)
    with pytest.raises(ModelLoadError, match="not found"):
        build_density(McnnConfig(weights="mcnn/missing.h5"), tmp_path)
    with pytest.raises(ModelLoadError, match="no models dir"):
        build_density(McnnConfig(), None)
