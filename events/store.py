"""Persistence of events (table `events`) and their JPEG snapshots (`event_snapshots`).

Every publication of an event (open, updated, closed) upserts its row by id, so the table holds
each event's latest version; a snapshot, once taken, is kept when later versions carry none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow
from db.database import Database
from events.model import Event


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    rule_id: Mapped[str] = mapped_column(String(128), default="")
    tier: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    pts: Mapped[float] = mapped_column(Float)
    zone_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    line_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    track_ids: Mapped[list[int]] = mapped_column(JSON)
    count: Mapped[float | None] = mapped_column(Float, nullable=True)
    point_x: Mapped[float | None] = mapped_column(Float, nullable=True)
    point_y: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, object]] = mapped_column(JSON)
    has_snapshot: Mapped[bool] = mapped_column(Boolean, default=False)


class EventSnapshotRow(Base):
    __tablename__ = "event_snapshots"

    event_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class EventQuery:
    """`camera_ids` None: every camera (the router narrows it to the caller's scope);
    `since`/`until`: events whose time span overlaps [since, until]."""

    camera_ids: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def _to_event(row: EventRow) -> Event:
    point = None if row.point_x is None or row.point_y is None else (row.point_x, row.point_y)
    return Event.model_validate(
        {
            "id": uuid.UUID(row.id),
            "camera_id": row.camera_id,
            "kind": row.kind,
            "rule_id": row.rule_id,
            "tier": row.tier,
            "state": row.state,
            "started_at": row.started_at,
            "updated_at": row.updated_at,
            "ended_at": row.ended_at,
            "pts": row.pts,
            "zone_id": row.zone_id,
            "line_id": row.line_id,
            "track_ids": list(row.track_ids),
            "count": row.count,
            "point": point,
            "message": row.message,
            "details": dict(row.details),
        }
    )


class EventStore:
    """Synchronous (call it through `asyncio.to_thread` from async code)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, event: Event) -> None:
        key = str(event.id)
        with self._db.session() as s:
            row = s.get(EventRow, key)
            if row is None:
                row = EventRow(id=key, has_snapshot=False)
                s.add(row)
            row.camera_id, row.kind, row.rule_id = event.camera_id, event.kind, event.rule_id
            row.tier, row.state = event.tier, event.state
            row.started_at, row.updated_at, row.ended_at = (
                event.started_at,
                event.updated_at,
                event.ended_at,
            )
            row.pts, row.zone_id, row.line_id = event.pts, event.zone_id, event.line_id
            row.track_ids, row.count = list(event.track_ids), event.count
            row.point_x, row.point_y = event.point if event.point else (None, None)
            row.message, row.details = event.message, dict(event.details)
            if event.snapshot is not None:
                s.flush()
                s.merge(EventSnapshotRow(event_id=key, jpeg=event.snapshot, taken_at=utcnow()))
                row.has_snapshot = True

    def get(self, event_id: uuid.UUID) -> Event | None:
        with self._db.session() as s:
            row = s.get(EventRow, str(event_id))
            return None if row is None else _to_event(row)

    def has_snapshot(self, event_id: uuid.UUID) -> bool:
        with self._db.session() as s:
            row = s.get(EventRow, str(event_id))
            return bool(row is not None and row.has_snapshot)

    def snapshot(self, event_id: uuid.UUID) -> bytes | None:
        with self._db.session() as s:
            row = s.get(EventSnapshotRow, str(event_id))
            return None if row is None else bytes(row.jpeg)

    def query(self, q: EventQuery) -> list[Event]:
        stmt = select(EventRow)
        if q.camera_ids is not None:
            stmt = stmt.where(EventRow.camera_id.in_(list(q.camera_ids)))
        if q.kinds:
            stmt = stmt.where(EventRow.kind.in_(list(q.kinds)))
        if q.since is not None:
            stmt = stmt.where(or_(EventRow.ended_at.is_(None), EventRow.ended_at >= q.since))
        if q.until is not None:
            stmt = stmt.where(EventRow.started_at <= q.until)
        stmt = stmt.order_by(EventRow.started_at.desc(), EventRow.id).limit(q.limit)
        with self._db.session() as s:
            return [_to_event(r) for r in s.scalars(stmt)]
