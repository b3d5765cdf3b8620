"""Cutting [t0, t1] (wall clock) out of a camera's segments by stream copy."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from recording.store import Segment
from recording.writer import MOVFLAGS, TICKS

log = logging.getLogger(__name__)


class CutError(Exception):
    """Nothing could be cut (the message says why)."""


@dataclass(frozen=True)
class CutResult:
    start: float  # wall clock of the first frame (the keyframe at or before t0)
    end: float
    packets: int
    bytes: int


@dataclass
class _Packet:
    data: bytes
    wall_pts: float
    wall_dts: float
    duration: float
    key: bool


def _read(root: Path, seg: Segment, t0: float, t1: float) -> list[_Packet]:
    """The packets of one segment with wall-clock times (file offset 0 = `seg.start`)."""
    out: list[_Packet] = []
    with av.open(str(root / seg.path)) as c:
        stream = c.streams.video[0]
        first: float | None = None
        for p in c.demux(stream):
            if p.pts is None or p.time_base is None or not p.size:
                continue
            tb = p.time_base
            pts = float(p.pts * tb)
            if first is None:
                first = pts
            wall = seg.start + pts - first
            if wall > t1:
                break
            dts = float(p.dts * tb) if p.dts is not None else pts
            out.append(_Packet(bytes(p), wall, seg.start + dts - first,
                               float((p.duration or 0) * tb), p.is_keyframe))
    return out


def cut(root: Path, segments: Sequence[Segment], t0: float, t1: float, dest: Path) -> CutResult:
    """Write the frames from the keyframe at or before t0 up to t1 into `dest` (fragmented
    MP4); only segments with the first one's size and codec are used."""
    usable = [s for s in sorted(segments, key=lambda s: s.start) if s.end > t0 and s.start < t1]
    if not usable:
        raise CutError("nothing was recorded in that time")
    base = usable[0]
    usable = [s for s in usable if (s.width, s.height, s.codec) == (base.width, base.height,
                                                                      base.codec)]
    packets: list[_Packet] = []
    for seg in usable:
        packets += _read(root, seg, t0, t1)
    keys = [i for i, p in enumerate(packets) if p.key and p.wall_pts <= t0]
    begin = keys[-1] if keys else next((i for i, p in enumerate(packets) if p.key), None)
    if begin is None:
        raise CutError("no keyframe in the recording of that time")
    packets = packets[begin:]
    origin = packets[0].wall_dts
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    last_dts = -1
    written = 0
    with (
        av.open(str(root / base.path)) as template,
        av.open(str(tmp), "w", format="mp4", options={"movflags": MOVFLAGS}) as out,
    ):
        stream = out.add_stream_from_template(template.streams.video[0])
        stream.time_base = Fraction(1, TICKS)
        for p in packets:
            dts = round((p.wall_dts - origin) * TICKS)
            if dts <= last_dts:
                continue  # overlap at a segment boundary
            pkt = av.Packet(p.data)
            pkt.pts = max(dts, round((p.wall_pts - origin) * TICKS))
            pkt.dts, pkt.time_base = dts, Fraction(1, TICKS)
            pkt.duration = round(p.duration * TICKS)
            pkt.is_keyframe = p.key
            pkt.stream = stream
            out.mux(pkt)
            last_dts = dts
            written += 1
    tmp.replace(dest)
    end = max(p.wall_pts + p.duration for p in packets)
    return CutResult(start=packets[0].wall_pts, end=end, packets=written,
                     bytes=dest.stat().st_size)
