"""Geo tables: the district origin, camera poses and calibrations, points of interest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime, utcnow


class GeoOriginRow(Base):
    __tablename__ = "geo_origin"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    name: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt: Mapped[float] = mapped_column(Float, default=0.0)


class CameraPoseRow(Base):
    __tablename__ = "geo_camera_poses"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    up: Mapped[float] = mapped_column(Float)
    yaw: Mapped[float] = mapped_column(Float)
    pitch: Mapped[float] = mapped_column(Float)
    roll: Mapped[float] = mapped_column(Float, default=0.0)
    hfov: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    range_m: Mapped[float] = mapped_column(Float)
    ptz: Mapped[str] = mapped_column(String(16), default="fixed")  # fixed|mechanical|digital
    ptz_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    homography: Mapped[list[list[float]] | None] = mapped_column(JSON, nullable=True)
    pairs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error_px: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PoiRow(Base):
    __tablename__ = "geo_pois"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))  # building|entrance|road|other
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float, default=0.0)
    area_id: Mapped[str | None] = mapped_column(String(48), nullable=True)  # flow area
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PtzSourceRow(Base):
    """Where a mechanical PTZ camera reports its position: an ONVIF PTZ service (migration
    0012). The password is kept because WS-Security digests need it: sealed (auth/sealed.py,
    column widened by migration 0013); the API never returns it."""

    __tablename__ = "geo_ptz_sources"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    profile: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(64))
    password: Mapped[str] = mapped_column(String(512))
    interval_s: Mapped[float] = mapped_column(Float, default=2.0)
    pan_min: Mapped[float] = mapped_column(Float, default=-180.0)
    pan_max: Mapped[float] = mapped_column(Float, default=180.0)
    tilt_min: Mapped[float] = mapped_column(Float, default=-90.0)
    tilt_max: Mapped[float] = mapped_column(Float, default=90.0)
    zoom_max: Mapped[float] = mapped_column(Float, default=30.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
