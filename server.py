"""Composition root: `create_app(settings)` and the lifespan that starts and stops services.

Wiring only: each service lives in its package; this file builds them in order and stops them
in reverse.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from annotate.frames import ingest_frames
from annotate.router import router as boards_router
from annotate.service import BoardService
from annotate.ws import router as boards_ws_router
from auth.accounts import AccountError, Role, add_user, seed_site, set_password
from auth.orm import UserRow
from auth.router import router as auth_router
from auth.sealed import Sealer
from auth.tokens import codec_for, load_secret
from calibration.router import router as density_calibration_router
from calibration.service import DensityCalibrationService, build_calibration_service
from cameras.overlay import OverlayPublisher, fan_out
from cameras.registry import CameraRegistry
from cameras.router import router as cameras_router
from config import Settings, SiteConfig, default_site_config, demo_cameras, load_site_config
from db.database import Database
from desk.router import router as desk_router
from desk.sender import webhook_settings
from desk.service import DeskService
from events.bus import InProcessBus
from events.recorder import EventRecorder
from events.router import router as events_router
from events.store import EventStore
from flow.router import router as flow_router
from flow.service import FlowService
from geo.demo import seed_demo
from geo.poller import PtzPoller
from geo.router import router as geo_router
from health.router import router as health_router
from markers.router import router as markers_router
from markers.service import MarkerService, MarkerSettings
from models.config import DensityConfig, FakeConfig, UltralyticsConfig
from models.protocols import ModelLoadError
from models.registry import (
    default_density_config,
    resolve_density_weights,
    resolve_detector_weights,
)
from patrol.router import router as patrol_router
from recording.router import router as recordings_router
from recording.service import RecordingService
from recording.settings import RecordingSettings
from streams import IngestManager, IngestSettings
from streams.metrics import IngestCollector
from streams.webrtc.router import close_live, create_live
from streams.webrtc.router import router as live_router
from streams.webrtc.service import LiveService
from streams.webrtc.settings import LiveSettings
from vision.service import VisionService, VisionSettings
from vision.worker import WorkerSettings

log = logging.getLogger("cityeye")


def app_version() -> str:
    try:
        return version("cityeye")
    except PackageNotFoundError:
        return "0.0.0+local"


@dataclass(frozen=True)
class Startup:
    """What startup decided that the operator must be told."""

    admin_password: str | None


def _site(settings: Settings) -> SiteConfig:
    return load_site_config(settings.config_file) if settings.config_file else default_site_config()


def ensure_admin(database: Database, settings: Settings, demo: bool) -> str | None:
    """Seed `admin` on a fresh database or in demo mode; return a password we generated."""
    wanted = settings.admin_password.get_secret_value() if settings.admin_password else None
    with database.session() as session:
        admin = session.scalar(select(UserRow).where(UserRow.username == "admin"))
        any_user = session.scalar(select(UserRow.id).limit(1))
        if admin is not None:
            if demo and wanted:
                set_password(session, "admin", wanted)
            return None
        if any_user is not None and not demo:
            return None
        password = wanted or secrets.token_urlsafe(12)
        try:
            add_user(session, username="admin", password=password, role=Role.ADMIN,
                     display_name="管理员")
        except AccountError as exc:
            raise RuntimeError(f"cannot create the admin account: {exc}") from exc
    if wanted:
        return None
    (settings.data_dir / "admin-password.txt").write_text(password + "\n", encoding="utf-8")
    (settings.data_dir / "admin-password.txt").chmod(0o600)
    return password


def vision_settings(settings: Settings) -> VisionSettings:
    detector = UltralyticsConfig(
        model=settings.detector_model, device=settings.detector_device,
        imgsz=settings.detector_imgsz,
    )
    return VisionSettings(
        detectors={"default": detector},
        density=default_density_config() if settings.density_enabled else None,
        worker=WorkerSettings(density_interval_s=2.0 if settings.density_enabled else None),
    )


def model_labels(vs: VisionSettings, models_dir: Path | None) -> dict[str, str]:
    """Detector name → the weights it loads, as shown in /api/health."""
    labels = {}
    for name, cfg in vs.detectors.items():
        if isinstance(cfg, UltralyticsConfig):
            try:
                labels[name] = Path(resolve_detector_weights(cfg, models_dir)).name
            except ModelLoadError:
                labels[name] = name
    return labels


def density_label(cfg: DensityConfig | None, models_dir: Path | None) -> str | None:
    """The density model as /api/health names it: its weights file (None: density off)."""
    if cfg is None:
        return None
    if isinstance(cfg, FakeConfig):
        return cfg.type
    try:
        return resolve_density_weights(cfg, models_dir).name
    except ModelLoadError:
        return cfg.type


def _build_vision(
    app: FastAPI, settings: Settings, ingest: IngestManager, bus: InProcessBus, live: LiveService,
    flow: FlowService,
) -> VisionService | None:
    """The analysis service; each analysed frame feeds crowd flow and the live overlays."""
    vsettings = vision_settings(settings)
    app.state.model_labels = model_labels(vsettings, settings.models_dir)
    app.state.density_label = density_label(vsettings.density, settings.models_dir)
    if not settings.vision_enabled:
        return None
    overlays = OverlayPublisher(live.publish_overlay)
    vision = VisionService(ingest, vsettings, settings.models_dir,
                           on_event=bus.publish_threadsafe,
                           on_state=fan_out(flow.on_state, overlays))
    overlays.heatmaps = vision.heatmap
    return vision


def _build(app: FastAPI, settings: Settings) -> Startup:
    """Create every service and put it on `app.state`; nothing runs yet."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    site = _site(settings)
    clips = settings.demo_clips()
    database = Database(settings.db_url)
    app.state.database = database  # closed by _teardown even if a later step fails
    database.migrate()
    ingest = IngestManager(IngestSettings(stall_timeout_s=settings.stall_timeout_s))
    app.state.ingest = ingest
    metrics = CollectorRegistry()
    metrics.register(IngestCollector(ingest))
    app.state.metrics = metrics
    bus = InProcessBus()
    store = EventStore(database)
    app.state.event_bus = bus
    app.state.event_store = store
    app.state.event_recorder = EventRecorder(bus, store)
    live = create_live(app, ingest, database, metrics, LiveSettings(
        ice_hosts=settings.webrtc_host_list, ice_servers=settings.webrtc_ice_server_list,
    ))  # app.state.live: the WebRTC relay
    flow_settings = site.flow
    if not settings.flow_simulate:
        flow_settings = flow_settings.model_copy(update={"simulate": False})
    flow = FlowService(database, bus, flow_settings)  # crowd flow (simulated demo areas)
    app.state.flow = flow
    vision = _build_vision(app, settings, ingest, bus, live, flow)
    app.state.vision = vision
    app.state.density_calibration = build_calibration_service(  # per-camera density correction
        database, vision, settings.models_dir)
    registry = CameraRegistry(ingest, vision)
    app.state.cameras = registry
    with database.session() as session:
        seed_site(session, site)
        session.flush()
        registry.seed(session, site.cameras + demo_cameras(clips, site))
        session.flush()
        seed_demo(session)  # AR demo geo model, only when the demo cameras exist
    password = ensure_admin(database, settings, demo=bool(clips))
    app.state.settings = settings
    app.state.tokens = codec_for(settings)
    # Settings validated the webhook pair already (a bad one is a clear CLI error).
    hooks = webhook_settings(settings.desk_webhook_url, settings.desk_webhook_secret)
    app.state.desk = DeskService(database, bus, site.desk, webhooks=hooks)
    app.state.markers = MarkerService(database, bus, MarkerSettings(  # 弹幕 and AI markers
        rate_limit=settings.marker_rate_limit, rate_window_s=settings.marker_rate_window_s))
    app.state.boards = BoardService(database, ingest_frames(ingest))  # 视频画板
    app.state.sealer = Sealer(load_secret(settings))  # secrets kept for reuse (ONVIF)
    app.state.geo_ptz = PtzPoller(database, app.state.sealer)  # ONVIF PTZ positions → AR labels
    app.state.recording = RecordingService(  # continuous recording, retention, event clips
        ingest, database, RecordingSettings.from_settings(settings), bus)
    app.state.bus_name = "in-process"
    return Startup(admin_password=password)


async def _run(app: FastAPI) -> int:
    """Start the services in data-flow order: bus and recorder, analysis, then cameras."""
    await app.state.event_bus.start()
    await app.state.event_recorder.start()
    await app.state.desk.start()
    await app.state.markers.start()
    await app.state.boards.start()
    await app.state.geo_ptz.start()
    await app.state.flow.start()
    await app.state.recording.start()  # reindexes recordings on disk first
    vision: VisionService | None = app.state.vision
    if vision is not None:
        vision.start()
    await app.state.density_calibration.start()  # stored corrections -> the pipeline
    registry: CameraRegistry = app.state.cameras
    database: Database = app.state.database
    with database.session() as session:
        return registry.start_all(session)


async def _teardown(app: FastAPI) -> None:
    """Stop in reverse order; each step runs even if an earlier one failed to start."""
    state = app.state
    await close_live(app)  # viewers first: peer connections, feeds, live audit rows
    calibration = getattr(state, "density_calibration", None)
    if isinstance(calibration, DensityCalibrationService):
        await calibration.stop()
    vision = getattr(state, "vision", None)
    if isinstance(vision, VisionService):
        vision.stop(timeout=5.0)
    recording = getattr(state, "recording", None)
    if isinstance(recording, RecordingService):
        await recording.stop()  # closes every open segment
    flow = getattr(state, "flow", None)
    if isinstance(flow, FlowService):
        await flow.stop()
    geo_ptz = getattr(state, "geo_ptz", None)
    if isinstance(geo_ptz, PtzPoller):
        await geo_ptz.stop()
    boards = getattr(state, "boards", None)
    if isinstance(boards, BoardService):
        await boards.stop()  # flushes every accepted board update
    markers = getattr(state, "markers", None)
    if isinstance(markers, MarkerService):
        await markers.stop()
    desk = getattr(state, "desk", None)
    if isinstance(desk, DeskService):
        await desk.stop()
    recorder = getattr(state, "event_recorder", None)
    if isinstance(recorder, EventRecorder):
        await recorder.stop()
    bus = getattr(state, "event_bus", None)
    if isinstance(bus, InProcessBus):
        await bus.stop()
    ingest = getattr(state, "ingest", None)
    if isinstance(ingest, IngestManager):
        ingest.close(timeout=5.0)
    database = getattr(state, "database", None)
    if isinstance(database, Database):
        database.close()


def _mount_webui(app: FastAPI, dist: Path) -> None:
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str, request: Request) -> Response:
        if path.startswith(("api/", "metrics")):
            raise HTTPException(404, f"no such endpoint: /{path}")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        index = dist / "index.html"
        if not index.is_file():
            return HTMLResponse(
                "<h1>城区之眼 CityEye</h1><p>网页界面尚未构建 / the web UI is not built:"
                " run <code>make run</code> (or <code>npm --prefix webui run build</code>).</p>",
                status_code=503,
            )
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            startup = _build(app, settings)
            started = await _run(app)
        except BaseException:
            await _teardown(app)
            raise
        if startup.admin_password:
            print(
                f"CityEye: created user 'admin' with password {startup.admin_password}"
                f" (also saved in {settings.data_dir / 'admin-password.txt'})",
                flush=True,
            )
        log.info("CityEye started: %d cameras", started)
        try:
            yield
        finally:
            await _teardown(app)

    app = FastAPI(
        title="CityEye 城区之眼",
        version=app_version(),
        description="Video analysis and annotation for a district camera network.",
        lifespan=lifespan,
    )
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(cameras_router)
    app.include_router(events_router)
    app.include_router(desk_router)
    app.include_router(markers_router)
    app.include_router(patrol_router)
    app.include_router(recordings_router)
    app.include_router(boards_router)
    app.include_router(boards_ws_router)
    app.include_router(live_router)
    app.include_router(flow_router)
    app.include_router(density_calibration_router)
    app.include_router(geo_router)
    _mount_webui(app, settings.webui_dir)
    return app
