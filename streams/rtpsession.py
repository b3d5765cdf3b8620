"""Marker-bit ingest for rtsp:// cameras and RTP/UDP streams described by an .sdp file/URL.

FFmpeg's RTSP/RTP demuxer hands out an access unit only when the next one starts (one to
two frames late). Here RTP is read by our own client (rtsp.py, rtpin.py): each H.264 access
unit goes to the relay the moment its marker-bit packet arrives, and only then is it decoded
(``av.CodecContext``, in a lower-priority thread: unitdecoder.py) for the analysis and viewing
pictures. Streams this path cannot take
(another codec, an RTSP feature the small client lacks) raise ``Fallback``: the decoder then
uses FFmpeg's demuxer (session.py) for that camera.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

import av
from av.video.codeccontext import VideoCodecContext

from streams.datatypes import HwAccel, SourceError, StreamCodecInfo, Transport
from streams.publish import End, FramePublisher, GopCache, PublishTarget, SessionEnd
from streams.rtpin import (
    AccessUnit,
    H264Depacketizer,
    NotH264Error,
    RtpClock,
    RtpInputError,
    UdpRtpInput,
    VideoSdp,
    parse_sdp,
)
from streams.rtsp import RtspInput
from streams.sources import (
    SourceKind,
    SourceLocation,
    check_reachable,
    cuda_accel,
    describe,
    redact,
)
from streams.unitdecoder import UnitDecoder

log = logging.getLogger(__name__)

POLL_S = 0.25  # longest a blocked read keeps the loop from checking its stop flag
FALLBACK_STATUSES = frozenset({400, 405, 451, 453, 454, 455, 459, 460, 461, 501, 505, 551})


class Fallback(Exception):
    """This stream needs FFmpeg's demuxer; str() says why."""


def wants_rtp(loc: SourceLocation) -> bool:
    """Sources the marker-bit path can try: plain rtsp:// and .sdp descriptions."""
    if loc.kind is SourceKind.SDP:
        return True
    return loc.kind is SourceKind.RTSP and loc.target.lower().startswith("rtsp://")


def open_rtp(
    loc: SourceLocation, transport: Transport, timeout_s: float
) -> tuple[RtspInput | UdpRtpInput, VideoSdp]:
    """Connect and start the stream; SourceError (one line) or Fallback on failure."""
    check_reachable(loc)
    if loc.kind is SourceKind.SDP:
        sdp = _parse(lambda: _read_sdp(loc, timeout_s))
        try:
            return UdpRtpInput(sdp, timeout_s), sdp
        except RtpInputError as exc:
            raise SourceError(str(exc), transient=True) from exc
    try:
        rtsp = RtspInput(loc.target, timeout_s, transport)
    except RtpInputError as exc:
        raise _source_error(exc, loc, timeout_s) from exc
    try:
        return rtsp, _parse(rtsp.open)
    except (RtpInputError, SourceError, Fallback, OSError) as exc:
        rtsp.close()
        if isinstance(exc, SourceError | Fallback):
            raise
        raise _source_error(exc, loc, timeout_s) from exc


def _parse(read: object) -> VideoSdp:
    assert callable(read)
    try:
        sdp = read()
    except NotH264Error as exc:
        raise Fallback(str(exc)) from exc
    except RtpInputError as exc:
        if exc.status in FALLBACK_STATUSES:
            raise Fallback(f"the RTSP server answered {exc}") from exc
        raise
    assert isinstance(sdp, VideoSdp)
    return sdp


def _read_sdp(loc: SourceLocation, timeout_s: float) -> VideoSdp:
    try:
        if loc.host is None:
            text = Path(loc.target).read_text(encoding="utf-8", errors="replace")
        else:
            with urllib.request.urlopen(loc.target, timeout=timeout_s) as resp:
                text = resp.read(256 * 1024).decode("utf-8", "replace")
    except FileNotFoundError as exc:
        raise SourceError(f"file not found: {loc.target}") from exc
    except urllib.error.HTTPError as exc:
        raise SourceError(f"HTTP {exc.code} for {redact(loc.target)}", exc.code >= 500) from exc
    except (OSError, urllib.error.URLError) as exc:
        raise SourceError(f"cannot read {redact(loc.target)}: {exc}", True) from exc
    try:
        return parse_sdp(text)
    except ValueError as exc:
        raise SourceError(f"not a usable SDP description: {redact(loc.target)}") from exc


def _source_error(exc: BaseException, loc: SourceLocation, timeout_s: float) -> SourceError:
    """An RTSP client failure as the same line FFmpeg's failure would give."""
    where = loc.where
    cause = exc.__cause__
    if isinstance(exc, OSError):
        return describe(exc, loc, timeout_s)
    if isinstance(cause, OSError):
        return describe(cause, loc, timeout_s)
    status = exc.status if isinstance(exc, RtpInputError) else None
    if status == 404:
        return SourceError(f"RTSP 404 Not Found: check the stream path ({redact(loc.target)})")
    if status in (401, 403):
        return SourceError(f"RTSP access denied by {where}: check the user name and password")
    if status is not None:
        return SourceError(f"RTSP error from {where}: {status}", transient=True)
    if "closed the connection" in str(exc):
        return SourceError(f"connection to {where} lost", transient=True)
    return SourceError(f"RTSP error from {where}: {exc}", transient=True)


class RtpSession:
    """Read RTP, relay each access unit on its marker bit, then decode it; until stop,
    stall or error (an RTP stream has no end: a closed connection is an error)."""

    def __init__(
        self,
        source: RtspInput | UdpRtpInput,
        sdp: VideoSdp,
        loc: SourceLocation,
        target: PublishTarget,
        hwaccel: HwAccel = "none",
    ) -> None:
        self.input = source
        self.loc = loc
        self.settings = target.settings
        self.clock = target.clock
        self.ring = target.ring
        self.out = FramePublisher(target, paced=False)
        self.depack = H264Depacketizer(sdp.payload_type, sdp.parameter_sets)
        self.rtp_clock = RtpClock()
        decoder = _decoder(target.settings.decode_threads, hwaccel)
        self.decoding = UnitDecoder(decoder, self.out, self.clock, target.camera_id)
        self.relay = target.settings.relay_packets
        self.gop: GopCache[tuple[AccessUnit, float]] = GopCache()  # relayed only on demand
        self.dropped = 0

    def run(self) -> SessionEnd:
        self.out.announce(StreamCodecInfo("h264", 0, 0, b"", annexb=True, demuxer="rtp"))
        self.decoding.start()
        try:
            return self._loop()
        except RtpInputError as exc:
            err = _source_error(exc, self.loc, self.settings.open_timeout_s)
            return SessionEnd(End.ERROR, err, self.out.frames)
        except OSError as exc:
            err = describe(exc, self.loc, self.settings.open_timeout_s)
            return SessionEnd(End.ERROR, err, self.out.frames)
        finally:
            self.decoding.stop()

    def _loop(self) -> SessionEnd:
        out = self.out
        for data in self.input.packets(idle_s=POLL_S):
            if self.ring.stop_requested():
                return SessionEnd(End.STOP, frames=out.frames)
            for unit in self.depack.feed(data) if data else ():
                self._unit(unit)
            self._count_losses()
            if self.decoding.error is not None:
                return SessionEnd(End.ERROR, self.decoding.error, out.frames)
            stalled = out.stalled(self.loc.where)
            if stalled is not None:
                return stalled
            out.maybe_stats()
        return SessionEnd(End.EOF, frames=out.frames)  # pragma: no cover (packets() is endless)

    def _count_losses(self) -> None:
        dropped = self.depack.dropped + self.decoding.skipped
        if dropped != self.dropped:
            if self.depack.units:  # units before the first keyframe are no loss
                self.out.counters.lost += dropped - self.dropped
            self.dropped = dropped

    def _unit(self, unit: AccessUnit) -> None:
        """Relay one access unit at once, then hand it to the decoding thread."""
        ticks = self.rtp_clock.ticks(unit.timestamp)
        self.out.count_packet(len(unit.data))
        if self.relay:
            pts = self.clock.map_raw(ticks / 90000)
            for u, p in self.gop.push((unit, pts), unit.keyframe, self.ring.relay_demand()):
                self.out.relay(u.data, p, u.keyframe, u.received_at)
        elif self.out.frames == 0:
            self.clock.map_raw(ticks / 90000)  # anchor the timeline all the same
        self.decoding.put(unit.data, ticks, unit.keyframe)

    def close(self) -> None:
        self.input.close()


def _decoder(threads: int, hwaccel: HwAccel) -> VideoCodecContext:
    accel = cuda_accel() if hwaccel == "cuda" else None
    ctx = av.CodecContext.create("h264", "r", hwaccel=accel)
    assert isinstance(ctx, VideoCodecContext)
    ctx.thread_type = "AUTO"
    if threads > 0:
        ctx.thread_count = threads
    return ctx
