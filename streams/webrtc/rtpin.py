"""Native RTP/H.264 input that completes access units on the RTP marker bit.

FFmpeg's RTP and RTSP demuxers release an access unit only when the next one starts (its
H.264 parser needs the next start code; measured here: about two frames, 67 ms at 30 fps),
which is most of the relay's latency budget. This module reads RTP itself (RTSP over TCP or
RTP/UDP described by an SDP file), depacketises H.264 (RFC 6184: single NAL, STAP-A, FU-A)
and hands out each access unit the moment its last packet (marker bit) arrives.

Used by ``bench/latency.py``; ingest can use it for rtsp:// and .sdp cameras (see README).
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


class RtpInputError(Exception):
    """The RTP/RTSP source cannot be used; str() is one line for the user."""


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


class H264Depacketizer:
    """Feed RTP packets in arrival order; ``push`` returns an access unit on its marker bit.

    A lost packet spoils its access unit and everything up to the next keyframe (a decoder
    could not use it); those are counted in ``dropped``."""

    def __init__(self, payload_type: int, parameter_sets: bytes = b"") -> None:
        self.payload_type = payload_type
        self.parameter_sets = parameter_sets
        self._nals: list[bytes] = []
        self._fu: bytearray | None = None
        self._seq: int | None = None
        self._spoiled = False
        self._need_key = True
        self.dropped = 0
        self.units = 0

    def push(self, packet: bytes) -> AccessUnit | None:
        if len(packet) < 12 or packet[0] >> 6 != 2 or packet[1] & 0x7F != self.payload_type:
            return None
        seq, ts = struct.unpack_from("!HI", packet, 2)
        payload = _payload(packet)
        if self._seq is not None and seq != (self._seq + 1) & 0xFFFF:
            self._spoiled = True
        self._seq = seq
        if payload:
            self._depacketize(payload)
        if not packet[1] & 0x80:
            return None
        return self._finish(ts)

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
        self._nals, self._fu, self._spoiled = [], None, False
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
    """The first H.264 video stream of an SDP description."""
    address, port, pt, control, sprop = "", 0, -1, "", b""
    in_video = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("c=") and (in_video or not address):
            address = line.split()[-1].split("/")[0]
        elif line.startswith("m="):
            fields = line[2:].split()
            in_video = fields[0] == "video" and pt < 0
            if in_video:
                port, pt = int(fields[1]), int(fields[3])
        elif in_video and line.startswith("a=control:"):
            control = line[len("a=control:"):]
        elif in_video and line.startswith("a=rtpmap:") and "H264" not in line.upper():
            if line.split()[0] == f"a=rtpmap:{pt}":
                raise RtpInputError(f"video is not H.264: {line}")
        elif in_video and line.startswith("a=fmtp:") and "sprop-parameter-sets=" in line:
            sets = line.split("sprop-parameter-sets=")[1].split(";")[0]
            sprop = b"".join(START + base64.b64decode(s) for s in sets.split(",") if s)
    if pt < 0:
        raise RtpInputError("the SDP has no video stream")
    if control and not control.startswith("rtsp://") and base_url:
        control = base_url.rstrip("/") + "/" + control if control != "*" else base_url
    return VideoSdp(pt, port, address or "127.0.0.1", control or base_url, sprop)


class UdpRtpInput:
    """RTP over UDP as an SDP file describes it (unicast, or multicast joined here)."""

    def __init__(self, sdp: VideoSdp, timeout_s: float = 5.0) -> None:
        self.sdp = sdp
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.sock.bind(("" if _multicast(sdp.address) else sdp.address, sdp.port))
        if _multicast(sdp.address):
            group = socket.inet_aton(sdp.address) + socket.inet_aton("0.0.0.0")
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
        self.sock.settimeout(timeout_s)

    def packets(self) -> Iterator[bytes]:
        while True:
            try:
                yield self.sock.recv(65536)
            except TimeoutError as exc:
                raise RtpInputError(f"no RTP on port {self.sdp.port}") from exc

    def close(self) -> None:
        self.sock.close()


def _multicast(address: str) -> bool:
    try:
        return 224 <= int(address.split(".")[0]) <= 239
    except ValueError:
        return False
