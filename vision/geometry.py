"""Zones (polygons) and lines (with a direction) in normalised image coordinates.

Coordinates are fractions of the frame: (0, 0) is the top-left corner, (1, 1) the bottom-right,
so a zone drawn on one resolution stays valid when the stream's resolution changes.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Point = tuple[float, float]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


def _check_point(p: Point) -> Point:
    x, y = p
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise ValueError(
            f"point ({x}, {y}) is outside the frame: coordinates are normalised, use 0–1"
        )
    return p


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when the closed segments p1-p2 and q1-q2 share a point (collinear overlap included)."""
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True

    def on_seg(a: Point, b: Point, c: Point) -> bool:
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(
            a[1], b[1]
        )

    return (
        (d1 == 0 and on_seg(q1, q2, p1))
        or (d2 == 0 and on_seg(q1, q2, p2))
        or (d3 == 0 and on_seg(p1, p2, q1))
        or (d4 == 0 and on_seg(p1, p2, q2))
    )


def polygon_area(points: list[Point]) -> float:
    """Unsigned shoelace area."""
    s = 0.0
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


class Zone(BaseModel):
    """A polygon zone: counts, intrusion, loitering and gathering rules refer to it by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    name: str = Field(min_length=1, max_length=64)
    polygon: list[Point]
    restricted: bool = False

    @field_validator("polygon")
    @classmethod
    def _valid_polygon(cls, pts: list[Point]) -> list[Point]:
        if len(pts) < 3:
            raise ValueError(f"a zone needs at least 3 points, got {len(pts)}")
        for p in pts:
            _check_point(p)
        n = len(pts)
        for i in range(n):
            a1, a2 = pts[i], pts[(i + 1) % n]
            for j in range(i + 1, n):
                if j == i or (j + 1) % n == i or j == (i + 1) % n:
                    continue  # adjacent edges share a vertex by construction
                b1, b2 = pts[j], pts[(j + 1) % n]
                if segments_intersect(a1, a2, b1, b2):
                    raise ValueError(
                        f"the polygon is self-intersecting: edge {i + 1} crosses edge {j + 1};"
                        " draw the points in order around the area"
                    )
        if polygon_area(pts) < 1e-6:
            raise ValueError("the polygon has no area: its points are collinear or repeated")
        return pts


class Line(BaseModel):
    """A counting line from `a` to `b`. Crossing from its left to its right (seen looking from a
    to b) is direction `in_name`; the reverse is `out_name`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    name: str = Field(min_length=1, max_length=64)
    a: Point
    b: Point
    in_name: str = Field(default="进", min_length=1, max_length=32)
    out_name: str = Field(default="出", min_length=1, max_length=32)

    @field_validator("a", "b")
    @classmethod
    def _in_frame(cls, p: Point) -> Point:
        return _check_point(p)

    @model_validator(mode="after")
    def _not_degenerate(self) -> Line:
        if (self.a[0] - self.b[0]) ** 2 + (self.a[1] - self.b[1]) ** 2 < 1e-6:
            raise ValueError("a line needs two distinct end points")
        return self


def points_in_polygon(
    points: npt.NDArray[np.float32], polygon: list[Point]
) -> npt.NDArray[np.bool_]:
    """Which of the N×2 points (same coordinates as `polygon`) lie inside it (even-odd rule)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x, y = pts[:, 0], pts[:, 1]
    inside = np.zeros(len(pts), dtype=bool)
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
    return inside


def polygon_mask(polygon: list[Point], width: int, height: int) -> npt.NDArray[np.bool_]:
    """A height×width mask of the cells whose centres lie inside the normalised polygon."""
    xs = (np.arange(width, dtype=np.float64) + 0.5) / width
    ys = (np.arange(height, dtype=np.float64) + 0.5) / height
    gx, gy = np.meshgrid(xs, ys)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    return points_in_polygon(pts, polygon).reshape(height, width)
