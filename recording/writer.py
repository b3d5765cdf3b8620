"""One fragmented-MP4 segment written by stream copy from Annex B H.264 packets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import cast

import av

from recording.annexb import ParameterSets
from recording.mp4file import START_PREFIX, START_TAG
from streams import EncodedPacket

log = logging.getLogger(__name__)
TICKS = 90_000
TIME_BASE = Fraction(1, TICKS)
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
DEFAULT_FRAME_S = 0.04


class Reordered(Exception):
    """Packets arrive with pts out of order (B-frames) beyond what this segment's dts delay
    allows; the caller starts a new segment with a larger `reorder_depth`."""


@dataclass(frozen=True)
class SegmentSpec:
    path: Path
    start: float  # wall clock of the first packet (its captured_at)
    first_pts: float  # stream seconds of the first packet
    params: ParameterSets
    width: int
    height: int
    reorder_depth: int = 0  # frames of dts delay (0: no B-frames, dts = pts)


class DtsClock:
    """Decode timestamps from presentation timestamps (FFmpeg's pts_buffer method): with a
    depth of D frames, dts is the smallest of the last D+1 pts, so it rises monotonically and
    never exceeds pts."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self._buffer: list[int] = []

    def next(self, pts: int, frame_ticks: int) -> int:
        if self.depth == 0:
            return pts
        if not self._buffer:
            self._buffer = [pts - (self.depth - i) * frame_ticks for i in range(self.depth)]
            self._buffer.append(pts)
            return self._buffer[0]
        self._buffer[0] = pts
        self._buffer.sort()
        return self._buffer[0]


class SegmentWriter:
    """Open on a keyframe; `write()` each packet; `close()` finishes the last fragment.
    With `flush_packets` every finished fragment reaches the file at once, so a reader (clip
    cutting, the player) sees all but the GOP being written, and a crash loses only that."""

    def __init__(self, spec: SegmentSpec) -> None:
        self.spec = spec
        spec.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = av.open(
            str(spec.path), "w", format="mp4",
            options={"movflags": MOVFLAGS, "flush_packets": "1"},
        )
        self._out.metadata[START_TAG] = f"{START_PREFIX}{spec.start:.6f}"
        # H.265 keeps FFmpeg's `hev1` sample entry (parameter sets also in-band): its `hvc1`
        # path corrupted the non-key pictures of these Annex B streams (FFmpeg 8.1, PyAV 18).
        stream = cast(av.VideoStream, self._out.add_stream(spec.params.codec))
        stream.width, stream.height = spec.width, spec.height
        stream.time_base = TIME_BASE
        stream.codec_context.extradata = spec.params.extradata
        self._stream = stream
        self._dts = DtsClock(spec.reorder_depth)
        # pts shift so that the first dts (pts minus the reorder delay) is not negative
        self._offset = spec.reorder_depth * (TICKS // 10)
        self._last_dts: int | None = None
        self._max_pts = -1
        self._frame_ticks = round(DEFAULT_FRAME_S * TICKS)
        self.packets = 0
        self.closed = False

    def _ticks(self, packet: EncodedPacket) -> int:
        pts = packet.pts if packet.pts is not None else (
            self.spec.first_pts + packet.captured_at - self.spec.start)
        return round((pts - self.spec.first_pts) * TICKS) + self._offset

    def media_s(self, packet: EncodedPacket) -> float:
        """Where `packet` falls in this segment's media, in seconds from its first packet."""
        return (self._ticks(packet) - self._offset) / TICKS

    @property
    def end(self) -> float:
        """Wall clock where the written video ends (last pts plus one frame)."""
        if self._max_pts < 0:
            return self.spec.start
        media = (self._max_pts + self._frame_ticks - self._offset) / TICKS
        return self.spec.start + media

    def write(self, packet: EncodedPacket) -> None:
        pts = self._ticks(packet)
        if self.packets and self._max_pts >= 0 and pts > self._max_pts:
            step = pts - self._max_pts
            if 0 < step < TICKS:  # learn the frame duration from the stream
                self._frame_ticks = step
        dts = self._dts.next(pts, self._frame_ticks)
        if dts > pts or (self._last_dts is not None and dts <= self._last_dts):
            depth = self.spec.reorder_depth
            raise Reordered(f"pts {pts} after dts {self._last_dts} (depth {depth})")
        out = av.Packet(packet.data)
        out.pts, out.dts, out.time_base = pts, dts, TIME_BASE
        out.duration = self._frame_ticks
        out.is_keyframe = packet.is_keyframe
        out.stream = self._stream
        self._out.mux(out)
        self._last_dts = dts
        self._max_pts = max(self._max_pts, pts)
        self.packets += 1

    def size(self) -> int:
        try:
            return self.spec.path.stat().st_size
        except OSError:
            return 0

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._out.close()
        except (av.error.FFmpegError, OSError) as exc:
            log.error("%s: closing the segment failed: %s", self.spec.path, exc)
