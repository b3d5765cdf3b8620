"""Per-minute aggregation of what the cameras see, for zones, lines and areas.

`observe(Observation)` takes one analysed frame reduced to what flow needs (zone counts, which
anonymous track is in which zone, line crossings); `close(now)` hands back every finished
minute. Track ids are per-camera tracker numbers: nothing identifies a person.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flow.metrics import MODE_OF_CLASS, dwell_bin

Key = tuple[str, str]  # (camera id, zone or line id)


@dataclass(frozen=True)
class Member:
    zone_id: str
    track_id: int
    class_name: str


@dataclass(frozen=True)
class CrossingObs:
    line_id: str
    direction: str  # "in" or "out"
    class_name: str


@dataclass(frozen=True)
class Observation:
    camera_id: str
    t: float  # wall clock (s)
    zone_counts: dict[str, float]  # hybrid count per zone
    members: tuple[Member, ...] = ()
    crossings: tuple[CrossingObs, ...] = ()


@dataclass
class ZoneMinute:
    count_sum: float = 0.0
    frames: int = 0
    modes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    dwell: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    od: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # destination zone

    @property
    def count(self) -> float:
        return self.count_sum / self.frames if self.frames else 0.0


@dataclass
class MinuteBucket:
    start: datetime
    zones: dict[Key, ZoneMinute] = field(default_factory=dict)
    lines: dict[Key, dict[str, int]] = field(default_factory=dict)  # direction -> crossings

    def zone(self, key: Key) -> ZoneMinute:
        return self.zones.setdefault(key, ZoneMinute())


@dataclass
class _Visit:
    first_t: float
    last_t: float


class MinuteAggregator:
    """Not thread-safe: one owner thread feeds and closes it."""

    def __init__(self, exit_grace_s: float = 2.0, od_window_s: float = 30.0) -> None:
        self._grace = exit_grace_s
        self._od_window = od_window_s
        self._buckets: dict[int, MinuteBucket] = {}
        self._visits: dict[tuple[str, str, int], _Visit] = {}
        self._left: dict[tuple[str, int], tuple[str, float]] = {}  # last zone a track left
        self._closed_before = -math.inf
        self.late = 0  # observations for minutes already handed out

    def _bucket(self, t: float) -> MinuteBucket | None:
        minute = int(t // 60)
        if minute < self._closed_before:
            return None
        b = self._buckets.get(minute)
        if b is None:
            b = self._buckets[minute] = MinuteBucket(datetime.fromtimestamp(minute * 60, UTC))
        return b

    def observe(self, obs: Observation) -> None:
        b = self._bucket(obs.t)
        if b is None:
            self.late += 1
            return
        cam = obs.camera_id
        for zid, count in obs.zone_counts.items():
            zm = b.zone((cam, zid))
            zm.count_sum += count
            zm.frames += 1
        for c in obs.crossings:
            b.lines.setdefault((cam, c.line_id), defaultdict(int))[c.direction] += 1
        self._end_visits(cam, obs.t)
        here = {(m.zone_id, m.track_id) for m in obs.members}
        for m in obs.members:
            if (cam, m.zone_id, m.track_id) not in self._visits:
                self._moved(cam, m.track_id, here, obs.t)
            self._seen(b, cam, m, obs.t)

    def _seen(self, b: MinuteBucket, cam: str, m: Member, t: float) -> None:
        key = (cam, m.zone_id, m.track_id)
        visit = self._visits.get(key)
        if visit is not None:
            visit.last_t = t
            return
        self._visits[key] = _Visit(t, t)
        zm = b.zone((cam, m.zone_id))
        mode = MODE_OF_CLASS.get(m.class_name)
        if mode is not None:
            zm.modes[mode] += 1
        left = self._left.pop((cam, m.track_id), None)
        if left is not None and left[0] != m.zone_id and t - left[1] <= self._od_window:
            b.zone((cam, left[0])).od[m.zone_id] += 1

    def _moved(self, cam: str, track: int, here: set[tuple[str, int]], t: float) -> None:
        """A track that turns up in a new zone has left the zones it is no longer in."""
        gone = [k for k in self._visits
                if k[0] == cam and k[2] == track and (k[1], track) not in here]
        self._finish(gone, t)

    def _end_visits(self, cam: str | None, t: float) -> None:
        done = [k for k, v in self._visits.items()
                if (cam is None or k[0] == cam) and t - v.last_t > self._grace]
        self._finish(done, t)

    def _finish(self, done: list[tuple[str, str, int]], t: float) -> None:
        for key in done:
            v = self._visits.pop(key)
            b = self._bucket(v.last_t) or self._bucket(t)
            if b is not None:
                b.zone((key[0], key[1])).dwell[dwell_bin(v.last_t - v.first_t)] += 1
            self._left[(key[0], key[2])] = (key[1], v.last_t)
        stale = [k for k, (_, last) in self._left.items() if t - last > self._od_window]
        for k in stale:
            del self._left[k]

    def close(self, now: float, lag_s: float = 3.0) -> list[MinuteBucket]:
        """Every minute that ended at least `lag_s` before `now`, oldest first."""
        self._end_visits(None, now - lag_s)
        limit = int((now - lag_s) // 60)
        done = sorted(m for m in self._buckets if m < limit)
        self._closed_before = max(self._closed_before, limit)
        return [self._buckets.pop(m) for m in done]

