"""Fits and stores per-camera density corrections and hands them to the vision pipeline.

The density model is the pipeline's own (VisionService.density_estimator) when analysis runs,
else one built here on first use. Fits run on a worker thread (the caller's threadpool); one at
a time, since the model serialises its forward passes anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from calibration.orm import DensityCalibrationRow
from db.base import utcnow
from db.database import Database
from models.protocols import DensityEstimator, Image
from models.registry import build_density, default_density_config
from vision.calibration import CalibrationReport, DensityCalibration, calibrate
from vision.service import VisionService

log = logging.getLogger(__name__)


class StoredCalibration(BaseModel):
    model_config = ConfigDict(frozen=True)

    camera_id: str
    calibration: DensityCalibration
    report: CalibrationReport
    model: str
    created_by: str
    created_at: datetime


class CalibrationSink:
    """Where fitted corrections go: the vision service's `set_density_calibration`."""

    def __init__(self, apply: Callable[[str, DensityCalibration | None], None]) -> None:
        self.apply = apply


def _to_stored(row: DensityCalibrationRow) -> StoredCalibration:
    cal = DensityCalibration(
        rows=row.rows, cols=row.cols, scales=tuple(tuple(r) for r in row.scales)
    )
    return StoredCalibration(
        camera_id=row.camera_id,
        calibration=cal,
        report=CalibrationReport.model_validate(row.report),
        model=row.model,
        created_by=row.created_by,
        created_at=row.created_at,
    )


class DensityCalibrationService:
    def __init__(
        self,
        database: Database,
        load_estimator: Callable[[], DensityEstimator],
        model_name: str,
        sink: CalibrationSink | None = None,
    ) -> None:
        self._database = database
        self._load_estimator = load_estimator
        self._model_name = model_name
        self._sink = sink
        self._fit_lock = threading.Lock()

    async def start(self) -> None:
        """Hands every stored correction to the pipeline."""
        if self._sink is None:
            return
        with self._database.session() as session:
            stored = [_to_stored(r) for r in session.scalars(select(DensityCalibrationRow))]
        for s in stored:
            self._sink.apply(s.camera_id, s.calibration)
        log.info("applied %d stored density calibrations", len(stored))

    async def stop(self) -> None:
        """Nothing runs in the background; fits finish on their request's thread."""

    def get(self, camera_id: str) -> StoredCalibration | None:
        with self._database.session() as session:
            row = session.get(DensityCalibrationRow, camera_id)
            return None if row is None else _to_stored(row)

    def fit(
        self,
        camera_id: str,
        images: Sequence[Image],
        points: Sequence[Sequence[tuple[float, float]]],
        rows: int,
        cols: int,
        username: str,
    ) -> StoredCalibration:
        """Blocking: runs the model on the frames, fits, stores, applies. ModelLoadError and
        ValueError propagate."""
        with self._fit_lock:
            estimator = self._load_estimator()
            cal, report = calibrate(estimator, images, points, rows, cols)
        stored = StoredCalibration(
            camera_id=camera_id, calibration=cal, report=report, model=self._model_name,
            created_by=username, created_at=utcnow(),
        )
        with self._database.session() as session:
            row = session.get(DensityCalibrationRow, camera_id)
            if row is None:
                row = DensityCalibrationRow(camera_id=camera_id)
                session.add(row)
            row.rows, row.cols = cal.rows, cal.cols
            row.scales = [list(r) for r in cal.scales]
            row.frames, row.points = report.frames, report.points
            row.mae_before, row.mae_after = report.mae_before, report.mae_after
            row.report = report.model_dump(mode="json")
            row.model, row.created_by, row.created_at = self._model_name, username, utcnow()
        if self._sink is not None:
            self._sink.apply(camera_id, cal)
        log.info(
            "camera %s density calibrated on %d frames: MAE %.2f -> %.2f",
            camera_id, report.frames, report.mae_before, report.mae_after,
        )
        return stored

    def reset(self, camera_id: str) -> bool:
        with self._database.session() as session:
            row = session.get(DensityCalibrationRow, camera_id)
            if row is not None:
                session.delete(row)
        if self._sink is not None:
            self._sink.apply(camera_id, None)
        return row is not None


def build_calibration_service(
    database: Database, vision: VisionService | None, models_dir: Path | None
) -> DensityCalibrationService:
    """With analysis running: the pipeline's density model, and fits go live at once; without
    it: the default density model, built on the first fit."""
    cfg = default_density_config()
    if vision is not None:
        return DensityCalibrationService(
            database, vision.density_estimator, cfg.type,
            CalibrationSink(vision.set_density_calibration),
        )
    lock = threading.Lock()
    cache: list[DensityEstimator] = []

    def load() -> DensityEstimator:
        with lock:
            if not cache:
                cache.append(build_density(cfg, models_dir))
            return cache[0]

    return DensityCalibrationService(database, load, cfg.type)
