"""One connection's FFmpeg demux + decode loop, run inside a decoder process (worker.py).

Used for files, HLS, RTMP, HTTP-FLV, MJPEG, and RTSP streams the marker-bit RTP path
(rtpsession.py) cannot take. Each packet goes to the relay before it is decoded (only while
the relay has subscribers).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import av
import av.error
from av.bitstream import BitStreamFilterContext
from av.container import InputContainer
from av.video.stream import VideoStream

from streams.datatypes import SourceError, StreamCodecInfo
from streams.publish import Counters, End, FramePublisher, GopCache, PublishTarget, SessionEnd
from streams.sources import SourceLocation, describe

log = logging.getLogger(__name__)

MAX_BAD_PACKETS = 100  # consecutive undecodable packets before the stream counts as corrupt
RELAY_CODECS = {"h264": "h264_mp4toannexb", "hevc": "hevc_mp4toannexb"}

__all__ = ["Counters", "End", "Session", "SessionEnd"]


class Session:
    """Demux + decode one opened container until stop, EOF, stall or error."""

    def __init__(
        self, container: InputContainer, loc: SourceLocation, target: PublishTarget
    ) -> None:
        self.container = container
        self.loc = loc
        self.settings = target.settings
        self.camera_id = target.camera_id
        self.clock = target.clock
        self.ring = target.ring
        self.out = FramePublisher(target, paced=loc.kind.paced)
        self.bsf: BitStreamFilterContext | None = None
        self.gop: GopCache[_Pending] = GopCache()

    def run(self) -> SessionEnd:
        try:
            stream = self._video_stream()
        except SourceError as exc:
            return SessionEnd(End.ERROR, exc)
        self._announce_codec(stream)
        declared = stream.guessed_rate or stream.average_rate
        self.clock.hint_rate(float(declared) if declared else None)
        try:
            return self._loop(stream)
        except av.error.ExitError:
            return self._stalled()
        except (av.error.FFmpegError, OSError) as exc:
            err = describe(exc, self.loc, self.settings.open_timeout_s)
            return SessionEnd(End.ERROR, err, self.out.frames)

    def _loop(self, stream: VideoStream) -> SessionEnd:
        out = self.out
        bad = 0
        for packet in self.container.demux(stream):
            if self.ring.stop_requested():
                return SessionEnd(End.STOP, frames=out.frames)
            out.count_packet(packet.size)
            self._relay(packet)  # first: the relay never waits for the decoder
            try:
                frames = packet.decode()
                bad = 0
            except av.error.InvalidDataError:
                frames = []
                bad += 1
                if bad >= MAX_BAD_PACKETS:
                    return SessionEnd(End.ERROR, SourceError("stream is corrupt: undecodable"))
            for frame in frames:
                pts = self.clock.to_seconds(frame.pts, frame.time_base or stream.time_base)
                if not out.on_frame(frame, pts):
                    return SessionEnd(End.STOP, frames=out.frames)
            stalled = out.stalled(self.loc.where)
            if stalled is not None:
                return stalled
            out.maybe_stats()
        out.maybe_stats(force=True)
        return SessionEnd(End.EOF, frames=out.frames)

    def _stalled(self) -> SessionEnd:
        stall = self.settings.stall_timeout_s
        err = SourceError(f"stalled: no frame from {self.loc.where} for {stall:g} s", True)
        return SessionEnd(End.STALL, err, self.out.frames)

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
        info = StreamCodecInfo(
            codec=name,
            width=ctx.width,
            height=ctx.height,
            extradata=bytes(ctx.extradata or b""),
            annexb=self.bsf is not None,
        )
        self.out.announce(info)

    def _relay(self, packet: av.Packet[VideoStream]) -> None:
        """Annex B copy of the packet to the relay, only while it has subscribers (the
        current GOP is kept by reference so that a first subscriber starts at once)."""
        if self.bsf is None or not packet.size:
            return
        tb = packet.time_base
        raw = float(packet.pts * tb) if packet.pts is not None and tb is not None else None
        pts = self.clock.map_raw(raw) if raw is not None else None  # anchors, relayed or not
        item = _Pending(packet, pts, packet.is_keyframe, time.time())
        for pending in self.gop.push(item, item.keyframe, self.ring.relay_demand()):
            self._send(pending)

    def _send(self, pending: _Pending) -> None:
        """The filter gets a copy: the packet itself is decoded too."""
        assert self.bsf is not None
        packet = pending.packet
        copy = av.Packet(bytes(packet))
        copy.pts, copy.dts, copy.time_base = packet.pts, packet.dts, packet.time_base
        copy.is_keyframe = pending.keyframe
        try:
            filtered = self.bsf.filter(copy)
        except av.error.FFmpegError:
            return
        for p in filtered:
            self.out.relay(bytes(p), pending.pts, pending.keyframe, pending.captured)


@dataclass(frozen=True)
class _Pending:
    packet: av.Packet[VideoStream]
    pts: float | None
    keyframe: bool
    captured: float
