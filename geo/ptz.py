"""PTZ models: where a camera looks for a given pan/tilt/zoom state.

`mechanical`: pan and tilt turn the camera about its mount, zoom narrows the field of view.
`digital`: a fixed high-resolution camera whose view is a crop (centre + zoom) scaled back to
full size — the demo's stand-in for a real PTZ head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from geo.pinhole import Array, Pose


@dataclass(frozen=True)
class PtzState:
    pan: float = 0.0  # degrees added to the heading (mechanical) / crop centre x in 0..1 (digital)
    tilt: float = 0.0  # degrees added to the pitch (mechanical) / crop centre y in 0..1 (digital)
    zoom: float = 1.0  # ≥ 1


def mechanical_pose(base: Pose, state: PtzState) -> Pose:
    """The pose of a mechanical PTZ camera whose home position is `base`."""
    zoom = max(1.0, state.zoom)
    half = math.atan(math.tan(math.radians(base.hfov) / 2.0) / zoom)
    return replace(base, yaw=(base.yaw + state.pan) % 360.0,
                   pitch=max(-90.0, min(90.0, base.pitch + state.tilt)),
                   hfov=math.degrees(2.0 * half))


@dataclass(frozen=True)
class Crop:
    x: float
    y: float
    w: float
    h: float


def digital_crop(width: int, height: int, state: PtzState) -> Crop:
    """The source rectangle a digital PTZ shows, kept inside the frame."""
    zoom = max(1.0, state.zoom)
    w, h = width / zoom, height / zoom
    cx = min(max(state.pan, 0.0), 1.0) * width
    cy = min(max(state.tilt, 0.0), 1.0) * height
    x = min(max(cx - w / 2.0, 0.0), width - w)
    y = min(max(cy - h / 2.0, 0.0), height - h)
    return Crop(x, y, w, h)


def to_view(px: Array, crop: Crop, width: int, height: int) -> Array:
    """Source pixels → pixels of the cropped view scaled back to width × height."""
    out = np.empty_like(px)
    out[:, 0] = (px[:, 0] - crop.x) * width / crop.w
    out[:, 1] = (px[:, 1] - crop.y) * height / crop.h
    return out


def from_view(u: float, v: float, crop: Crop, width: int, height: int) -> tuple[float, float]:
    return crop.x + u * crop.w / width, crop.y + v * crop.h / height
