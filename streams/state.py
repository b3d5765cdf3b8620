"""Thread-safe health bookkeeping of one camera (owner side), across decoder restarts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from streams.datatypes import (
    CameraHealth,
    CameraStatus,
    EncodedPacket,
    StreamCodecInfo,
)
from streams.messages import PacketMsg, StatsMsg

STATS_STALE_S = 3.0
_BUSY = (CameraStatus.CONNECTING, CameraStatus.ONLINE)


@dataclass(frozen=True)
class CounterSnapshot:
    seq: int
    next_pts: float
    packet_seq: int


class HealthState:
    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._lock = threading.Lock()
        self._status = CameraStatus.CONNECTING
        self._since = time.time()
        self._error: str | None = None
        self._codec: StreamCodecInfo | None = None
        # totals of decoder processes that already ended + the current one's latest stats
        self._base = StatsMsg(0, 0, 0, 0.0, 0.0, 0)
        self._cur = StatsMsg(0, 0, 0, 0.0, 0.0, 0)
        self._base_reconnects = 0
        self._worker_reconnects = 0
        self._drops = 0
        self._stats_at = 0.0
        now = time.monotonic()
        self._msg_at = now
        self._progress_at = now
        self._seq = 0
        self._pts = -1.0
        self._packet_seq = 0

    # updates from the receiver thread -----------------------------------------------------
    def new_process(self) -> None:
        with self._lock:
            b, c = self._base, self._cur
            self._base = StatsMsg(
                b.packets_in + c.packets_in,
                b.bytes_in + c.bytes_in,
                b.frames_decoded + c.frames_decoded,
                0.0,
                0.0,
                b.lost + c.lost,
            )
            self._cur = StatsMsg(0, 0, 0, 0.0, 0.0, 0)
            self._base_reconnects += self._worker_reconnects
            self._worker_reconnects = 0
            self._msg_at = self._progress_at = time.monotonic()

    def set_status(
        self, status: CameraStatus, error: str | None, *, worker_reconnects: int | None = None
    ) -> None:
        with self._lock:
            self._msg_at = time.monotonic()
            if worker_reconnects is not None:
                self._worker_reconnects = worker_reconnects
            if error:
                self._error = error
            if status is not self._status:
                self._status = status
                self._since = time.time()
                if status is CameraStatus.ONLINE:
                    self._progress_at = self._msg_at

    def add_reconnect(self) -> None:
        with self._lock:
            self._base_reconnects += 1

    def add_drops(self, n: int) -> None:
        with self._lock:
            self._drops += n

    def stats(self, msg: StatsMsg) -> None:
        with self._lock:
            now = time.monotonic()
            self._msg_at = now
            if msg.frames_decoded > self._cur.frames_decoded:
                self._progress_at = now
                if self._status is CameraStatus.STALLED:
                    self._status, self._since = CameraStatus.ONLINE, time.time()
            self._cur = msg
            self._stats_at = now

    def codec(self, info: StreamCodecInfo) -> None:
        with self._lock:
            self._msg_at = time.monotonic()
            self._codec = info

    def frame_seen(self, seq: int, pts: float) -> None:
        with self._lock:
            self._msg_at = self._progress_at = time.monotonic()
            self._seq, self._pts = max(self._seq, seq), max(self._pts, pts)

    def packet(self, msg: PacketMsg) -> EncodedPacket:
        with self._lock:
            self._msg_at = time.monotonic()
            self._packet_seq = max(self._packet_seq, msg.seq)
        return EncodedPacket(
            self.camera_id, msg.seq, msg.data, msg.pts, msg.is_keyframe, msg.captured_at
        )

    # reads ---------------------------------------------------------------------------------
    @property
    def status(self) -> CameraStatus:
        with self._lock:
            return self._status

    @property
    def last_error(self) -> str | None:
        with self._lock:
            return self._error

    def silence(self) -> float:
        """Seconds since the decoder last said anything, while it should be talking."""
        with self._lock:
            if self._status not in _BUSY:
                return 0.0
            return time.monotonic() - self._msg_at

    def frame_age(self) -> float:
        with self._lock:
            return time.monotonic() - self._progress_at

    def snapshot_counters(self) -> CounterSnapshot:
        with self._lock:
            next_pts = self._pts + 0.04 if self._pts >= 0 else 0.0
            return CounterSnapshot(self._seq, next_pts, self._packet_seq)

    def health(self) -> CameraHealth:
        with self._lock:
            b, c = self._base, self._cur
            fresh = time.monotonic() - self._stats_at < STATS_STALE_S
            online = self._status is CameraStatus.ONLINE
            codec = self._codec
            return CameraHealth(
                camera_id=self.camera_id,
                status=self._status,
                last_error=self._error,
                fps_in=c.fps_in if fresh and online else 0.0,
                fps_decoded=c.fps_decoded if fresh and online else 0.0,
                frames_decoded=b.frames_decoded + c.frames_decoded,
                drops=self._drops + b.lost + c.lost,
                reconnects=self._base_reconnects + self._worker_reconnects,
                bytes_in=b.bytes_in + c.bytes_in,
                width=codec.width if codec else None,
                height=codec.height if codec else None,
                codec=codec.codec if codec else None,
                status_since=self._since,
            )
