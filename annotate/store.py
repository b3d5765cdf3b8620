"""Synchronous board persistence (call through `asyncio.to_thread` or the writer's thread).

The update log is append-only; `compact` merges old updates into one snapshot row so loading
stays fast while recent history stays queryable at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pycrdt import Doc, merge_updates
from sqlalchemy import delete, func, insert, select

from annotate.orm import BoardExportRow, BoardUpdateRow
from db.database import Database


@dataclass(frozen=True)
class PendingWrite:
    board_id: str
    data: bytes
    username: str
    at: datetime


@dataclass(frozen=True)
class BoardState:
    update: bytes  # everything merged into one update
    rows: int
    last_at: datetime | None


class BoardStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def append(self, batch: list[PendingWrite]) -> None:
        """Insert a batch in one transaction (committed when this returns)."""
        rows = [
            {"board_id": w.board_id, "data": w.data, "username": w.username,
             "created_at": w.at, "snapshot": False}
            for w in batch
        ]
        with self._db.session() as s:
            s.execute(insert(BoardUpdateRow), rows)

    def load(self, board_id: str, until: datetime | None = None) -> BoardState:
        """The board's document as one update (as of `until`, when given)."""
        stmt = select(BoardUpdateRow.data, BoardUpdateRow.created_at).where(
            BoardUpdateRow.board_id == board_id
        )
        if until is not None:
            stmt = stmt.where(BoardUpdateRow.created_at <= until)
        with self._db.session() as s:
            found = list(s.execute(stmt.order_by(BoardUpdateRow.id)))
        if not found:
            return BoardState(update=Doc().get_update(), rows=0, last_at=None)
        merged = merge_updates(*[r[0] for r in found]) if len(found) > 1 else found[0][0]
        return BoardState(update=merged, rows=len(found), last_at=found[-1][1])

    def timeline(self, board_id: str) -> list[tuple[datetime, str]]:
        stmt = (
            select(BoardUpdateRow.created_at, BoardUpdateRow.username)
            .where(BoardUpdateRow.board_id == board_id)
            .order_by(BoardUpdateRow.id)
        )
        with self._db.session() as s:
            return [(r[0], r[1]) for r in s.execute(stmt)]

    def compact(self, board_id: str, before: datetime) -> int:
        """Merge the updates older than `before` into one snapshot row; return rows removed."""
        with self._db.session() as s:
            found = list(s.execute(
                select(BoardUpdateRow.id, BoardUpdateRow.data, BoardUpdateRow.created_at)
                .where(BoardUpdateRow.board_id == board_id, BoardUpdateRow.created_at < before)
                .order_by(BoardUpdateRow.id)
            ))
            if len(found) < 2:
                return 0
            merged = merge_updates(*[r[1] for r in found])
            s.execute(delete(BoardUpdateRow).where(BoardUpdateRow.id.in_([r[0] for r in found])))
            s.add(BoardUpdateRow(board_id=board_id, data=merged, username="(snapshot)",
                                 created_at=found[-1][2], snapshot=True))
            return len(found) - 1

    def count(self, board_id: str) -> int:
        with self._db.session() as s:
            n = s.scalar(select(func.count()).where(BoardUpdateRow.board_id == board_id))
        return int(n or 0)

    def add_export(self, board_id: str, alert_id: str | None, png: bytes, username: str,
                   at: datetime) -> int:
        with self._db.session() as s:
            row = BoardExportRow(board_id=board_id, alert_id=alert_id, png=png,
                                 created_by=username, created_at=at)
            s.add(row)
            s.flush()
            return row.id

    def export_png(self, board_id: str, export_id: int) -> bytes | None:
        with self._db.session() as s:
            row = s.get(BoardExportRow, export_id)
            return row.png if row is not None and row.board_id == board_id else None
