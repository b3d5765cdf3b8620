"""The camera registry: stored cameras, who may see them, and keeping ingest in step."""

from __future__ import annotations

import logging
import re
from typing import Literal, cast

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.accounts import Principal, Role
from auth.orm import UnitRow
from cameras.access import Forbidden, camera_row
from cameras.orm import CameraRow
from cameras.schemas import AnalysisOut, CameraOut, CameraPatch, CameraState, HealthOut
from config import CameraConfig, format_validation_error
from db.base import utcnow
from streams import CameraHealth, CameraSource, IngestManager
from vision.analytics import CameraAnalysisConfig
from vision.geometry import Line, Zone
from vision.rules.config import RulesConfig
from vision.service import AnalysisStatus, VisionService

log = logging.getLogger(__name__)


class Conflict(Exception):
    """A camera with that id exists already."""


def to_source(row: CameraRow) -> CameraSource:
    return CameraSource(
        camera_id=row.id,
        url=row.url,
        loop=row.loop,
        transport=cast(Literal["tcp", "udp"], row.transport),
        analysis_width=row.analysis_width,
        analysis_fps=row.analysis_fps,
    )


def to_config(row: CameraRow) -> CameraConfig:
    return CameraConfig(
        id=row.id, name=row.name, url=row.url, unit=row.unit_id, lat=row.lat, lon=row.lon,
        enabled=row.enabled, analysis_fps=row.analysis_fps, analysis_width=row.analysis_width,
        loop=row.loop, transport=cast(Literal["tcp", "udp"], row.transport),
        zones=[Zone.model_validate(z) for z in row.zones],
        lines=[Line.model_validate(ln) for ln in row.lines],
        rules=RulesConfig.model_validate(row.rules or {}),
    )


def to_analysis(cfg: CameraConfig) -> CameraAnalysisConfig:
    return CameraAnalysisConfig(
        camera_id=cfg.id, zones=cfg.zones, lines=cfg.lines, rules=cfg.rules,
        analysis_fps=cfg.analysis_fps,
    )


def _analysis_out(a: AnalysisStatus | None) -> AnalysisOut | None:
    if a is None:
        return None
    return AnalysisOut(status=a.status, model=a.model, fps=a.fps, frames=a.frames,
                       density=a.density)


_CREDENTIALS = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/@:\s]*):([^/@\s]*)@", re.IGNORECASE)


def mask_credentials(url: str) -> str:
    """rtsp://user:secret@host/… → rtsp://user:***@host/… (only admins see stream passwords)."""
    return _CREDENTIALS.sub(r"\1\2:***@", url)


def _health_out(h: CameraHealth | None) -> HealthOut | None:
    if h is None:
        return None
    return HealthOut(
        fps_in=h.fps_in, fps_decoded=h.fps_decoded, frames_decoded=h.frames_decoded,
        drops=h.drops, reconnects=h.reconnects, bytes_in=h.bytes_in, width=h.width,
        height=h.height, codec=h.codec,
    )


class CameraRegistry:
    """CRUD over the `cameras` table, scoped by unit, with ingest started and stopped to match."""

    def __init__(self, ingest: IngestManager, vision: VisionService | None) -> None:
        self._ingest = ingest
        self._vision = vision
        # What each running camera was last started with: a rename must not restart decoding.
        self._sources: dict[str, CameraSource] = {}
        self._analyses: dict[str, CameraAnalysisConfig] = {}

    # --- reading -----------------------------------------------------------------------
    def _row(self, session: Session, principal: Principal | None, camera_id: str) -> CameraRow:
        return camera_row(session, principal, camera_id)

    def out(self, session: Session, row: CameraRow, viewer: Principal | None = None) -> CameraOut:
        unit = session.get(UnitRow, row.unit_id)
        health = self._ingest.health(row.id) if row.enabled else None
        state: CameraState
        if not row.enabled:
            state = "disabled"
        elif health is None:
            state = "connecting"
        else:
            state = health.status.value
        cfg = to_config(row)
        admin = viewer is None or viewer.role == Role.ADMIN
        return CameraOut(
            id=row.id, name=row.name,
            url=row.url if admin else mask_credentials(row.url),
            unit_id=row.unit_id,
            unit_name=unit.name if unit else row.unit_id, lat=row.lat, lon=row.lon,
            enabled=row.enabled, analysis_fps=row.analysis_fps,
            analysis_width=row.analysis_width, loop=row.loop, transport=cfg.transport,
            zones=cfg.zones, lines=cfg.lines, rules=cfg.rules, status=state,
            last_error=health.last_error if health else None, health=_health_out(health),
            analysis=_analysis_out(self._vision.status(row.id))
            if self._vision is not None and row.enabled else None,
        )

    def visible(self, session: Session, principal: Principal) -> list[CameraOut]:
        rows = session.scalars(select(CameraRow).order_by(CameraRow.id))
        return [self.out(session, r, principal) for r in rows if principal.can_see_unit(r.unit_id)]

    def get(self, session: Session, principal: Principal | None, camera_id: str) -> CameraRow:
        return self._row(session, principal, camera_id)

    # --- writing -----------------------------------------------------------------------
    def _check_unit(self, session: Session, principal: Principal | None, unit_id: str) -> None:
        if session.get(UnitRow, unit_id) is None:
            known = ", ".join(session.scalars(select(UnitRow.id)))
            raise ValueError(f"unit {unit_id!r} does not exist; known units: {known}")
        if principal is not None and not principal.can_see_unit(unit_id):
            raise Forbidden(f"unit {unit_id!r} is outside your account's units")

    def create(
        self, session: Session, principal: Principal | None, cfg: CameraConfig
    ) -> CameraRow:
        if session.get(CameraRow, cfg.id) is not None:
            raise Conflict(f"camera {cfg.id!r} already exists: choose another id or PATCH it")
        self._check_unit(session, principal, cfg.unit)
        now = utcnow()
        row = CameraRow(
            id=cfg.id, name=cfg.name, url=cfg.url, unit_id=cfg.unit, lat=cfg.lat, lon=cfg.lon,
            enabled=cfg.enabled, analysis_fps=cfg.analysis_fps,
            analysis_width=cfg.analysis_width, loop=cfg.loop, transport=cfg.transport,
            zones=[z.model_dump(mode="json") for z in cfg.zones],
            lines=[ln.model_dump(mode="json") for ln in cfg.lines],
            rules=cfg.rules.model_dump(mode="json", exclude_defaults=True),
            created_at=now, updated_at=now,
        )
        session.add(row)
        session.flush()
        return row

    def patch(
        self, session: Session, principal: Principal, camera_id: str, patch: CameraPatch
    ) -> CameraRow:
        row = self._row(session, principal, camera_id)
        fields = patch.model_fields_set
        if "unit" in fields and patch.unit is not None:
            self._check_unit(session, principal, patch.unit)
            row.unit_id = patch.unit
        for name in ("name", "url", "lat", "lon", "enabled", "analysis_fps", "analysis_width",
                     "loop", "transport"):
            value = getattr(patch, name)
            if name in fields and (value is not None or name in ("lat", "lon")):
                setattr(row, name, value)
        if "zones" in fields and patch.zones is not None:
            row.zones = [z.model_dump(mode="json") for z in patch.zones]
        if "lines" in fields and patch.lines is not None:
            row.lines = [ln.model_dump(mode="json") for ln in patch.lines]
        if "rules" in fields and patch.rules is not None:
            row.rules = patch.rules.model_dump(mode="json", exclude_defaults=True)
        try:
            to_config(row)  # zones, lines and rules must still fit together
        except ValidationError as exc:
            raise ValueError(format_validation_error("camera", exc)) from exc
        row.updated_at = utcnow()
        session.flush()
        return row

    def delete(self, session: Session, principal: Principal, camera_id: str) -> None:
        row = self._row(session, principal, camera_id)
        session.delete(row)
        session.flush()

    # --- ingest ------------------------------------------------------------------------
    def apply(self, row: CameraRow) -> None:
        """Start, restart or stop the camera's ingest and analysis to match its stored state."""
        if not row.enabled:
            self.forget(row.id)
            return
        source, analysis = to_source(row), to_analysis(to_config(row))
        if self._sources.get(row.id) != source:
            self._ingest.add(source)
            self._sources[row.id] = source
        if self._vision is not None and self._analyses.get(row.id) != analysis:
            self._vision.add_camera(analysis)
            self._analyses[row.id] = analysis

    def forget(self, camera_id: str) -> None:
        if self._vision is not None and self._analyses.pop(camera_id, None) is not None:
            self._vision.remove_camera(camera_id)
        self._sources.pop(camera_id, None)
        self._ingest.remove(camera_id)

    def start_all(self, session: Session) -> int:
        rows = list(session.scalars(select(CameraRow).where(CameraRow.enabled.is_(True))))
        for row in rows:
            self.apply(row)
        return len(rows)

    def seed(self, session: Session, cameras: list[CameraConfig]) -> None:
        """Add configured cameras the database does not have yet (stored edits win)."""
        for cfg in cameras:
            if session.get(CameraRow, cfg.id) is None:
                self.create(session, None, cfg)
