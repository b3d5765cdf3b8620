"""A small RTSP client (RTP interleaved over TCP) for the marker-bit RTP input (rtpin.py)."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from streams.webrtc.rtpin import RtpInputError, VideoSdp, parse_sdp

USER_AGENT = "CityEye-live"
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
    return (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{resp}"{extra}')


class RtspInput:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "rtsp" or not parts.hostname:
            raise RtpInputError(f"not an rtsp:// URL: {url}")
        self._user = unquote(parts.username or "")
        self._password = unquote(parts.password or "")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.url = urlunsplit(parts._replace(netloc=netloc))
        self._timeout = timeout_s
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
            return {"Authorization": _digest(self._user, self._password, self._challenge,
                                             method, uri)}
        token = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _send(self, method: str, uri: str, headers: dict[str, str] | None = None) -> None:
        self._cseq += 1
        lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self._cseq}", f"User-Agent: {USER_AGENT}"]
        if self._session:
            lines.append(f"Session: {self._session}")
        lines += [f"{k}: {v}" for k, v in {**(headers or {}), **self._auth(method, uri)}.items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _fill(self) -> None:
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError as exc:
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
                self._buf = self._buf[4 + size:]
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0 and self._buf[:1] != b"$":
                break
            if len(self._buf) > MAX_HEADER:
                raise RtpInputError("RTSP response header too long")
            self._fill()
        head = self._buf[:end].decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in
                   (ln.split(":", 1) for ln in head[1:] if ":" in ln)}
        size = int(headers.get("content-length", "0"))
        while len(self._buf) < end + 4 + size:
            self._fill()
        body = self._buf[end + 4 : end + 4 + size].decode("utf-8", "replace")
        self._buf = self._buf[end + 4 + size:]
        status = int(head[0].split()[1]) if len(head[0].split()) > 1 else 0
        return RtspResponse(status, headers, body)

    def request(self, method: str, uri: str, headers: dict[str, str] | None = None) -> RtspResponse:
        self._send(method, uri, headers)
        r = self._response()
        if r.status == 401 and self._challenge is None and "www-authenticate" in r.headers:
            self._challenge = r.headers["www-authenticate"]
            self._send(method, uri, headers)
            r = self._response()
        if r.status != 200:
            raise RtpInputError(f"RTSP {method} {uri}: {r.status}")
        return r

    def open(self) -> VideoSdp:
        """OPTIONS, DESCRIBE, SETUP (interleaved TCP), PLAY; the video stream's SDP."""
        self.request("OPTIONS", self.url)
        described = self.request("DESCRIBE", self.url, {"Accept": "application/sdp"})
        base = described.headers.get("content-base", self.url)
        sdp = parse_sdp(described.body, base_url=base)
        setup = self.request("SETUP", sdp.control or self.url,
                             {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
        session = setup.headers.get("session", "")
        self._session = session.split(";")[0] or None
        match = re.search(r"timeout=(\d+)", session)
        if match:
            self._keepalive_s = max(5.0, int(match.group(1)) / 2)
        self.request("PLAY", base, {"Range": "npt=0.000-"})
        return sdp

    def packets(self) -> Iterator[bytes]:
        """RTP packets of interleaved channel 0, as they arrive; keeps the session alive."""
        next_keepalive = time.monotonic() + self._keepalive_s
        while True:
            if time.monotonic() > next_keepalive:
                self._send("GET_PARAMETER", self.url)
                next_keepalive = time.monotonic() + self._keepalive_s
            while len(self._buf) < 4:
                self._fill()
            if self._buf[:1] != b"$":
                self._response()  # a keepalive answer
                continue
            size = int.from_bytes(self._buf[2:4], "big")
            while len(self._buf) < 4 + size:
                self._fill()
            channel, frame = self._buf[1], self._buf[4 : 4 + size]
            self._buf = self._buf[4 + size:]
            if channel == 0:
                yield frame

    def close(self) -> None:
        try:
            if self._session:
                self._send("TEARDOWN", self.url)
        except OSError:
            pass
        finally:
            self._sock.close()
