"""The batching inference worker: one thread per detector that takes the newest frame of each of
its cameras, runs them through the detector as one batch, runs the (slower) density model on a
cadence, and hands the batch's results to a second thread that runs each camera's analytics
(the sink) while the next batch is being detected. Old frames are never queued: a camera that
produced several frames since the last batch contributes only its newest one, and at most
`handoff` batches wait for analytics (then the detector waits: nothing grows without bound).
With a pipelined detector (`submit_batch`) up to `in_flight` full batches are queued on its
runtime while this thread decodes the oldest, so the runtime never idles waiting for Python. A
batch is full with a frame of every camera that delivered within `live_window_s`: an offline
camera neither holds the others' batches for `max_wait_s` nor stops them queueing."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from models.protocols import (
    DensityEstimator,
    DensityMap,
    Detector,
    ModelLoadError,
    PendingBatch,
    submit_batch,
)
from vision.analytics import FrameLike
from vision.detections import Detections

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    """Where frames come from: `streams.IngestManager` is one."""

    def latest_analysis(self, camera_id: str) -> FrameLike | None: ...


ResultSink = Callable[[FrameLike, Detections, DensityMap | None], None]


class WorkerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_batch: int = Field(default=8, ge=1, le=64)
    max_wait_s: float = Field(default=0.02, ge=0.0, le=1.0)  # to fill a batch once one is ready
    density_interval_s: float | None = Field(default=2.0, gt=0.0)  # None: no density
    poll_s: float = Field(default=0.005, gt=0.0, le=0.5)
    handoff: int = Field(default=2, ge=1, le=16)  # detected batches waiting for analytics
    # Batches submitted to a pipelined detector and not yet collected. Behind the oldest, full
    # batches keep the runtime busy while this thread decodes; only under load (a full batch is
    # already waiting) does it queue more than one, so an idle system keeps its lowest delay.
    in_flight: int = Field(default=3, ge=1, le=8)
    # A camera whose last new frame is older than this does not count towards a full batch.
    live_window_s: float = Field(default=2.0, gt=0.0)


WorkerState = Literal["starting", "running", "error", "stopped"]


@dataclass(frozen=True)
class WorkerStatus:
    state: WorkerState
    error: str | None
    batches: int
    frames: int
    density_runs: int
    density_error: str | None
    failures: int  # batches the detector failed on


@dataclass(frozen=True)
class _Submitted:
    frames: list[FrameLike]
    pending: PendingBatch


@dataclass(frozen=True)
class _Batch:
    frames: list[FrameLike]
    results: list[Detections]
    densities: list[DensityMap | None]


class BatchingWorker:
    def __init__(
        self,
        name: str,
        source: FrameSource,
        load_detector: Callable[[], Detector],
        sink: ResultSink,
        settings: WorkerSettings | None = None,
        load_density: Callable[[], DensityEstimator] | None = None,
    ) -> None:
        self.name = name
        self._source = source
        self._load_detector = load_detector
        self._load_density = load_density
        self._sink = sink
        self._settings = settings or WorkerSettings()
        self._cameras: tuple[str, ...] = ()
        self._last_seq: dict[str, int] = {}
        self._delivered_at: dict[str, float] = {}  # camera -> when a new frame was last seen
        self._last_density: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._analytics: threading.Thread | None = None
        self._handoff: queue.Queue[_Batch | None] = queue.Queue(maxsize=self._settings.handoff)
        self._state: WorkerState = "stopped"
        self._error: str | None = None
        self._density_error: str | None = None
        self._batches = self._frames = self._density_runs = self._failures = 0
        self.batch_sizes: list[int] = []  # recent batch sizes (bounded), for tests and stats

    # ---- control (any thread) ----
    def set_cameras(self, camera_ids: Iterable[str]) -> None:
        with self._lock:
            self._cameras = tuple(dict.fromkeys(camera_ids))

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"worker {self.name} already started")
        self._state = "starting"
        self._thread = threading.Thread(target=self._run, name=f"vision-{self.name}", daemon=True)
        self._analytics = threading.Thread(
            target=self._analyse, name=f"vision-{self.name}-analytics", daemon=True
        )
        self._thread.start()
        self._analytics.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Signals both threads and joins them; False if they did not end within `timeout`."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in (self._thread, self._analytics):
            if t is not None:
                t.join(max(0.0, deadline - time.monotonic()))
                if t.is_alive():
                    log.warning("vision thread %s did not stop within %.1f s", t.name, timeout)
                    return False
        self._thread = self._analytics = None
        if self._state != "error":
            self._state = "stopped"
        return True

    @property
    def status(self) -> WorkerStatus:
        return WorkerStatus(
            self._state,
            self._error,
            self._batches,
            self._frames,
            self._density_runs,
            self._density_error,
            self._failures,
        )

    # ---- the inference thread ----
    def _run(self) -> None:
        try:
            self._detect_loop()
        finally:
            self._put(None)  # tells the analytics thread to finish

    def _detect_loop(self) -> None:
        try:
            detector = self._load_detector()
        except ModelLoadError as exc:
            self._fail(f"model failed to load: {exc}")
            return
        except Exception as exc:  # fault barrier: any loader bug must become a status, not a crash
            self._fail(f"model failed to load: {type(exc).__name__}: {exc}")
            return
        self._warm_up(detector)
        density = self._open_density()
        self._state = "running"
        log.info("vision worker %s running", self.name)
        pending: deque[_Submitted] = deque()  # submitted batches, oldest first
        try:
            while not self._stop.is_set():
                if len(pending) >= self._settings.in_flight:
                    self._finish(density, pending.popleft())
                    continue
                frames = self._gather(fill=not pending)
                if pending and len(frames) < self._batch_target():
                    # No full batch to queue behind the running ones: finish the oldest, then
                    # wait for the next to fill, as without pipelining (no fragmented batches).
                    self._finish(density, pending.popleft())
                    continue
                if not frames:
                    self._stop.wait(self._settings.poll_s)
                    continue
                submitted = self._submit(detector, frames)
                if submitted is not None:
                    pending.append(submitted)
        finally:
            while pending:  # stopping: let the runtime finish with its buffers
                self._finish(density, pending.popleft())

    def _warm_up(self, detector: Detector) -> None:
        """A dummy frame, then a dummy batch: runtimes compile and allocate on their first
        call (back-ends may run single frames and batches differently), which would otherwise
        delay the first real frames by seconds."""
        blank = np.zeros((360, 640, 3), np.uint8)
        try:
            detector.detect_batch([blank])
            if self._settings.max_batch > 1:
                detector.detect_batch([blank, blank])
        except (RuntimeError, ValueError, OSError) as exc:
            log.warning("vision worker %s: warm-up failed: %s", self.name, exc)

    def _fail(self, message: str) -> None:
        log.error("vision worker %s: %s", self.name, message)
        self._error = message
        self._state = "error"

    def _open_density(self) -> DensityEstimator | None:
        if self._load_density is None or self._settings.density_interval_s is None:
            return None
        try:
            return self._load_density()
        except ModelLoadError as exc:
            self._density_error = f"density model failed to load: {exc}"
            log.error("vision worker %s: %s", self.name, self._density_error)
            return None

    def _fresh(self) -> list[FrameLike]:
        with self._lock:
            cams = self._cameras
        out: list[FrameLike] = []
        now = time.monotonic()
        for cam in cams:
            f = self._source.latest_analysis(cam)
            if f is not None and f.seq != self._last_seq.get(cam):
                out.append(f)
                self._delivered_at[cam] = now
        return out

    def _batch_target(self) -> int:
        """A full batch: one frame of every camera that delivered within `live_window_s` (an
        offline camera must not hold every batch for `max_wait_s`, nor stop batches queueing)."""
        with self._lock:
            cams = self._cameras
        since = time.monotonic() - self._settings.live_window_s
        live = sum(1 for c in cams if self._delivered_at.get(c, float("-inf")) >= since)
        return max(1, min(self._settings.max_batch, live))

    def _gather(self, fill: bool = True) -> list[FrameLike]:
        """The newest unseen frame of each camera; once one is ready (and `fill`), wait up to
        max_wait_s for more cameras so the batch fills. Oldest-captured first when there are
        too many."""
        s = self._settings
        frames = self._fresh()
        if not frames:
            return []
        target = self._batch_target()
        deadline = time.monotonic() + (s.max_wait_s if fill else 0.0)
        while len(frames) < target and time.monotonic() < deadline and not self._stop.is_set():
            self._stop.wait(s.poll_s)
            frames = self._fresh()
        frames.sort(key=lambda f: f.captured_at)
        return frames[: s.max_batch]

    def _submit(self, detector: Detector, frames: list[FrameLike]) -> _Submitted | None:
        """Starts the batch on the detector (a pipelined one runs it in the background while
        this thread finishes the previous batch); None if the detector refused it."""
        for f in frames:
            self._last_seq[f.camera_id] = f.seq
        try:
            return _Submitted(frames, submit_batch(detector, [f.image for f in frames]))
        except (RuntimeError, ValueError, OSError) as exc:
            self._failed(exc)
            return None

    def _failed(self, exc: Exception) -> None:
        self._failures += 1
        log.warning("vision worker %s: detector failed on a batch: %s", self.name, exc)

    def _finish(self, density: DensityEstimator | None, submitted: _Submitted) -> None:
        """Waits for a submitted batch, runs density where due, hands it to analytics."""
        frames = submitted.frames
        try:
            results = submitted.pending.result()
        except (RuntimeError, ValueError, OSError) as exc:
            self._failed(exc)
            return
        self._batches += 1
        self._frames += len(frames)
        self.batch_sizes = [*self.batch_sizes[-99:], len(frames)]
        dmap_for = self._density_camera(frames) if density is not None else None
        densities = [
            self._estimate(density, f) if f.camera_id == dmap_for else None for f in frames
        ]
        self._put(_Batch(frames, results, densities))

    def _put(self, item: _Batch | None) -> None:
        """Blocks while the analytics thread is `handoff` batches behind (back-pressure)."""
        while True:
            try:
                self._handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                if self._stop.is_set() and item is not None:
                    return  # stopping: drop the batch
                if self._analytics is None or not self._analytics.is_alive():
                    return

    # ---- the analytics thread ----
    def _analyse(self) -> None:
        while True:
            try:
                batch = self._handoff.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set() and (self._thread is None or not self._thread.is_alive()):
                    return
                continue
            if batch is None:
                return
            for f, dets, dmap in zip(batch.frames, batch.results, batch.densities, strict=True):
                try:
                    self._sink(f, dets, dmap)
                except Exception:  # fault barrier: one camera's bug must not stop the others
                    log.exception("vision %s: analytics failed on %s", self.name, f.camera_id)

    def _density_camera(self, frames: list[FrameLike]) -> str | None:
        """At most one density estimate per batch: the camera most overdue for one."""
        interval = self._settings.density_interval_s
        if interval is None:
            return None
        due = [
            (self._last_density.get(f.camera_id, float("-inf")), f.camera_id)
            for f in frames
            if f.captured_at - self._last_density.get(f.camera_id, float("-inf")) >= interval
        ]
        return min(due)[1] if due else None

    def _estimate(self, density: DensityEstimator | None, f: FrameLike) -> DensityMap | None:
        if density is None:
            return None
        self._last_density[f.camera_id] = f.captured_at
        try:
            dmap = density.estimate(f.image)
        except (RuntimeError, ValueError) as exc:
            self._density_error = f"density failed: {exc}"
            log.warning("vision worker %s: %s", self.name, self._density_error)
            return None
        self._density_runs += 1
        return dmap
