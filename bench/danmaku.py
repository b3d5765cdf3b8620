"""Danmaku (弹幕) delivery: one account posts markers on a camera at a steady rate through the
API while `--viewers` accounts' marker feeds (WS /api/markers/ws, what every live view and
video-wall tile subscribes to) receive them, on a real CityEye server. Measured per marker from
just before the POST to its arrival on each feed. Baseline in the same run: the author's own
POST round trip (validation, rate limit, database write). Target (issue #7): a marker reaches
the other viewers within 1 s (p95).

The browser's last step (the feed message to the marker in the DOM) is printed by
tests/e2e/test_danmaku.py for one marker; it is a few milliseconds on top of these figures.

    python bench/danmaku.py [--rate 5] [--viewers 30] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alerts import (  # bench/ is not a package: its directory is on the path
    PASSWORD,
    latency_figures,
    serve,
)

CAMERA = "cam-00"


@dataclass
class Clocks:
    """perf_counter() just before each POST, when its response came back, and when each
    viewer received it; keyed by the marker's text."""

    sent: dict[str, float] = field(default_factory=dict)
    answered: dict[str, float] = field(default_factory=dict)
    arrived: list[dict[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def setup(base: str) -> str:
    r = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": PASSWORD})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        c.post("/api/cameras", params={"check": "false"}, json={
            "id": CAMERA, "name": "南京西路 1 号", "url": "rtsp://127.0.0.1:9/x",
            "unit": "jiangsulu", "enabled": False,
        }).raise_for_status()
    return token


def post_markers(base: str, token: str, clocks: Clocks, rate: float, seconds: float) -> None:
    """From a thread, like a patroller's browser: one POST per marker, paced to `rate`/s."""
    n = int(rate * seconds)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        t0 = time.perf_counter()
        for i in range(n):
            wait = t0 + i / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            text = f"bench {i:05d} 人员聚集"
            with clocks.lock:
                clocks.sent[text] = time.perf_counter()
            r = c.post("/api/markers", json={"camera_id": CAMERA, "text": text,
                                             "x": 0.5, "y": 0.5})
            r.raise_for_status()
            with clocks.lock:
                clocks.answered[text] = time.perf_counter()


async def view(url: str, sink: dict[str, float], ready: asyncio.Event,
               stop: asyncio.Event) -> None:
    async with connect(url, max_size=2**22) as ws:
        ready.set()
        while not stop.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            t = time.perf_counter()
            msg = json.loads(text)
            if msg.get("type") == "marker" and msg.get("op") == "created":
                sink.setdefault(msg["marker"]["text"], t)


async def measure(base: str, token: str, args: argparse.Namespace) -> Clocks:
    url = f"{base.replace('http', 'ws')}/api/markers/ws?camera_id={CAMERA}&token={token}"
    clocks, stop = Clocks(), asyncio.Event()
    clocks.arrived = [{} for _ in range(args.viewers)]
    ready = [asyncio.Event() for _ in range(args.viewers)]
    viewers = [asyncio.create_task(view(url, sink, r, stop))
               for sink, r in zip(clocks.arrived, ready, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 30)
    await asyncio.to_thread(post_markers, base, token, clocks, args.rate, args.seconds)
    await asyncio.sleep(2.0)  # let the tail arrive
    stop.set()
    await asyncio.gather(*viewers)
    return clocks


def run(args: argparse.Namespace) -> None:
    overrides = {"marker_rate_limit": 1000, "marker_rate_window_s": 1.0}
    with tempfile.TemporaryDirectory() as tmp, \
            serve(Path(tmp), args.port, **overrides) as (base, _bus):
        token = setup(base)
        clocks = asyncio.run(measure(base, token, args))
    n = len(clocks.sent)
    print(f"\ndanmaku: {n} markers at {args.rate:g}/s on one camera, {args.viewers} viewers")
    post = [(clocks.answered[k] - t) * 1000 for k, t in clocks.sent.items() if k in clocks.answered]
    every = [(sink[k] - t) * 1000 for sink in clocks.arrived for k, t in clocks.sent.items()
             if k in sink]
    first = [min(sink[k] for sink in clocks.arrived if k in sink) * 1000 - t * 1000
             for k, t in clocks.sent.items() if any(k in sink for sink in clocks.arrived)]
    b95 = latency_figures("POST round trip (baseline)", post, n)
    latency_figures("first viewer", first, n)
    p95 = latency_figures(f"every viewer ({args.viewers})", every, n * args.viewers)
    if p95 is not None and b95 is not None:
        print(f"viewers p95 / POST p95 = {p95 / max(b95, 1e-3):.2f}x;"
              f" target p95 <= 1000 ms: {'met' if p95 <= 1000 else 'NOT met'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=5.0, help="markers per second")
    p.add_argument("--viewers", type=int, default=30)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--port", type=int, default=8766)
    logging.basicConfig(level=logging.WARNING)
    run(p.parse_args())


if __name__ == "__main__":
    main()
