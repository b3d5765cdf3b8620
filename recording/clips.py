"""Event clips: when an event opens, wait `clip_post_s`, then cut [start-pre, start+post]."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

import av
from sqlalchemy.exc import SQLAlchemyError

from events.bus import EventBus, Subscription
from events.model import Event
from recording.cut import CutError, cut
from recording.store import Clip, RecordingStore

log = logging.getLogger(__name__)
MAX_PENDING = 200
RETRY_S = 2.0


def clip_path(event_id: str) -> str:
    return f"clips/{event_id}.mp4"


class ClipService:
    """Owns one bus-reading task and one task per pending clip; `stop()` cancels them all
    (a pending clip stays `pending` in the table; it is not retried after a restart)."""

    def __init__(
        self, bus: EventBus, store: RecordingStore, recording: Callable[[str], bool],
        wait_s: float,
    ) -> None:
        self._bus, self._store = bus, store
        self._recording = recording  # camera_id -> is a recorder running for it
        self._wait_s = wait_s
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.cut = 0
        self.failed = 0

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("ClipService already started")
        await asyncio.to_thread(self._store.fail_pending_clips,
                                "the server stopped before this clip was cut")
        self._sub = self._bus.subscribe(1000)
        self._task = asyncio.create_task(self._run(self._sub), name="recording-clips")

    async def stop(self) -> None:
        if self._sub is not None:
            self._sub.close()
        tasks = [t for t in (self._task, *self._pending) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._task, self._sub = None, None
        self._pending.clear()

    async def _run(self, sub: Subscription) -> None:
        while (event := await sub.get()) is not None:
            if event.state != "open" or len(self._pending) >= MAX_PENDING:
                continue
            task = asyncio.create_task(self._clip(event), name=f"clip-{event.id}")
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _clip(self, event: Event) -> None:
        policy = await asyncio.to_thread(self._store.policy, event.camera_id)
        start = event.started_at.timestamp()
        t0, t1 = start - policy.clip_pre_s, start + policy.clip_post_s
        key, cam = str(event.id), event.camera_id
        try:
            if await asyncio.to_thread(self._store.clip, key) is not None:
                return  # cut (or being cut) already
            await asyncio.to_thread(self._store.put_clip, Clip(key, cam, "pending", None, t0, t1,
                                                               0, None))
            await asyncio.sleep(max(0.0, t1 - time.time()))
            deadline = time.monotonic() + self._wait_s
            while True:
                segments = await asyncio.to_thread(self._store.segments, cam, t0, t1)
                written = max((s.end for s in segments), default=0.0)
                if written >= t1 or time.monotonic() > deadline or not self._recording(cam):
                    break
                await asyncio.sleep(RETRY_S)  # the fragment holding t1 is not on disk yet
            await asyncio.to_thread(self._cut, key, cam, t0, t1)
        except SQLAlchemyError as exc:
            log.error("clip of event %s: database error %s", key, exc)

    def _cut(self, key: str, cam: str, t0: float, t1: float) -> None:
        root: Path = self._store.root
        rel = clip_path(key)
        try:
            res = cut(root, self._store.segments(cam, t0, t1), t0, t1, root / rel)
        except (CutError, av.error.FFmpegError, OSError, ValueError) as exc:
            self.failed += 1
            log.info("no clip for event %s on %s: %s", key, cam, exc)
            self._store.put_clip(Clip(key, cam, "failed", None, t0, t1, 0, str(exc)))
            return
        self.cut += 1
        self._store.put_clip(Clip(key, cam, "ready", rel, res.start, res.end, res.bytes, None))
