"""One live feed per camera: a single ingest subscription (or a single encoder) fanned out to
every viewer of that camera.

The feed's thread (``cityeye-live-<camera>``) reads the camera's encoded packets from ingest
(or, for cameras that need encoding, its newest full-resolution frames) and hands each access
unit to the event loop, where it is offered to every viewer's queue. Nothing is decoded here and
nothing is done once per viewer except queueing a reference.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from streams.datatypes import CameraHealth, EncodedPacket, Frame, StreamCodecInfo
from streams.relay import PacketSubscription
from streams.webrtc.encoder import FrameEncoder
from streams.webrtc.packets import VIDEO_CLOCK_HZ, RelayPacket, ViewerQueue, to_ticks
from streams.webrtc.settings import LiveSettings

log = logging.getLogger(__name__)

POLL_S = 0.25
ENCODE_POLL_S = 0.004
JUMP_TICKS = VIDEO_CLOCK_HZ  # a pts step larger than 1 s (or backwards) is a discontinuity
REORDER_LIMIT = 3  # backward pts steps within a GOP window that mean "B-frames"
KEYFRAME_MIN_INTERVAL_S = 0.5


class PacketSource(Protocol):
    """What the relay needs from ingest (``streams.IngestManager`` provides it)."""

    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription: ...

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None: ...

    def latest_view(self, camera_id: str) -> Frame | None: ...

    def health(self, camera_id: str) -> CameraHealth | None: ...


class FeedMode(StrEnum):
    STARTING = "starting"
    PASSTHROUGH = "passthrough"  # the camera's H.264 access units, as they are
    ENCODE = "encode"  # encoded once here (not H.264, or H.264 with B-frames)


@dataclass(frozen=True)
class FeedStats:
    camera_id: str
    mode: FeedMode
    viewers: int
    source_subscriptions: int  # ingest packet subscriptions opened (1 while all goes well)
    encoders_started: int  # encoders opened for this camera (0 in passthrough)
    packets_in: int
    frames_encoded: int
    viewer_skips: int  # packets viewers skipped because they fell behind
    last_packet_at: float | None


class Timeline:
    """Keeps the ticks sent to viewers strictly increasing across pts discontinuities (file
    loops, reconnects) while passing true pts through whenever they continue the timeline."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._offset = 0
        self._step = VIDEO_CLOCK_HZ // 30

    def place(self, ticks: int) -> int:
        last = self._last
        if last is None:
            out = ticks
        elif last < ticks <= last + JUMP_TICKS:
            self._offset, out = 0, ticks
        elif last < ticks + self._offset <= last + JUMP_TICKS:
            out = ticks + self._offset
        else:
            out = last + self._step
            self._offset = out - ticks
        if last is not None and 0 < out - last <= JUMP_TICKS // 4:
            self._step = out - last
        self._last = out
        return out


class ReorderDetector:
    """Spots B-frames: pts that step backwards (by less than a discontinuity) several times."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._backward = 0
        self._seen = 0

    def reordered(self, ticks: int) -> bool:
        last, self._last = self._last, ticks
        self._seen += 1
        if self._seen > 120:  # a window of a few seconds
            self._seen, self._backward = 0, 0
        if last is not None and last - JUMP_TICKS < ticks < last:
            self._backward += 1
        return self._backward >= REORDER_LIMIT


class CameraFeed:
    def __init__(
        self,
        camera_id: str,
        source: PacketSource,
        settings: LiveSettings,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.camera_id = camera_id
        self._source = source
        self._settings = settings
        self._loop = loop
        self._stop = threading.Event()
        self._keyframe_wanted = threading.Event()
        self._lock = threading.Lock()
        self._sub: PacketSubscription | None = None
        self._force_encode = False
        self._thread = threading.Thread(
            target=self._run, name=f"cityeye-live-{camera_id}", daemon=True
        )
        # written by the feed thread, read anywhere
        self.mode = FeedMode.STARTING
        self.source_subscriptions = 0
        self.encoders_started = 0
        self.packets_in = 0
        self.frames_encoded = 0
        # event-loop side
        self._viewers: list[ViewerQueue] = []
        self._gop: list[RelayPacket] = []
        self._skips_of_gone = 0
        self.last_packet_at: float | None = None
        self.listeners: list[Callable[[RelayPacket], None]] = []

    # lifecycle (event loop) -------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    async def aclose(self) -> None:
        self._stop.set()
        with self._lock:
            sub = self._sub
        if sub is not None:
            sub.close()  # wakes the thread out of sub.get()
        for queue in self._viewers:
            queue.close()
        self._viewers.clear()
        timeout = self._settings.feed_stop_timeout_s
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join, timeout)
        if self._thread.is_alive():
            log.error("live feed %s did not stop within %.1f s", self.camera_id, timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # viewers (event loop) ---------------------------------------------------------------------
    def add_viewer(self) -> ViewerQueue:
        queue = ViewerQueue(self._settings.viewer_queue_packets)
        if self.mode is FeedMode.ENCODE:
            self._keyframe_wanted.set()
        else:
            for packet in self._join_burst():
                queue.offer(packet)
        self._viewers.append(queue)
        return queue

    def remove_viewer(self, queue: ViewerQueue) -> None:
        queue.close()
        if queue in self._viewers:
            self._viewers.remove(queue)
            self._skips_of_gone += queue.skipped

    def viewers(self) -> int:
        return len(self._viewers)

    def request_keyframe(self) -> None:
        """A viewer lost pictures (RTCP PLI): only the encode path can honour it."""
        if self.mode is FeedMode.ENCODE:
            self._keyframe_wanted.set()

    def _join_burst(self) -> list[RelayPacket]:
        """The current GOP with its timestamps squeezed to end at the live frame, so a new
        viewer shows a picture at once without its player scheduling old frames late."""
        gop = self._gop
        if not gop:
            return []
        span = (gop[-1].ticks - gop[0].ticks) / VIDEO_CLOCK_HZ
        if span > self._settings.join_replay_max_s:
            return []
        last = gop[-1]
        n = len(gop)
        return [replace(p, ticks=last.ticks - (n - 1 - i)) for i, p in enumerate(gop[:-1])] + [
            last
        ]

    def _dispatch(self, packet: RelayPacket) -> None:
        if packet.keyframe:
            self._gop = [packet]
        elif self._gop:
            self._gop.append(packet)
            if len(self._gop) > self._settings.source_queue_packets:
                self._gop = []
        self.last_packet_at = packet.captured_at
        for queue in self._viewers:
            queue.offer(packet)
        for listener in self.listeners:
            listener(packet)

    def stats(self) -> FeedStats:
        return FeedStats(
            camera_id=self.camera_id,
            mode=self.mode,
            viewers=len(self._viewers),
            source_subscriptions=self.source_subscriptions,
            encoders_started=self.encoders_started,
            packets_in=self.packets_in,
            frames_encoded=self.frames_encoded,
            viewer_skips=self._skips_of_gone + sum(q.skipped for q in self._viewers),
            last_packet_at=self.last_packet_at,
        )

    # feed thread ------------------------------------------------------------------------------
    def _emit(self, packet: RelayPacket) -> None:
        try:
            self._loop.call_soon_threadsafe(self._dispatch, packet)
        except RuntimeError:  # the loop is closed: the server is going away
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            info = self._source.codec_info(self.camera_id)
            if info is None:
                self._stop.wait(POLL_S)
                continue
            if info.codec == "h264" and info.annexb and not self._force_encode:
                self.mode = FeedMode.PASSTHROUGH
                if self._passthrough():
                    log.info("%s: H.264 with B-frames: encoding for viewers", self.camera_id)
                    self._force_encode = True
                elif not self._stop.is_set():
                    self._stop.wait(POLL_S)  # camera replaced or removed: subscribe again
            else:
                self.mode = FeedMode.ENCODE
                self._encode_loop()

    def _passthrough(self) -> bool:
        """Forward the camera's access units; True when B-frames make encoding necessary."""
        try:
            sub = self._source.subscribe_packets(self.camera_id,
                                                 self._settings.source_queue_packets)
        except KeyError:  # the camera was removed meanwhile
            return False
        with self._lock:
            self._sub = sub
        self.source_subscriptions += 1
        timeline, reorder = Timeline(), ReorderDetector()
        try:
            while not self._stop.is_set():
                packet = sub.get(POLL_S)
                if packet is None:
                    if sub.closed:
                        return False
                    continue
                if packet.pts is None or not packet.data:
                    continue
                ticks = to_ticks(packet.pts)
                if reorder.reordered(ticks):
                    return True
                self.packets_in += 1
                self._emit(_relay_packet(packet, timeline.place(ticks)))
            return False
        finally:
            with self._lock:
                self._sub = None
            sub.close()

    def _encode_loop(self) -> None:
        s = self._settings
        encoder = FrameEncoder(s.encode_max_width, s.encode_bitrate, s.encode_keyint_s)
        self.encoders_started += 1
        last_seq = -1
        last_key = 0.0
        try:
            while not self._stop.is_set():
                frame = self._source.latest_view(self.camera_id)
                if frame is None or frame.seq == last_seq:
                    self._stop.wait(ENCODE_POLL_S)
                    continue
                last_seq = frame.seq
                key = False
                if self._keyframe_wanted.is_set() and time.monotonic() - last_key > (
                    KEYFRAME_MIN_INTERVAL_S
                ):
                    self._keyframe_wanted.clear()
                    key, last_key = True, time.monotonic()
                for packet in encoder.encode(frame, keyframe=key):
                    self.packets_in += 1
                    self._emit(packet)
                self.frames_encoded = encoder.frames
        finally:
            encoder.close()


def _relay_packet(packet: EncodedPacket, ticks: int) -> RelayPacket:
    return RelayPacket.cut(ticks, packet.data, packet.is_keyframe, packet.captured_at)
