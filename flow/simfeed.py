"""Keeps the simulated demo areas filled: seeds multi-week history on first start, fills the gap
after a restart, and writes each simulated minute as time passes (with its roll-ups)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flow.areas import AreaConfig
from flow.metrics import COUNT, Point, area_scope
from flow.seeding import SeedError, SeedJob, SpawnError, seed_in_child, shareable
from flow.simulate import FloatArray, history_start, simulate, to_points
from flow.store import CHUNK, FlowStore

log = logging.getLogger(__name__)
DAY_MIN = 1440


@dataclass
class Buffer:
    start: datetime  # first minute of the arrays
    data: dict[str, FloatArray]
    written: int  # minutes of it already in the store

    @property
    def minutes(self) -> int:
        return len(self.data[COUNT])


def floor_minute(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(second=0, microsecond=0)


class SimulatedFeed:
    """Synchronous; the service runs it in a worker thread."""

    def __init__(self, store: FlowStore, areas: Sequence[AreaConfig], days: int,
                 minute_days: int) -> None:
        self.halt = threading.Event()  # set by the owner to cut a long seeding short
        self._store = store
        self._areas = [a for a in areas if a.simulated]
        self._ids = [a.id for a in self._areas]
        self._days = days
        self._minute_days = minute_days
        self._buf: dict[str, Buffer] = {}

    def _others(self, area: AreaConfig) -> list[str]:
        return [i for i in self._ids if i != area.id]

    def prepare(self, now: datetime) -> int:
        """Seed or top up; returns the number of points written."""
        if not self._areas:
            return 0
        last = self._store.latest(area_scope(self._areas[0].id), COUNT, 60)
        if last is None or last[0] < now - timedelta(days=self._minute_days):
            return self._seed(now)
        written = 0
        for area in self._areas:
            start = last[0] + timedelta(minutes=1)
            minutes = int((now - start).total_seconds() // 60) + DAY_MIN
            self._buf[area.id] = Buffer(start, simulate(area, self._others(area), start,
                                                        minutes), 0)
        written += self.tick(now)
        return written

    def buffers(self) -> dict[str, Buffer]:
        return dict(self._buf)

    def _seed(self, now: datetime) -> int:
        """Weeks of history, written by a child process where the database allows it (see
        flow/seeding.py), else here."""
        url = self._store.url
        if not shareable(url):
            return self._log_seeded(self.seed_here(now))
        job = SeedJob(url, self._areas, self._days, self._minute_days, now)
        try:
            seeded = seed_in_child(job, self.halt)
        except SpawnError as exc:
            log.warning("flow: %s; writing the history on this thread", exc)
            return self._log_seeded(self.seed_here(now))
        except SeedError as exc:
            log.error("flow: could not write the simulated history: %s", exc)
            return 0
        if seeded is None:  # halted
            return 0
        self._buf.update(seeded.buffers)
        return self._log_seeded(seeded.points)

    def _log_seeded(self, total: int) -> int:
        log.info("flow: simulated %d days of footfall for %d areas (%d points)",
                 self._days, len(self._areas), total)
        return total

    def seed_here(self, now: datetime) -> int:
        """Replace the simulated areas' history with `days` of new simulation, in this
        thread; returns the points written (fewer when `halt` cut it short)."""
        self._store.delete_scopes(area_scope(i) for i in self._ids)
        start = history_start(now, self._days)
        done = int((floor_minute(now) - start).total_seconds() // 60)
        total = 0
        for area in self._areas:
            data = simulate(area, self._others(area), start, done + DAY_MIN)
            past = {k: v[:done] for k, v in data.items()}
            recent = max(0, done - min(self._minute_days, 1) * DAY_MIN)
            recent -= recent % 60
            points: list[Point] = to_points(area, start, past, 3600)
            points += to_points(area, start, past, 900)
            points += to_points(area, start + timedelta(minutes=recent),
                                {k: v[recent:] for k, v in past.items()}, 60)
            for i in range(0, len(points), CHUNK):
                if self.halt.is_set():
                    return total
                total += self._store.insert(points[i:i + CHUNK])
            self._buf[area.id] = Buffer(start, data, done)
        return total

    def tick(self, now: datetime) -> int:
        """Write the simulated minutes that have passed, then roll up finished quarters and
        hours."""
        end = floor_minute(now)
        points: list[Point] = []
        first: datetime | None = None
        for area in self._areas:
            buf = self._buf.get(area.id)
            if buf is None:
                continue
            if buf.written >= buf.minutes - 60:  # running out: simulate the next day
                start = buf.start + timedelta(minutes=buf.written)
                buf = self._buf[area.id] = Buffer(
                    start, simulate(area, self._others(area), start, DAY_MIN * 2), 0)
            upto = min(buf.minutes, int((end - buf.start).total_seconds() // 60))
            if upto <= buf.written:
                continue
            t0 = buf.start + timedelta(minutes=buf.written)
            first = t0 if first is None else min(first, t0)
            chunk = {k: v[buf.written:upto] for k, v in buf.data.items()}
            points += to_points(area, t0, chunk, 60)
            buf.written = upto
        if not points or first is None:
            return 0
        self._store.replace(points)
        self._rollups(first, end)
        return len(points)

    def _rollups(self, first: datetime, end: datetime) -> None:
        q = first.replace(minute=first.minute - first.minute % 15)
        while q + timedelta(minutes=15) <= end:
            self._store.rollup(60, 900, q)
            if (q.minute == 45):
                self._store.rollup(900, 3600, q.replace(minute=0))
            q += timedelta(minutes=15)
