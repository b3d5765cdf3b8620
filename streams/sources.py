"""Source kinds, FFmpeg open options, and one-line error messages for every failure."""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import av
import av.error
from av.container import InputContainer

from streams.datatypes import HwAccel, SourceError, Transport

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "rtmp": 1935, "rtmps": 443, "http": 80, "https": 443}


class SourceKind(StrEnum):
    FILE = "file"
    RTSP = "rtsp"
    RTMP = "rtmp"
    HLS = "hls"
    HTTP_FLV = "http-flv"
    MJPEG = "mjpeg"
    HTTP = "http"  # any other HTTP stream FFmpeg can probe
    SDP = "sdp"  # an SDP description (file or http URL) of an RTP/UDP stream

    @property
    def is_network(self) -> bool:
        return self is not SourceKind.FILE

    @property
    def paced(self) -> bool:
        """Sources that can deliver faster than real time and are paced by pts."""
        return self in (SourceKind.FILE, SourceKind.HLS)


@dataclass(frozen=True)
class SourceLocation:
    kind: SourceKind
    target: str  # the path or URL given to FFmpeg
    host: str | None
    port: int | None

    @property
    def where(self) -> str:
        if self.host is None:
            return self.target
        return f"{self.host}:{self.port}" if self.port else self.host


def redact(url: str) -> str:
    """The URL without a password, safe for logs and status lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def classify(url: str) -> SourceLocation:
    """Work out what kind of source a camera URL is; raise SourceError if unusable."""
    text = url.strip()
    if not text:
        raise SourceError("empty source URL")
    if "://" not in text:
        return SourceLocation(_file_kind(text), text, None, None)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return SourceLocation(_file_kind(parts.path), parts.path, None, None)
    host = parts.hostname
    if scheme not in DEFAULT_PORTS:
        raise SourceError(
            f"unsupported URL scheme '{scheme}': use rtsp://, rtmp://, http(s):// or a file path"
        )
    if not host:
        raise SourceError(f"no host in URL {redact(text)}")
    port = parts.port or DEFAULT_PORTS[scheme]
    path = parts.path.lower()
    if scheme.startswith("rtsp"):
        kind = SourceKind.RTSP
    elif scheme.startswith("rtmp"):
        kind = SourceKind.RTMP
    elif path.endswith(".m3u8") or path.endswith(".m3u"):
        kind = SourceKind.HLS
    elif path.endswith(".sdp") and not scheme.startswith("rtmp"):
        kind = SourceKind.SDP
    elif path.endswith(".flv"):
        kind = SourceKind.HTTP_FLV
    elif path.endswith((".mjpg", ".mjpeg")) or "mjpeg" in path or "mjpg" in path:
        kind = SourceKind.MJPEG
    else:
        kind = SourceKind.HTTP
    return SourceLocation(kind, text, host, port)


def _file_kind(path: str) -> SourceKind:
    return SourceKind.SDP if path.lower().endswith(".sdp") else SourceKind.FILE


def open_options(loc: SourceLocation, transport: Transport, timeout_s: float) -> dict[str, str]:
    """FFmpeg options for a source: bounded waits, quick probing of live streams."""
    if loc.kind is SourceKind.FILE:
        return {}
    micros = str(int(timeout_s * 1_000_000))
    opts = {"rw_timeout": micros, "analyzeduration": "1500000", "probesize": "2000000"}
    if loc.kind is SourceKind.RTSP:
        opts.update({"rtsp_transport": transport, "timeout": micros})
        if transport == "udp":
            opts["buffer_size"] = str(4 * 1024 * 1024)
            opts["max_delay"] = "500000"
    elif loc.kind is SourceKind.RTMP:
        opts["rtmp_live"] = "live"
    elif loc.kind is SourceKind.HLS:
        opts["http_persistent"] = "0"
    elif loc.kind is SourceKind.SDP:
        opts["protocol_whitelist"] = "file,http,https,tcp,tls,udp,rtp,crypto"
        opts["buffer_size"] = str(4 * 1024 * 1024)
        opts["max_delay"] = "500000"
    return opts


def check_reachable(loc: SourceLocation) -> None:
    """Fail early, with a clear line, for missing files and hosts that do not resolve."""
    if loc.host is None:  # a file (or an .sdp file)
        path = Path(loc.target)
        if not path.exists():
            raise SourceError(f"file not found: {loc.target}")
        if path.is_dir():
            raise SourceError(f"not a video file: {loc.target} is a directory")
        return
    assert loc.host is not None
    try:
        socket.getaddrinfo(loc.host, loc.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SourceError(f"host not found: {loc.host}") from exc
    except OSError as exc:
        raise SourceError(f"cannot resolve {loc.host}: {exc.strerror}", transient=True) from exc


def open_input(
    loc: SourceLocation,
    *,
    transport: Transport,
    timeout_s: float,
    read_timeout_s: float,
    hwaccel: HwAccel = "none",
) -> InputContainer:
    """Open a source with bounded waits; every failure becomes one SourceError line."""
    check_reachable(loc)
    kwargs: dict[str, Any] = {}
    if hwaccel == "cuda":
        kwargs["hwaccel"] = cuda_accel()
    try:
        container: InputContainer = av.open(
            loc.target,
            mode="r",
            options=open_options(loc, transport, timeout_s),
            timeout=(timeout_s, read_timeout_s),
            **kwargs,
        )
    except (av.error.FFmpegError, OSError) as exc:
        raise describe(exc, loc, timeout_s) from exc
    return container


def cuda_accel() -> Any:
    from av.codec.hwaccel import HWAccel, hwdevices_available

    if "cuda" not in hwdevices_available():
        log.warning("hwaccel 'cuda' requested but FFmpeg has no CUDA device; decoding on CPU")
        return None
    return HWAccel(device_type="cuda", allow_software_fallback=True)


def describe(exc: BaseException, loc: SourceLocation, timeout_s: float) -> SourceError:
    """Turn an FFmpeg/OS exception into one clear line (and whether to retry soon)."""
    net = loc.kind.is_network
    proto = "RTSP" if loc.kind is SourceKind.RTSP else "HTTP"
    where = loc.where
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, av.error.HTTPNotFoundError):
        return SourceError(f"{proto} 404 Not Found: check the stream path ({redact(loc.target)})")
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return SourceError(f"{proto} access denied by {where}: check the user name and password")
    if isinstance(exc, av.error.HTTPError):
        return SourceError(f"{proto} error from {where}: {_strerror(exc)}", transient=True)
    if isinstance(exc, ConnectionRefusedError):
        return SourceError(f"connection refused by {where}", transient=True)
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return SourceError(f"connection to {where} lost", transient=True)
    if isinstance(exc, av.error.ExitError | TimeoutError):
        return SourceError(f"no answer from {where} within {timeout_s:g} s", transient=True)
    if isinstance(exc, av.error.FileNotFoundError | FileNotFoundError) and not net:
        return SourceError(f"file not found: {loc.target}")
    if isinstance(exc, av.error.InvalidDataError):
        if net:
            return SourceError(f"invalid data from {where}: not a playable stream", transient=True)
        return SourceError("not a video file: invalid data found when processing input")
    if isinstance(exc, av.error.DecoderNotFoundError | av.error.DemuxerNotFoundError):
        return SourceError(f"unsupported format: {_strerror(exc)}")
    if isinstance(exc, av.error.ProtocolNotFoundError):
        return SourceError(f"unsupported protocol in {redact(loc.target)}")
    if isinstance(exc, av.error.EOFError) or (
        isinstance(exc, OSError) and exc.errno == errno.EIO and net
    ):
        return SourceError(f"stream from {where} ended or failed (I/O error)", transient=True)
    if isinstance(exc, OSError) and not net:
        return SourceError(f"cannot read {loc.target}: {_strerror(exc)}")
    return SourceError(f"{type(exc).__name__} from {where}: {_strerror(exc)}", transient=net)


def _strerror(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).splitlines()[0] if text else type(exc).__name__
