"""What every WebSocket fan-out (events, desk alerts, markers) shares: a bounded per-client
queue, and the loop that serves one to a client.

A slow client loses its oldest messages (counted, then reported to it in one "dropped"
message so it can reload), never holding up the publisher or the other clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from events.queue import DropOldestQueue

T = TypeVar("T")


class ClientQueue(DropOldestQueue[str]):
    """A WebSocket client's queue of JSON texts."""


def as_is(text: str) -> str:
    """`render` for queues that already hold the JSON text."""
    return text


async def serve_queue(
    websocket: WebSocket,
    queue: DropOldestQueue[T],
    dropped: Callable[[int], str],
    name: str,
    render: Callable[[T], str | None],
) -> None:
    """Send the queue's items to an accepted client until it leaves or the queue closes;
    `render(item)` is the text sent (None: not for this client), `dropped(n)` the message that
    tells it n items were lost. Closes the socket."""
    reader = asyncio.create_task(drain(websocket), name=name)
    try:
        await _pump(websocket, queue, reader, dropped, render)
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
    queue: DropOldestQueue[T],
    reader: asyncio.Task[None],
    dropped: Callable[[int], str],
    render: Callable[[T], str | None],
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
        if getter.cancelled() or (item := getter.result()) is None:
            return
        text = render(item)
        if text is None:
            continue
        try:
            if queue.dropped > reported:
                await websocket.send_text(dropped(queue.dropped - reported))
                reported = queue.dropped
            await websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError):
            return
