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


@runtime_checkable
class DensityEstimator(Protocol):
    """Estimates a crowd density map of one BGR image."""

    def estimate(self, image: Image) -> DensityMap: ...
