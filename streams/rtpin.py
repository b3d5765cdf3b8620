"""Native RTP/H.264 input that completes access units on the RTP marker bit.

FFmpeg's RTP and RTSP demuxers release an access unit only when the next one starts (its
H.264 parser needs the next start code; measured here: about two frames, 67 ms at 30 fps),
which is most of the relay's latency budget. This module reads RTP itself (RTP/UDP described
by an SDP file; RTSP is in rtsp.py), depacketises H.264 (RFC 6184: single NAL, STAP-A, FU-A)
and hands out each access unit the moment its last packet (marker bit) arrives.

Used by ingest for rtsp:// and .sdp cameras (rtpsession.py) and by ``bench/latency.py``.
"""

from __future__ import annotations

import base64
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

START = b"\x00\x00\x00\x01"
NAL_IDR, NAL_SPS, NAL_PPS, STAP_A, FU_A = 5, 7, 8, 24, 28
REORDER_WINDOW = 6  # packets held after a sequence gap before the gap counts as lost
MAX_GAP = 300  # a jump bigger than this (either way) is a new sequence, not a gap


class RtpInputError(Exception):
    """The RTP/RTSP source cannot be used; str() is one line for the user.

    ``status`` is the RTSP status code when a server refused a request."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotH264Error(RtpInputError):
    """The stream is not H.264 (another codec: ingest falls back to FFmpeg's demuxer)."""


@dataclass(frozen=True)
class AccessUnit:
    data: bytes  # Annex B
    timestamp: int  # RTP timestamp (90 kHz)
    keyframe: bool
    received_at: float  # time.time() when the marker-bit packet arrived


@dataclass(frozen=True)
class VideoSdp:
    payload_type: int
    port: int
    address: str
    control: str
    parameter_sets: bytes  # Annex B SPS/PPS from sprop-parameter-sets


def _seq_diff(a: int, b: int) -> int:
    """a - b on the 16-bit sequence circle, in -32768..32767."""
    return ((a - b + 0x8000) & 0xFFFF) - 0x8000


class H264Depacketizer:
    """Feed RTP packets as they arrive; ``feed`` returns the access units they complete.

    Packets that arrive out of order are held (at most ``reorder`` of them) until the gap
    fills; a gap still open after that counts as lost. A lost packet spoils its access
    unit and everything up to the next keyframe (a decoder could not use it); those are
    counted in ``dropped``. A unit whose marker-bit packet was lost is ended when a packet
    with a new timestamp arrives. Late duplicates are ignored (``late``)."""

    def __init__(
        self, payload_type: int, parameter_sets: bytes = b"", reorder: int = REORDER_WINDOW
    ) -> None:
        self.payload_type = payload_type
        self.parameter_sets = parameter_sets
        self.reorder = reorder
        self._nals: list[bytes] = []
        self._fu: bytearray | None = None
        self._ts: int | None = None
        self._expected: int | None = None
        self._held: dict[int, bytes] = {}
        self._spoiled = False
        self._need_key = True
        self.dropped = 0
        self.lost = 0
        self.late = 0
        self.units = 0

    def push(self, packet: bytes) -> AccessUnit | None:
        """``feed`` for callers that take one unit per packet: the newest unit completed."""
        units = self.feed(packet)
        return units[-1] if units else None

    def feed(self, packet: bytes) -> list[AccessUnit]:
        if len(packet) < 12 or packet[0] >> 6 != 2 or packet[1] & 0x7F != self.payload_type:
            return []
        (seq,) = struct.unpack_from("!H", packet, 2)
        out: list[AccessUnit] = []
        if self._expected is None:
            self._expected = seq
        diff = _seq_diff(seq, self._expected)
        if abs(diff) > MAX_GAP:  # the sender restarted its sequence
            self._lose(out)
            self._expected, diff = seq, 0
        if diff < 0:
            self.late += 1
            return out
        if diff > 0:
            self._held[seq] = packet
            if len(self._held) > self.reorder:
                self._lose(out)
            return out
        self._take(packet, out)
        while self._expected in self._held:
            self._take(self._held.pop(self._expected), out)
        return out

    def _lose(self, out: list[AccessUnit]) -> None:
        """Give up on the missing packets: resume at the oldest held one."""
        if not self._held:
            return
        assert self._expected is not None
        first = min(self._held, key=lambda s: _seq_diff(s, self._expected or 0))
        self.lost += _seq_diff(first, self._expected)
        self._spoiled = True
        self._expected = first
        while self._expected in self._held:
            self._take(self._held.pop(self._expected), out)
        if self._held:
            self._lose(out)

    def _take(self, packet: bytes, out: list[AccessUnit]) -> None:
        """One packet in sequence order."""
        (seq, ts) = struct.unpack_from("!HI", packet, 2)
        self._expected = (seq + 1) & 0xFFFF
        if self._ts is not None and ts != self._ts and (self._nals or self._fu is not None):
            self._spoiled = True  # the previous unit's marker packet was lost
            self._finish(self._ts)
        self._ts = ts
        payload = _payload(packet)
        if payload:
            self._depacketize(payload)
        if packet[1] & 0x80:
            unit = self._finish(ts)
            if unit is not None:
                out.append(unit)

    def _depacketize(self, payload: bytes) -> None:
        kind = payload[0] & 0x1F
        if kind == STAP_A:
            i = 1
            while i + 2 <= len(payload):
                (size,) = struct.unpack_from("!H", payload, i)
                self._nals.append(payload[i + 2 : i + 2 + size])
                i += 2 + size
        elif kind == FU_A and len(payload) > 2:
            header = payload[1]
            if header & 0x80:
                self._fu = bytearray([(payload[0] & 0xE0) | (header & 0x1F)])
            if self._fu is None:
                self._spoiled = True
                return
            self._fu += payload[2:]
            if header & 0x40:
                self._nals.append(bytes(self._fu))
                self._fu = None
        elif 1 <= kind <= 23:
            self._nals.append(payload)

    def _finish(self, ts: int) -> AccessUnit | None:
        nals, spoiled = self._nals, self._spoiled or self._fu is not None
        self._nals, self._fu, self._spoiled, self._ts = [], None, False, None
        types = {n[0] & 0x1F for n in nals if n}
        key = NAL_IDR in types
        if spoiled or not nals or (self._need_key and not key):
            self.dropped += 1
            self._need_key = self._need_key or spoiled
            return None
        self._need_key = False
        prefix = self.parameter_sets if key and NAL_SPS not in types else b""
        self.units += 1
        data = prefix + b"".join(START + n for n in nals)
        return AccessUnit(data, ts, key, time.time())


class RtpClock:
    """RTP timestamps (32-bit, 90 kHz) unwrapped into a growing tick count."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._wraps = 0

    def ticks(self, timestamp: int) -> int:
        last = self._last
        if last is not None:
            if timestamp < last and last - timestamp > 1 << 31:
                self._wraps += 1  # forward across the wrap
            elif timestamp > last and timestamp - last > 1 << 31 and self._wraps:
                return timestamp + ((self._wraps - 1) << 32)  # a late one from before it
        self._last = timestamp
        return timestamp + (self._wraps << 32)


def _payload(packet: bytes) -> bytes:
    cc = packet[0] & 0x0F
    start = 12 + 4 * cc
    if packet[0] & 0x10 and len(packet) >= start + 4:  # header extension
        (words,) = struct.unpack_from("!H", packet, start + 2)
        start += 4 + 4 * words
    end = len(packet)
    if packet[0] & 0x20 and end > start:  # padding
        end -= packet[-1]
    return packet[start:end]


def parse_sdp(text: str, base_url: str = "") -> VideoSdp:
    """The first H.264 video stream of an SDP description (NotH264Error for other codecs)."""
    address, port, pt, control, sprop = "", 0, -1, "", b""
    in_video = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("c=") and (in_video or not address):
            address = line.split()[-1].split("/")[0]
        elif line.startswith("m="):
            fields = line[2:].split()
            in_video = fields[0] == "video" and pt < 0 and len(fields) > 3
            if in_video:
                port, pt = int(fields[1]), int(fields[3])
        elif in_video and line.startswith("a=control:"):
            control = line[len("a=control:") :]
        elif in_video and line.startswith("a=rtpmap:") and "H264" not in line.upper():
            if line.split()[0] == f"a=rtpmap:{pt}":
                raise NotH264Error(f"video is not H.264: {line}")
        elif in_video and line.startswith("a=fmtp:") and "sprop-parameter-sets=" in line:
            sets = line.split("sprop-parameter-sets=")[1].split(";")[0]
            sprop = b"".join(START + base64.b64decode(s) for s in sets.split(",") if s)
    if pt < 0:
        raise RtpInputError("the SDP has no video stream")
    if pt < 96:
        raise NotH264Error(f"video payload type {pt} is a static (non-H.264) format")
    if control and not control.startswith("rtsp://") and base_url:
        control = base_url.rstrip("/") + "/" + control if control != "*" else base_url
    return VideoSdp(pt, port, address or "127.0.0.1", control or base_url, sprop)


class UdpRtpInput:
    """RTP over UDP as an SDP file describes it (unicast, or multicast joined here)."""

    def __init__(self, sdp: VideoSdp, timeout_s: float = 5.0) -> None:
        self.sdp = sdp
        self.timeout_s = timeout_s
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
            if _multicast(sdp.address):
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._bind(sdp)
            if _multicast(sdp.address):
                group = socket.inet_aton(sdp.address) + socket.inet_aton("0.0.0.0")
                self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
        except OSError as exc:
            self.sock.close()
            raise RtpInputError(f"cannot receive RTP on port {sdp.port}: {exc.strerror}") from exc
        self.sock.settimeout(timeout_s)

    def _bind(self, sdp: VideoSdp) -> None:
        if _multicast(sdp.address):
            self.sock.bind(("", sdp.port))
            return
        try:
            self.sock.bind((sdp.address, sdp.port))
        except OSError:  # c= names the sender or another host's address: listen on all
            self.sock.bind(("", sdp.port))

    def packets(self, idle_s: float | None = None) -> Iterator[bytes]:
        """Packets as they arrive. With ``idle_s``, an empty ``b""`` every ``idle_s`` seconds
        without data (so the caller can check its stop flag); without, RtpInputError after
        ``timeout_s`` without data."""
        self.sock.settimeout(idle_s if idle_s is not None else self.timeout_s)
        while True:
            try:
                yield self.sock.recv(65536)
            except TimeoutError as exc:
                if idle_s is None:
                    raise RtpInputError(f"no RTP on port {self.sdp.port}") from exc
                yield b""

    def close(self) -> None:
        self.sock.close()


def _multicast(address: str) -> bool:
    try:
        return 224 <= int(address.split(".")[0]) <= 239
    except ValueError:
        return False
