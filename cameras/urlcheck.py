"""Is a camera URL usable? Checked before a camera is saved, with a message saying what to fix."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from streams import SourceError, probe_source

NETWORK_SCHEMES = {"rtsp", "rtsps", "rtmp", "rtmps", "http", "https"}


class UrlProblem(Exception):
    """The URL cannot work as given; the message says why and what to do."""


def check_syntax(url: str) -> None:
    """Reject URLs that can never work, without touching the network."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("", "file"):
        path = Path(parts.path if scheme == "file" else url)
        if not path.is_absolute():
            raise UrlProblem(f"{url!r}: give an absolute file path or a stream URL (rtsp://…)")
        if not path.is_file():
            raise UrlProblem(f"file not found: {path}")
        return
    if scheme not in NETWORK_SCHEMES:
        allowed = ", ".join(sorted(NETWORK_SCHEMES | {"file"}))
        raise UrlProblem(f"unsupported URL scheme {scheme!r}: use one of {allowed}")
    if not parts.hostname:
        raise UrlProblem(f"{url!r} has no host name")


def check_reachable(
    url: str, timeout_s: float, transport: Literal["tcp", "udp"] = "tcp"
) -> None:
    """Open the source and decode a few frames; raise UrlProblem with the reason if it fails."""
    check_syntax(url)
    host = urlsplit(url).hostname
    if host:
        try:
            socket.getaddrinfo(host, None)
        except socket.gaierror as exc:
            raise UrlProblem(f"host not found: {host} (check the address)") from exc
    try:
        probe_source(url, max_frames=3, timeout_s=timeout_s, transport=transport)
    except SourceError as exc:
        raise UrlProblem(f"cannot open {url}: {exc}") from exc
