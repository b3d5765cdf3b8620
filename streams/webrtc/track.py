"""The video track a viewer's RTCRtpSender pulls from: encoded access units, sent as they are.

aiortc packetises a track's ``av.Packet`` without re-encoding (``H264Encoder.pack``); the
packet's pts on a 1/90000 time base becomes the RTP timestamp, offset by a random origin the
sender picks. ``RtpOrigin`` recovers that origin exactly so overlays (keyed by pts ticks) can be
matched by the browser to the RTP timestamp of the frame it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from aiortc import RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from streams.webrtc.packets import (
    RTP_MASK,
    VIDEO_CLOCK_HZ,
    QueueClosed,
    RelayPacket,
    ViewerQueue,
    rtp_payloads,
)

log = logging.getLogger(__name__)

VIDEO_TIME_BASE = Fraction(1, VIDEO_CLOCK_HZ)


class RtpOrigin:
    """RTP timestamp = (origin + ticks) mod 2**32 for every frame a sender sends.

    aiortc's RTCRtpSender keeps the origin in a local variable, but records the timestamp of
    the last packet it sent. When the track is asked for frame k+1, every packet of frame k
    has been sent, so pairing that timestamp with frame k's ticks gives the origin exactly.
    (Tested in tests/webrtc against the RTP timestamps a real receiver sees.)
    """

    def __init__(self) -> None:
        self.sender: RTCRtpSender | None = None
        self.value: int | None = None
        self._last_ticks: int | None = None
        self._sent_before = 0

    def before_next(self) -> None:
        sender, ticks = self.sender, self._last_ticks
        if sender is None or ticks is None:
            return
        sent = getattr(sender, "_RTCRtpSender__packet_count", 0)
        rtp = getattr(sender, "_RTCRtpSender__rtp_timestamp", None)
        if not isinstance(rtp, int) or not isinstance(sent, int) or sent <= self._sent_before:
            return
        self._sent_before = sent
        origin = (rtp - ticks) & RTP_MASK
        if origin != self.value:
            if self.value is not None:
                log.warning("RTP origin changed: %s -> %s", self.value, origin)
            self.value = origin

    def returned(self, ticks: int) -> None:
        self._last_ticks = ticks

    def rtp(self, ticks: int) -> int | None:
        return None if self.value is None else (self.value + ticks) & RTP_MASK


class SharedPacker:
    """Stands in for aiortc's ``H264Encoder`` on a viewer's sender (``install``): the payloads
    of each access unit were cut once for every viewer (``RelayPacket.payloads``), so an extra
    viewer costs no packetising. ``pack`` is called right after the track's ``recv`` returned
    (no await in between), for the packet ``recv`` just handed over."""

    def __init__(self) -> None:
        self.current: RelayPacket | None = None

    def install(self, sender: RTCRtpSender) -> None:
        # aiortc creates its encoder lazily, only while the sender has none
        setattr(sender, "_RTCRtpSender__encoder", self)  # noqa: B010

    def pack(self, packet: object) -> tuple[list[bytes], int]:
        item = self.current
        if item is None:
            return [], 0
        return list(item.payloads or rtp_payloads(item.data)), item.ticks


class RelayTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, queue: ViewerQueue, on_frame: Callable[[int, float], None]) -> None:
        super().__init__()
        self._queue = queue
        self._on_frame = on_frame
        self.origin = RtpOrigin()
        self.packer = SharedPacker()
        self.frames_sent = 0

    async def recv(self) -> av.Packet[Any]:
        self.origin.before_next()
        try:
            item = await self._queue.get()
        except QueueClosed:
            self.stop()
            raise MediaStreamError from None
        self.packer.current = item
        packet = av.Packet(item.data)
        packet.pts = item.ticks
        packet.dts = item.ticks
        packet.time_base = VIDEO_TIME_BASE
        self.origin.returned(item.ticks)
        self.frames_sent += 1
        self._on_frame(item.ticks, item.captured_at)
        return packet

    def stop(self) -> None:
        self._queue.close()
        super().stop()
