"""Duty desk latency: events published at a steady rate across many cameras (as the vision
workers publish them) on a real CityEye server, measured from publication to the alert change
arriving on a desk WebSocket client (WS /api/ws/desk). Baseline in the same run: the same
events arriving on the raw event feed (WS /api/ws/events), which skips the desk's policy,
grouping and database write. Target: desk p95 <= 1 s. The server starts on a fresh data dir, so
its first-start work (the crowd-flow dashboard writing weeks of simulated history, in a child
process) runs during the first seconds of the measurement: the figures include a first start.

    python bench/alerts.py [--rate 100] [--cameras 16] [--seconds 20] [--demo ../shared/media]

With --demo the server also runs the analysis (decode, detector, tracker, rules) on one looping
demo camera per clip, in the same process, as `make run DEMO=…` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import Settings
from events.bus import InProcessBus
from events.model import EVENT_KINDS, Event
from server import create_app

PASSWORD = "bench-admin-pass"
UNITS = ("jiangsulu", "huayanglu", "xinhualu")


@dataclass
class Clocks:
    """perf_counter() at publication and at arrival on each feed, per event id."""

    published: dict[str, float] = field(default_factory=dict)
    desk: dict[str, float] = field(default_factory=dict)
    events: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def serve(data_dir: Path, port: int, **overrides: Any) -> Iterator[tuple[str, InProcessBus]]:
    """A real CityEye server (no vision, no demo cameras unless `overrides` say so) on
    127.0.0.1:`port` in a thread; `overrides`: Settings fields."""
    fields: dict[str, Any] = {"vision_enabled": False, "config_file": None, "media_dir": None,
                              "demo_dir": None}
    settings = Settings(data_dir=data_dir, port=port, admin_password=PASSWORD,
                        **(fields | overrides))
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, name="bench-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield base, app.state.event_bus
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def wait_for_analysis(base: str, token: str, timeout_s: float = 180.0) -> None:
    """Until every enabled camera (the demo cameras) is being analysed."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        while time.monotonic() < deadline:
            cams = [x for x in c.get("/api/cameras").json() if x["enabled"]]
            if cams and all(x["analysis"]["status"] == "running" for x in cams):
                models = c.get("/api/health").json()["models_loaded"]
                print(f"analysing {len(cams)} demo cameras with {', '.join(models)}")
                return
            time.sleep(0.5)
    raise RuntimeError("the demo cameras' analysis did not start")


def setup(base: str, cameras: int) -> str:
    r = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": PASSWORD})
    token: str = r.json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        for i in range(cameras):
            c.post("/api/cameras", params={"check": "false"}, json={
                "id": f"cam-{i:02d}", "name": f"路口 {i}", "url": "rtsp://127.0.0.1:9/x",
                "unit": UNITS[i % len(UNITS)], "enabled": False,
            }).raise_for_status()
    return token


def publish(bus: InProcessBus, clocks: Clocks, rate: float, cameras: int, seconds: float) -> None:
    """Publish from a thread, like the vision workers, paced to `rate` events per second."""
    rng = random.Random(7)
    n = int(rate * seconds)
    t0 = time.perf_counter()
    for i in range(n):
        wait = t0 + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        cam = i % cameras
        now = datetime.now(UTC)
        ev = Event(camera_id=f"cam-{cam:02d}", kind=EVENT_KINDS[cam % 4],
                   rule_id=f"rule-{rng.randrange(4)}", tier=rng.randint(1, 4), started_at=now,
                   updated_at=now, pts=i / rate, zone_id="z1", message="bench")
        with clocks.lock:
            clocks.published[str(ev.id)] = time.perf_counter()
        bus.publish_threadsafe(ev)


async def listen(url: str, clocks: Clocks, feed: str, stop: asyncio.Event) -> None:
    sink = clocks.desk if feed == "desk" else clocks.events
    async with connect(url, max_size=2**22) as ws:
        while not stop.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            t = time.perf_counter()
            msg = json.loads(text)
            if feed == "desk" and msg.get("alert"):
                key = msg["alert"]["last_event_id"]
            elif feed == "events" and msg.get("event"):
                key = msg["event"]["id"]
            else:
                continue
            sink.setdefault(key, t)


def latency_figures(name: str, lat_ms: list[float], expected: int) -> float | None:
    """Print how many of `expected` arrived and their p50/p95/p99/max; returns the p95 (None
    when fewer than two arrived). bench/danmaku.py uses it too."""
    if len(lat_ms) < 2:
        print(f"{name:<34} {len(lat_ms)}/{expected} arrived")
        return None
    lat_ms = sorted(lat_ms)
    q = statistics.quantiles(lat_ms, n=100, method="inclusive")
    print(f"{name:<34} {len(lat_ms):>6}/{expected:<6} p50 {q[49]:7.1f} ms   p95 {q[94]:7.1f} ms"
          f"   p99 {q[98]:7.1f} ms   max {lat_ms[-1]:7.1f} ms")
    return q[94]


def figures(name: str, clocks: Clocks, sink: dict[str, float]) -> float | None:
    lat = [(sink[k] - p) * 1000 for k, p in clocks.published.items() if k in sink]
    return latency_figures(name, lat, len(clocks.published))


async def measure(base: str, token: str, bus: InProcessBus, args: argparse.Namespace) -> tuple[
    Clocks, float
]:
    ws = base.replace("http", "ws")
    clocks, stop = Clocks(), asyncio.Event()
    listeners = [
        asyncio.create_task(listen(f"{ws}/api/ws/desk?token={token}", clocks, "desk", stop)),
        asyncio.create_task(listen(f"{ws}/api/ws/events?token={token}", clocks, "events", stop)),
    ]
    await asyncio.sleep(1.0)  # both sockets subscribed
    started = time.perf_counter()
    await asyncio.to_thread(publish, bus, clocks, args.rate, args.cameras, args.seconds)
    took = time.perf_counter() - started
    await asyncio.sleep(2.0)  # let the tail arrive
    stop.set()
    await asyncio.gather(*listeners)
    return clocks, took


def run(args: argparse.Namespace) -> None:
    overrides: dict[str, Any] = {}
    if args.demo is not None:  # the analysis runs on the demo cameras meanwhile
        overrides = {"vision_enabled": True, "demo_dir": args.demo}
    with tempfile.TemporaryDirectory() as tmp, \
            serve(Path(tmp), args.port, **overrides) as (base, bus):
        token = setup(base, args.cameras)
        if args.demo is not None:
            wait_for_analysis(base, token)
        clocks, took = asyncio.run(measure(base, token, bus, args))
        alerts = httpx.get(f"{base}/api/alerts", params={"limit": 1000},
                           headers={"Authorization": f"Bearer {token}"}).json()
    print(f"\nduty desk: {len(clocks.published)} events in {took:.1f} s"
          f" ({len(clocks.published) / took:.0f}/s) across {args.cameras} cameras"
          f" -> {len(alerts)} alerts (grouped by condition)")
    p95 = figures("desk WS (alerts)", clocks, clocks.desk)
    b95 = figures("event WS (baseline)", clocks, clocks.events)
    if p95 is not None and b95 is not None:
        print(f"desk p95 / baseline p95 = {p95 / max(b95, 1e-3):.1f}x;"
              f" target p95 <= 1000 ms: {'met' if p95 <= 1000 else 'NOT met'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=100.0, help="events per second")
    p.add_argument("--cameras", type=int, default=16)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--demo", type=Path, help="also analyse the demo cameras of this media dir"
                   " (one looping camera per clip; needs CITYEYE_MODELS_DIR)")
    logging.basicConfig(level=logging.WARNING)
    run(p.parse_args())


if __name__ == "__main__":
    main()
