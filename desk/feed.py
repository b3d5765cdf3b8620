"""Fan-out of desk messages to WebSocket clients, scoped by unit. Each client has a bounded
queue: a slow client loses its oldest messages (counted), never holding up the desk."""

from __future__ import annotations

import asyncio
from collections import deque

from desk.model import DeskMessage


class FeedSubscription:
    def __init__(self, feed: DeskFeed, units: frozenset[str] | None, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("a subscription needs room for at least one message")
        self._feed = feed
        self.units = units
        self.maxsize = maxsize
        self.dropped = 0
        self._queue: deque[str] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def offer(self, unit_id: str, text: str) -> None:
        if self._closed or (self.units is not None and unit_id not in self.units):
            return
        if len(self._queue) >= self.maxsize:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(text)
        self._ready.set()

    async def get(self) -> str | None:
        """The next message as JSON text; None once closed."""
        while not self._queue:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()

    def close(self) -> None:
        self._closed = True
        self._ready.set()
        self._feed.remove(self)

    def __enter__(self) -> FeedSubscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DeskFeed:
    """Use on the event loop only (the service publishes from there)."""

    def __init__(self) -> None:
        self._subs: list[FeedSubscription] = []

    def subscribe(self, units: frozenset[str] | None, maxsize: int = 512) -> FeedSubscription:
        sub = FeedSubscription(self, units, maxsize)
        self._subs.append(sub)
        return sub

    def remove(self, sub: FeedSubscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, message: DeskMessage) -> None:
        if message.alert is None or not self._subs:
            return
        text = message.model_dump_json()
        for sub in list(self._subs):
            sub.offer(message.alert.unit_id, text)

    def close_all(self) -> None:
        for sub in list(self._subs):
            sub.close()
