"""The one owned writer task: batches board updates into one transaction each and reports
each update as durable (its `on_commit`) only after the commit returned."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from annotate.store import BoardStore, PendingWrite

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteJob:
    write: PendingWrite
    on_commit: Callable[[], None]
    on_fail: Callable[[], None]


class WriterClosed(RuntimeError):
    """The writer stopped; the update was not stored."""


class UpdateWriter:
    def __init__(self, store: BoardStore, max_batch: int = 512) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: asyncio.Queue[WriteJob | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.committed = 0
        self.batches = 0
        self.failed = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="board-writer")

    def submit(self, job: WriteJob) -> None:
        if self._closed or self._task is None:
            raise WriterClosed("the board service is stopping; the edit was not saved")
        self._queue.put_nowait(job)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    async def stop(self, grace_s: float = 10.0) -> None:
        """Write what is queued, then end the task."""
        if self._task is None:
            return
        self._closed = True
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(self._task, grace_s)
        except TimeoutError:
            log.error("board writer did not finish within %.0f s; cancelling", grace_s)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            batch: list[WriteJob] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            while len(batch) < self._max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[WriteJob]) -> None:
        try:
            await asyncio.to_thread(self._store.append, [j.write for j in batch])
        except SQLAlchemyError:
            self.failed += len(batch)
            log.exception("could not store %d board updates", len(batch))
            for job in batch:
                job.on_fail()
            return
        self.committed += len(batch)
        self.batches += 1
        for job in batch:
            try:
                job.on_commit()
            except Exception:  # one broken peer must not stop the writer
                log.exception("board on_commit callback failed")
