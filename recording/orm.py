"""Tables of recorded segments, per-camera recording policies and event clips (migration 0009)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow


class SegmentRow(Base):
    """One MP4 file; `start`/`end` are wall-clock epoch seconds; `closed` False while written."""

    __tablename__ = "recording_segments"
    __table_args__ = (Index("ix_recording_segments_camera_start", "camera_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512), unique=True)  # relative to the root
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(16))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class PolicyRow(Base):
    """A camera's own recording policy; cameras without a row use the Settings defaults."""

    __tablename__ = "recording_policies"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    retain_days: Mapped[float | None] = mapped_column(Float, nullable=True)
    retain_gb: Mapped[float | None] = mapped_column(Float, nullable=True)
    segment_s: Mapped[int] = mapped_column(Integer)
    clip_pre_s: Mapped[float] = mapped_column(Float)
    clip_post_s: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ClipRow(Base):
    """An event's clip: `pending` until cut, then `ready` (path set) or `failed` (error set)."""

    __tablename__ = "recording_clips"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str | None] = mapped_column(String(512), nullable=True)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
