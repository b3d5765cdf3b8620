"""Annex B H.264 helpers: NAL units, parameter sets, and a frame's size from its keyframe."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import av

log = logging.getLogger(__name__)
START = b"\x00\x00\x00\x01"
NAL_SPS, NAL_PPS = 7, 8


def split_nals(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B buffer (3- or 4-byte start codes), without start codes."""
    starts: list[tuple[int, int]] = []  # (start-code offset, payload offset)
    i, n = 0, len(data)
    while True:
        j = data.find(b"\x00\x00\x01", i)
        if j < 0:
            break
        begin = j - 1 if j > 0 and data[j - 1] == 0 else j
        starts.append((begin, j + 3))
        i = j + 3
    nals = []
    for k, (_, payload) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else n
        nal = data[payload:end]
        if nal:
            nals.append(nal)
    return nals


@dataclass(frozen=True)
class ParameterSets:
    sps: bytes
    pps: bytes

    @property
    def extradata(self) -> bytes:
        """Annex B extradata; FFmpeg's MP4 muxer turns it into an avcC box."""
        return START + self.sps + START + self.pps


def parameter_sets(data: bytes) -> ParameterSets | None:
    """SPS and PPS carried in an access unit (keyframes of Annex B streams carry them)."""
    sps = pps = None
    for nal in split_nals(data):
        kind = nal[0] & 0x1F
        if kind == NAL_SPS and sps is None:
            sps = nal
        elif kind == NAL_PPS and pps is None:
            pps = nal
    return ParameterSets(sps, pps) if sps and pps else None


def keyframe_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an H.264 keyframe (decodes that one picture), None if it fails."""
    try:
        ctx = av.CodecContext.create("h264", "r")
        frames = list(ctx.decode(av.Packet(data)))
        frames += list(ctx.decode(None))
    except (av.error.FFmpegError, ValueError) as exc:
        log.warning("cannot decode a keyframe to learn its size: %s", exc)
        return None
    if not frames:
        return None
    return frames[0].width, frames[0].height
