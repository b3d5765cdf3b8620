"""What every WebSocket fan-out (desk alerts, markers) shares: a bounded per-client queue of
JSON texts, and the loop that serves one to a client.

A slow client loses its oldest messages (counted, then reported to it in one "dropped"
message so it can reload), never holding up the publisher or the other clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState


class ClientQueue:
    """Use on the event loop only. `on_close` runs once the client is gone (its feed forgets
    it there)."""

    def __init__(self, maxsize: int, on_close: Callable[[], None] | None = None) -> None:
        if maxsize < 1:
            raise ValueError("a subscription needs room for at least one message")
        self.maxsize = maxsize
        self.dropped = 0
        self._on_close = on_close
        self._queue: deque[str] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, text: str) -> None:
        if self._closed:
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
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> ClientQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def serve_queue(
    websocket: WebSocket, queue: ClientQueue, dropped: Callable[[int], str], name: str
) -> None:
    """Send the queue's messages to an accepted client until it leaves or the queue closes;
    `dropped(n)` is the message that tells it n messages were lost. Closes the socket."""
    reader = asyncio.create_task(drain(websocket), name=name)
    try:
        await _pump(websocket, queue, reader, dropped)
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client already left
            await websocket.close()


async def drain(websocket: WebSocket) -> None:
    """Reads (and ignores) client messages until it disconnects."""
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        return


async def _pump(
    websocket: WebSocket,
    queue: ClientQueue,
    reader: asyncio.Task[None],
    dropped: Callable[[int], str],
) -> None:
    reported = 0
    while not reader.done():
        getter = asyncio.ensure_future(queue.get())
        try:
            await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getter.done():  # the client left (or we are cancelled): stop waiting
                getter.cancel()
                await asyncio.gather(getter, return_exceptions=True)
        if getter.cancelled() or (text := getter.result()) is None:
            return
        try:
            if queue.dropped > reported:
                await websocket.send_text(dropped(queue.dropped - reported))
                reported = queue.dropped
            await websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError):
            return
