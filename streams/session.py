"""One connection's decode loop, run inside a decoder process (see worker.py)."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import cast

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.bitstream import BitStreamFilterContext
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from streams.datatypes import CameraStatus, IngestSettings, SourceError, StreamCodecInfo
from streams.messages import CodecMsg, FrameMsg, PacketMsg, StatsMsg, StatusMsg, WorkerMessage
from streams.ring import FrameRing, FrameTooLarge
from streams.sources import SourceLocation, describe
from streams.timing import Pacer, PtsClock, RateGate

log = logging.getLogger(__name__)

MAX_BAD_PACKETS = 100  # consecutive undecodable packets before the stream counts as corrupt
RELAY_CODECS = {"h264": "h264_mp4toannexb", "hevc": "hevc_mp4toannexb"}


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


class Session:
    """Demux + decode one opened container until stop, EOF, stall or error."""

    def __init__(
        self,
        container: InputContainer,
        loc: SourceLocation,
        settings: IngestSettings,
        *,
        camera_id: str,
        analysis_width: int,
        gate: RateGate,
        clock: PtsClock,
        ring: FrameRing,
        counters: Counters,
        send: Callable[[WorkerMessage], None],
        reconnects: Callable[[], int],
    ) -> None:
        self.container = container
        self.loc = loc
        self.settings = settings
        self.camera_id = camera_id
        self.analysis_width = analysis_width
        self.gate = gate
        self.clock = clock
        self.ring = ring
        self.counters = counters
        self.send = send
        self.reconnects = reconnects
        self.pacer = Pacer() if loc.kind.paced and settings.pace_files else None
        self.frames = 0
        self.size: tuple[int, int] | None = None
        self.last_frame_at = time.monotonic()
        self.next_stats = 0.0
        self.bsf: BitStreamFilterContext | None = None
        self.view_warned = False
        self.info: StreamCodecInfo | None = None

    def run(self) -> SessionEnd:
        try:
            stream = self._video_stream()
        except SourceError as exc:
            return SessionEnd(End.ERROR, exc)
        self._announce_codec(stream)
        declared = stream.guessed_rate or stream.average_rate
        self.clock.hint_rate(float(declared) if declared else None)
        bad = 0
        try:
            for packet in self.container.demux(stream):
                if self.ring.stop_requested():
                    return SessionEnd(End.STOP, frames=self.frames)
                self._count_packet(packet.size)
                try:
                    frames = packet.decode()
                    bad = 0
                except av.error.InvalidDataError:
                    frames = []
                    bad += 1
                    if bad >= MAX_BAD_PACKETS:
                        return SessionEnd(End.ERROR, SourceError("stream is corrupt: undecodable"))
                self._relay(packet)  # after decoding: the filter takes the packet's data
                for frame in frames:
                    if not self._on_frame(frame, stream):
                        return SessionEnd(End.STOP, frames=self.frames)
                if time.monotonic() - self.last_frame_at > self.settings.stall_timeout_s:
                    return self._stalled()
                self._maybe_stats()
        except av.error.ExitError:
            return self._stalled()
        except (av.error.FFmpegError, OSError) as exc:
            return SessionEnd(
                End.ERROR, describe(exc, self.loc, self.settings.open_timeout_s), self.frames
            )
        self._maybe_stats(force=True)
        return SessionEnd(End.EOF, frames=self.frames)

    def _stalled(self) -> SessionEnd:
        stall = self.settings.stall_timeout_s
        err = SourceError(f"stalled: no frame from {self.loc.where} for {stall:g} s", True)
        return SessionEnd(End.STALL, err, self.frames)

    def _video_stream(self) -> VideoStream:
        if not self.container.streams.video:
            raise SourceError("no video stream in source")
        stream = self.container.streams.video[0]
        if stream.codec_context is None or stream.codec_context.name is None:
            raise SourceError("unsupported video codec")
        stream.thread_type = "AUTO"
        if self.settings.decode_threads > 0:
            stream.codec_context.thread_count = self.settings.decode_threads
        return stream

    def _announce_codec(self, stream: VideoStream) -> None:
        ctx = stream.codec_context
        name = ctx.name
        bsf_name = RELAY_CODECS.get(name)
        if self.settings.relay_packets and bsf_name is not None:
            try:
                self.bsf = BitStreamFilterContext(bsf_name, in_stream=stream)
            except (av.error.FFmpegError, ValueError) as exc:
                log.warning("%s: no %s filter (%s); relay packets off", self.camera_id, name, exc)
        self.info = StreamCodecInfo(
            codec=name,
            width=ctx.width,
            height=ctx.height,
            extradata=bytes(ctx.extradata or b""),
            annexb=self.bsf is not None,
        )
        self.send(CodecMsg(self.info))

    def _count_packet(self, size: int) -> None:
        c = self.counters
        if size:
            c.packets += 1
            c.bytes += size

    def _relay(self, packet: av.Packet[VideoStream]) -> None:
        if self.bsf is None or not packet.size:
            return
        try:
            out = self.bsf.filter(packet)
        except av.error.FFmpegError:
            return
        now = time.time()
        for p in out:
            tb = p.time_base
            raw = float(p.pts * tb) if p.pts is not None and tb is not None else None
            pts = self.clock.map_raw(raw) if raw is not None else None
            self.counters.packet_seq += 1
            msg = PacketMsg(self.counters.packet_seq, bytes(p), pts, p.is_keyframe, now)
            self.send(msg)

    def _on_frame(self, frame: VideoFrame, stream: VideoStream) -> bool:
        """Publish one decoded frame; False when asked to stop while pacing."""
        pts = self.clock.to_seconds(frame.pts, frame.time_base or stream.time_base)
        if self.pacer is not None and not self._pace(pts):
            return False
        c = self.counters
        c.frames += 1
        c.seq += 1
        self.frames += 1
        self.last_frame_at = time.monotonic()
        captured = time.time()
        if self.frames == 1:
            self.send(StatusMsg(CameraStatus.ONLINE, None, self.reconnects()))
        if (frame.width, frame.height) != self.size:
            self._resized(frame, stream)
        if self.gate.take(pts):
            self._publish_analysis(frame, pts, captured)
        if self.ring.view_demand() > self.last_frame_at:
            self._publish_view(frame, pts, captured)
        return True

    def _resized(self, frame: VideoFrame, stream: VideoStream) -> None:
        if self.size is not None:
            log.info("%s: resolution %s -> %dx%d", self.camera_id, self.size, *frame_size(frame))
        self.size = frame_size(frame)
        if self.info is not None:
            self.info = replace(self.info, width=frame.width, height=frame.height)
            self.send(CodecMsg(self.info))

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
        width = min(self.analysis_width, frame.width)
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

    def _maybe_stats(self, force: bool = False) -> None:
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
