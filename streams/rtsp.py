"""A small RTSP client (RTP interleaved over TCP, or RTP/UDP) for the marker-bit RTP input."""

from __future__ import annotations

import base64
import hashlib
import re
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from streams.rtpin import RtpInputError, VideoSdp, parse_sdp

USER_AGENT = "CityEye"
MAX_HEADER = 64 * 1024


@dataclass(frozen=True)
class RtspResponse:
    status: int
    headers: dict[str, str]
    body: str


def _digest(user: str, password: str, challenge: str, method: str, uri: str) -> str:
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{uri}")
    if "auth" in fields.get("qop", "").split(","):
        cnonce = md5(str(time.time()))[:16]
        resp = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
        extra = f', qop=auth, nc=00000001, cnonce="{cnonce}"'
    else:
        resp, extra = md5(f"{ha1}:{nonce}:{ha2}"), ""
    return (
        f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'response="{resp}"{extra}'
    )


class _Idle(Exception):
    """No data within the idle interval (internal)."""


class RtspInput:
    """One RTSP session. ``open()`` does the handshake; ``packets()`` yields RTP of the
    video stream, over the RTSP connection (``transport="tcp"``) or UDP (``"udp"``)."""

    def __init__(
        self, url: str, timeout_s: float = 5.0, transport: Literal["tcp", "udp"] = "tcp"
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "rtsp" or not parts.hostname:
            raise RtpInputError(f"not an rtsp:// URL: {url}")
        self._user = unquote(parts.username or "")
        self._password = unquote(parts.password or "")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.url = urlunsplit(parts._replace(netloc=netloc))
        self.transport = transport
        self._timeout = timeout_s
        self._udp: socket.socket | None = None
        self._rtcp: socket.socket | None = None
        try:
            self._sock = socket.create_connection((parts.hostname, parts.port or 554), timeout_s)
        except OSError as exc:
            raise RtpInputError(f"cannot connect to {netloc}: {exc}") from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = b""
        self._cseq = 0
        self._session: str | None = None
        self._challenge: str | None = None
        self._keepalive_s = 30.0

    def _auth(self, method: str, uri: str) -> dict[str, str]:
        if self._challenge is None:
            return {}
        if self._challenge.lower().startswith("digest"):
            auth = _digest(self._user, self._password, self._challenge, method, uri)
            return {"Authorization": auth}
        token = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _send(self, method: str, uri: str, headers: dict[str, str] | None = None) -> None:
        self._cseq += 1
        lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self._cseq}", f"User-Agent: {USER_AGENT}"]
        if self._session:
            lines.append(f"Session: {self._session}")
        lines += [f"{k}: {v}" for k, v in {**(headers or {}), **self._auth(method, uri)}.items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _fill(self, idle: bool = False) -> None:
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError as exc:
            if idle:
                raise _Idle from exc
            raise RtpInputError(f"no answer from {self.url} within {self._timeout:g} s") from exc
        if not chunk:
            raise RtpInputError(f"{self.url} closed the connection")
        self._buf += chunk

    def _response(self) -> RtspResponse:
        while True:
            while self._buf[:1] == b"$":  # stray interleaved data
                while len(self._buf) < 4:
                    self._fill()
                size = int.from_bytes(self._buf[2:4], "big")
                while len(self._buf) < 4 + size:
                    self._fill()
                self._buf = self._buf[4 + size :]
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0 and self._buf[:1] != b"$":
                break
            if len(self._buf) > MAX_HEADER:
                raise RtpInputError("RTSP response header too long")
            self._fill()
        head = self._buf[:end].decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip()
            for k, v in (ln.split(":", 1) for ln in head[1:] if ":" in ln)
        }
        size = int(headers.get("content-length", "0"))
        while len(self._buf) < end + 4 + size:
            self._fill()
        body = self._buf[end + 4 : end + 4 + size].decode("utf-8", "replace")
        self._buf = self._buf[end + 4 + size :]
        first = head[0].split()
        status = int(first[1]) if len(first) > 1 and first[1].isdigit() else 0
        return RtspResponse(status, headers, body)

    def request(self, method: str, uri: str, headers: dict[str, str] | None = None) -> RtspResponse:
        self._send(method, uri, headers)
        r = self._response()
        if r.status == 401 and self._challenge is None and "www-authenticate" in r.headers:
            self._challenge = r.headers["www-authenticate"]
            self._send(method, uri, headers)
            r = self._response()
        if r.status != 200:
            raise RtpInputError(f"RTSP {method} {uri}: {r.status}", status=r.status)
        return r

    def open(self) -> VideoSdp:
        """OPTIONS, DESCRIBE, SETUP, PLAY; the video stream's SDP (NotH264Error if the
        video is another codec)."""
        self.request("OPTIONS", self.url)
        described = self.request("DESCRIBE", self.url, {"Accept": "application/sdp"})
        base = described.headers.get("content-base", self.url)
        sdp = parse_sdp(described.body, base_url=base)
        setup = self.request("SETUP", sdp.control or self.url, {"Transport": self._transport()})
        if self._udp is not None and "/TCP" in setup.headers.get("transport", "").upper():
            self._close_udp()  # the server chose interleaved TCP: read RTP from the connection
        session = setup.headers.get("session", "")
        self._session = session.split(";")[0] or None
        match = re.search(r"timeout=(\d+)", session)
        if match:
            self._keepalive_s = max(5.0, int(match.group(1)) / 2)
        self.request("PLAY", base, {"Range": "npt=0.000-"})
        return sdp

    def _transport(self) -> str:
        if self.transport == "tcp":
            return "RTP/AVP/TCP;unicast;interleaved=0-1"
        for _ in range(20):  # an even port for RTP and the next one for RTCP
            rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp.bind(("", 0))
            port = int(rtp.getsockname()[1])
            if port % 2 == 0:
                rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    rtcp.bind(("", port + 1))
                except OSError:
                    rtcp.close()
                else:
                    rtp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
                    self._udp, self._rtcp = rtp, rtcp
                    return f"RTP/AVP;unicast;client_port={port}-{port + 1}"
            rtp.close()
        raise RtpInputError("no free UDP port pair for RTP")

    def packets(self, idle_s: float | None = None) -> Iterator[bytes]:
        """RTP packets of the video stream as they arrive; keeps the session alive. With
        ``idle_s``, an empty ``b""`` every ``idle_s`` seconds without data (so the caller can
        check its stop flag); without, RtpInputError after the timeout without data."""
        if self._udp is not None:
            yield from self._udp_packets(self._udp, idle_s)
            return
        if idle_s is not None:
            self._sock.settimeout(idle_s)
        next_keepalive = time.monotonic() + self._keepalive_s
        while True:
            if time.monotonic() > next_keepalive:
                self._send("GET_PARAMETER", self.url)
                next_keepalive = time.monotonic() + self._keepalive_s
            try:
                while len(self._buf) < 4:
                    self._fill(idle_s is not None)
                if self._buf[:1] != b"$":
                    if b"\r\n\r\n" not in self._buf:
                        self._fill(idle_s is not None)
                        continue
                    self._response()  # a keepalive answer
                    continue
                size = int.from_bytes(self._buf[2:4], "big")
                while len(self._buf) < 4 + size:
                    self._fill(idle_s is not None)
            except _Idle:
                yield b""
                continue
            channel, frame = self._buf[1], self._buf[4 : 4 + size]
            self._buf = self._buf[4 + size :]
            if channel == 0:
                yield frame

    def _udp_packets(self, udp: socket.socket, idle_s: float | None) -> Iterator[bytes]:
        udp.settimeout(idle_s if idle_s is not None else self._timeout)
        next_keepalive = time.monotonic() + self._keepalive_s
        while True:
            try:
                data = udp.recv(65536)
            except TimeoutError as exc:
                if idle_s is None:
                    raise RtpInputError(f"no RTP from {self.url}") from exc
                data = b""
            if time.monotonic() > next_keepalive:
                self._send("GET_PARAMETER", self.url)
                next_keepalive = time.monotonic() + self._keepalive_s
                self._drain_control()
            elif not data:
                self._drain_control()
            yield data

    def _drain_control(self) -> None:
        """Read (and drop) keepalive answers; a closed RTSP connection ends the stream."""
        while select.select([self._sock], [], [], 0)[0]:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise RtpInputError(f"{self.url} closed the connection")

    def _close_udp(self) -> None:
        for s in (self._udp, self._rtcp):
            if s is not None:
                s.close()
        self._udp = self._rtcp = None

    def close(self) -> None:
        try:
            if self._session:
                self._sock.settimeout(0.5)
                self._send("TEARDOWN", self.url)
        except OSError:
            pass
        finally:
            self._sock.close()
            self._close_udp()
