"""`RecordingService`: reindex on start, one recorder per recorded camera, retention, clips."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from db.database import Database
from events.bus import EventBus
from recording.clips import ClipService
from recording.mp4file import inspect, repair
from recording.recorder import CameraRecorder, PacketSource
from recording.retention import GB, expire_clips, keep_free, sweep
from recording.settings import Policy, RecordingSettings
from recording.store import NewSegment, RecordingStore
from streams import CameraHealth

log = logging.getLogger(__name__)


class IngestLike(PacketSource, Protocol):
    """What the service needs of `streams.IngestManager`."""

    def healths(self) -> list[CameraHealth]: ...


class RecordingService:
    """`await start()` reindexes what is on disk, then runs the supervisor task (reconciles
    recorders with ingest's cameras and their policies every `reconcile_s`, sweeps retention
    every `retention_s`) and the clip service. `await stop()` ends them and joins every
    recorder thread (each closes its segment)."""

    def __init__(
        self, ingest: IngestLike, database: Database, settings: RecordingSettings,
        bus: EventBus,
    ) -> None:
        self._ingest = ingest
        self.settings = settings
        self.store = RecordingStore(database, settings)
        self.clips = ClipService(bus, self.store, self.is_recording, settings.clip_wait_s)
        self._recorders: dict[str, CameraRecorder] = {}
        self._task: asyncio.Task[None] | None = None
        self._last_sweep = 0.0
        self._lock = threading.Lock()  # reconcile (a worker thread) vs stop
        self._stopping = False

    @property
    def recorders(self) -> dict[str, CameraRecorder]:
        return dict(self._recorders)

    def is_recording(self, camera_id: str) -> bool:
        rec = self._recorders.get(camera_id)
        return rec is not None and rec.alive

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("RecordingService already started")
        self.settings.root.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(reindex, self.store)
        await self.clips.start()
        self._task = asyncio.create_task(self._supervise(), name="recording-supervisor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.clips.stop()
        await asyncio.to_thread(self._stop_all)

    def _stop_all(self) -> None:
        with self._lock:  # waits for a reconcile still running in its thread
            self._stopping = True
            recorders, self._recorders = list(self._recorders.values()), {}
        for rec in recorders:
            rec.request_stop()  # all at once, then join each
        deadline = time.monotonic() + self.settings.stop_timeout_s
        for rec in recorders:
            rec.stop(max(0.1, deadline - time.monotonic()))

    async def _supervise(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.reconcile)
                if time.monotonic() - self._last_sweep >= self.settings.retention_s:
                    self._last_sweep = time.monotonic()
                    await asyncio.to_thread(self.sweep)
            except SQLAlchemyError as exc:
                log.error("recording supervisor: database error %s", exc)
            await asyncio.sleep(self.settings.reconcile_s)

    def _cameras(self) -> list[str]:
        return [h.camera_id for h in self._ingest.healths()]

    def reconcile(self) -> None:
        """Start a recorder for each camera in ingest whose policy records; stop the rest."""
        cams = self._cameras()
        policies = self.store.policies(cams)
        wanted = {c for c in cams if policies[c].enabled}
        with self._lock:
            if not self._stopping:
                self._apply(wanted, policies)

    def _apply(self, wanted: set[str], policies: dict[str, Policy]) -> None:
        for cam in list(self._recorders):
            if cam not in wanted:
                self._recorders.pop(cam).stop(self.settings.stop_timeout_s)
        s = self.settings
        for cam in sorted(wanted):
            rec = self._recorders.get(cam)
            if rec is None or not rec.alive:
                rec = CameraRecorder(cam, self._ingest, self.store, policies[cam].segment_s,
                                     s.idle_close_s, s.gap_s, s.progress_s)
                self._recorders[cam] = rec
                rec.start()
            rec.segment_s = policies[cam].segment_s

    def sweep(self, now: float | None = None) -> int:
        """Apply retention to every camera that has recordings and to event clips; then keep
        the disk from filling. Returns how many segments and clips were deleted."""
        now = time.time() if now is None else now
        cams = self.store.recorded_cameras()
        deleted = sweep(self.store, self.store.policies(cams), now)
        if self.settings.clip_retain_days is not None:
            deleted += expire_clips(self.store, self.settings.clip_retain_days, now)
        return deleted + keep_free(self.store, int(self.settings.min_free_gb * GB))


def _start_from_name(rel: Path) -> float | None:
    """`<camera>/<YYYYMMDD>/<HHMMSS>-<seq>.mp4` (UTC) -> epoch seconds."""
    try:
        stamp = datetime.strptime(rel.parent.name + rel.stem.split("-")[0], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC).timestamp()


def reindex(store: RecordingStore) -> tuple[int, int]:
    """Close rows of segments cut by a crash (repairing their files) and add rows for files
    that have none. Returns (rows closed, files added)."""
    closed = 0
    for seg in store.open_segments():
        path = store.root / seg.path
        facts = inspect(path) if path.is_file() and repair(path) > 0 else None
        if facts is None or facts.packets == 0:
            path.unlink(missing_ok=True)
            store.delete_segment(seg.id)
        else:
            store.update_segment(seg.id, seg.start + facts.duration_s, path.stat().st_size, True)
        closed += 1
    known = store.known_paths()
    added = 0
    for path in sorted(store.root.glob("*/*/*.mp4")):
        rel = path.relative_to(store.root)
        if rel.as_posix() in known or rel.parts[0] == "clips":
            continue
        facts = inspect(path) if repair(path) > 0 else None
        start = (facts.start if facts else None) or _start_from_name(rel)
        if facts is None or facts.packets == 0 or start is None:
            log.warning("recording %s is unreadable: left alone", rel)
            continue
        store.add_segment(NewSegment(
            camera_id=rel.parts[0], path=rel.as_posix(), start=start,
            end=start + facts.duration_s, bytes=path.stat().st_size, width=facts.width,
            height=facts.height, codec=facts.codec, closed=True,
        ))
        added += 1
    if closed or added:
        log.info("recordings reindexed: %d unfinished segment(s) closed, %d file(s) added",
                 closed, added)
    return closed, added
