"""A decaying occupancy heatmap on a coarse grid of the frame (normalised coordinates)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from models.protocols import DensityMap


class HeatmapAccumulator:
    """`add_points` (normalised x,y, e.g. people's feet) and `add_density` accumulate; older
    contributions fade with `half_life_s` (0: never). `snapshot()` is a copy scaled to 0–1."""

    def __init__(self, width: int = 64, height: int = 36, half_life_s: float = 600.0) -> None:
        if width <= 0 or height <= 0:
            raise ValueError("heatmap grid must be at least 1×1")
        self.width, self.height = width, height
        self._half_life = half_life_s
        self._grid = np.zeros((height, width), dtype=np.float64)
        self._t: float | None = None
        self.samples = 0

    def _decay_to(self, t: float) -> None:
        if self._t is not None and self._half_life > 0 and t > self._t:
            self._grid *= math.pow(0.5, (t - self._t) / self._half_life)
        if self._t is None or t > self._t:
            self._t = t

    def add_points(self, points: npt.NDArray[np.float32], t: float, weight: float = 1.0) -> None:
        self._decay_to(t)
        self.samples += 1
        if len(points) == 0:
            return
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        xs = np.clip((pts[:, 0] * self.width).astype(np.int64), 0, self.width - 1)
        ys = np.clip((pts[:, 1] * self.height).astype(np.int64), 0, self.height - 1)
        np.add.at(self._grid, (ys, xs), weight)

    def add_density(self, dmap: DensityMap, t: float, weight: float = 1.0) -> None:
        self._decay_to(t)
        self.samples += 1
        cells = cv2.resize(
            np.asarray(dmap.density, dtype=np.float32),
            (self.width, self.height),
            interpolation=cv2.INTER_AREA,
        )
        scale = dmap.density.size / float(self.width * self.height)  # keep the total count
        self._grid += weight * scale * cells.astype(np.float64)

    def raw(self) -> npt.NDArray[np.float64]:
        return self._grid.copy()

    def snapshot(self) -> npt.NDArray[np.float32]:
        peak = float(self._grid.max())
        if peak <= 0:
            return np.zeros_like(self._grid, dtype=np.float32)
        return (self._grid / peak).astype(np.float32)

    def reset(self) -> None:
        self._grid[:] = 0.0
        self._t = None
        self.samples = 0
