"""Glass-to-glass latency of the live path, and server CPU per viewer.

    .venv/bin/python bench/latency.py [--sizes 720p,1080p] [--seconds 10] [--no-chromium]

A generated camera (bench/latency_source.py: 30 fps H.264, no B-frames, GOP 1 s) stamps the
wall-clock time into its pixels and is served on loopback as RTP/UDP (with an SDP) and by an
RTSP server. Viewers decode each frame and read the stamp; latency = decoded (aiortc) or
expected display time (Chromium) minus the stamp. Printed per size, p50 / p95 in ms:

  floor           the RTP decoded straight off the UDP socket, frames completed on the marker bit
  cityeye rtsp    CityEye server: RTSP ingest (marker-bit RTP, streams/rtpsession.py; FFmpeg
                  only as a fallback) -> relay -> WHEP viewer
  cityeye rtp     CityEye server with the SDP file as the camera URL (RTP/UDP ingest)
  relay rtp/rtsp  the relay alone fed by marker-bit RTP input (streams/rtpin.py, no decoder
                  process, no analysis decode; bench/latency_relay.py)

for an aiortc WHEP viewer (frames completed on the marker bit, as browsers do) and Chromium
(CityEye rows are measured once both cameras have run for ``--settle`` seconds: a fresh
server is slower for its first ~20 s);
then the CityEye server process's CPU with 1, 10 and 50 viewers. Those viewers negotiate
WHEP, ICE, DTLS and SRTP like any other, then count the video packets off their ICE socket
(frames by the marker bit in the clear RTP header, losses by sequence gaps) instead of
decrypting them: 50 full aiortc receivers need more CPU than this machine has beside the
server, and a viewer that falls behind sends NACKs and PLIs the server then answers, so the
figure would measure the viewers' overload. Their RTCP (receiver reports) stops with that; the
server's own RTCP (sender reports) still flows. The share of frames the viewers completed is
printed with each figure. The CPU is shared with other jobs: compare rows of the same run,
not runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from latency_browser import MEASURE_JS  # noqa: E402
from latency_source import read_stamp, sdp_text  # noqa: E402

from streams.rtpin import H264Depacketizer  # noqa: E402
from streams.webrtc.client import WhepError, WhepViewer  # noqa: E402

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
TICKS = os.sysconf("SC_CLK_TCK")
FPS = 30  # bench/latency_source.py
PASSWORD = "bench-admin-pass"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy="
                  "no-user-gesture-required", "--allow-loopback-in-peer-connection",
                  "--disable-features=WebRtcHideLocalIpsWithMdns"]


@dataclass(frozen=True)
class Row:
    label: str
    samples: list[float]
    note: str = ""

    def text(self) -> str:
        if not self.samples:
            return f"{self.label:<34} {'-':>7} {'-':>7} {0:>6}  {self.note}"
        q = np.percentile(self.samples, [50, 95])
        return f"{self.label:<34} {q[0]:7.1f} {q[1]:7.1f} {len(self.samples):6d}  {self.note}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def luma(frame: av.VideoFrame) -> npt.NDArray[np.uint8]:
    plane = frame.planes[0]
    data = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
    return np.ascontiguousarray(data[:, : frame.width])


@contextmanager
def process(args: list[str], env: dict[str, str] | None = None, ready: str = "") -> Iterator[
        subprocess.Popen[str]]:
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, text=True,
                            stdout=subprocess.PIPE if ready else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        if ready:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if ready not in line:
                raise RuntimeError(f"{args[1]} did not start: {line!r}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_http(url: str, ok: Callable[[httpx.Response], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout} s")


def floor(port: int, seconds: float, warmup: float) -> list[float]:
    """No relay: RTP off the socket, access units on the marker bit, decoded here."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(2)
    depack = H264Depacketizer(96)
    decoder = av.CodecContext.create("h264", "r")
    out: list[float] = []
    start = time.monotonic()
    try:
        while time.monotonic() - start < warmup + seconds:
            for unit in depack.feed(sock.recv(65536)):
                for frame in decoder.decode(av.Packet(unit.data)):
                    now = time.time() * 1000
                    ms = read_stamp(luma(frame))
                    if ms is not None and time.monotonic() - start > warmup:
                        out.append(now - ms)
    finally:
        sock.close()
    return out


async def connected(base: str, camera: str, token: str | None, decode: bool = True,
                    endpoint: str | None = None, tries: int = 3) -> WhepViewer:
    """A connected viewer; retried because the shared CPU can stall a handshake."""
    for attempt in range(tries):
        viewer = WhepViewer(base, camera, token, decode=decode, endpoint=endpoint,
                            timeout_s=30)
        try:
            await viewer.connect()
            return viewer
        except (httpx.HTTPError, WhepError) as exc:
            await viewer.close(delete=False)
            if attempt == tries - 1:
                raise
            print(f"    viewer connect failed ({exc!r}); again", flush=True)
    raise AssertionError("unreachable")


async def aiortc_viewer(base: str, camera: str, token: str | None, seconds: float,
                        warmup: float, endpoint: str | None = None) -> list[float]:
    viewer = await connected(base, camera, token, endpoint=endpoint)
    out: list[float] = []
    try:
        start = time.monotonic()
        while time.monotonic() - start < warmup + seconds:
            frame = await viewer.next_frame()
            ms = read_stamp(luma(frame.image))
            if ms is not None and time.monotonic() - start > warmup:
                out.append(frame.received_at * 1000 - ms)
    finally:
        await viewer.close()
    return out


def chromium(url: str, token: str | None, selector: str, seconds: float,
             warmup: float) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            if token:
                context.add_init_script(f"sessionStorage.setItem('cityeye.token', '{token}')")
            page = context.new_page()
            page.goto(url)
            page.evaluate(MEASURE_JS, selector)
            page.wait_for_function("() => window.__lat && window.__lat.length > 5",
                                   timeout=60_000)
            page.wait_for_timeout(warmup * 1000)
            page.evaluate("() => { window.__lat = []; }")
            page.wait_for_timeout(seconds * 1000)
            return [float(x) for x in page.evaluate("() => window.__lat")]
        finally:
            browser.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class PacketCounter:
    """Counts a viewer's video packets off its ICE transport, before DTLS/SRTP: the RTP header
    is sent in the clear, so frames (marker bit) and losses (sequence gaps) need no
    decryption. RTCP, DTLS and data-channel datagrams pass through to aiortc."""

    def __init__(self) -> None:
        self.packets = 0
        self.frames = 0
        self.lost = 0
        self._next_seq: int | None = None

    def install(self, viewer: WhepViewer) -> None:
        transceiver = viewer.pc.getTransceivers()[0]
        ice = transceiver.receiver.transport.transport
        inner = ice._recv

        async def recv() -> bytes:
            while True:
                data: bytes = await inner()
                if len(data) >= 12 and 127 < data[0] < 192 and not 192 <= data[1] <= 223:
                    self._count(data)
                    continue
                return data

        setattr(ice, "_recv", recv)  # noqa: B010

    def _count(self, data: bytes) -> None:
        seq = int.from_bytes(data[2:4], "big")
        if self._next_seq is not None and seq != self._next_seq:
            self.lost += (seq - self._next_seq) & 0xFFFF
        self._next_seq = (seq + 1) & 0xFFFF
        self.packets += 1
        self.frames += data[1] >> 7


async def cpu_per_viewer(base: str, camera: str, token: str, pid: int,
                         counts: list[int], seconds: float) -> list[tuple[int, float, float]]:
    """Server CPU (% of a core) at each viewer count, with the share of the camera's frames
    the viewers received in the window."""
    viewers: list[tuple[WhepViewer, PacketCounter]] = []
    out = []
    try:
        for n in counts:
            while len(viewers) < n:
                viewer, counter = await connected(base, camera, token, decode=False), \
                    PacketCounter()
                counter.install(viewer)
                viewers.append((viewer, counter))
            await asyncio.sleep(3)
            f0 = sum(c.frames for _, c in viewers)
            lost0 = sum(c.lost for _, c in viewers)
            c0, t0 = cpu_seconds(pid), time.monotonic()
            await asyncio.sleep(seconds)
            c1, t1 = cpu_seconds(pid), time.monotonic()
            got = sum(c.frames for _, c in viewers) - f0
            lost = sum(c.lost for _, c in viewers) - lost0
            delivered = got / (n * FPS * (t1 - t0))
            out.append((n, 100 * (c1 - c0) / (t1 - t0), delivered))
            print(f"    {n:3d} viewers: server {out[-1][1]:5.1f} % of a core; viewers received"
                  f" {got} frames ({100 * delivered:.0f} % of {FPS} fps each), {lost} packets"
                  " lost", flush=True)
    finally:
        for v, _ in viewers:
            await v.close()
    return out


class CityEye:
    """`cityeye serve` in a temporary data dir (vision off), with loopback ICE."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {"CITYEYE_DATA_DIR": str(data), "CITYEYE_ADMIN_PASSWORD": PASSWORD,
                    "CITYEYE_WEBRTC_HOSTS": "127.0.0.1", "CITYEYE_VISION_ENABLED": "false"}
        self.token = ""

    def args(self) -> list[str]:
        return [sys.executable, "-m", "cli", "serve", "--port", str(self.port)]

    def login(self) -> None:
        wait_http(f"{self.base}/api/health", lambda r: r.status_code == 200)
        r = httpx.post(f"{self.base}/api/auth/login", timeout=10,
                       json={"username": "admin", "password": PASSWORD})
        r.raise_for_status()
        self.token = r.json()["access_token"]

    def add_camera(self, cid: str, url: str, wait_s: float = 30) -> str:
        headers = {"Authorization": f"Bearer {self.token}"}
        body = {"id": cid, "name": cid, "url": url, "unit": "jiangsulu", "analysis_fps": 1}
        with httpx.Client(base_url=self.base, headers=headers, timeout=15) as c:
            c.post("/api/cameras", params={"check": "false"}, json=body).raise_for_status()
            deadline = time.monotonic() + wait_s
            while True:
                live = c.get(f"/api/cameras/{cid}/live").json()
                if live["camera_status"] == "online" and live["codec"]:
                    return "online"
                if time.monotonic() > deadline:
                    return f"{live['camera_status']}: {live['last_error']}"
                time.sleep(0.3)


def measure_size(name: str, args: argparse.Namespace) -> list[Row]:
    width, height = SIZES[name]
    floor_port, sdp_port, rtsp_port = free_port(), free_port(), free_port()
    rows: list[Row] = []
    s, w = args.seconds, args.warmup
    tmp = Path(tempfile.mkdtemp(prefix="cityeye-latency-"))
    sdp = tmp / "camera.sdp"
    sdp.write_text(sdp_text(sdp_port), encoding="utf-8")
    source = [sys.executable, "bench/latency_source.py", "--size", f"{width}x{height}",
              "--udp", f"127.0.0.1:{floor_port}", "--udp", f"127.0.0.1:{sdp_port}",
              "--rtsp-port", str(rtsp_port)]
    rtsp = f"rtsp://127.0.0.1:{rtsp_port}/cam"
    with process(source, ready="ready"):
        print(f"[{name}] floor", flush=True)
        rows.append(Row(f"{name} floor (no relay)", floor(floor_port, s, w)))
        server = CityEye(tmp / "data")
        with process(server.args(), env=server.env) as proc:
            server.login()
            state = server.add_camera("rtsp-cam", rtsp)
            print(f"[{name}] cityeye rtsp ingest: {state}", flush=True)
            rtp_state = server.add_camera("rtp-cam", str(sdp), wait_s=8)
            print(f"[{name}] cityeye rtp (sdp) ingest: {rtp_state}", flush=True)
            # a fresh server runs the live path ~10 ms slower (p95: hundreds) for its first
            # ~20 s (one-off start-up work): measure the steady state
            time.sleep(args.settle)
            if state == "online":
                rows.append(Row(f"{name} cityeye rtsp -> aiortc", asyncio.run(
                    aiortc_viewer(server.base, "rtsp-cam", server.token, s, w))))
                if args.chromium:
                    rows.append(Row(f"{name} cityeye rtsp -> chromium", chromium(
                        f"{server.base}/live/rtsp-cam", server.token,
                        '[data-testid="live-video"]', s, w)))
            if rtp_state == "online":
                rows.append(Row(f"{name} cityeye rtp -> aiortc", asyncio.run(
                    aiortc_viewer(server.base, "rtp-cam", server.token, s, w))))
            else:
                rows.append(Row(f"{name} cityeye rtp -> aiortc", [], f"ingest: {rtp_state}"))
            if name == args.cpu_size:
                print(f"[{name}] server CPU per viewer (rtsp camera)", flush=True)
                cpu = asyncio.run(cpu_per_viewer(server.base, "rtsp-cam", server.token,
                                                 proc.pid, args.viewers, s))
                first, last = cpu[0], cpu[-1]
                per = (last[1] - first[1]) / max(1, last[0] - first[0])
                table = ", ".join(f"{n}: {c:.1f} % ({100 * d:.0f} % delivered)"
                                  for n, c, d in cpu)
                rows.append(Row(f"{name} cpu per extra viewer", [],
                                f"{per:.2f} % of a core ({table})"))
        for label, url in (("rtp", str(sdp)), ("rtsp", rtsp)):
            port = free_port()
            relay = [sys.executable, "bench/latency_relay.py", "--source", url,
                     "--port", str(port)]
            with process(relay):
                base = f"http://127.0.0.1:{port}"
                wait_http(f"{base}/health", lambda r: r.json().get("status") == "online")
                print(f"[{name}] relay fed by marker-bit {label}", flush=True)
                rows.append(Row(f"{name} relay {label} -> aiortc", asyncio.run(
                    aiortc_viewer(base, "cam", None, s, w, endpoint=f"{base}/whep"))))
                if args.chromium:
                    rows.append(Row(f"{name} relay {label} -> chromium", chromium(
                        base + "/", None, "#v", s, w)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="720p,1080p")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=20.0,
                    help="seconds the CityEye cameras run before they are measured")
    ap.add_argument("--viewers", default="1,10,50")
    ap.add_argument("--cpu-size", default="1080p", help="size at which to measure CPU")
    ap.add_argument("--no-chromium", dest="chromium", action="store_false")
    args = ap.parse_args(argv)
    args.viewers = [int(x) for x in args.viewers.split(",")]
    rows: list[Row] = []
    for name in args.sizes.split(","):
        rows += measure_size(name, args)
    print(f"\nglass-to-glass latency, ms ({os.cpu_count()} CPUs, shared)")
    print(f"{'path':<34} {'p50':>7} {'p95':>7} {'frames':>6}")
    for row in rows:
        print(row.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
