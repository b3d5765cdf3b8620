"""What every decode loop shares: counters, decoded frames out to the ring (analysis and
viewing pictures), codec announcements and stats messages to the owner."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt
from av.video.frame import VideoFrame

from streams.datatypes import CameraStatus, IngestSettings, SourceError, StreamCodecInfo
from streams.messages import CodecMsg, FrameMsg, PacketMsg, StatsMsg, StatusMsg, WorkerMessage
from streams.ring import FrameRing, FrameTooLarge
from streams.timing import Pacer, PtsClock, RateGate

log = logging.getLogger(__name__)

T = TypeVar("T")
GOP_CACHE_PACKETS = 600  # longer GOPs are not cached: a first subscriber waits for a keyframe


class End(Enum):
    STOP = "stop"
    EOF = "eof"
    STALL = "stall"
    ERROR = "error"


@dataclass(frozen=True)
class SessionEnd:
    reason: End
    error: SourceError | None = None
    frames: int = 0


@dataclass
class Counters:
    """Cumulative per-process counters plus a 2 s window for the rates."""

    packets: int = 0
    bytes: int = 0
    frames: int = 0
    lost: int = 0
    seq: int = 0
    packet_seq: int = 0

    def __post_init__(self) -> None:
        self._window: deque[tuple[float, int, int]] = deque()

    def rates(self, now: float) -> tuple[float, float]:
        self._window.append((now, self.packets, self.frames))
        while len(self._window) > 2 and now - self._window[0][0] > 2.0:
            self._window.popleft()
        t0, p0, f0 = self._window[0]
        span = now - t0
        if span <= 0:
            return 0.0, 0.0
        return (self.packets - p0) / span, (self.frames - f0) / span


class GopCache(Generic[T]):
    """Decides what to relay, so that packets cost nothing while nobody subscribed.

    The current GOP is kept by reference (no copy, no filter, no pipe hop); when the first
    subscriber arrives the whole GOP goes out at once, so a viewer starts at the last
    keyframe instead of waiting for the next one; while subscribers stay, each packet goes
    out as it comes."""

    def __init__(self, limit: int = GOP_CACHE_PACKETS) -> None:
        self._limit = limit
        self._items: list[T] = []
        self._relaying = False

    def push(self, item: T, keyframe: bool, demand: bool) -> list[T]:
        """Record ``item``; return what to relay now (in order)."""
        if keyframe:
            self._items.clear()
        if keyframe or self._items:
            if len(self._items) < self._limit:
                self._items.append(item)
            else:
                self._items.clear()  # an over-long GOP: wait for the next keyframe instead
        if not demand:
            self._relaying = False
            return []
        if self._relaying:
            return [item]
        self._relaying = True
        return list(self._items) if self._items else [item]

    def reset(self) -> None:
        """A new connection: packets of the old one must never be replayed."""
        self._items.clear()
        self._relaying = False


@dataclass(frozen=True)
class PublishTarget:
    """Where one connection's output goes (shared by the decoder across reconnects)."""

    camera_id: str
    analysis_width: int
    settings: IngestSettings
    gate: RateGate
    clock: PtsClock
    ring: FrameRing
    counters: Counters
    send: Callable[[WorkerMessage], None]
    reconnects: Callable[[], int]


class FramePublisher:
    """One connection's output: relayed packets, decoded frames, codec info and stats."""

    def __init__(self, target: PublishTarget, *, paced: bool) -> None:
        self.t = target
        self.camera_id = target.camera_id
        self.settings = target.settings
        self.clock = target.clock
        self.ring = target.ring
        self.counters = target.counters
        self.send = target.send
        self.pacer = Pacer() if paced and target.settings.pace_files else None
        self.frames = 0
        self.size: tuple[int, int] | None = None
        self.last_frame_at = time.monotonic()
        self.next_stats = 0.0
        self.view_warned = False
        self.info: StreamCodecInfo | None = None

    def announce(self, info: StreamCodecInfo) -> None:
        self.info = info
        self.send(CodecMsg(info))

    def count_packet(self, size: int) -> None:
        c = self.counters
        if size:
            c.packets += 1
            c.bytes += size

    def relay(self, data: bytes, pts: float | None, keyframe: bool, captured: float) -> None:
        """One Annex B access unit (or packet) out to the relay fan-out."""
        self.counters.packet_seq += 1
        self.send(PacketMsg(self.counters.packet_seq, data, pts, keyframe, captured))

    def stalled(self, where: str) -> SessionEnd | None:
        """A STALL end when no frame came for ``stall_timeout_s``, else None."""
        stall = self.settings.stall_timeout_s
        if time.monotonic() - self.last_frame_at <= stall:
            return None
        err = SourceError(f"stalled: no frame from {where} for {stall:g} s", True)
        return SessionEnd(End.STALL, err, self.frames)

    def on_frame(self, frame: VideoFrame, pts: float) -> bool:
        """Publish one decoded frame at ``pts`` (s); False when asked to stop while pacing."""
        if self.pacer is not None and not self._pace(pts):
            return False
        c = self.counters
        c.frames += 1
        c.seq += 1
        self.frames += 1
        self.last_frame_at = time.monotonic()
        captured = time.time()
        if self.frames == 1:
            self.send(StatusMsg(CameraStatus.ONLINE, None, self.t.reconnects()))
        if (frame.width, frame.height) != self.size:
            self._resized(frame)
        if self.t.gate.take(pts):
            self._publish_analysis(frame, pts, captured)
        if self.ring.view_demand() > self.last_frame_at:
            self._publish_view(frame, pts, captured)
        return True

    def _resized(self, frame: VideoFrame) -> None:
        if self.size is not None:
            log.info("%s: resolution %s -> %dx%d", self.camera_id, self.size, *frame_size(frame))
        self.size = frame_size(frame)
        if self.info is not None:
            self.announce(replace(self.info, width=frame.width, height=frame.height))

    def _pace(self, pts: float) -> bool:
        assert self.pacer is not None
        wait = self.pacer.delay(pts, time.monotonic())
        while wait > 0:
            if self.ring.stop_requested():
                return False
            step = min(wait, 0.05)
            time.sleep(step)
            wait -= step
        return True

    def _publish_analysis(self, frame: VideoFrame, pts: float, captured: float) -> None:
        width = min(self.t.analysis_width, frame.width)
        height = max(2, round(frame.height * width / frame.width / 2) * 2)
        if (width, height) == (frame.width, frame.height):
            image = bgr(frame)
        else:
            image = bgr(frame.reformat(width=width, height=height, format="bgr24"))
        slot = self.ring.write("analysis", self.counters.seq, image)
        self.send(FrameMsg("analysis", slot, self.counters.seq, pts, captured, width, height))

    def _publish_view(self, frame: VideoFrame, pts: float, captured: float) -> None:
        try:
            slot = self.ring.write("view", self.counters.seq, bgr(frame))
        except FrameTooLarge as exc:
            self.counters.lost += 1
            if not self.view_warned:
                log.warning("%s: viewing frame not published: %s", self.camera_id, exc)
                self.view_warned = True
            return
        msg = FrameMsg("view", slot, self.counters.seq, pts, captured, frame.width, frame.height)
        self.send(msg)

    def maybe_stats(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self.next_stats:
            return
        self.next_stats = now + self.settings.stats_interval_s
        c = self.counters
        fps_in, fps_dec = c.rates(now)
        self.send(StatsMsg(c.packets, c.bytes, c.frames, fps_in, fps_dec, c.lost))


def frame_size(frame: VideoFrame) -> tuple[int, int]:
    return frame.width, frame.height


def bgr(frame: VideoFrame) -> npt.NDArray[np.uint8]:
    """The frame as a BGR uint8 HxWx3 array (converted by swscale if needed)."""
    image = frame.to_ndarray(format="bgr24")
    assert image.dtype == np.uint8
    return cast("npt.NDArray[np.uint8]", image)
