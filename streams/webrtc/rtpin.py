"""Moved to ``streams.rtpin`` (ingest uses it); kept so old imports still work."""

from streams.rtpin import (
    FU_A,
    NAL_IDR,
    NAL_PPS,
    NAL_SPS,
    STAP_A,
    START,
    AccessUnit,
    H264Depacketizer,
    NotH264Error,
    RtpClock,
    RtpInputError,
    UdpRtpInput,
    VideoSdp,
    parse_sdp,
)

__all__ = [
    "FU_A",
    "NAL_IDR",
    "NAL_PPS",
    "NAL_SPS",
    "STAP_A",
    "START",
    "AccessUnit",
    "H264Depacketizer",
    "NotH264Error",
    "RtpClock",
    "RtpInputError",
    "UdpRtpInput",
    "VideoSdp",
    "parse_sdp",
]
