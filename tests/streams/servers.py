"""Real servers on 127.0.0.1 and generated clips for the ingest tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
APT_HINT = (
    "apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good "
    "gstreamer1.0-plugins-bad nginx-light libnginx-mod-rtmp"
)


@functools.cache
def gst_rtsp_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    check = "import gi; gi.require_version('GstRtspServer', '1.0')"
    result = subprocess.run([SYSTEM_PYTHON, "-c", check], capture_output=True, timeout=30)
    return result.returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def wait_for(predicate: object, timeout: float, interval: float = 0.05) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def ffmpeg(*args: str, timeout: float = 60.0) -> None:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(cmd, check=True, timeout=timeout, stdin=subprocess.DEVNULL)


def make_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    fps: int = 25,
    size: str = "320x240",
    gop: int = 25,
    extra: tuple[str, ...] = (),
) -> Path:
    """A small H.264 test-pattern clip (with B-frames) made by FFmpeg."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "2",
        "-x264-params", "bframes=2:b-adapt=0", "-g", str(gop), "-pix_fmt", "yuv420p",
        *extra, str(path),
    )  # fmt: skip
    return path


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


class RtspServer:
    """gst-rtsp-server (system Python) serving ``media`` at rtsp://127.0.0.1:PORT/cam."""

    def __init__(self, media: Path, port: int | None = None, codec: str = "h264") -> None:
        if not gst_rtsp_available():
            pytest.fail(f"RTSP test server needs GStreamer's RTSP server: {APT_HINT}")
        self.media = media
        self.codec = codec
        self.port = port or free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/cam"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RtspServer:
        script = str(HERE / "gst_rtsp_server.py")
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, script, str(self.port), "/cam", str(self.media), self.codec],
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


class FfmpegPublisher:
    """``ffmpeg -re -stream_loop -1 -i MEDIA ... OUTPUT`` as a live source."""

    def __init__(self, media: Path, output: list[str], codec: tuple[str, ...] = ("-c", "copy")):
        self.cmd = [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
            "-i", str(media), "-an", *codec, *output,
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> FfmpegPublisher:
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class NginxRtmp:
    """nginx with the RTMP module (Debian libnginx-mod-rtmp), application ``live``."""

    MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")

    def __init__(self, workdir: Path) -> None:
        if shutil.which("nginx") is None or not self.MODULE.exists():
            pytest.fail(f"RTMP test server needs nginx with the RTMP module: {APT_HINT}")
        self.dir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, name: str) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live/{name}"

    def start(self) -> NginxRtmp:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(
            "daemon off;\nmaster_process off;\nworker_processes 1;\n"
            f"error_log {self.dir}/error.log warn;\npid {self.dir}/nginx.pid;\n"
            f"load_module {self.MODULE};\nevents {{ worker_connections 64; }}\n"
            f"rtmp {{ server {{ listen 127.0.0.1:{self.port}; "
            "application live { live on; } } }\n"
        )
        self.proc = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.dir), "-e", str(self.dir / "error.log")],
            stdin=subprocess.DEVNULL,
        )
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class HlsServer:
    """FFmpeg writes a live HLS playlist; a ThreadingHTTPServer serves the folder."""

    def __init__(self, media: Path, workdir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.publisher = FfmpegPublisher(
            media,
            [
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "4",
                "-hls_flags", "delete_segments", str(self.dir / "live.m3u8"),
            ],
        )  # fmt: skip
        handler = functools.partial(_QuietHandler, directory=str(self.dir))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/live.m3u8"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="test-hls-http")

    def start(self) -> HlsServer:
        self.publisher.start()
        self.thread.start()
        playlist = self.dir / "live.m3u8"

        def ready() -> bool:
            return playlist.exists() and playlist.read_text().count("#EXTINF") >= 2

        if not wait_for(ready, 20):
            raise TimeoutError("FFmpeg wrote no HLS playlist")
        return self

    def stop(self) -> None:
        self.publisher.stop()
        self.httpd.shutdown()
        self.thread.join(5)
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class SilentServer:
    """Accepts TCP connections and never answers (a camera that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def running(server: RtspServer | NginxRtmp | HlsServer | FfmpegPublisher) -> Iterator[None]:
    try:
        yield
    finally:
        server.stop()
