"""Camera ingest: decode live sources in worker processes, newest frame wins."""

from streams.datatypes import (
    CameraHealth,
    CameraSource,
    CameraStatus,
    EncodedPacket,
    Frame,
    IngestSettings,
    ProbeReport,
    SourceError,
    StreamCodecInfo,
)
from streams.manager import IngestManager
from streams.probe import probe_source
from streams.relay import PacketSubscription

__all__ = [
    "CameraHealth",
    "CameraSource",
    "CameraStatus",
    "EncodedPacket",
    "Frame",
    "IngestManager",
    "IngestSettings",
    "PacketSubscription",
    "ProbeReport",
    "SourceError",
    "StreamCodecInfo",
    "probe_source",
]
