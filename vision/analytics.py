"""Per-camera analytics: tracker -> zones/lines -> density -> rules -> events, one frame at a time.

`CameraAnalytics.process` is called by one worker thread per camera at a time; the
`CameraState` it returns is immutable and can be handed to other threads (overlays, status).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from events.model import Event
from models.protocols import DensityMap
from vision.counting import Anchor, Crossing, LineCounter, LineCounts, ZoneCounter
from vision.density import HybridConfig, HybridCount, ZoneDensity, hybrid_count
from vision.detections import Detections
from vision.geometry import Line, Zone
from vision.heatmap import HeatmapAccumulator
from vision.rules import FrameFacts, RulesConfig, RulesEngine, ZoneFacts, check_references
from vision.rules.lifecycle import Emission
from vision.snapshot import render_snapshot
from vision.tracking import Tracker, TrackerConfig

log = logging.getLogger(__name__)

FRAME_ZONE = Zone(id="frame", name="画面", polygon=[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])


class FrameLike(Protocol):
    """What analytics needs of a frame; `streams.Frame` is one."""

    @property
    def camera_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def pts(self) -> float: ...
    @property
    def captured_at(self) -> float: ...
    @property
    def image(self) -> npt.NDArray[np.uint8]: ...


class CameraAnalysisConfig(BaseModel):
    """The analysis of one camera (the server builds it from the camera's config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera_id: str = Field(min_length=1, max_length=64)
    zones: list[Zone] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    model: str = "default"  # a detector name of VisionSettings.detectors
    analysis_fps: float = Field(default=5.0, gt=0.0)
    tracker: TrackerConfig = Field(default_factory=TrackerConfig)
    hybrid: HybridConfig = Field(default_factory=HybridConfig)
    anchor: Anchor = "bottom_center"
    line_min_distance: float = Field(default=0.02, ge=0.0, le=0.5)
    density_max_age_s: float = Field(default=10.0, gt=0.0)
    heatmap_half_life_s: float = Field(default=600.0, ge=0.0)
    snapshots: bool = True

    @model_validator(mode="after")
    def _check(self) -> CameraAnalysisConfig:
        zone_ids, line_ids = [z.id for z in self.zones], [x.id for x in self.lines]
        for kind, ids in (("zone", zone_ids), ("line", line_ids)):
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"{kind} ids must be unique, repeated: {sorted(dup)}")
        check_references(self.rules, self.zones, self.lines)
        return self


@dataclass(frozen=True)
class ZoneCount:
    zone_id: str
    count: float  # the hybrid count
    source: str  # "detector" or "density"
    detector: int  # people the detector sees in the zone
    density: float | None
    by_class: dict[str, int]


@dataclass(frozen=True)
class CameraState:
    """The latest analysed frame of a camera, for overlays and status (metadata keyed by pts)."""

    camera_id: str
    seq: int
    pts: float
    captured_at: float
    detections: Detections  # tracked, in analysis-frame pixels
    zones: dict[str, ZoneCount]
    lines: dict[str, LineCounts]
    people: ZoneCount  # whole frame
    open_events: tuple[Event, ...]
    crossings: tuple[Crossing, ...] = ()
    tracks_by_class: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisResult:
    state: CameraState
    events: list[Event]


class CameraAnalytics:
    def __init__(self, cfg: CameraAnalysisConfig) -> None:
        self.cfg = cfg
        self.tracker = Tracker(cfg.tracker, frame_rate=cfg.analysis_fps)
        self.zone_counters = {z.id: ZoneCounter(z, cfg.anchor) for z in cfg.zones}
        self.frame_counter = ZoneCounter(FRAME_ZONE, cfg.anchor)
        self.line_counters = {
            ln.id: LineCounter(ln, cfg.line_min_distance, cfg.anchor) for ln in cfg.lines
        }
        self.zone_density = ZoneDensity()
        self.rules = RulesEngine(cfg.camera_id, cfg.rules, cfg.zones, cfg.lines)
        self.heatmap = HeatmapAccumulator(half_life_s=cfg.heatmap_half_life_s)
        self._density: DensityMap | None = None
        self._density_t = float("-inf")
        self._max_track = 0
        self._tracks_by_class: dict[str, int] = {}
        self.frames = 0

    def process(
        self, frame: FrameLike, dets: Detections, density: DensityMap | None = None
    ) -> AnalysisResult:
        t = frame.captured_at
        if density is not None:
            self._density, self._density_t = density, t
            self.heatmap.add_density(density, t, weight=0.0)  # keeps the decay clock
        dmap = self._density if t - self._density_t <= self.cfg.density_max_age_s else None
        tracked = self.tracker.update(dets)
        self._count_tracks(tracked)
        self.frames += 1
        people_pts = tracked.of_classes(["person"]).normalized_anchors(self.cfg.anchor)
        self.heatmap.add_points(people_pts, t)
        zone_facts = {
            zid: self._zone_facts(zc, tracked, t, dmap) for zid, zc in self.zone_counters.items()
        }
        frame_facts = self._zone_facts(self.frame_counter, tracked, t, dmap)
        crossings = [c for lc in self.line_counters.values() for c in lc.update(tracked, t)]
        facts = FrameFacts(
            camera_id=self.cfg.camera_id,
            t=t,
            pts=frame.pts,
            detections=tracked,
            zones=zone_facts,
            frame=frame_facts,
            crossings=crossings,
        )
        events = [self._with_snapshot(em, frame, tracked) for em in self.rules.step(facts)]
        state = CameraState(
            camera_id=self.cfg.camera_id,
            seq=frame.seq,
            pts=frame.pts,
            captured_at=t,
            detections=tracked,
            zones={zid: _zone_count(zf) for zid, zf in zone_facts.items()},
            lines={lid: lc.counts() for lid, lc in self.line_counters.items()},
            people=_zone_count(frame_facts),
            open_events=tuple(self.rules.lifecycle.open_events),
            crossings=tuple(crossings),
            tracks_by_class=dict(self._tracks_by_class),
        )
        return AnalysisResult(state, events)

    @property
    def tracks_by_class(self) -> dict[str, int]:
        """Tracks started so far, by the class they were first seen as."""
        return dict(self._tracks_by_class)

    def close(self, t: float, pts: float) -> list[Event]:
        """Closes the camera's open events (it stops, or its configuration is replaced)."""
        return [em.event for em in self.rules.close_all(t, pts)]

    def _count_tracks(self, tracked: Detections) -> None:
        if tracked.tracker_id is None:
            return
        for tid, name in zip(tracked.tracker_id, tracked.class_names(), strict=True):
            if int(tid) > self._max_track:  # ByteTrack issues ids in increasing order
                self._max_track = int(tid)
                self._tracks_by_class[name] = self._tracks_by_class.get(name, 0) + 1

    def _zone_facts(
        self, counter: ZoneCounter, tracked: Detections, t: float, dmap: DensityMap | None
    ) -> ZoneFacts:
        occ = counter.update(tracked, t)
        zone = counter.zone
        dens = None if dmap is None else self.zone_density.count(dmap, zone.polygon)
        return ZoneFacts(occ, dens, hybrid_count(occ.people, dens, self.cfg.hybrid))

    def _with_snapshot(self, em: Emission, frame: FrameLike, tracked: Detections) -> Event:
        if not (em.wants_snapshot and self.cfg.snapshots):
            return em.event
        ev = em.event
        zones = [z for z in self.cfg.zones if z.id == ev.zone_id]
        lines = [ln for ln in self.cfg.lines if ln.id == ev.line_id]
        try:
            jpeg = render_snapshot(
                frame.image, tracked, highlight=ev.track_ids, zones=zones, lines=lines,
                point=ev.point,
            )
        except (ValueError, OSError) as exc:  # cv2 errors are ValueError subclasses here
            log.warning("camera %s: snapshot failed: %s", self.cfg.camera_id, exc)
            return ev
        return ev.model_copy(update={"snapshot": jpeg})


def _zone_count(zf: ZoneFacts) -> ZoneCount:
    hc: HybridCount = zf.count
    return ZoneCount(
        zf.occupancy.zone_id, hc.value, hc.source, hc.detector, zf.density, zf.occupancy.by_class
    )
