"""The video track of one viewer: encoded access units from the camera's fan-out, sent as they
are. ``LeanSender`` (sender.py) reads them with ``next_packet`` and sends their pre-cut RTP
payloads; ``recv`` serves any other aiortc consumer with an ``av.Packet`` (pts in 1/90000 s)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from streams.webrtc.packets import VIDEO_CLOCK_HZ, QueueClosed, RelayPacket, ViewerQueue
from streams.webrtc.sender import RtpClock

VIDEO_TIME_BASE = Fraction(1, VIDEO_CLOCK_HZ)


class RelayTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, queue: ViewerQueue, on_frame: Callable[[int, float], None]) -> None:
        super().__init__()
        self._queue = queue
        self._on_frame = on_frame
        self.origin = RtpClock()  # set by the viewer's LeanSender when its RTP loop starts
        self.frames_sent = 0

    async def next_packet(self) -> RelayPacket:
        try:
            item = await self._queue.get()
        except QueueClosed:
            self.stop()
            raise MediaStreamError from None
        self.frames_sent += 1
        self._on_frame(item.ticks, item.captured_at)
        return item

    async def recv(self) -> av.Packet[Any]:
        item = await self.next_packet()
        packet = av.Packet(item.data)
        packet.pts = item.ticks
        packet.dts = item.ticks
        packet.time_base = VIDEO_TIME_BASE
        return packet

    def stop(self) -> None:
        self._queue.close()
        super().stop()
