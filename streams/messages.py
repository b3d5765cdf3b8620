"""Typed messages between a decoder process and its owner (pickled over a one-way pipe)."""

from __future__ import annotations

from dataclasses import dataclass

from streams.datatypes import CameraSource, CameraStatus, IngestSettings, StreamCodecInfo
from streams.ring import RingLayout, StreamName


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a decoder process needs; given to it at start."""

    source: CameraSource
    settings: IngestSettings
    ring: RingLayout
    first_seq: int = 0
    first_pts: float = 0.0
    first_packet_seq: int = 0


@dataclass(frozen=True)
class StatusMsg:
    status: CameraStatus
    error: str | None
    reconnects: int  # reconnect attempts made by this decoder process so far


@dataclass(frozen=True)
class CodecMsg:
    info: StreamCodecInfo


@dataclass(frozen=True)
class StatsMsg:
    packets_in: int
    bytes_in: int
    frames_decoded: int
    fps_in: float
    fps_decoded: float
    lost: int  # frames the decoder could not publish (oversized for the ring)


@dataclass(frozen=True)
class FrameMsg:
    stream: StreamName
    slot: int
    seq: int
    pts: float
    captured_at: float
    width: int
    height: int


@dataclass(frozen=True)
class PacketMsg:
    seq: int
    data: bytes
    pts: float | None
    is_keyframe: bool
    captured_at: float


@dataclass(frozen=True)
class FinishedMsg:
    """The decoder stops for good (loop:false file ended, or a file that cannot be played)."""

    status: CameraStatus
    error: str | None


WorkerMessage = StatusMsg | CodecMsg | StatsMsg | FrameMsg | PacketMsg | FinishedMsg
