"""Pinhole cameras in the local ENU frame: pose ↔ rotation, projection, ground unprojection.

Angles: `yaw` is the heading of the optical axis in degrees clockwise from north, `pitch` is
the tilt below the horizon (positive looks down), `roll` turns the image clockwise. Camera
axes: x right, y down, z forward (OpenCV's convention).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Pose:
    """Where a camera stands, where it looks, and its lens (horizontal field of view)."""

    east: float
    north: float
    up: float  # mounting height above the ground plane (z = 0), metres
    yaw: float
    pitch: float
    roll: float
    hfov: float  # horizontal field of view, degrees
    width: int
    height: int

    @property
    def fx(self) -> float:
        return (self.width / 2.0) / math.tan(math.radians(self.hfov) / 2.0)

    @property
    def vfov(self) -> float:
        return math.degrees(2.0 * math.atan((self.height / 2.0) / self.fx))

    def camera_matrix(self) -> Array:
        f = self.fx
        return np.array([[f, 0.0, self.width / 2.0], [0.0, f, self.height / 2.0],
                         [0.0, 0.0, 1.0]])

    def center(self) -> Array:
        return np.array([self.east, self.north, self.up])

    def rotation(self) -> Array:
        """World (ENU) → camera rotation; its rows are the camera's right, down, forward."""
        y, p, r = (math.radians(a) for a in (self.yaw, self.pitch, self.roll))
        fwd = np.array([math.sin(y) * math.cos(p), math.cos(y) * math.cos(p), -math.sin(p)])
        right0 = np.array([math.cos(y), -math.sin(y), 0.0])
        down0 = np.cross(fwd, right0)
        right = math.cos(r) * right0 + math.sin(r) * down0
        down = -math.sin(r) * right0 + math.cos(r) * down0
        return np.stack([right, down, fwd])

    def with_fov(self, hfov: float) -> Pose:
        return replace(self, hfov=hfov)


def angles_from_rotation(rot: Array) -> tuple[float, float, float]:
    """Inverse of `Pose.rotation`: (yaw, pitch, roll) in degrees."""
    fwd = rot[2]
    pitch = math.asin(max(-1.0, min(1.0, -float(fwd[2]))))
    yaw = math.atan2(float(fwd[0]), float(fwd[1]))
    right0 = np.array([math.cos(yaw), -math.sin(yaw), 0.0])
    down0 = np.cross(fwd, right0)
    roll = math.atan2(float(rot[0] @ down0), float(rot[0] @ right0))
    return math.degrees(yaw) % 360.0, math.degrees(pitch), math.degrees(roll)


def to_camera(pose: Pose, points: Array) -> Array:
    """ENU points (N×3) in camera coordinates (N×3)."""
    return (np.atleast_2d(points) - pose.center()) @ pose.rotation().T


def project(pose: Pose, points: Array) -> tuple[Array, NDArray[np.bool_]]:
    """Pixels (N×2) and a mask of points in front of the camera (behind ones are NaN)."""
    cam = to_camera(pose, points)
    front = cam[:, 2] > 1e-6
    px = np.full((len(cam), 2), np.nan)
    k = pose.camera_matrix()
    z = cam[front, 2]
    px[front, 0] = k[0, 0] * cam[front, 0] / z + k[0, 2]
    px[front, 1] = k[1, 1] * cam[front, 1] / z + k[1, 2]
    return px, front


def in_image(pose: Pose, px: Array, front: NDArray[np.bool_]) -> NDArray[np.bool_]:
    ok = front & np.isfinite(px).all(axis=1)
    with np.errstate(invalid="ignore"):
        return ok & (px[:, 0] >= 0) & (px[:, 0] < pose.width) & (px[:, 1] >= 0) & (
            px[:, 1] < pose.height)


def ray(pose: Pose, u: float, v: float) -> Array:
    """Unit direction (ENU) of the ray through pixel (u, v)."""
    k = pose.camera_matrix()
    d_cam = np.array([(u - k[0, 2]) / k[0, 0], (v - k[1, 2]) / k[1, 1], 1.0])
    d = pose.rotation().T @ d_cam
    return np.asarray(d / np.linalg.norm(d), dtype=np.float64)


def ground_point(pose: Pose, u: float, v: float, ground: float = 0.0) -> Array | None:
    """Where the ray through (u, v) meets the ground plane, or None above the horizon."""
    d = ray(pose, u, v)
    if d[2] >= -1e-9:
        return None
    t = (ground - pose.up) / d[2]
    return np.asarray(pose.center() + t * d, dtype=np.float64)
