"""The benchmark's live camera: 30 fps H.264 (no B-frames, GOP 1 s) whose pixels carry the
wall-clock time they were made, sent as RTP over UDP (as an SDP describes) and served by a
small RTSP server (RTP interleaved over TCP) on loopback.

    python bench/latency_source.py --size 1280x720 --udp 127.0.0.1:5600 --rtsp-port 8554

Stamp: 48 bits of milliseconds + an 8-bit checksum as 56 black/white blocks along the top
edge (block = height / 36 pixels); ``read_stamp`` decodes them from a luma plane.
"""

from __future__ import annotations

import argparse
import random
import socket
import struct
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.video.codeccontext import VideoCodecContext

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from aiortc.codecs.h264 import H264Encoder

BITS = 56
PT = 96
SSRC = 0x1234ABCD


def block_size(height: int) -> int:
    return max(8, height // 36)


def stamp_bits(ms: int) -> list[int]:
    raw = ms.to_bytes(6, "big")
    check = sum(raw) & 0xFF
    value = (ms << 8) | check
    return [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]


def write_stamp(luma: npt.NDArray[np.uint8], ms: int) -> None:
    b = block_size(luma.shape[0])
    for i, bit in enumerate(stamp_bits(ms)):
        luma[:b, i * b : (i + 1) * b] = 235 if bit else 16


def read_stamp(luma: npt.NDArray[np.uint8]) -> int | None:
    """The stamp in ms, or None when the checksum does not match."""
    b = block_size(luma.shape[0])
    lo, hi = b // 4, b - b // 4
    value = 0
    for i in range(BITS):
        cell = luma[lo:hi, i * b + lo : i * b + hi]
        value = (value << 1) | int(cell.mean() > 126)
    ms, check = value >> 8, value & 0xFF
    return ms if sum(ms.to_bytes(6, "big")) & 0xFF == check else None


def backgrounds(width: int, height: int, n: int) -> list[npt.NDArray[np.uint8]]:
    """Moving textured scenes (yuv420p planes stacked), so the encoder has real work."""
    rng = np.random.default_rng(7)
    texture = rng.integers(40, 215, size=(height, width + n * 8), dtype=np.uint8)
    gradient = np.linspace(30, 220, width, dtype=np.float32)[None, :]
    out = []
    for i in range(n):
        y = (0.6 * gradient + 0.4 * texture[:, i * 8 : i * 8 + width]).astype(np.uint8)
        y[height // 3 : height // 3 + height // 5, (i * 24) % width :][:, : width // 6] = 240
        chroma = np.full((height // 2, width), 128, dtype=np.uint8)
        out.append(np.vstack([y, chroma]))
    return out


def open_encoder(width: int, height: int, fps: int, bitrate: int) -> VideoCodecContext:
    ctx = av.CodecContext.create("libx264", "w")
    assert isinstance(ctx, VideoCodecContext)
    ctx.width, ctx.height, ctx.pix_fmt = width, height, "yuv420p"
    ctx.time_base = Fraction(1, fps)
    ctx.framerate = Fraction(fps, 1)
    ctx.bit_rate = bitrate
    ctx.options = {
        "preset": "ultrafast", "tune": "zerolatency", "profile": "main",
        "x264-params": f"keyint={fps}:min-keyint={fps}:scenecut=0:bframes=0:repeat-headers=1"
                       f":vbv-maxrate={bitrate // 1000}:vbv-bufsize={bitrate // 2000}",
    }
    ctx.open()
    return ctx


SDP_BODY = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=CityEye latency source\r\nt=0 0\r\n"
            "m=video {port} RTP/AVP 96\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:96 H264/90000\r\n"
            "a=fmtp:96 packetization-mode=1\r\na=control:trackID=0\r\n")


def sdp_text(port: int) -> str:
    return SDP_BODY.format(port=port)


class RtspServer:
    """Serves the live RTP to RTSP clients (interleaved TCP), starting them at a keyframe."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", port))
        self.clients: list[socket.socket] = []
        self.pending: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                self._answer(conn, head.decode("latin-1").split("\r\n"))
        except OSError:
            return
        finally:
            with self.lock:
                for group in (self.clients, self.pending):
                    if conn in group:
                        group.remove(conn)
            conn.close()

    def _answer(self, conn: socket.socket, lines: list[str]) -> None:
        method, url = lines[0].split()[:2]
        headers = {k.strip().lower(): v.strip() for k, v in
                   (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
        extra, body = "", ""
        if method == "OPTIONS":
            extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n"
        elif method == "DESCRIBE":
            body = sdp_text(0)
            extra = f"Content-Base: {url.rstrip('/')}/\r\nContent-Type: application/sdp\r\n"
        elif method == "SETUP":
            extra = ("Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
                     "Session: 4242;timeout=60\r\n")
        elif method == "PLAY":
            extra = "Session: 4242\r\n"
        reply = (f"RTSP/1.0 200 OK\r\nCSeq: {headers.get('cseq', '0')}\r\n{extra}"
                 f"Content-Length: {len(body)}\r\n\r\n{body}")
        conn.sendall(reply.encode())
        if method == "PLAY":
            with self.lock:
                self.pending.append(conn)

    def send(self, packets: list[bytes], keyframe: bool) -> None:
        with self.lock:
            if keyframe:
                self.clients += self.pending
                self.pending = []
            clients = list(self.clients)
        data = b"".join(b"$\x00" + struct.pack("!H", len(p)) + p for p in packets)
        for conn in clients:
            try:
                conn.sendall(data)
            except OSError:
                with self.lock:
                    if conn in self.clients:
                        self.clients.remove(conn)


def run(size: tuple[int, int], fps: int, bitrate: int, udp: list[tuple[str, int]],
        rtsp_port: int) -> None:
    width, height = size
    rtsp = RtspServer(rtsp_port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    enc = open_encoder(width, height, fps, bitrate)
    scenes = backgrounds(width, height, 60)
    seq, ts0 = random.randrange(1 << 16), random.randrange(1 << 32)
    print("ready", flush=True)
    t0 = time.monotonic()
    for i in range(1 << 62):
        due = t0 + i / fps
        time.sleep(max(0.0, due - time.monotonic()))
        planes = scenes[i % len(scenes)].copy()
        write_stamp(planes[:height], int(time.time() * 1000))
        frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        frame.pts = i
        data = b"".join(bytes(p) for p in enc.encode(frame))
        keyframe = b"\x00\x00\x00\x01\x65" in data or b"\x00\x00\x01\x65" in data
        payloads = H264Encoder._packetize(H264Encoder._split_bitstream(data))
        ts = (ts0 + i * 90000 // fps) & 0xFFFFFFFF
        packets = []
        for k, payload in enumerate(payloads):
            marker = 0x80 if k == len(payloads) - 1 else 0
            packets.append(struct.pack("!BBHII", 0x80, marker | PT, seq, ts, SSRC) + payload)
            seq = (seq + 1) & 0xFFFF
        for packet in packets:
            for addr in udp:
                sock.sendto(packet, addr)
        rtsp.send(packets, keyframe)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--bitrate", type=int, default=0, help="bit/s (default by size)")
    ap.add_argument("--udp", action="append", default=[], help="host:port to send RTP to")
    ap.add_argument("--rtsp-port", type=int, required=True)
    args = ap.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    bitrate = args.bitrate or (4_000_000 if height >= 1080 else 2_000_000)
    udp = [(h, int(p)) for h, p in (a.rsplit(":", 1) for a in args.udp)]
    with contextlib.suppress(KeyboardInterrupt):
        run((width, height), args.fps, bitrate, udp, args.rtsp_port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
