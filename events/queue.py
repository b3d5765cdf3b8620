"""The bounded queue every fan-out in `events` hands items through: when a slow consumer's
queue is full the oldest item is dropped and counted, so it never holds up the publisher or
the other consumers. Use on the event loop only."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, Self, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    """`put` never blocks; `get` waits for the next item, None once closed. `on_close` runs
    once when it is closed (its publisher forgets it there)."""

    def __init__(self, maxsize: int, on_close: Callable[[], None] | None = None) -> None:
        if maxsize < 1:
            raise ValueError("a subscription needs room for at least one message")
        self.maxsize = maxsize
        self.dropped = 0
        self._on_close = on_close
        self._queue: deque[T] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, item: T) -> None:
        if self._closed:
            return
        if len(self._queue) >= self.maxsize:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(item)
        self._ready.set()

    async def get(self) -> T | None:
        """The next item; None once closed (wrap in `asyncio.timeout` to bound the wait)."""
        while not self._queue:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        return len(self._queue)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._ready.set()
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
