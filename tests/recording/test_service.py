"""RecordingService with the real relay fan-out: it starts a recorder for a camera whose
policy records, stops it when the policy says so, and `stop()` ends every thread and task."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from db.database import Database
from events.bus import InProcessBus
from recording.service import RecordingService
from recording.settings import Policy, RecordingSettings
from streams import CameraHealth, CameraStatus
from tests.recording.helpers import FanoutSource, clip_packets, wait_for


class OneCamera(FanoutSource):
    def healths(self) -> list[CameraHealth]:
        return [CameraHealth("cam", CameraStatus.ONLINE, None, 25, 25, 0, 0, 0, 0, 320, 240,
                             "h264", 0.0)]


async def until(check: Callable[[], object], limit_s: float, what: str) -> None:
    await asyncio.to_thread(wait_for, check, limit_s, what)  # the loop keeps running


def recorder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("rec-cam")]


async def test_service_follows_the_policy_and_stops_everything(
    tmp_path: Path, database: Database, rsettings: RecordingSettings
) -> None:
    bus = InProcessBus()
    await bus.start()
    source = OneCamera("cam")
    service = RecordingService(source, database, rsettings.model_copy(
        update={"reconcile_s": 0.1}), bus)
    await service.start()
    try:
        await until(lambda: service.is_recording("cam"), 10, "a recorder for the camera")
        assert len(recorder_threads()) == 1
        source.publish(clip_packets(tmp_path, "a", seconds=3))
        await until(lambda: len(service.store.segments("cam")) >= 1, 10, "a segment")
        off = Policy.default("cam", rsettings).model_copy(update={"enabled": False})
        service.store.set_policy(off, "admin")
        await until(lambda: not recorder_threads(), 10, "the recorder to stop")
        assert all(s.closed for s in service.store.segments("cam"))
        service.store.set_policy(off.model_copy(update={"enabled": True}), "admin")
        await until(lambda: service.is_recording("cam"), 10, "the recorder to start again")
    finally:
        await service.stop()
        await bus.stop()
    assert not recorder_threads()
    assert not service.recorders
    assert bus.subscribers == 0  # the clip service unsubscribed
