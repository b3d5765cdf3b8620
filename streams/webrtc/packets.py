"""What the relay moves around: encoded access units on the 90 kHz RTP clock, and the
per-viewer bounded queue that never makes the camera wait."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from aiortc.codecs.h264 import H264Encoder

VIDEO_CLOCK_HZ = 90_000
RTP_MASK = 0xFFFFFFFF


def to_ticks(pts: float) -> int:
    """A pts in seconds (``Frame.pts`` / ``EncodedPacket.pts``) on the 90 kHz video clock.

    The relay stamps every video frame with this value and overlays carry the same value for
    the frame they were computed on, so both sides round the same float the same way."""
    return round(pts * VIDEO_CLOCK_HZ)


def rtp_payloads(data: bytes) -> tuple[bytes, ...]:
    """The RTP payloads of one Annex B H.264 access unit (single NAL / STAP-A / FU-A, RFC 6184),
    cut exactly as aiortc's ``H264Encoder.pack`` cuts them."""
    return tuple(H264Encoder._packetize(H264Encoder._split_bitstream(data)))


@dataclass(frozen=True)
class RelayPacket:
    """One encoded access unit (Annex B H.264) ready for RTP packetisation."""

    ticks: int  # 90 kHz timestamp of the frame (pts)
    data: bytes
    keyframe: bool
    captured_at: float  # wall clock (time.time()) when ingest received it
    payloads: tuple[bytes, ...] = ()  # its RTP payloads, cut once for every viewer (if given)

    @classmethod
    def cut(cls, ticks: int, data: bytes, keyframe: bool, captured_at: float) -> RelayPacket:
        """A packet with its RTP payloads computed now (in the feed's thread, not per viewer
        on the event loop)."""
        return cls(ticks, data, keyframe, captured_at, rtp_payloads(data))


class QueueClosed(Exception):
    """The viewer queue was closed: the session is ending."""


class ViewerQueue:
    """A viewer's backlog, used on the event loop only.

    A viewer that falls ``max_packets`` behind loses its backlog and resumes at the next
    keyframe (what it plays is always decodable; the skipped packets are counted), so a slow
    viewer never slows the camera or the other viewers.
    """

    def __init__(self, max_packets: int) -> None:
        if max_packets < 1:
            raise ValueError("max_packets must be at least 1")
        self._max = max_packets
        self._items: deque[RelayPacket] = deque()
        self._ready = asyncio.Event()
        self._waiting_keyframe = True
        self._closed = False
        self.skipped = 0
        self.delivered = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def offer(self, packet: RelayPacket) -> None:
        if self._closed:
            return
        if self._waiting_keyframe and not packet.keyframe:
            self.skipped += 1
            return
        self._waiting_keyframe = False
        if len(self._items) >= self._max:
            self.skipped += len(self._items)
            self._items.clear()
            if not packet.keyframe:
                self._waiting_keyframe = True
                self.skipped += 1
                return
        self._items.append(packet)
        self._ready.set()

    async def get(self) -> RelayPacket:
        while not self._items:
            if self._closed:
                raise QueueClosed
            self._ready.clear()
            await self._ready.wait()
        self.delivered += 1
        return self._items.popleft()

    def pending(self) -> int:
        return len(self._items)

    def close(self) -> None:
        self._closed = True
        self._items.clear()
        self._ready.set()
