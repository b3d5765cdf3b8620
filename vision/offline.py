"""The whole pipeline over a clip, as fast as the machine allows (`cityeye analyze`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from events.model import Event
from models.protocols import DensityEstimator, Detector
from vision.analytics import CameraAnalysisConfig, CameraAnalytics, CameraState
from vision.clip import ClipFrame, ClipReader


@dataclass
class ClipSummary:
    decoded: int = 0
    analysed: int = 0
    seconds: float = 0.0
    tracks_by_class: dict[str, int] = field(default_factory=dict)
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # line id -> (in, out)
    lines_by_class: dict[str, tuple[dict[str, int], dict[str, int]]] = field(default_factory=dict)
    zone_max: dict[str, float] = field(default_factory=dict)
    events_by_kind: Counter[str] = field(default_factory=Counter)
    events: int = 0
    density_runs: int = 0
    error: str | None = None

    @property
    def fps(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0


def _record_state(summary: ClipSummary, state: CameraState) -> None:
    for zid, zc in state.zones.items():
        summary.zone_max[zid] = max(summary.zone_max.get(zid, 0.0), zc.count)
    summary.zone_max[""] = max(summary.zone_max.get("", 0.0), state.people.count)


def run_clip(
    source: str | Path,
    cfg: CameraAnalysisConfig,
    detector: Detector,
    density: DensityEstimator | None = None,
    *,
    fps: float | None = None,
    width: int | None = 640,
    batch: int = 4,
    density_interval_s: float = 2.0,
    on_event: Callable[[Event], None] | None = None,
) -> ClipSummary:
    """Decodes `source` (thinned to `fps` by pts; None: every frame), detects in batches of
    consecutive frames, runs the camera's analytics on each frame in order."""
    analytics = CameraAnalytics(cfg)
    summary = ClipSummary()
    t0 = time.time()
    last_density = float("-inf")
    last: ClipFrame | None = None

    def emit(events: list[Event]) -> None:
        for ev in events:
            summary.events += 1
            if ev.state == "open":
                summary.events_by_kind[ev.kind] += 1
            if on_event is not None:
                on_event(ev)

    start = time.perf_counter()
    with ClipReader(source, cfg.camera_id, fps=fps, width=width, t0=t0) as reader:
        pending: list[ClipFrame] = []
        frames = iter(reader)
        done = False
        while not done:
            pending.clear()
            for f in frames:
                pending.append(f)
                if len(pending) >= batch:
                    break
            else:
                done = True
            if not pending:
                break
            results = detector.detect_batch([f.image for f in pending])
            for f, dets in zip(pending, results, strict=True):
                dmap = None
                if density is not None and f.pts - last_density >= density_interval_s:
                    dmap, last_density = density.estimate(f.image), f.pts
                    summary.density_runs += 1
                res = analytics.process(f, dets, dmap)
                summary.analysed += 1
                _record_state(summary, res.state)
                emit(res.events)
                last = f
        summary.decoded = reader.decoded
        summary.error = reader.error
    if last is not None:
        emit(analytics.close(last.captured_at, last.pts))
    summary.seconds = time.perf_counter() - start
    summary.tracks_by_class = analytics.tracks_by_class
    for lid, lc in analytics.line_counters.items():
        c = lc.counts()
        summary.lines[lid] = (c.in_count, c.out_count)
        summary.lines_by_class[lid] = (c.in_by_class, c.out_by_class)
    return summary
