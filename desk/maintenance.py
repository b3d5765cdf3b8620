"""Maintenance windows set from the desk (POST /api/desk/maintenance): while one covers a
camera, its events raise no alerts. Windows from the policy (site file) apply as well."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete, select

from cameras.orm import CameraRow
from db.database import Database
from desk.orm import MaintenanceRow
from desk.policy import MaintenanceWindow


class MaintenanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(min_length=1, max_length=64)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class MaintenanceOut(BaseModel):
    id: int
    camera_id: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime


def _out(row: MaintenanceRow) -> MaintenanceOut:
    return MaintenanceOut.model_validate(
        {name: getattr(row, name) for name in MaintenanceOut.model_fields}
    )


class CameraUnknown(Exception):
    """No such camera, or outside the caller's units."""


class MaintenanceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
        self, body: MaintenanceIn, username: str, visible: frozenset[str] | None, now: datetime
    ) -> MaintenanceOut:
        with self._db.session() as s:
            cam = s.get(CameraRow, body.camera_id)
            if cam is None or (visible is not None and cam.unit_id not in visible):
                raise CameraUnknown(f"no camera {body.camera_id!r} in your units")
            row = MaintenanceRow(
                camera_id=body.camera_id, starts_at=body.starts_at, ends_at=body.ends_at,
                reason=body.reason, created_by=username, created_at=now,
            )
            s.add(row)
            s.flush()
            return _out(row)

    def windows(
        self, visible: frozenset[str] | None, now: datetime | None = None
    ) -> list[MaintenanceOut]:
        """Windows not yet over at `now` (all when None), of cameras the caller can see."""
        with self._db.session() as s:
            stmt = select(MaintenanceRow).order_by(MaintenanceRow.starts_at, MaintenanceRow.id)
            if now is not None:
                stmt = stmt.where(MaintenanceRow.ends_at > now)
            rows = list(s.scalars(stmt))
            units = {cid: unit for cid, unit in s.execute(select(CameraRow.id, CameraRow.unit_id))}
        return [
            _out(r) for r in rows
            if visible is None or units.get(r.camera_id) in visible
        ]

    def remove(self, window_id: int, visible: frozenset[str] | None) -> bool:
        visible_ids = {w.id for w in self.windows(visible)}
        if window_id not in visible_ids:
            return False
        with self._db.session() as s:
            s.execute(delete(MaintenanceRow).where(MaintenanceRow.id == window_id))
        return True

    def active_windows(self, now: datetime) -> list[MaintenanceWindow]:
        return [
            MaintenanceWindow(camera_ids=[w.camera_id], starts_at=w.starts_at, ends_at=w.ends_at,
                              reason=w.reason)
            for w in self.windows(None, now)
        ]
