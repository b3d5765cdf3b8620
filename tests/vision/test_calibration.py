"""Per-camera density calibration: the per-region fit, and on real Mall frames: calibrated on 5
training frames, the error on the 15 test frames goes down where the model is off for the site."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from models.config import McnnConfig
from models.crowdnet import CityEyeDensity
from models.protocols import DensityEstimator, DensityMap, Image
from models.registry import SHIPPED_DENSITY_WEIGHTS, build_density
from vision.calibration import CalibratedDensity, DensityCalibration, calibrate, calibrate_maps


def _map(left: float, right: float) -> DensityMap:
    d = np.zeros((10, 20), dtype=np.float32)
    d[:, :10] = left / 100
    d[:, 10:] = right / 100
    return DensityMap(d, 160, 80)


def _points(left: int, right: int) -> list[tuple[float, float]]:
    return [(0.25, 0.5)] * left + [(0.75, 0.5)] * right


def test_per_region_scales_fix_a_model_that_undercounts_one_side() -> None:
    # The model sees half of the people on the left, all on the right.
    truth = [(20, 10), (30, 5), (10, 20), (24, 12), (16, 8)]
    maps = [_map(left / 2, right) for left, right in truth]
    cal, report = calibrate_maps(maps, [_points(*t) for t in truth], rows=1, cols=2, ridge=0.01)
    assert cal.scales[0][0] == pytest.approx(2.0, rel=0.05)
    assert cal.scales[0][1] == pytest.approx(1.0, rel=0.05)
    assert report.evaluated_on == "held-out"
    assert report.frames == 5
    assert report.mae_after < 0.5 < report.mae_before
    assert cal.apply(_map(10, 10)).count == pytest.approx(30, rel=0.05)


def test_one_frame_is_fitted_and_reported_as_such() -> None:
    cal, report = calibrate_maps([_map(5, 5)], [_points(10, 10)], rows=2, cols=2)
    assert report.evaluated_on == "fit"
    assert cal.apply(_map(5, 5)).count == pytest.approx(20, rel=0.1)
    with pytest.raises(ValueError, match="at least one frame"):
        calibrate_maps([], [])


Points = list[tuple[float, float]]


def _mall_frames(root: Path, numbers: list[int]) -> tuple[list[Image], list[Points]]:
    from scipy.io import loadmat

    gt = loadmat(str(root / "mall_gt.mat"))
    images: list[Image] = []
    points: list[list[tuple[float, float]]] = []
    for n in numbers:
        img = cv2.imread(str(root / "frames" / f"seq_{n:06d}.jpg"), cv2.IMREAD_COLOR)
        assert img is not None
        h, w = img.shape[:2]
        loc = np.asarray(gt["frame"][0][n - 1][0][0]["loc"], dtype=np.float64).reshape(-1, 2)
        images.append(np.asarray(img, dtype=np.uint8))
        points.append([(float(x) / w, float(y) / h) for x, y in loc])
    return images, points


def _mall_errors(
    media_dir: Path, model: DensityEstimator
) -> tuple[float, float, DensityCalibration]:
    """Calibrate on 5 Mall training frames (evenly spread), return the MAE on the 15 test
    frames before and after."""
    train_imgs, train_pts = _mall_frames(
        media_dir / "crowd-train" / "Mall", [100, 250, 400, 550, 700]
    )
    cal, report = calibrate(model, train_imgs, train_pts, rows=2, cols=2)
    assert report.frames == 5
    assert report.points == sum(len(p) for p in train_pts)
    test_root = media_dir / "crowd" / "Mall"
    numbers = [int(p.stem.split("_")[1]) for p in sorted((test_root / "frames").glob("*.jpg"))]
    test_imgs, test_pts = _mall_frames(test_root, numbers)
    calibrated = CalibratedDensity(model, cal)
    pairs = list(zip(test_imgs, test_pts, strict=True))
    before = float(np.mean([abs(model.estimate(i).count - len(p)) for i, p in pairs]))
    after = float(np.mean([abs(calibrated.estimate(i).count - len(p)) for i, p in pairs]))
    return before, after, cal


@pytest.mark.media
def test_mall_calibration_fixes_a_model_that_is_off_for_the_site(
    media_dir: Path, models_dir: Path
) -> None:
    # MCNN (ShanghaiTech B weights) is far off on Mall (MAE about 20): the case calibration is
    # for. Calibrated on 5 training frames, the error on the 15 test frames must drop.
    before, after, cal = _mall_errors(media_dir, build_density(McnnConfig(), models_dir))
    assert after < before, (before, after, cal)
    assert after < 0.5 * before, (before, after, cal)


@pytest.mark.media
def test_mall_calibration_does_not_hurt_the_shipped_model(
    media_dir: Path, ultralytics_env: Path
) -> None:
    # The shipped model is close on Mall (MAE 2.45; calibrated: 2.22 when measured): calibration
    # must at least not make it worse.
    before, after, cal = _mall_errors(media_dir, CityEyeDensity(SHIPPED_DENSITY_WEIGHTS))
    assert after <= before + 0.5, (before, after, cal)
