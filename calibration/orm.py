"""The stored density correction of each camera (one row per camera; re-calibrating replaces)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow


class DensityCalibrationRow(Base):
    __tablename__ = "density_calibrations"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    cols: Mapped[int] = mapped_column(Integer)
    scales: Mapped[list[list[float]]] = mapped_column(JSON)
    frames: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    mae_before: Mapped[float] = mapped_column(Float)
    mae_after: Mapped[float] = mapped_column(Float)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    model: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
