"""The board tables (migration 0007): boards, their append-only Yjs update log, PNG exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class BoardRow(Base):
    __tablename__ = "boards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    alert_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # live | frame | range
    frame_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    range_end: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    frame_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    edit_role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BoardUpdateRow(Base):
    """One Yjs update as a client sent it (or a compacted snapshot of older ones)."""

    __tablename__ = "board_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    snapshot: Mapped[bool] = mapped_column(Boolean, default=False)


class BoardExportRow(Base):
    """A rendered PNG (frame + drawing), kept as evidence."""

    __tablename__ = "board_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    alert_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
