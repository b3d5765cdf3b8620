"""Live video for browsers: a WebRTC relay (WHEP signalling) with frame-keyed overlays and an
MJPEG fallback. Core modules import only ``streams``; ``router`` and ``audit`` are the API layer
(they import auth/cameras/db) and are imported by the server, not from here."""

from streams.webrtc.feed import FeedMode, FeedStats, PacketSource
from streams.webrtc.messages import LiveStatus
from streams.webrtc.metrics import LiveCollector
from streams.webrtc.overlay import (
    Heatmap,
    OverlayBox,
    OverlayFrame,
    OverlayLine,
    OverlayRule,
    OverlayZone,
)
from streams.webrtc.packets import VIDEO_CLOCK_HZ, to_ticks
from streams.webrtc.sdp import BadOffer
from streams.webrtc.service import CameraUnavailable, LiveService, TooManySessions
from streams.webrtc.session import SessionInfo
from streams.webrtc.settings import LiveSettings

__all__ = [
    "VIDEO_CLOCK_HZ",
    "BadOffer",
    "CameraUnavailable",
    "FeedMode",
    "FeedStats",
    "Heatmap",
    "LiveCollector",
    "LiveService",
    "LiveSettings",
    "LiveStatus",
    "OverlayBox",
    "OverlayFrame",
    "OverlayLine",
    "OverlayRule",
    "OverlayZone",
    "PacketSource",
    "SessionInfo",
    "TooManySessions",
    "to_ticks",
]
