"""Settings of the live relay (passed in by the server; nothing here reads globals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveSettings:
    # Host addresses offered as ICE candidates. Empty: every interface address except
    # loopback (aioice's choice), or 127.0.0.1 when the machine has no other address.
    ice_hosts: tuple[str, ...] = ()
    # STUN/TURN URLs (e.g. "stun:stun.example.org:3478"); none by default (LAN deployments).
    ice_servers: tuple[str, ...] = ()
    max_sessions: int = 500
    # a viewer this many packets behind skips to the next keyframe (about 4 s at 30 fps)
    viewer_queue_packets: int = 120
    # bounded packet queue of the one ingest subscription per camera
    source_queue_packets: int = 300
    # a new viewer gets the current GOP at once (timestamps squeezed before the live frame)
    # when it is at most this long; otherwise it starts at the next keyframe
    join_replay_max_s: float = 2.5
    connect_timeout_s: float = 20.0
    stats_interval_s: float = 1.0
    # cameras that are not H.264 (or use B-frames) are encoded once per camera
    encode_max_width: int = 1920
    encode_bitrate: int = 2_500_000
    encode_keyint_s: float = 2.0
    # HTTP fallback (MJPEG): one JPEG encoder per camera, shared by its viewers
    mjpeg_fps: float = 12.0
    mjpeg_max_width: int = 1280
    mjpeg_quality: int = 75
    feed_stop_timeout_s: float = 3.0

    def __post_init__(self) -> None:
        if self.viewer_queue_packets < 2 or self.source_queue_packets < 2:
            raise ValueError("queues must hold at least 2 packets")
        if not 0 < self.mjpeg_fps <= 60:
            raise ValueError("mjpeg_fps must be in (0, 60]")
        if not 10 <= self.mjpeg_quality <= 100:
            raise ValueError("mjpeg_quality must be in [10, 100]")
