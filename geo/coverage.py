"""Field-of-view polygons on the ground and "which cameras see this place", ranked.

A camera sees a point when it projects inside its image, in front of it, within its range.
Ranking prefers near cameras that look at the point head-on (small off-axis angle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from geo.pinhole import Array, Pose, ground_point, in_image, project, ray


@dataclass(frozen=True)
class Seeing:
    camera_id: str
    distance_m: float
    off_axis_deg: float
    score: float  # lower is better
    u: float
    v: float


def fov_polygon(pose: Pose, range_m: float, steps: int = 8) -> list[tuple[float, float]]:
    """The ground area the camera sees (east, north), cut at `range_m` from the camera."""
    w, h = pose.width - 1, pose.height - 1
    edge = ([(w * i / steps, h) for i in range(steps + 1)]
            + [(w, h * (1 - i / steps)) for i in range(1, steps + 1)]
            + [(w * (1 - i / steps), 0.0) for i in range(1, steps + 1)]
            + [(0.0, h * i / steps) for i in range(1, steps)])
    c = pose.center()
    out: list[tuple[float, float]] = []
    for u, v in edge:
        g = ground_point(pose, u, v)
        if g is None or math.hypot(g[0] - c[0], g[1] - c[1]) > range_m:
            d = ray(pose, u, v)
            horiz = math.hypot(float(d[0]), float(d[1]))
            if horiz < 1e-9:
                continue
            g = c + np.array([d[0], d[1], 0.0]) / horiz * range_m
        out.append((round(float(g[0]), 2), round(float(g[1]), 2)))
    return out


def point_in_polygon(x: float, y: float, poly: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(poly) - 1
    for i in range(len(poly)):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def sees(camera_id: str, pose: Pose, range_m: float, point: Array) -> Seeing | None:
    px, front = project(pose, point.reshape(1, 3))
    if not in_image(pose, px, front)[0]:
        return None
    delta = point - pose.center()
    dist = float(np.linalg.norm(delta))
    if dist > range_m:
        return None
    fwd = pose.rotation()[2]
    off = math.degrees(math.acos(max(-1.0, min(1.0, float(fwd @ delta) / max(dist, 1e-9)))))
    half = max(pose.hfov / 2.0, 1e-6)
    score = dist / range_m + off / half
    return Seeing(camera_id, dist, off, score, float(px[0, 0]), float(px[0, 1]))


def rank(cameras: dict[str, tuple[Pose, float]], point: Array,
         exclude: str | None = None) -> list[Seeing]:
    """Every camera (id → (pose, range)) that sees `point`, best first."""
    found = [s for cid, (pose, rng) in cameras.items() if cid != exclude
             and (s := sees(cid, pose, rng, point)) is not None]
    return sorted(found, key=lambda s: (s.score, s.camera_id))
