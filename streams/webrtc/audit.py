"""The live-viewing audit: one row per live session (who, camera, transport, start, end).

API layer (imports db and auth); the relay core reports ended sessions through the
``SessionHook`` that ``SessionAudit.ended`` provides.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from auth import audit
from db.base import Base, UtcDateTime
from db.database import Database
from streams.webrtc.session import SessionInfo

log = logging.getLogger(__name__)


class LiveSessionRow(Base):
    __tablename__ = "live_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    transport: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(128), default="")


class LiveSessionOut(BaseModel):
    id: str
    username: str
    camera_id: str
    transport: str
    started_at: datetime
    ended_at: datetime | None
    end_reason: str


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class SessionAudit:
    def __init__(self, database: Database) -> None:
        self._database = database

    def started(self, info: SessionInfo) -> None:
        """Blocking: call from a worker thread (``run_in_threadpool``)."""
        with self._database.session() as session:
            session.add(LiveSessionRow(
                id=info.session_id, username=info.username, camera_id=info.camera_id,
                transport=info.transport, started_at=_utc(info.started_at), end_reason="",
            ))
            audit.record(session, info.username, "live", info.camera_id,
                         f"{info.transport} {info.session_id}")

    def _ended(self, info: SessionInfo) -> None:
        with self._database.session() as session:
            row = session.get(LiveSessionRow, info.session_id)
            if row is None:
                return
            row.ended_at = _utc(info.ended_at or info.started_at)
            row.end_reason = info.reason[:128]

    async def ended(self, info: SessionInfo) -> None:
        try:
            await asyncio.to_thread(self._ended, info)
        except SQLAlchemyError as exc:
            log.error("live %s: cannot record the end of the session: %s", info.session_id, exc)

    def recent(self, limit: int = 200, camera_id: str | None = None) -> list[LiveSessionOut]:
        q = select(LiveSessionRow).order_by(LiveSessionRow.started_at.desc()).limit(limit)
        if camera_id is not None:
            q = q.where(LiveSessionRow.camera_id == camera_id)
        with self._database.session() as session:
            return [
                LiveSessionOut(
                    id=r.id, username=r.username, camera_id=r.camera_id, transport=r.transport,
                    started_at=r.started_at, ended_at=r.ended_at, end_reason=r.end_reason,
                )
                for r in session.scalars(q)
            ]
