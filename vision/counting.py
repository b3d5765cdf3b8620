"""Zone occupancy (per class, dwell time per track) and directional line counting.

Line crossings are counted once per track and direction, and only after the track's anchor has
gone `min_distance` past the line (a hysteresis band), so boxes jittering on the line, or ID
switches, do not inflate the counts.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vision.detections import Detections
from vision.geometry import Line, Zone, points_in_polygon

Direction = Literal["in", "out"]
Anchor = Literal["bottom_center", "center"]


@dataclass(frozen=True)
class Crossing:
    line_id: str
    track_id: int
    class_name: str
    direction: Direction
    t: float
    point: tuple[float, float]  # normalised


@dataclass(frozen=True)
class LineCounts:
    line_id: str
    in_count: int
    out_count: int
    in_by_class: dict[str, int]
    out_by_class: dict[str, int]


@dataclass
class _TrackSide:
    side: int  # -1 left of a->b, +1 right
    last_t: float
    u: float  # where along a->b (0..1) it was last seen on `side`: where it will cross
    point: tuple[float, float]  # last position (pixels / the frame's larger side)
    counted: set[str] = field(default_factory=set)


class LineCounter:
    """`update(tracked_dets, t)` -> the crossings of this frame. Crossing from the left of a->b
    (as seen looking from a to b on the image, y pointing down) to its right is "in"."""

    def __init__(
        self,
        line: Line,
        min_distance: float = 0.02,
        anchor: Anchor = "bottom_center",
        margin: float = 0.05,
        forget_after_s: float = 30.0,
        max_gap_s: float = 2.0,
        refind_distance: float = 0.05,
    ) -> None:
        self.line = line
        self._min_distance = min_distance  # fraction of the frame's larger side
        self._anchor: Anchor = anchor
        self._margin = margin  # how far beyond the end points (fraction of the line) still counts
        self._forget_after_s = forget_after_s
        # A track re-found after more than max_gap_s, farther than refind_distance (fraction of
        # the larger side) from where it was lost, is probably someone else: it starts afresh.
        self._max_gap_s = max_gap_s
        self._refind_distance = refind_distance
        self._tracks: dict[int, _TrackSide] = {}
        self._in: Counter[str] = Counter()
        self._out: Counter[str] = Counter()

    def update(self, dets: Detections, t: float) -> list[Crossing]:
        if dets.tracker_id is None:
            raise ValueError("line counting needs tracked detections (tracker_id set)")
        w, h = dets.width, dets.height
        scale = float(max(w, h))
        ax, ay = self.line.a[0] * w, self.line.a[1] * h
        dx, dy = self.line.b[0] * w - ax, self.line.b[1] * h - ay
        length = math.hypot(dx, dy)
        pts = dets.anchors(self._anchor)
        names = dets.class_names()
        out: list[Crossing] = []
        # Python floats and ints: numpy scalars make each of the operations below dearer.
        rows = zip(pts.tolist(), dets.tracker_id.tolist(), names, strict=True)
        for (px, py), tid, name in rows:
            dist = (dx * (py - ay) - dy * (px - ax)) / length / scale
            u = ((px - ax) * dx + (py - ay) * dy) / (length * length)
            side = 1 if dist > 0 else -1
            point = (px / scale, py / scale)
            state = self._tracks.get(tid)
            if state is None or self._switched(state, point, t):
                # A new track starts on the side it is seen on, even inside the band: people
                # often first appear close to a line.
                counted = state.counted if state else set()
                self._tracks[tid] = _TrackSide(side, t, u, point, counted)
                continue
            state.last_t, state.point = t, point
            if side == state.side:
                state.u = u
                continue
            if abs(dist) < self._min_distance:
                continue
            state.side, crossed_at = side, (state.u + u) / 2.0
            state.u = u
            if not (-self._margin <= crossed_at <= 1.0 + self._margin):
                continue  # passed beside the line, not across it
            direction: Direction = "in" if side > 0 else "out"
            if direction in state.counted:
                continue
            state.counted.add(direction)
            (self._in if direction == "in" else self._out)[name] += 1
            out.append(
                Crossing(self.line.id, tid, name, direction, t, (px / w, py / h))
            )
        self._forget(t)
        return out

    def _switched(self, state: _TrackSide, point: tuple[float, float], t: float) -> bool:
        if t - state.last_t <= self._max_gap_s:
            return False
        moved = math.hypot(point[0] - state.point[0], point[1] - state.point[1])
        return moved > self._refind_distance

    def _forget(self, t: float) -> None:
        stale = [k for k, s in self._tracks.items() if t - s.last_t > self._forget_after_s]
        for k in stale:
            del self._tracks[k]

    def counts(self) -> LineCounts:
        return LineCounts(
            self.line.id,
            sum(self._in.values()),
            sum(self._out.values()),
            dict(self._in),
            dict(self._out),
        )


@dataclass(frozen=True)
class ZoneOccupancy:
    zone_id: str
    count: int
    by_class: dict[str, int]
    track_ids: tuple[int, ...]
    dwell_s: dict[int, float]  # track id -> seconds inside without leaving
    inside: np.ndarray  # bool per detection of the frame

    @property
    def people(self) -> int:
        return self.by_class.get("person", 0)


class ZoneCounter:
    """`update(dets, t)` -> who is in the zone now, per class, and how long each track has
    stayed (a track may vanish for up to `exit_grace_s` without its dwell restarting)."""

    def __init__(
        self, zone: Zone, anchor: Anchor = "bottom_center", exit_grace_s: float = 2.0
    ) -> None:
        self.zone = zone
        self._anchor: Anchor = anchor
        self._grace = exit_grace_s
        self._entered: dict[int, float] = {}
        self._last_inside: dict[int, float] = {}

    def update(self, dets: Detections, t: float) -> ZoneOccupancy:
        inside = points_in_polygon(dets.normalized_anchors(self._anchor), self.zone.polygon)
        names = [n for n, ok in zip(dets.class_names(), inside, strict=True) if ok]
        ids: tuple[int, ...] = ()
        dwell: dict[int, float] = {}
        if dets.tracker_id is not None:
            ids = tuple(dets.tracker_id[inside].tolist())
            for tid in ids:
                self._entered.setdefault(tid, t)
                self._last_inside[tid] = t
            gone = [k for k, last in self._last_inside.items() if t - last > self._grace]
            for k in gone:
                del self._last_inside[k]
                self._entered.pop(k, None)
            dwell = {tid: t - self._entered[tid] for tid in ids}
        return ZoneOccupancy(
            self.zone.id, len(names), dict(Counter(names)), ids, dwell, inside
        )
