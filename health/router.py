"""`GET /api/health` (liveness and a summary) and `GET /metrics` (Prometheus)."""

from __future__ import annotations

from typing import Literal, cast

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel
from sqlalchemy import func, select

from auth.deps import DatabaseDep
from cameras.orm import CameraRow
from db.database import Database
from streams import CameraStatus, IngestManager
from vision.service import VisionService

router = APIRouter(tags=["health"])


def loaded_models(
    vision: VisionService | None, labels: dict[str, str], density: str | None
) -> list[str]:
    """Models that are analysing frames now: detector weights by detector name (`labels`), and
    the density model's weights (`density`) once a camera's density maps come through."""
    if vision is None:
        return []
    statuses = vision.statuses()
    names = {labels.get(s.model, s.model) for s in statuses if s.status == "running"}
    if density is not None and any(s.density == "ok" for s in statuses):
        names.add(density)
    return sorted(names)


def _count_cameras(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(CameraRow)) or 0


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    cameras_online: int
    cameras_total: int
    models_loaded: list[str]
    bus: str
    database: str


@router.get("/api/health", response_model=HealthOut)
async def health(request: Request, database: DatabaseDep) -> HealthOut:
    ingest = cast(IngestManager, request.app.state.ingest)
    healths = ingest.healths()
    db_state = await run_in_threadpool(database.ping)
    total = await run_in_threadpool(_count_cameras, database) if db_state == "ok" else len(healths)
    vision = cast(VisionService | None, getattr(request.app.state, "vision", None))
    labels = cast(dict[str, str], getattr(request.app.state, "model_labels", {}))
    density = cast(str | None, getattr(request.app.state, "density_label", None))
    models = loaded_models(vision, labels, density)
    bus = cast(str, getattr(request.app.state, "bus_name", "in-process"))
    return HealthOut(
        status="ok" if db_state == "ok" else "degraded",
        version=cast(str, request.app.version),
        cameras_online=sum(1 for h in healths if h.status == CameraStatus.ONLINE),
        cameras_total=total,
        models_loaded=models,
        bus=bus,
        database=db_state,
    )


@router.get("/metrics", response_class=Response, include_in_schema=True)
def metrics(request: Request) -> Response:
    registry = cast(CollectorRegistry, request.app.state.metrics)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
