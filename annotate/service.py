"""`BoardService`: the store, the owned writer task and the live rooms, started and stopped
by the server's lifespan."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image

from annotate.elements import doc_from_update, read_elements
from annotate.render import blank_frame, render_png
from annotate.rooms import BoardHub
from annotate.schemas import Element
from annotate.store import BoardStore
from annotate.writer import UpdateWriter
from db.base import utcnow
from db.database import Database

log = logging.getLogger(__name__)
FrameSource = Callable[[str], Image.Image | None]


@dataclass(frozen=True)
class BoardSettings:
    compact_after_rows: int = 2000  # on load, compact a board with more stored updates
    history_keep: timedelta = timedelta(days=7)  # finer history than this is kept as is
    max_batch: int = 512


class BoardService:
    def __init__(self, database: Database, frames: FrameSource,
                 settings: BoardSettings | None = None) -> None:
        self.settings = settings or BoardSettings()
        self.store = BoardStore(database)
        self.writer = UpdateWriter(self.store, self.settings.max_batch)
        self.hub = BoardHub(self._load, self.writer)
        self._frames = frames

    async def start(self) -> None:
        await self.writer.start()

    async def stop(self) -> None:
        self.hub.close_all()
        await self.writer.stop()

    def _load(self, board_id: str) -> bytes:
        """Blocking: the stored board, compacting old updates first when there are many."""
        if self.store.count(board_id) > self.settings.compact_after_rows:
            removed = self.store.compact(board_id, utcnow() - self.settings.history_keep)
            log.info("board %s: compacted %d old updates into a snapshot", board_id, removed)
        return self.store.load(board_id).update

    def elements_at(self, board_id: str, at: datetime | None) -> tuple[int, list[Element]]:
        """Blocking: the board's elements as stored at `at` (now when None)."""
        state = self.store.load(board_id, until=at)
        return state.rows, read_elements(doc_from_update(state.update))

    def render(self, board_id: str, camera_id: str, frame_jpeg: bytes | None,
               at: datetime | None) -> bytes:
        """Blocking: the PNG of the frame (frozen, else the camera's newest) with the drawing."""
        _, elements = self.elements_at(board_id, at)
        frame: Image.Image | None = None
        if frame_jpeg is not None:
            frame = Image.open(io.BytesIO(frame_jpeg))
        if frame is None:
            frame = self._frames(camera_id)
        return render_png(frame if frame is not None else blank_frame(), elements)

    async def render_async(self, board_id: str, camera_id: str, frame_jpeg: bytes | None,
                           at: datetime | None) -> bytes:
        return await asyncio.to_thread(self.render, board_id, camera_id, frame_jpeg, at)
