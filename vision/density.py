"""Crowd counts per zone from the density map, and the hybrid of detector and density counts.

The detector counts people well while they are few and separate; in a dense crowd it sees a
fraction of the heads and the density map is the better estimate. `hybrid_count` looks at the
larger of the two estimates: below `switch_at` people it trusts the detector (MCNN over-counts
empty, textured scenes), at or above it it takes the larger estimate (the detector saturates at
a few dozen people). The switch (20) was chosen by measured MAE on ../shared/media/crowd with
both density models (CityEye's and MCNN); the sweeps are in vision/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from models.protocols import DensityMap
from vision.geometry import Point, polygon_mask

CountSource = Literal["detector", "density"]


class HybridConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Use the density count where it says at least this many people are in the area.
    switch_at: float = Field(default=20.0, ge=0.0)


@dataclass(frozen=True)
class HybridCount:
    value: float
    source: CountSource
    detector: int
    density: float | None


def hybrid_count(detector: int, density: float | None, cfg: HybridConfig) -> HybridCount:
    """Detector count where sparse, density count where dense; no density map: the detector."""
    if density is not None and max(density, float(detector)) >= cfg.switch_at:
        return HybridCount(max(density, float(detector)), "density", detector, density)
    return HybridCount(float(detector), "detector", detector, density)


class ZoneDensity:
    """Sums a density map inside zones; the masks are cached per polygon and map shape."""

    def __init__(self) -> None:
        self._masks: dict[tuple[tuple[Point, ...], int, int], npt.NDArray[np.bool_]] = {}

    def count(self, dmap: DensityMap, polygon: list[Point]) -> float:
        h, w = dmap.density.shape
        key = (tuple(polygon), w, h)
        mask = self._masks.get(key)
        if mask is None:
            mask = polygon_mask(polygon, w, h)
            self._masks[key] = mask
        return float(dmap.density[mask].sum())
