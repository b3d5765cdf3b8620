"""From the vision pipeline's per-frame state to what the live page draws over that frame.

Lives here, not in streams/ or vision/: neither of those may import the other, and the camera
domain already depends on both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from streams.webrtc.overlay import (
    Heatmap,
    OverlayBox,
    OverlayFrame,
    OverlayLine,
    OverlayRule,
    OverlayZone,
)
from vision.analytics import CameraState

HeatmapSource = Callable[[str], npt.NDArray[np.float32] | None]
StateSink = Callable[[CameraState], None]


def overlay_from_state(st: CameraState, heat: npt.NDArray[np.float32] | None) -> OverlayFrame:
    d = st.detections
    xyxy = np.clip(d.normalized_xyxy(), 0.0, 1.0) if len(d) else np.zeros((0, 4), np.float32)
    ids: Sequence[int | None] = (
        [int(t) for t in d.tracker_id] if d.tracker_id is not None else [None] * len(d)
    )
    boxes = [
        OverlayBox(x1=float(b[0]), y1=float(b[1]), x2=float(b[2]), y2=float(b[3]), label=name,
                   score=float(min(1.0, max(0.0, c))), track_id=tid)
        for b, name, c, tid in zip(xyxy, d.class_names(), d.confidence, ids, strict=True)
        if b[2] > b[0] and b[3] > b[1]
    ]
    open_zones = {e.zone_id for e in st.open_events if e.zone_id}
    heatmap = None
    if heat is not None and heat.size:
        cells = np.clip(heat * 255.0, 0, 255).astype(np.uint8).ravel().tolist()
        heatmap = Heatmap(width=heat.shape[1], height=heat.shape[0], cells=cells)
    return OverlayFrame(
        camera_id=st.camera_id,
        pts=st.pts,
        people=st.people.count,
        boxes=boxes,
        zones=[OverlayZone(zone_id=z, count=max(0.0, v.count), alert=z in open_zones)
               for z, v in st.zones.items()],
        lines=[OverlayLine(line_id=k, in_count=v.in_count, out_count=v.out_count)
               for k, v in st.lines.items()],
        rules=[OverlayRule(rule_id=e.rule_id or e.kind, kind=e.kind, state=e.state, tier=e.tier,
                           message=e.message, zone_id=e.zone_id, line_id=e.line_id)
               for e in st.open_events],
        heatmap=heatmap,
    )


class OverlayPublisher:
    """Called on the vision worker thread for every analysed frame; builds the overlay and hands
    it to the live relay (`publish` is thread-safe and quick). The heatmap rides along at most
    once per `heatmap_every_s` per camera: it is large and changes slowly."""

    def __init__(
        self, publish: Callable[[OverlayFrame], None], heatmap_every_s: float = 1.0
    ) -> None:
        self._publish = publish
        self._every = heatmap_every_s
        self._last_heat: dict[str, float] = {}
        self._lock = threading.Lock()
        self.heatmaps: HeatmapSource | None = None  # set once the vision service exists

    def __call__(self, st: CameraState) -> None:
        heat = None
        now = time.monotonic()
        with self._lock:
            due = now - self._last_heat.get(st.camera_id, -1e9) >= self._every
            if due:
                self._last_heat[st.camera_id] = now
        if due and self.heatmaps is not None:
            heat = self.heatmaps(st.camera_id)
        self._publish(overlay_from_state(st, heat))


def fan_out(*sinks: StateSink) -> StateSink:
    """One `on_state` callback that feeds several consumers in order."""

    def call(st: CameraState) -> None:
        for sink in sinks:
            sink(st)

    return call
