"""A viewer's RTP send loop, lean enough that an extra viewer costs under 1 % of a core.

aiortc's ``RTCRtpSender._run_rtp`` spends most of a relay viewer's CPU per packet: a new
``RtpPacket`` object, two ``datetime``-based NTP clock reads, a generic header serialiser and
four nested coroutines down to the socket. ``LeanSender`` replaces only that loop (and the
retransmission that reads its history): the RTP header of a viewer is a fixed template in
which each packet patches sequence number, marker, timestamp and abs-send-time; the payloads
come cut once for every viewer (``RelayPacket.payloads``); SRTP protection and the ICE send are
called directly. RTCP (sender reports, NACK, PLI), DTLS, ICE and stats stay aiortc's: the loop
keeps the counters aiortc's sender reports read. The header bytes are tested equal to aiortc's
``RtpPacket.serialize`` (tests/webrtc/test_lean_sender.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import time
from dataclasses import dataclass
from typing import Any, Protocol

from aiortc import RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap

from streams.webrtc.packets import RTP_MASK, RelayPacket, rtp_payloads

log = logging.getLogger(__name__)

# seconds between the NTP epoch (1900) and the Unix epoch (1970)
NTP_UNIX_OFFSET = 2_208_988_800
ABS_SEND_TIME_HZ = 1 << 18  # abs-send-time: 6.18 fixed-point seconds, 24 bits
RTP_HISTORY_SIZE = 128  # aiortc's: packets kept for retransmission on NACK
_FIXED = struct.Struct("!BBHII")


def abs_send_time(now: float) -> int:
    """The 24-bit abs-send-time of a Unix time (what aiortc derives from its NTP clock)."""
    return int((now + NTP_UNIX_OFFSET) * ABS_SEND_TIME_HZ) & 0xFFFFFF


def ntp_time(now: float) -> int:
    """64-bit NTP timestamp (32.32 fixed point) of a Unix time, for RTCP sender reports."""
    return int((now + NTP_UNIX_OFFSET) * (1 << 32))


class HeaderTemplate:
    """RTP header of one sender (payload type, SSRC, MID fixed), with the extension bytes laid
    out as aiortc's ``HeaderExtensionsMap`` lays them out; ``render`` fills in the rest."""

    def __init__(self, ext_map: HeaderExtensionsMap, payload_type: int, ssrc: int,
                 mid: str | None) -> None:
        self._args = (ext_map, mid)
        self.payload_type = payload_type
        profile, value = ext_map.set(HeaderExtensions(mid=mid, abs_send_time=0))
        _, probe = ext_map.set(HeaderExtensions(mid=mid, abs_send_time=0xFFFFFF))
        diff = [i for i, (a, b) in enumerate(zip(value, probe, strict=True)) if a != b]
        ext = struct.pack("!HH", profile, len(value) // 4) + value if value else b""
        self._first = 0x90 if ext else 0x80  # version 2, extension bit when there are any
        # where the 3 abs-send-time bytes sit (None: the viewer did not negotiate it)
        self._abs_at = 12 + 4 + diff[0] if diff else None
        self._base = bytearray(12 + len(ext))
        _FIXED.pack_into(self._base, 0, self._first, payload_type, 0, 0, ssrc)
        self._base[12:] = ext

    def variant(self, payload_type: int, ssrc: int) -> HeaderTemplate:
        """The same extensions for another stream of the sender (its RTX stream)."""
        return HeaderTemplate(self._args[0], payload_type, ssrc, self._args[1])

    def render(self, seq: int, timestamp: int, marker: bool, send_time: int) -> bytes:
        head = bytearray(self._base)
        head[1] = (0x80 if marker else 0) | self.payload_type
        struct.pack_into("!HI", head, 2, seq, timestamp)
        if self._abs_at is not None:
            at = self._abs_at
            head[at:at + 3] = send_time.to_bytes(3, "big")
        return bytes(head)


@dataclass(frozen=True, slots=True)
class SentPacket:
    """A packet of the retransmission history."""

    seq: int
    timestamp: int
    marker: bool
    payload: bytes
    plain: bytes  # header + payload, before SRTP


class PacketSource(Protocol):
    """What the loop reads: the viewer's relay track."""

    async def next_packet(self) -> RelayPacket: ...

    def stop(self) -> None: ...


class RtpClock:
    """The RTP timestamp origin the loop picked: RTP timestamp = (origin + pts ticks) mod 2**32,
    exact, for matching overlays (keyed by ticks) to the frames a browser shows."""

    def __init__(self) -> None:
        self.value: int | None = None

    def rtp(self, ticks: int) -> int | None:
        return None if self.value is None else (self.value + ticks) & RTP_MASK


def _private(obj: object, cls: str, name: str) -> Any:
    return getattr(obj, f"_{cls}__{name}")


def _set_private(obj: object, cls: str, name: str, value: object) -> None:
    setattr(obj, f"_{cls}__{name}", value)


class LeanSender(RTCRtpSender):
    """An ``RTCRtpSender`` (``adopt`` it right after ``addTrack``) whose RTP loop sends a relay
    track's pre-cut payloads. Everything else is aiortc's own sender."""

    _source: PacketSource
    clock: RtpClock
    _history: dict[int, SentPacket]
    _template: HeaderTemplate | None
    _rtx_template: HeaderTemplate | None

    @classmethod
    def adopt(cls, sender: RTCRtpSender, source: PacketSource, clock: RtpClock) -> LeanSender:
        # the subclass only overrides methods and adds attributes, so re-classing the sender
        # aiortc just made (before negotiation starts its loops) is sound
        sender.__class__ = cls
        assert isinstance(sender, LeanSender)
        sender._source = source
        sender.clock = clock
        sender._history = {}
        sender._template = None
        sender._rtx_template = None
        return sender

    def _counters(self, packets: int, octets: int, timestamp: int, now: float) -> None:
        """What aiortc's RTCP loop reads for sender reports, and getStats for outbound-rtp."""
        c = "RTCRtpSender"
        _set_private(self, c, "packet_count", _private(self, c, "packet_count") + packets)
        _set_private(self, c, "octet_count", _private(self, c, "octet_count") + octets)
        _set_private(self, c, "rtp_timestamp", timestamp)
        _set_private(self, c, "ntp_timestamp", ntp_time(now))

    async def _run_rtp(self, codec: RTCRtpCodecParameters) -> None:
        c = "RTCRtpSender"
        _private(self, c, "rtp_started").set()
        try:
            await self._send_loop(codec)
        except (asyncio.CancelledError, ConnectionError, MediaStreamError):
            pass
        except Exception:  # aiortc's stop() waits for rtp_exited: log, never hang it
            log.exception("viewer RTP loop failed")
        self._source.stop()
        _private(self, c, "rtp_exited").set()

    async def _send_loop(self, codec: RTCRtpCodecParameters) -> None:
        c = "RTCRtpSender"
        dtls = self.transport
        ext_map: HeaderExtensionsMap = _private(self, c, "rtp_header_extensions_map")
        if codec.payloadType is None:
            raise ValueError("the negotiated codec has no payload type")
        template = HeaderTemplate(ext_map, codec.payloadType, self._ssrc, _private(self, c, "mid"))
        self._template = template
        seq = int.from_bytes(os.urandom(2), "big")
        origin = int.from_bytes(os.urandom(4), "big")
        self.clock.value = origin
        history = self._history
        while True:
            item = await self._source.next_packet()
            if not self._enabled:
                continue
            payloads = item.payloads or rtp_payloads(item.data)
            if not payloads:
                continue
            if dtls.state != "connected":
                raise ConnectionError("the viewer's DTLS transport is not connected")
            protect = dtls._tx_srtp.protect
            ice = dtls.transport._connection
            timestamp = (origin + item.ticks) & RTP_MASK
            last = len(payloads) - 1
            octets = 0
            for i, payload in enumerate(payloads):
                marker = i == last
                send_time = abs_send_time(time.time())
                plain = template.render(seq, timestamp, marker, send_time) + payload
                history[seq % RTP_HISTORY_SIZE] = SentPacket(seq, timestamp, marker, payload, plain)
                await ice.sendto(protect(plain), 1)
                octets += len(payload)
                seq = (seq + 1) & 0xFFFF
            self._counters(len(payloads), octets, timestamp, time.time())

    async def _retransmit(self, sequence_number: int) -> None:
        """NACK: resend a packet still in the history, wrapped in RTX (RFC 4588: its own payload
        type, SSRC and sequence, the original sequence number ahead of the payload) when the
        viewer negotiated RTX, as aiortc's sender does."""
        sent = self._history.get(sequence_number % RTP_HISTORY_SIZE)
        if sent is None or sent.seq != sequence_number or self._template is None:
            return  # never sent, or overwritten by a newer packet
        rtx_pt = _private(self, "RTCRtpSender", "rtx_payload_type")
        if rtx_pt is None:
            plain = sent.plain
        else:
            if self._rtx_template is None or self._rtx_template.payload_type != rtx_pt:
                self._rtx_template = self._template.variant(rtx_pt, self._rtx_ssrc)
            rtx_seq = _private(self, "RTCRtpSender", "rtx_sequence_number")
            _set_private(self, "RTCRtpSender", "rtx_sequence_number", (rtx_seq + 1) & 0xFFFF)
            head = self._rtx_template.render(rtx_seq, sent.timestamp, sent.marker,
                                             abs_send_time(time.time()))
            plain = head + sent.seq.to_bytes(2, "big") + sent.payload
        await self.transport._send_rtp(plain)
