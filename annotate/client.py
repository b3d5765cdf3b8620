"""A Python board client (y-websocket protocol over `websockets`): tests, the benchmark and
integrations use it. Local edits are sent as they happen; remote ones are applied with the
origin "remote", so a `pycrdt.UndoManager` on the client undoes only its own edits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, TransactionEvent
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from annotate import protocol as yp

log = logging.getLogger(__name__)
REMOTE = "remote"


class BoardClient:
    def __init__(self, url: str, on_update: Callable[[bytes], None] | None = None) -> None:
        self.url = url
        self.doc: Doc[Any] = Doc()
        self.elements = self.doc.get("elements", type=Map)
        self.synced = asyncio.Event()
        self.denied: list[str] = []
        self.awareness: dict[int, yp.AwarenessEntry] = {}
        self._on_update = on_update
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._remote = False
        self.doc.observe(self._local_change)

    async def __aenter__(self) -> BoardClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self, timeout_s: float = 10.0) -> None:
        self._ws = await connect(self.url, max_size=None, open_timeout=timeout_s)
        self._reader = asyncio.create_task(self._read(), name="board-client-read")
        self._writer = asyncio.create_task(self._write(), name="board-client-write")
        await self._ws.send(yp.sync_message(yp.SyncKind.STEP1, self.doc.get_state()))
        await asyncio.wait_for(self.synced.wait(), timeout_s)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        for task in (self._reader, self._writer):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._ws, self._reader, self._writer = None, None, None

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def _local_change(self, event: TransactionEvent) -> None:
        if self._remote or self._ws is None:
            return
        self._outbox.put_nowait(yp.sync_message(yp.SyncKind.UPDATE, event.update))

    async def _write(self) -> None:
        while True:
            message = await self._outbox.get()
            try:
                await self._send(message)
            finally:
                self._outbox.task_done()

    async def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until every local edit was handed to the socket."""
        await asyncio.wait_for(self._outbox.join(), timeout_s)

    async def _send(self, message: bytes) -> None:
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send(message)

    async def send_awareness(self, client_id: int, clock: int, state_json: str) -> None:
        entry = yp.AwarenessEntry(client_id, clock, state_json)
        await self._send(yp.awareness_message(yp.encode_awareness([entry])))

    async def send_raw_update(self, update: bytes) -> None:
        await self._send(yp.sync_message(yp.SyncKind.UPDATE, update))

    def _apply(self, update: bytes) -> None:
        self._remote = True
        try:
            with self.doc.transaction(origin=REMOTE):
                self.doc.apply_update(update)
        finally:
            self._remote = False
        if self._on_update is not None:
            self._on_update(update)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                if isinstance(raw, bytes):
                    await self._handle(raw)
        except ConnectionClosed:
            return

    async def _handle(self, raw: bytes) -> None:
        denied = yp.parse_denied(raw)
        if denied is not None:
            self.denied.append(denied)
            return
        message = yp.parse(raw)
        if isinstance(message, yp.SyncMessage):
            if message.kind == yp.SyncKind.STEP1:
                reply = self.doc.get_update(message.payload)
                await self._send(yp.sync_message(yp.SyncKind.STEP2, reply))
            else:
                self._apply(message.payload)
                if message.kind == yp.SyncKind.STEP2:
                    self.synced.set()
        elif isinstance(message, yp.AwarenessMessage):
            for entry in yp.parse_awareness(message.payload):
                self.awareness[entry.client_id] = entry
