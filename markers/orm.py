"""The `markers` table (migration 0010)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow


class MarkerRow(Base):
    """One marker. No foreign key on the camera: markers outlive a removed camera (admins
    still see them); `deleted_at` marks a soft delete, `hidden` a moderation."""

    __tablename__ = "markers"
    __table_args__ = (
        Index("ix_markers_camera_ts", "camera_id", "ts"),
        Index("ix_markers_camera_created", "camera_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[float] = mapped_column(Float)  # wall-clock epoch seconds on the video
    x: Mapped[float | None] = mapped_column(Float, nullable=True)
    y: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_username: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
