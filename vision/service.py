"""VisionService: owns the batching workers (one per detector) and each camera's analytics;
publishes events through a callback and keeps the latest state of each camera for overlays.

    service = VisionService(ingest, settings, models_dir, on_event=bus.publish_threadsafe)
    service.set_cameras([CameraAnalysisConfig(camera_id="gate-1", zones=..., lines=...)])
    service.start()
    ...
    service.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from events.model import Event
from models.config import DensityConfig, DetectorConfig, McnnConfig, UltralyticsConfig
from models.protocols import DensityEstimator, DensityMap, Detector, ModelLoadError
from models.registry import build_density, build_detector
from vision.analytics import CameraAnalysisConfig, CameraAnalytics, CameraState, FrameLike
from vision.calibration import DensityCalibration
from vision.detections import Detections
from vision.worker import BatchingWorker, FrameSource, WorkerSettings

log = logging.getLogger(__name__)

EventSink = Callable[[Event], None]
StateSink = Callable[[CameraState], None]


def _default_detectors() -> dict[str, DetectorConfig]:
    return {"default": UltralyticsConfig()}


class VisionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: dict[str, DetectorConfig] = Field(default_factory=_default_detectors)
    density: DensityConfig | None = Field(default_factory=McnnConfig)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)


@dataclass(frozen=True)
class AnalysisStatus:
    """`status`: "starting", "running", "waiting for frames", "stopped", or "error: ..."."""

    camera_id: str
    status: str
    model: str
    frames: int
    fps: float
    last_analysed_at: float | None
    density: str  # "off", "ok" or "error: ..."

    @property
    def ok(self) -> bool:
        return not self.status.startswith("error")


class _Camera:
    def __init__(self, cfg: CameraAnalysisConfig) -> None:
        self.cfg = cfg
        self.analytics = CameraAnalytics(cfg)
        self.lock = threading.Lock()
        self.state: CameraState | None = None
        self.frames = 0
        self.fps = 0.0
        self.last_wall: float | None = None


class VisionService:
    def __init__(
        self,
        source: FrameSource,
        settings: VisionSettings,
        models_dir: Path | None,
        on_event: EventSink,
        on_state: StateSink | None = None,
    ) -> None:
        """`on_event` and `on_state` (each analysed frame's overlay metadata) are called on the
        worker threads: they must be thread-safe and quick (hand over, do not work there)."""
        self._source = source
        self._on_state = on_state
        self._settings = settings
        self._models_dir = models_dir
        self._on_event = on_event
        self._cams: dict[str, _Camera] = {}
        self._workers: dict[str, BatchingWorker] = {}
        self._lock = threading.Lock()
        self._density: DensityEstimator | None = None
        self._density_failure: ModelLoadError | None = None
        self._density_lock = threading.Lock()
        self._calibrations: dict[str, DensityCalibration] = {}
        self._running = False

    # ---- cameras ----
    def set_cameras(self, cameras: Sequence[CameraAnalysisConfig]) -> None:
        """Replaces the whole set: cameras not listed are removed."""
        wanted = {c.camera_id for c in cameras}
        for cam_id in list(self._cams):
            if cam_id not in wanted:
                self.remove_camera(cam_id)
        for cfg in cameras:
            self.add_camera(cfg)

    def add_camera(self, cfg: CameraAnalysisConfig) -> None:
        """Adds a camera or replaces its analysis (zones, lines, rules); the old one's open
        events are closed."""
        new = _Camera(cfg)
        with self._lock:
            old = self._cams.get(cfg.camera_id)
            self._cams[cfg.camera_id] = new
        if old is not None:
            self._close_camera(old)
        self._assign()

    def remove_camera(self, camera_id: str) -> None:
        with self._lock:
            old = self._cams.pop(camera_id, None)
        if old is not None:
            self._close_camera(old)
        self._assign()

    def _close_camera(self, cam: _Camera) -> None:
        with cam.lock:
            pts = cam.state.pts if cam.state is not None else 0.0
            for ev in cam.analytics.close(time.time(), pts):
                self._emit(ev)

    # ---- lifecycle ----
    def start(self) -> None:
        """Starts the workers; models load in their threads (a failure becomes a status)."""
        self._running = True
        self._assign()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops and joins every worker, then closes the cameras' open events."""
        self._running = False
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
            cams = list(self._cams.values())
        deadline = time.monotonic() + timeout
        for w in workers:
            w.stop(max(0.1, deadline - time.monotonic()))
        for cam in cams:
            self._close_camera(cam)

    def _assign(self) -> None:
        """Gives each detector's worker its cameras; starts workers that are needed."""
        if not self._running:
            return
        with self._lock:
            by_model: dict[str, list[str]] = {}
            for cam_id, cam in self._cams.items():
                by_model.setdefault(cam.cfg.model, []).append(cam_id)
            for name, ids in by_model.items():
                if name not in self._settings.detectors:
                    continue
                worker = self._workers.get(name)
                if worker is None:
                    worker = self._workers[name] = self._new_worker(name)
                    worker.set_cameras(ids)
                    worker.start()
                else:
                    worker.set_cameras(ids)
            for name, worker in self._workers.items():
                if name not in by_model:
                    worker.set_cameras(())

    def _new_worker(self, name: str) -> BatchingWorker:
        cfg = self._settings.detectors[name]

        def load() -> Detector:
            return build_detector(cfg, self._models_dir)

        return BatchingWorker(
            name,
            self._source,
            load,
            self._on_result,
            self._settings.worker,
            self._load_density if self._settings.density is not None else None,
        )

    def _load_density(self) -> DensityEstimator:
        """One density model shared by the workers (it serialises its own forward passes)."""
        with self._density_lock:
            if self._density is not None:
                return self._density
            if self._density_failure is not None:
                raise self._density_failure
            cfg = self._settings.density
            if cfg is None:
                raise ModelLoadError("no density model is configured")
            try:
                self._density = build_density(cfg, self._models_dir)
            except ModelLoadError as exc:
                self._density_failure = exc
                raise
            return self._density

    # ---- results (worker threads) ----
    def density_estimator(self) -> DensityEstimator:
        """The shared density model (loaded on first use); raises ModelLoadError."""
        return self._load_density()

    def set_density_calibration(self, camera_id: str, cal: DensityCalibration | None) -> None:
        """The per-camera density correction applied to that camera's maps (None: none)."""
        with self._lock:
            if cal is None:
                self._calibrations.pop(camera_id, None)
            else:
                self._calibrations[camera_id] = cal

    def density_calibration(self, camera_id: str) -> DensityCalibration | None:
        with self._lock:
            return self._calibrations.get(camera_id)

    def _on_result(self, frame: FrameLike, dets: Detections, dmap: DensityMap | None) -> None:
        with self._lock:
            cam = self._cams.get(frame.camera_id)
            cal = self._calibrations.get(frame.camera_id)
        if cam is None:
            return
        if dmap is not None and cal is not None:
            dmap = cal.apply(dmap)
        with cam.lock:
            result = cam.analytics.process(frame, dets, dmap)
            cam.state = result.state
            now = time.monotonic()
            if cam.last_wall is not None and now > cam.last_wall:
                inst = 1.0 / (now - cam.last_wall)
                cam.fps = inst if cam.frames < 2 else 0.8 * cam.fps + 0.2 * inst
            cam.last_wall = now
            cam.frames += 1
        for ev in result.events:
            self._emit(ev)
        if self._on_state is not None:
            try:
                self._on_state(result.state)
            except Exception:  # fault barrier, as for events
                log.exception("state callback failed for %s", frame.camera_id)

    def _emit(self, ev: Event) -> None:
        try:
            self._on_event(ev)
        except Exception:  # fault barrier: a failing subscriber must not stop the analysis
            log.exception("publishing event %s failed", ev.id)

    # ---- queries (any thread) ----
    def latest(self, camera_id: str) -> CameraState | None:
        cam = self._cams.get(camera_id)
        return None if cam is None else cam.state

    def heatmap(self, camera_id: str) -> npt.NDArray[np.float32] | None:
        cam = self._cams.get(camera_id)
        if cam is None:
            return None
        with cam.lock:
            return cam.analytics.heatmap.snapshot()

    def status(self, camera_id: str) -> AnalysisStatus | None:
        cam = self._cams.get(camera_id)
        if cam is None:
            return None
        return self._status(cam)

    def statuses(self) -> list[AnalysisStatus]:
        with self._lock:
            cams = list(self._cams.values())
        return [self._status(c) for c in cams]

    def _status(self, cam: _Camera) -> AnalysisStatus:
        model = cam.cfg.model
        worker = self._workers.get(model)
        density = "off"
        if model not in self._settings.detectors:
            known = ", ".join(sorted(self._settings.detectors)) or "none"
            text = f"error: unknown model {model!r} (configured: {known})"
        elif not self._running:
            text = "stopped"
        elif worker is None:
            text = "starting"
        else:
            ws = worker.status
            if ws.state == "error":
                text = f"error: {ws.error}"
            elif ws.state == "starting":
                text = "starting"
            elif cam.frames == 0:
                text = "waiting for frames"
            else:
                text = "running"
            if self._settings.density is not None:
                density = f"error: {ws.density_error}" if ws.density_error else "ok"
        last = cam.state.captured_at if cam.state is not None else None
        return AnalysisStatus(cam.cfg.camera_id, text, model, cam.frames, cam.fps, last, density)
