"""Value types that cross the streams/ boundary (frozen; safe to hand between threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

Transport = Literal["tcp", "udp"]
HwAccel = Literal["none", "cuda"]


class SourceError(Exception):
    """A source cannot be used; ``str(err)`` is one clear line for the user."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class CameraStatus(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    STALLED = "stalled"
    OFFLINE = "offline"
    ERROR = "error"


@dataclass(frozen=True)
class CameraSource:
    camera_id: str
    url: str
    loop: bool = True
    transport: Transport = "tcp"
    analysis_width: int = 640
    analysis_fps: float = 5.0
    hwaccel: HwAccel = "none"

    def __post_init__(self) -> None:
        if not self.camera_id:
            raise ValueError("camera_id must not be empty")
        if self.analysis_width < 16:
            raise ValueError("analysis_width must be at least 16 pixels")
        if self.analysis_fps <= 0:
            raise ValueError("analysis_fps must be positive")


@dataclass(frozen=True)
class IngestSettings:
    stall_timeout_s: float = 10.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    # non-transient errors (bad path, corrupt stream) are retried with this longer backoff
    error_backoff_s: float = 60.0
    open_timeout_s: float = 10.0
    # largest full-resolution frame the viewing ring holds (bigger sources are an error)
    max_view_pixels: int = 3840 * 2160
    # the viewing stream is decoded to BGR only while somebody asked for it recently
    view_demand_s: float = 3.0
    # per-camera cap on the encoded packets kept for the relay (the current GOP)
    relay_gop_max_packets: int = 600
    relay_packets: bool = True
    decode_threads: int = 0  # 0 = FFmpeg's automatic choice
    stats_interval_s: float = 0.5
    # files (and HLS) are paced by pts like a live camera; False decodes them flat out
    pace_files: bool = True

    def __post_init__(self) -> None:
        if self.stall_timeout_s <= 0 or self.open_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        if not 0 < self.backoff_initial_s <= self.backoff_max_s:
            raise ValueError("need 0 < backoff_initial_s <= backoff_max_s")


@dataclass(frozen=True)
class CameraHealth:
    camera_id: str
    status: CameraStatus
    last_error: str | None
    fps_in: float
    fps_decoded: float
    frames_decoded: int
    drops: int
    reconnects: int
    bytes_in: int
    width: int | None
    height: int | None
    codec: str | None
    status_since: float


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded picture; ``image`` is BGR uint8 HxWx3 and read-only."""

    camera_id: str
    seq: int
    pts: float
    captured_at: float
    image: npt.NDArray[np.uint8] = field(repr=False)

    def __post_init__(self) -> None:
        if self.image.flags.writeable:
            self.image.flags.writeable = False

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class StreamCodecInfo:
    """What a relay needs to forward a camera's packets without re-encoding."""

    codec: str
    width: int
    height: int
    extradata: bytes  # as the container gave it (avcC for MP4/FLV, empty for Annex B)
    annexb: bool  # True when packets are Annex B (start codes, SPS/PPS before keyframes)
    # "rtp": marker-bit RTP ingest (each access unit relayed as soon as it is complete);
    # "ffmpeg": FFmpeg's demuxer (files, HLS, RTMP, ..., and RTSP streams RTP cannot take)
    demuxer: str = "ffmpeg"


@dataclass(frozen=True)
class EncodedPacket:
    camera_id: str
    seq: int  # packet counter of the camera
    data: bytes
    pts: float | None  # seconds, same clock as Frame.pts
    is_keyframe: bool
    captured_at: float


@dataclass(frozen=True)
class ProbeReport:
    url: str
    container: str
    codec: str
    width: int
    height: int
    declared_fps: float | None
    measured_fps: float | None
    duration_s: float | None
    frames: int
    decode_fps: float
    pix_fmt: str | None
    bit_rate: int | None
    notes: tuple[str, ...] = ()
