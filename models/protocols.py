"""The small interfaces every back-end implements, and the values they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from vision.detections import Detections

Image = npt.NDArray[np.uint8]  # BGR, H×W×3


class ModelLoadError(RuntimeError):
    """A model could not be built: missing weights, unknown format, failed runtime."""


@dataclass(frozen=True, eq=False)
class DensityMap:
    """A crowd density map: `density` (h×w float32, people per cell) covering the whole input
    image of `image_width`×`image_height`; `count` is its sum."""

    density: npt.NDArray[np.float32]
    image_width: int
    image_height: int

    def __post_init__(self) -> None:
        d = np.ascontiguousarray(self.density, dtype=np.float32)
        if d.ndim != 2:
            raise ValueError(f"a density map is 2-D, got shape {d.shape}")
        d.flags.writeable = False
        object.__setattr__(self, "density", d)

    @property
    def count(self) -> float:
        return float(self.density.sum())


@runtime_checkable
class Detector(Protocol):
    """Finds objects of the configured classes in a batch of BGR images."""

    @property
    def names(self) -> dict[int, str]: ...

    def detect_batch(self, images: Sequence[Image]) -> list[Detections]: ...


class PendingBatch(Protocol):
    """Detections of a batch that is still running; `result()` waits for them."""

    def result(self) -> list[Detections]: ...


@runtime_checkable
class PipelinedDetector(Detector, Protocol):
    """A detector whose batches run without the calling thread: `submit_batch` starts one and
    returns, so the caller can decode the previous batch while the runtime works on this one.
    Every submitted batch must be collected (`result()`): until then it holds its runtime
    requests, and later lone frames stop getting the low-latency path."""

    def submit_batch(self, images: Sequence[Image]) -> PendingBatch: ...


@dataclass(frozen=True)
class DoneBatch:
    """A batch detected synchronously, as a PendingBatch."""

    detections: list[Detections]

    def result(self) -> list[Detections]:
        return self.detections


def submit_batch(detector: Detector, images: Sequence[Image]) -> PendingBatch:
    """Starts `images` on `detector` if it can run a batch in the background, else detects
    them now."""
    if isinstance(detector, PipelinedDetector):
        return detector.submit_batch(images)
    return DoneBatch(detector.detect_batch(images))


@runtime_checkable
class DensityEstimator(Protocol):
    """Estimates a crowd density map of one BGR image."""

    def estimate(self, image: Image) -> DensityMap: ...
