"""Annex B H.264 / H.265 helpers: NAL units, parameter sets, and a frame's size from its
keyframe."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

import av

log = logging.getLogger(__name__)
START = b"\x00\x00\x00\x01"
NAL_SPS, NAL_PPS = 7, 8  # H.264 (nal_unit_type: low 5 bits of the first byte)
HEVC_VPS, HEVC_SPS, HEVC_PPS = 32, 33, 34  # H.265 (bits 1-6 of the first byte)
RECORDED_CODECS = ("h264", "hevc")  # FFmpeg's names


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
    vps: bytes = b""  # H.265 only
    codec: str = "h264"

    @property
    def extradata(self) -> bytes:
        """Annex B extradata; FFmpeg's MP4 muxer turns it into an avcC (hvcC) box."""
        sets = (self.vps, self.sps, self.pps) if self.codec == "hevc" else (self.sps, self.pps)
        return b"".join(START + s for s in sets)


def parameter_sets(data: bytes, codec: str = "h264") -> ParameterSets | None:
    """The parameter sets carried in an access unit (keyframes of Annex B streams carry them):
    SPS and PPS for H.264, VPS, SPS and PPS for H.265 ("hevc")."""
    hevc = codec == "hevc"
    found: dict[int, bytes] = {}
    for nal in split_nals(data):
        kind = (nal[0] >> 1) & 0x3F if hevc else nal[0] & 0x1F
        found.setdefault(kind, nal)
    if hevc:
        vps, sps, pps = (found.get(k) for k in (HEVC_VPS, HEVC_SPS, HEVC_PPS))
        return ParameterSets(sps, pps, vps, "hevc") if vps and sps and pps else None
    sps, pps = found.get(NAL_SPS), found.get(NAL_PPS)
    return ParameterSets(sps, pps) if sps and pps else None


def keyframe_size(data: bytes, codec: str = "h264") -> tuple[int, int] | None:
    """Width and height of a keyframe (decodes that one picture), None if it fails."""
    try:
        ctx = cast(av.VideoCodecContext, av.CodecContext.create(codec, "r"))
        frames = list(ctx.decode(av.Packet(data)))
        frames += list(ctx.decode(None))
    except (av.error.FFmpegError, ValueError) as exc:
        log.warning("cannot decode a keyframe to learn its size: %s", exc)
        return None
    if not frames:
        return None
    return frames[0].width, frames[0].height
