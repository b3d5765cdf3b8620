"""Tables for patrol tours (migration 0010): tours, their runs and each run's camera items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow


class TourRow(Base):
    __tablename__ = "tours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    camera_ids: Mapped[list[str]] = mapped_column(JSON)  # ordered
    dwell_s: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TourRunRow(Base):
    __tablename__ = "tour_runs"
    __table_args__ = (Index("ix_tour_runs_tour_finished", "tour_id", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"))
    tour_name: Mapped[str] = mapped_column(String(64))
    started_by: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TourRunItemRow(Base):
    __tablename__ = "tour_run_items"
    __table_args__ = (UniqueConstraint("run_id", "camera_id", name="uq_tour_run_items_camera"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tour_runs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    camera_id: Mapped[str] = mapped_column(String(64))
    camera_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(200))
    marker_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Frozen when the run finishes (the saved report); computed live while it runs.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
