"""EventRecorder: the bus subscriber that persists every event (one owned task)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import SQLAlchemyError

from events.bus import EventBus, Subscription
from events.store import EventStore

log = logging.getLogger(__name__)


class EventRecorder:
    """`await start()` subscribes and starts the task; `await stop()` drains what is queued
    (within `drain_s`) and ends it. Writes run in a thread, never on the event loop."""

    def __init__(
        self, bus: EventBus, store: EventStore, queue_size: int = 10_000, drain_s: float = 5.0
    ) -> None:
        self._bus = bus
        self._drain_s = drain_s
        self._store = store
        self._queue_size = queue_size
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self.saved = 0
        self.failed = 0

    @property
    def dropped(self) -> int:
        return 0 if self._sub is None else self._sub.dropped

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("EventRecorder already started")
        self._sub = self._bus.subscribe(self._queue_size)
        self._task = asyncio.create_task(self._run(self._sub), name="event-recorder")

    async def stop(self) -> None:
        if self._task is None or self._sub is None:
            return
        self._sub.close()  # the task drains what is queued, then ends
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self._drain_s)
        except TimeoutError:
            log.warning("event recorder did not drain within %.1f s: cancelled", self._drain_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self, sub: Subscription) -> None:
        while True:
            ev = await sub.get()
            if ev is None:  # closed and drained
                return
            try:
                await asyncio.to_thread(self._store.save, ev)
                self.saved += 1
            except SQLAlchemyError as exc:
                self.failed += 1
                log.error("could not store event %s: %s", ev.id, exc)
