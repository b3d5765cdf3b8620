"""Per-camera correction of the crowd-density model from a few frames with clicked heads.

The correction is a per-region scale: the frame is cut into a rows×cols grid and each region's
density is multiplied by its own factor, fitted by least squares on the annotated frames and
shrunk toward the camera-wide factor (ridge), so a region with few heads stays close to the
global correction. Error before/after is measured leave-one-frame-out: each frame is counted
with a correction fitted on the other frames, so the figures describe frames the fit never saw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from models.protocols import DensityEstimator, DensityMap, Image

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
SCALE_MIN, SCALE_MAX = 0.1, 10.0


class DensityCalibration(BaseModel):
    """`scales[r][c]` multiplies the density in grid region (r, c) of the frame."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rows: int = Field(ge=1, le=8)
    cols: int = Field(ge=1, le=8)
    scales: tuple[tuple[float, ...], ...]

    def scale_map(self, h: int, w: int) -> F32:
        s = np.asarray(self.scales, dtype=np.float32)
        ri = np.minimum((np.arange(h) * self.rows) // max(h, 1), self.rows - 1)
        ci = np.minimum((np.arange(w) * self.cols) // max(w, 1), self.cols - 1)
        out: F32 = s[ri[:, None], ci[None, :]]
        return out

    def apply(self, dmap: DensityMap) -> DensityMap:
        h, w = dmap.density.shape
        return DensityMap(
            dmap.density * self.scale_map(h, w), dmap.image_width, dmap.image_height
        )


class FrameError(BaseModel):
    model_config = ConfigDict(frozen=True)

    truth: int
    before: float
    after: float


class CalibrationReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    frames: int
    points: int
    mae_before: float
    mae_after: float
    # "held-out": each frame counted with a fit on the others; "fit": one frame only, so the
    # figures are on the frame the correction was fitted to.
    evaluated_on: str
    per_frame: tuple[FrameError, ...]


def region_sums(density: F32, rows: int, cols: int) -> F64:
    h, w = density.shape
    ri = np.minimum((np.arange(h) * rows) // max(h, 1), rows - 1)
    ci = np.minimum((np.arange(w) * cols) // max(w, 1), cols - 1)
    out = np.zeros((rows, cols), dtype=np.float64)
    np.add.at(out, (ri[:, None], ci[None, :]), density.astype(np.float64))
    return out.ravel()


def region_counts(points: Sequence[tuple[float, float]], rows: int, cols: int) -> F64:
    """Heads per region from normalised (x, y) points in [0, 1]."""
    out = np.zeros((rows, cols), dtype=np.float64)
    for x, y in points:
        r = min(int(y * rows), rows - 1)
        c = min(int(x * cols), cols - 1)
        out[max(r, 0), max(c, 0)] += 1
    return out.ravel()


def fit_scales(
    pred: F64, truth: F64, rows: int, cols: int, ridge: float = 1.0
) -> DensityCalibration:
    """pred, truth: frames × regions. Least squares per region, shrunk toward the global scale
    with weight `ridge` × the mean per-region energy."""
    total_p = float(pred.sum())
    s0 = float(truth.sum()) / total_p if total_p > 1e-6 else 1.0
    s0 = float(np.clip(s0, SCALE_MIN, SCALE_MAX))
    energy = (pred**2).sum(axis=0)
    lam = ridge * max(float(energy.mean()), 1e-6)
    s = ((pred * truth).sum(axis=0) + lam * s0) / (energy + lam)
    s = np.clip(s, SCALE_MIN, SCALE_MAX).reshape(rows, cols)
    return DensityCalibration(
        rows=rows, cols=cols, scales=tuple(tuple(float(v) for v in row) for row in s)
    )


def calibrate_maps(
    dmaps: Sequence[DensityMap],
    points: Sequence[Sequence[tuple[float, float]]],
    rows: int = 2,
    cols: int = 2,
    ridge: float = 1.0,
) -> tuple[DensityCalibration, CalibrationReport]:
    if not dmaps or len(dmaps) != len(points):
        raise ValueError("calibration needs at least one frame with its head points")
    pred = np.stack([region_sums(d.density, rows, cols) for d in dmaps])
    truth = np.stack([region_counts(p, rows, cols) for p in points])
    cal = fit_scales(pred, truth, rows, cols, ridge)
    errors: list[FrameError] = []
    n = len(dmaps)
    for i in range(n):
        if n > 1:
            keep = [j for j in range(n) if j != i]
            fold = fit_scales(pred[keep], truth[keep], rows, cols, ridge)
        else:
            fold = cal
        after = float((pred[i] * np.asarray(fold.scales).ravel()).sum())
        errors.append(FrameError(truth=len(points[i]), before=float(pred[i].sum()), after=after))
    report = CalibrationReport(
        frames=n,
        points=sum(len(p) for p in points),
        mae_before=float(np.mean([abs(e.before - e.truth) for e in errors])),
        mae_after=float(np.mean([abs(e.after - e.truth) for e in errors])),
        evaluated_on="held-out" if n > 1 else "fit",
        per_frame=tuple(errors),
    )
    return cal, report


def calibrate(
    estimator: DensityEstimator,
    images: Sequence[Image],
    points: Sequence[Sequence[tuple[float, float]]],
    rows: int = 2,
    cols: int = 2,
) -> tuple[DensityCalibration, CalibrationReport]:
    """Runs the model on each frame, fits the correction, reports held-out error."""
    return calibrate_maps([estimator.estimate(im) for im in images], points, rows, cols)


class CalibratedDensity:
    """A DensityEstimator that applies a camera's correction to another estimator's maps."""

    def __init__(self, base: DensityEstimator, calibration: DensityCalibration) -> None:
        self.base = base
        self.calibration = calibration

    def estimate(self, image: Image) -> DensityMap:
        return self.calibration.apply(self.base.estimate(image))
