"""The batching worker and VisionService: batches across cameras, newest frame wins, density on
a cadence, a model that fails to load becomes a status (not a crash), and everything stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from events.model import Event
from models import FakeBox, FakeConfig
from models.fake import FakeDensity, FakeDetector
from models.protocols import PipelinedDetector
from vision.analytics import CameraAnalysisConfig
from vision.detections import Detections
from vision.geometry import Zone
from vision.rules import RulesConfig
from vision.service import VisionService, VisionSettings
from vision.worker import BatchingWorker, WorkerSettings


@dataclass(frozen=True)
class _Frame:
    camera_id: str
    seq: int
    pts: float
    captured_at: float
    image: np.ndarray = field(repr=False)


class FakeIngest:
    """Cameras that each produce a new frame whenever `tick()` is called (like IngestManager's
    latest_analysis: only the newest frame is visible)."""

    def __init__(self, cameras: list[str]) -> None:
        self._latest: dict[str, _Frame] = {}
        self._cams = cameras
        self._lock = threading.Lock()
        self._seq = 0
        self._img = np.zeros((72, 128, 3), np.uint8)
        self._img.flags.writeable = False

    def tick(self, frames: int = 1) -> None:
        with self._lock:
            self._seq += frames
            now = time.time()
            for cam in self._cams:
                self._latest[cam] = _Frame(cam, self._seq, self._seq / 5.0, now, self._img)

    def latest_analysis(self, camera_id: str) -> _Frame | None:
        with self._lock:
            return self._latest.get(camera_id)


def wait_for(cond: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the timeout")
        time.sleep(0.01)


def test_worker_batches_the_newest_frame_of_every_camera_and_stops() -> None:
    ingest = FakeIngest(["a", "b", "c"])
    detector = FakeDetector(FakeConfig())
    seen: list[tuple[str, int, bool]] = []
    worker = BatchingWorker(
        "default",
        ingest,
        lambda: detector,
        lambda f, d, dm: seen.append((f.camera_id, f.seq, dm is not None)),
        WorkerSettings(max_batch=8, max_wait_s=0.2, density_interval_s=1.0),
        load_density=lambda: FakeDensity(FakeConfig()),
    )
    worker.set_cameras(["a", "b", "c"])
    worker.start()
    try:
        for r in range(1, 4):
            ingest.tick(2)  # two frames since the last look: only the newest is analysed
            wait_for(lambda r=r: len(seen) >= 3 * r)  # type: ignore[misc]
            time.sleep(0.1)
            assert len(seen) == 3 * r  # a frame is analysed once, never again
    finally:
        assert worker.stop(timeout=5.0)
    assert worker.status.state == "stopped"
    assert detector.batches[:2] == [1, 2]  # the warm-up: a single frame, then a batch
    assert set(detector.batches[2:]) == {3}  # one batch per round, all three cameras together
    assert [seq for _, seq, _ in seen] == [2] * 3 + [4] * 3 + [6] * 3
    assert sum(1 for *_, dens in seen if dens) >= 1  # density ran on its cadence


class _Gate:
    """A batch 'running' until the test opens it."""

    def __init__(self, detections: list[Detections]) -> None:
        self.opened = threading.Event()
        self._detections = detections

    def result(self) -> list[Detections]:
        assert self.opened.wait(10.0), "the test never let this batch finish"
        return self._detections


class GatedDetector(FakeDetector):
    """A pipelined detector (submit_batch) whose batches finish only when the test says."""

    def __init__(self) -> None:
        super().__init__(FakeConfig())
        self.gates: list[_Gate] = []
        self.open_all = False

    def submit_batch(self, images: Sequence[np.ndarray]) -> _Gate:
        gate = _Gate(self.detect_batch(images))
        self.gates.append(gate)  # before looking at open_all: the test sets it, then opens gates
        if self.open_all:
            gate.opened.set()
        return gate


class BusyIngest(FakeIngest):
    """Cameras far faster than the detector: every look finds a new frame."""

    def latest_analysis(self, camera_id: str) -> _Frame | None:
        self.tick()
        return super().latest_analysis(camera_id)


def test_under_load_the_worker_queues_full_batches_behind_the_running_one() -> None:
    ingest = BusyIngest(["a", "b"])
    detector = GatedDetector()
    seen: list[tuple[str, int]] = []
    worker = BatchingWorker(
        "default",
        ingest,
        lambda: detector,
        lambda f, d, dm: seen.append((f.camera_id, f.seq)),
        WorkerSettings(max_batch=8, max_wait_s=0.2, density_interval_s=None, in_flight=3),
    )
    assert isinstance(detector, PipelinedDetector)
    worker.set_cameras(["a", "b"])
    worker.start()
    try:
        wait_for(lambda: len(detector.gates) == 3)
        time.sleep(0.2)
        assert len(detector.gates) == 3  # in_flight batches at most, none collected yet
        assert seen == []
        assert detector.batches[:2] == [1, 2]  # the warm-up
        assert detector.batches[2:] == [2, 2, 2]  # full batches only
        detector.gates[0].opened.set()
        wait_for(lambda: len(seen) == 2 and len(detector.gates) == 4)  # one out, one more in
        detector.gates[1].opened.set()
        wait_for(lambda: len(seen) == 4 and len(detector.gates) == 5)
        assert [cam for cam, _ in seen] == ["a", "b", "a", "b"]
        assert seen[0][1] < seen[2][1]  # handed to analytics in the order they were submitted
    finally:
        detector.open_all = True
        for gate in detector.gates:
            gate.opened.set()
        assert worker.stop(timeout=5.0)
    assert worker.status.state == "stopped"
    # Stopping finished every batch it had started: each one's frames reached analytics or
    # were dropped at the hand-off, none is left running on the detector.
    assert worker.status.batches == len(detector.gates)


class OneCameraDown(BusyIngest):
    """As BusyIngest, but camera "down" has never delivered a frame."""

    def latest_analysis(self, camera_id: str) -> _Frame | None:
        return None if camera_id == "down" else super().latest_analysis(camera_id)


def test_an_offline_camera_does_not_hold_the_batches_of_the_others() -> None:
    ingest = OneCameraDown(["a", "b", "down"])
    detector = GatedDetector()
    worker = BatchingWorker(
        "default",
        ingest,
        lambda: detector,
        lambda f, d, dm: None,
        WorkerSettings(max_batch=8, max_wait_s=0.5, density_interval_s=None, in_flight=3),
    )
    worker.set_cameras(["a", "b", "down"])
    worker.start()
    try:
        # The two live cameras make full batches: they queue behind the running one, none
        # waits for "down" (a batch of 2 out of 3 cameras would otherwise never be full).
        wait_for(lambda: len(detector.gates) == 3)
        assert detector.batches[2:] == [2, 2, 2]
    finally:
        detector.open_all = True
        for gate in detector.gates:
            gate.opened.set()
        assert worker.stop(timeout=5.0)


def test_a_model_that_fails_to_load_is_an_error_status() -> None:
    ingest = FakeIngest(["ok-cam", "bad-cam"])
    events: list[Event] = []
    settings = VisionSettings(
        detectors={"default": FakeConfig(), "broken": FakeConfig(fail_load="weights missing")},
        density=None,
    )
    service = VisionService(ingest, settings, None, events.append)
    service.set_cameras(
        [
            CameraAnalysisConfig(camera_id="ok-cam"),
            CameraAnalysisConfig(camera_id="bad-cam", model="broken"),
            CameraAnalysisConfig(camera_id="typo-cam", model="yolo-typo"),
        ]
    )
    service.start()
    try:
        ingest.tick()
        wait_for(lambda: (s := service.status("ok-cam")) is not None and s.status == "running")
        bad = service.status("bad-cam")
        assert bad is not None
        wait_for(lambda: service.status("bad-cam").status.startswith("error"))  # type: ignore[union-attr]
        assert service.status("bad-cam").status == "error: model failed to load: weights missing"  # type: ignore[union-attr]
        typo = service.status("typo-cam")
        assert typo is not None
        assert typo.status.startswith("error: unknown model 'yolo-typo'")
        assert not typo.ok
        assert service.latest("ok-cam") is not None
        assert service.latest("bad-cam") is None
    finally:
        service.stop(timeout=5.0)
    assert service.status("ok-cam").status == "stopped"  # type: ignore[union-attr]
    assert not [t for t in threading.enumerate() if t.name.startswith("vision-")]


def test_service_publishes_events_and_closes_them_on_stop() -> None:
    ingest = FakeIngest(["cam"])
    people = [FakeBox(xyxy=(10 + 20 * i, 20, 20 + 20 * i, 60)) for i in range(5)]
    settings = VisionSettings(
        detectors={"default": FakeConfig(frames=[people])},
        density=None,
        worker=WorkerSettings(max_wait_s=0.0),
    )
    events: list[Event] = []
    lock = threading.Lock()

    def on_event(ev: Event) -> None:
        with lock:
            events.append(ev)

    zone = Zone(id="all", name="全部", polygon=[(0, 0), (1, 0), (1, 1), (0, 1)])
    rules = RulesConfig.model_validate(
        {"overcrowding": [{"zone": "all", "thresholds": [4], "min_duration_s": 0}]}
    )
    service = VisionService(ingest, settings, None, on_event)
    service.set_cameras([CameraAnalysisConfig(camera_id="cam", zones=[zone], rules=rules)])
    service.start()
    try:
        for _ in range(20):
            ingest.tick()
            time.sleep(0.02)
            with lock:
                if events:
                    break
        wait_for(lambda: bool(events))
        state = service.latest("cam")
        assert state is not None
        assert state.zones["all"].count == 5
        heat = service.heatmap("cam")
        assert heat is not None
        assert heat.max() == pytest.approx(1.0)
    finally:
        service.stop()
    with lock:
        states = [e.state for e in events]
    assert states[0] == "open"
    assert states[-1] == "closed"  # stopping closes what is open
