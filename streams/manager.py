"""IngestManager: the one entry point the server uses to run and read cameras."""

from __future__ import annotations

import logging
import threading
import time

from streams.camera import CameraWorker
from streams.datatypes import CameraHealth, CameraSource, Frame, IngestSettings, StreamCodecInfo
from streams.relay import PacketSubscription

log = logging.getLogger(__name__)


class IngestManager:
    """Owns one decoder process + receiver thread per camera; every method is thread-safe.

    Reading methods never block except ``wait_analysis`` (call it from a worker thread or
    via ``asyncio.to_thread``, never on the event loop).
    """

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._cameras: dict[str, CameraWorker] = {}
        self._closed = False

    def add(self, source: CameraSource) -> None:
        """Start decoding ``source``; a camera with the same id is stopped and replaced."""
        worker = CameraWorker(source, self.settings)
        with self._lock:
            if self._closed:
                worker.ring.close()
                raise RuntimeError("IngestManager is closed")
            old = self._cameras.pop(source.camera_id, None)
        if old is not None:
            self._stop_workers([old], self.settings.open_timeout_s)
        worker.start()
        with self._lock:
            self._cameras[source.camera_id] = worker
        log.info("camera %s: ingest started", source.camera_id)

    def remove(self, camera_id: str, timeout: float = 5.0) -> None:
        with self._lock:
            worker = self._cameras.pop(camera_id, None)
        if worker is not None:
            self._stop_workers([worker], timeout)

    def camera_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._cameras)

    def _get(self, camera_id: str) -> CameraWorker | None:
        with self._lock:
            return self._cameras.get(camera_id)

    def health(self, camera_id: str) -> CameraHealth | None:
        worker = self._get(camera_id)
        return worker.health() if worker is not None else None

    def healths(self) -> list[CameraHealth]:
        with self._lock:
            workers = [self._cameras[k] for k in sorted(self._cameras)]
        return [w.health() for w in workers]

    def latest_analysis(self, camera_id: str) -> Frame | None:
        worker = self._get(camera_id)
        return worker.latest_analysis() if worker is not None else None

    def latest_view(self, camera_id: str) -> Frame | None:
        """Newest full-resolution frame; asking starts (keeps) the viewing stream decoding
        to pixels for ``settings.view_demand_s``, so the first call may return None."""
        worker = self._get(camera_id)
        return worker.latest_view() if worker is not None else None

    def wait_analysis(self, camera_id: str, after_seq: int, timeout: float) -> Frame | None:
        """Block until an analysis frame newer than ``after_seq`` exists (None on timeout)."""
        worker = self._get(camera_id)
        return worker.wait_analysis(after_seq, timeout) if worker is not None else None

    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription:
        """Encoded packets (Annex B H.264/HEVC) of a camera for the relay; starts at the
        last keyframe. Raises KeyError for an unknown camera."""
        worker = self._get(camera_id)
        if worker is None:
            raise KeyError(camera_id)
        return worker.fanout.subscribe(max_packets)

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None:
        worker = self._get(camera_id)
        return worker.fanout.codec if worker is not None else None

    def decoder_pid(self, camera_id: str) -> int | None:
        worker = self._get(camera_id)
        return worker.pid if worker is not None else None

    def close(self, timeout: float = 5.0) -> None:
        """Stop every camera (all at once), join within ``timeout``, free shared memory."""
        with self._lock:
            self._closed = True
            workers = list(self._cameras.values())
            self._cameras.clear()
        self._stop_workers(workers, timeout)

    @staticmethod
    def _stop_workers(workers: list[CameraWorker], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for w in workers:
            w.request_stop(timeout)
        for w in workers:
            if not w.join(deadline):
                cam = w.source.camera_id
                log.error("camera %s: ingest did not stop within %.1f s", cam, timeout)

    def __enter__(self) -> IngestManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
