"""Calibration from image ↔ map point pairs: a ground-plane homography (RANSAC) and a full
pinhole pose (solvePnP, with the field of view fitted when asked).

Bad input raises `CalibrationError` with a message the operator can act on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from geo.pinhole import Array, Pose, angles_from_rotation, project

MIN_PAIRS = 4


class CalibrationError(ValueError):
    """Input that cannot give a calibration, phrased for the person clicking the points."""


@dataclass(frozen=True)
class PointPair:
    u: float
    v: float
    east: float
    north: float
    up: float = 0.0


@dataclass(frozen=True)
class HomographyFit:
    matrix: Array  # image (u, v, 1) → ground (east, north, 1)
    rms_px: float  # ground points mapped back into the image, RMS pixel error
    inliers: int


@dataclass(frozen=True)
class PoseFit:
    pose: Pose
    rms_px: float


def _check(pairs: list[PointPair], width: int, height: int) -> tuple[Array, Array]:
    if len(pairs) < MIN_PAIRS:
        raise CalibrationError(
            f"need at least {MIN_PAIRS} image↔map point pairs, got {len(pairs)}: "
            "click more features visible both on the video and on the map")
    img = np.array([[p.u, p.v] for p in pairs], dtype=np.float64)
    world = np.array([[p.east, p.north, p.up] for p in pairs], dtype=np.float64)
    outside = [i + 1 for i, (u, v) in enumerate(img)
               if not (0 <= u < width and 0 <= v < height)]
    if outside:
        raise CalibrationError(
            f"point(s) {outside} lie outside the {width}×{height} image: click inside the video")
    for name, pts in (("image", img), ("map", world[:, :2])):
        centred = pts - pts.mean(axis=0)
        s = np.linalg.svd(centred, compute_uv=False)
        if s[0] < 1e-9 or s[1] / s[0] < 0.02:
            raise CalibrationError(
                f"the {name} points are (nearly) on one line: spread them over the scene")
    return img, world


def fit_homography(pairs: list[PointPair], width: int, height: int,
                   ransac_px: float = 8.0) -> HomographyFit:
    """Image → ground-plane homography; RANSAC drops outliers when there are more than 4."""
    img, world = _check(pairs, width, height)
    ground = world[:, :2]
    method = cv2.RANSAC if len(pairs) > MIN_PAIRS else 0
    # RANSAC's threshold is in the destination units: fit ground→image so it is in pixels.
    inv, mask = cv2.findHomography(ground, img, method, ransac_px)
    if inv is None or abs(np.linalg.det(inv)) < 1e-12:
        raise CalibrationError("these pairs give no homography: check that each image point "
                               "matches its map point")
    mapped = cv2.perspectiveTransform(ground.reshape(-1, 1, 2), inv).reshape(-1, 2)
    keep = mask.ravel().astype(bool) if mask is not None else np.ones(len(img), dtype=bool)
    err = np.linalg.norm(mapped[keep] - img[keep], axis=1)
    matrix = np.linalg.inv(inv)
    return HomographyFit(matrix=matrix / matrix[2, 2], rms_px=float(np.sqrt(np.mean(err**2))),
                         inliers=int(keep.sum()))


def image_to_ground(matrix: Array, u: float, v: float) -> tuple[float, float] | None:
    p = matrix @ np.array([u, v, 1.0])
    if abs(p[2]) < 1e-12:
        return None
    return float(p[0] / p[2]), float(p[1] / p[2])


def _solve(img: Array, world: Array, width: int, height: int, hfov: float) -> PoseFit | None:
    probe = Pose(0, 0, 0, 0, 0, 0, hfov, width, height)
    k = probe.camera_matrix()
    ok, rvec, tvec = cv2.solvePnP(world, img, k, None, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return None
    ok, rvec, tvec = cv2.solvePnP(world, img, k, None, rvec, tvec, True, cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return None
    rot = np.asarray(cv2.Rodrigues(rvec)[0], dtype=np.float64)
    center = (-rot.T @ tvec).ravel()
    yaw, pitch, roll = angles_from_rotation(rot)
    pose = Pose(float(center[0]), float(center[1]), float(center[2]), yaw, pitch, roll, hfov,
                width, height)
    px, front = project(pose, world)
    if not front.all():
        return None
    err = np.linalg.norm(px - img, axis=1)
    return PoseFit(pose=pose, rms_px=float(np.sqrt(np.mean(err**2))))


def fit_pose(pairs: list[PointPair], width: int, height: int, hfov: float | None = None
             ) -> PoseFit:
    """Full pose by solvePnP. With `hfov=None` the field of view is fitted (20°–120°)."""
    img, world = _check(pairs, width, height)
    candidates = [hfov] if hfov is not None else [float(f) for f in range(20, 121, 2)]
    best: PoseFit | None = None
    for f in candidates:
        fit = _solve(img, world, width, height, f)
        if fit is not None and (best is None or fit.rms_px < best.rms_px):
            best = fit
    if best is not None and hfov is None:  # refine around the best grid value
        lo, hi = best.pose.hfov - 2.0, best.pose.hfov + 2.0
        for f in np.linspace(lo, hi, 21):
            fit = _solve(img, world, width, height, float(f))
            if fit is not None and fit.rms_px < best.rms_px:
                best = fit
    if best is None or not math.isfinite(best.rms_px):
        raise CalibrationError("no camera pose explains these pairs: check the pairing")
    return best
