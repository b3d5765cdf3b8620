"""Publish/subscribe for events. `EventBus` is the interface (a Redis or NATS implementation
can replace it); `InProcessBus` fans events out to subscribers of one process.

Every subscriber has a bounded queue: when a slow subscriber's queue is full the oldest event
is dropped and counted, so a stuck WebSocket never holds up the analysis or the others.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from typing import Protocol

from events.model import Event
from events.queue import DropOldestQueue

log = logging.getLogger(__name__)


class Subscription(DropOldestQueue[Event]):
    """An async iterator of events; ends when closed or when the bus stops."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize, on_close=self._leave)
        self._bus: InProcessBus | None = None

    def _leave(self) -> None:
        if self._bus is not None:
            self._bus._remove(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while (ev := await self.get()) is not None:
            yield ev


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def publish_threadsafe(self, event: Event) -> None:
        """Publish from any thread (the vision workers); never blocks."""
        ...

    def subscribe(self, maxsize: int = 256) -> Subscription: ...


class InProcessBus:
    """Call `start()` on the event loop that will deliver events, `stop()` to end every
    subscription. `publish_threadsafe` hops onto that loop with `call_soon_threadsafe`."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self.published = 0
        self.lost = 0  # events published while no loop was running (before start / after stop)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None
        with self._lock:
            subs, self._subs = self._subs, []
        for s in subs:
            s._bus = None
            s.close()

    def subscribe(self, maxsize: int = 256) -> Subscription:
        sub = Subscription(maxsize)
        sub._bus = self
        with self._lock:
            self._subs.append(sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def _fanout(self, event: Event) -> None:
        self.published += 1
        with self._lock:
            subs = list(self._subs)
        for s in subs:
            s.put(event)

    async def publish(self, event: Event) -> None:
        self._fanout(event)

    def publish_threadsafe(self, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self.lost += 1
            log.warning("event %s (%s) published with the bus stopped: lost", event.id, event.kind)
            return
        try:
            loop.call_soon_threadsafe(self._fanout, event)
        except RuntimeError:  # the loop closed between the check and the call
            self.lost += 1
