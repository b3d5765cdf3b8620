"""The owned thread that turns analysed frames into per-minute points.

`offer(state)` is what `VisionService(on_state=...)` calls on its worker threads: it only
appends to a bounded deque (the oldest is dropped and counted when full). The thread drains it
every second, aggregates per minute and writes finished minutes (and roll-ups) to the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from flow.aggregate import MinuteAggregator
from flow.areas import AreaConfig
from flow.live import bucket_points, observation
from flow.store import FlowStore
from vision.analytics import CameraState
from vision.geometry import Zone

log = logging.getLogger(__name__)
ZonesFor = Callable[[str], Sequence[Zone]]


class LiveWorker:
    def __init__(self, store: FlowStore, areas: Sequence[AreaConfig], zones_for: ZonesFor,
                 maxlen: int = 2000, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._areas = list(areas)
        self._zones_for = zones_for
        self._queue: deque[CameraState] = deque(maxlen=maxlen)
        self._clock = clock
        self._agg = MinuteAggregator()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0
        self.minutes_written = 0

    def offer(self, state: CameraState) -> None:
        """Thread-safe and quick: called for every analysed frame."""
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
        self._queue.append(state)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="flow-live", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("flow live worker did not stop within %.1f s", timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.step(self._clock())
            except (SQLAlchemyError, ValueError):  # one bad minute must not end the feed
                log.exception("flow: live aggregation step failed")

    def step(self, now: float) -> int:
        """Drain, aggregate, write finished minutes; returns minutes written."""
        zones: dict[str, Sequence[Zone]] = {}
        while self._queue:
            state = self._queue.popleft()
            if state.camera_id not in zones:
                zones[state.camera_id] = self._zones_for(state.camera_id)
            self._agg.observe(observation(state, zones[state.camera_id]))
        done = self._agg.close(now)
        for bucket in done:
            self._store.replace(bucket_points(bucket, self._areas))
            end = bucket.start + timedelta(minutes=1)
            if end.minute % 15 == 0:
                self._store.rollup(60, 900, end - timedelta(minutes=15))
            if end.minute == 0:
                self._store.rollup(900, 3600, end - timedelta(hours=1))
        self.minutes_written += len(done)
        return len(done)
