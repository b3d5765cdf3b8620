"""What the rules read each frame (`FrameFacts`) and what they say (`Condition`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from events.model import DetailValue, EventKind
from vision.counting import Crossing, ZoneOccupancy
from vision.density import HybridCount
from vision.detections import Detections


@dataclass(frozen=True)
class ZoneFacts:
    occupancy: ZoneOccupancy
    density: float | None  # people in the zone by the density map (None: no fresh map)
    count: HybridCount


@dataclass(frozen=True)
class FrameFacts:
    camera_id: str
    t: float  # capture time (s since the epoch): the rules' clock
    pts: float
    detections: Detections  # tracked
    zones: dict[str, ZoneFacts]
    frame: ZoneFacts  # the whole frame as one zone (id "")
    crossings: list[Crossing] = field(default_factory=list)


@dataclass(frozen=True)
class Condition:
    """One rule's verdict on one subject (a zone, a line direction, a cluster) for one frame."""

    kind: EventKind
    rule_id: str
    key: str  # identifies the subject: one event at a time per key
    active: bool
    tier: int = 1
    count: float | None = None
    track_ids: tuple[int, ...] = ()
    point: tuple[float, float] | None = None
    zone_id: str | None = None
    line_id: str | None = None
    message: str = ""
    details: dict[str, DetailValue] = field(default_factory=dict)
