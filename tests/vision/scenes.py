"""Synthetic scenes: people and vehicles as boxes moving in normalised coordinates, fed through
the real tracker and analytics frame by frame."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from events.model import Event
from vision.analytics import AnalysisResult, CameraAnalysisConfig, CameraAnalytics
from vision.detections import COCO_NAMES, Detections

W, H = 640, 360
IMAGE = np.zeros((H, W, 3), np.uint8)
IMAGE.flags.writeable = False
CLASS_IDS = {name: cid for cid, name in COCO_NAMES.items()}
SIZES = {"person": (0.04, 0.16), "car": (0.12, 0.1), "bus": (0.25, 0.2)}

# An object: (class name, its feet position (x, y) at time t) or None when not in view.
Walker = tuple[str, "Path"]


Path = Callable[[float], tuple[float, float] | None]


def still(x: float, y: float, t0: float = 0.0, t1: float = 1e9) -> Path:
    return lambda t: (x, y) if t0 <= t <= t1 else None


def move(a: tuple[float, float], b: tuple[float, float], t0: float, t1: float) -> Path:
    """From a (at t0) to b (at t1); not in view outside [t0, t1]."""

    def at(t: float) -> tuple[float, float] | None:
        if t < t0 or t > t1:
            return None
        k = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
        return (a[0] + k * (b[0] - a[0]), a[1] + k * (b[1] - a[1]))

    return at


def detections(objects: Sequence[Walker], t: float) -> Detections:
    boxes, classes = [], []
    for name, path in objects:
        p = path(t)
        if p is None:
            continue
        w, h = SIZES.get(name, SIZES["person"])
        x, y = p
        boxes.append([(x - w / 2) * W, (y - h) * H, (x + w / 2) * W, y * H])
        classes.append(CLASS_IDS[name])
    if not boxes:
        return Detections.empty(W, H)
    return Detections(
        xyxy=np.clip(np.array(boxes, np.float32), 0, [W, H, W, H]),
        confidence=np.full(len(boxes), 0.9, np.float32),
        class_id=np.array(classes, np.int64),
        width=W,
        height=H,
    )


@dataclass(frozen=True)
class _Frame:
    camera_id: str
    seq: int
    pts: float
    captured_at: float
    image: np.ndarray = field(repr=False)


T0 = 1_700_000_000.0  # a fixed wall-clock origin: 2023-11-14 22:13 UTC


@dataclass
class Run:
    events: list[Event]
    results: list[AnalysisResult]

    def kinds(self, state: str = "open") -> list[str]:
        return [e.kind for e in self.events if e.state == state]

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


def run_scene(
    cfg: CameraAnalysisConfig,
    objects: Sequence[Walker],
    seconds: float,
    fps: float = 5.0,
    density: Callable[[float], float | None] | None = None,
    t0: float = T0,
) -> Run:
    """Feeds `seconds` of the scene at `fps`; `density(t)` gives a density count for the frame
    (spread evenly over the image) or None."""
    from models.protocols import DensityMap

    analytics = CameraAnalytics(cfg)
    events: list[Event] = []
    results: list[AnalysisResult] = []
    n = round(seconds * fps)
    for k in range(n + 1):
        t = k / fps
        dmap = None
        if density is not None and (c := density(t)) is not None:
            dmap = DensityMap(np.full((H // 4, W // 4), c / (H // 4 * W // 4), np.float32), W, H)
        frame = _Frame(cfg.camera_id, k, t, t0 + t, IMAGE)
        res = analytics.process(frame, detections(objects, t), dmap)
        results.append(res)
        events.extend(res.events)
    last = n / fps
    events.extend(analytics.close(t0 + last + 100.0, last))
    return Run(events, results)
