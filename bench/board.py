"""视频画板 sync benchmark: N clients in one board room (auth and persistence on) each making
small whiteboard edits (a shape map); latency from an edit's send to its arrival at every
peer, the highest rate sustained without backlog, server CPU per edit and memory per room.

The server is a real `cityeye serve` process (SQLite WAL, every update committed before it is
relayed); the clients are raw y-websocket connections in this process (senders build updates
with pycrdt; receivers only parse, so the client side stays cheap).
Reference (issue, pycrdt-websocket without auth or persistence, 30 clients at 100 edits/s):
p50 2.6 ms / p99 4.4 ms, saturating at 1,510 edits/s (0.65 ms CPU per edit).

    python bench/board.py [--clients 30] [--rate 100] [--seconds 10] [--steps 500,1000,2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Doc, Map, TransactionEvent
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotate import protocol as yp
from tests.live import free_port

PASSWORD = "bench-board-pass"
ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
KEY = re.compile(rb"c[0-9]+-[0-9]+")


@contextmanager
def serve(data: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "CITYEYE_DATA_DIR": str(data), "CITYEYE_ADMIN_PASSWORD": PASSWORD,
           "CITYEYE_VISION_ENABLED": "false", "CITYEYE_FLOW_SIMULATE": "false"}
    env.pop("CITYEYE_MEDIA_DIR", None)
    with (data / "server.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {(data / 'server.log').read_text()}")
                time.sleep(0.2)
            yield proc, url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Tracker:
    peers: int
    sent: dict[bytes, float] = field(default_factory=dict)  # edit key -> send time
    arrivals: dict[bytes, int] = field(default_factory=dict)
    done: list[float] = field(default_factory=list)  # send -> arrival at the last peer, s
    first: list[float] = field(default_factory=list)  # send -> arrival at one peer, s
    target: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, update: bytes, now: float) -> None:
        """The server may merge several edits into one update: find each edit's key."""
        for key in KEY.findall(update):
            t0 = self.sent.get(key)
            if t0 is None:
                continue
            n = self.arrivals.get(key, 0) + 1
            self.arrivals[key] = n
            if n == 1:
                self.first.append(now - t0)
            if n == self.peers:
                self.done.append(now - t0)
                del self.arrivals[key], self.sent[key]
                if len(self.done) >= self.target:
                    self.complete.set()


class Client:
    def __init__(self, ws: ClientConnection, name: str, tracker: Tracker) -> None:
        self.ws, self.name, self.tracker = ws, name, tracker
        self.doc: Doc[Any] = Doc()
        self.map = self.doc.get("elements", type=Map)
        self.seq = 0
        self.last: bytes = b""
        self.doc.observe(self._capture)

    def _capture(self, event: TransactionEvent) -> None:
        self.last = event.update

    def edit(self) -> tuple[bytes, bytes]:
        """One new shape: (its key, the update message)."""
        self.seq += 1
        key = f"{self.name}-{self.seq}"
        self.map[key] = Map({
            "type": "rect", "points": [0.1, 0.2, 0.3, 0.4], "color": "#ff3b30", "width": 3.0})
        return key.encode(), yp.sync_message(yp.SyncKind.UPDATE, self.last)

    async def read(self) -> None:
        async for raw in self.ws:
            if isinstance(raw, bytes) and raw[:2] == b"\x00\x02":
                msg = yp.parse(raw)
                if isinstance(msg, yp.SyncMessage):
                    self.tracker.arrived(msg.payload, time.perf_counter())


async def open_clients(ws_url: str, n: int, tracker: Tracker) -> list[Client]:
    clients = []
    for i in range(n):
        ws = await connect(ws_url, max_size=None)
        await ws.send(yp.sync_message(yp.SyncKind.STEP1, b"\x00"))
        clients.append(Client(ws, f"c{i}", tracker))
    return clients


async def run_rate(clients: list[Client], tracker: Tracker, rate: float,
                   seconds: float) -> dict[str, float]:
    tracker.done.clear()
    tracker.first.clear()
    tracker.complete.clear()
    total = int(rate * seconds)
    tracker.target = total
    start = time.perf_counter()
    for k in range(total):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        c = clients[k % len(clients)]
        key, message = c.edit()
        tracker.sent[key] = time.perf_counter()
        await c.ws.send(message)
    sent_for = time.perf_counter() - start
    with contextlib.suppress(TimeoutError):  # reported as "delivered" below 100 %
        await asyncio.wait_for(tracker.complete.wait(), 10)
    drain = time.perf_counter() - start - sent_for
    lat = sorted(tracker.done) or [float("nan")]
    return {"offered": rate, "achieved": total / sent_for, "complete": len(tracker.done) / total,
            "p50_ms": statistics.median(lat) * 1000,
            "p99_ms": lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000,
            "drain_s": drain, "edits": total}


def prepare(url: str) -> str:
    """Log in, add a camera and a board; return the board's WebSocket URL."""
    token = httpx.post(f"{url}/api/auth/login", json={"username": "admin",
                       "password": PASSWORD}).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    httpx.post(f"{url}/api/cameras", params={"check": "false"}, headers=h, json={
        "id": "bench", "name": "bench", "url": "rtsp://127.0.0.1:9/b", "unit": "jiangsulu",
        "enabled": False}).raise_for_status()
    board = httpx.post(f"{url}/api/boards", headers=h,
                       json={"title": "bench", "camera_id": "bench"}).json()["id"]
    return url.replace("http", "ws", 1) + f"/api/boards/{board}/ws?token={token}"


async def bench(args: argparse.Namespace, pid: int, ws_url: str) -> None:
    rss0 = rss_mb(pid)
    tracker = Tracker(peers=args.clients - 1)
    clients = await open_clients(ws_url, args.clients, tracker)
    readers = [asyncio.create_task(c.read()) for c in clients]
    try:
        await asyncio.sleep(0.5)
        rss_joined = rss_mb(pid)
        cpu0, t0 = cpu_s(pid), time.perf_counter()
        await asyncio.sleep(3)  # the server's own background work, subtracted below
        idle = (cpu_s(pid) - cpu0) / (time.perf_counter() - t0)
        print(f"board bench: {args.clients} clients, auth + persistence (SQLite WAL) on,"
              f" {os.cpu_count()} CPUs shared by server and clients")
        for rate in [args.rate, *args.steps]:
            cpu0, t0 = cpu_s(pid), time.perf_counter()
            r = await run_rate(clients, tracker, rate, args.seconds)
            busy = cpu_s(pid) - cpu0 - idle * (time.perf_counter() - t0)
            cpu = max(0.0, busy) / r["edits"] * 1000
            ok = r["complete"] > 0.999 and r["drain_s"] < 0.5 and r["p99_ms"] < 100
            print(f"  {rate:6.0f} edits/s offered, {r['achieved']:6.0f} sent: all-peer"
                  f" p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:7.1f} ms  delivered"
                  f" {r['complete'] * 100:5.1f} %  drain {r['drain_s']:.2f} s  server CPU"
                  f" {cpu:.3f} ms/edit  {'sustained' if ok else 'BACKLOG'}")
        shapes = sum(c.seq for c in clients)
        print(f"  server idle CPU {idle * 100:.1f} % of a core (subtracted above)")
        print(f"  server RSS: {rss0:.0f} MB before the room, {rss_joined:.0f} MB with"
              f" {args.clients} peers joined, {rss_mb(pid):.0f} MB after {shapes} shapes"
              f" ({(rss_mb(pid) - rss_joined) * 1024 / max(1, shapes):.2f} KB per shape)")
    finally:
        for t in readers:
            t.cancel()
        for c in clients:
            await c.ws.close()
        await asyncio.gather(*readers, return_exceptions=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=30)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--steps", type=lambda s: [float(x) for x in s.split(",") if x],
                   default=[500.0, 1000.0, 2000.0])
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as (proc, url):
        asyncio.run(bench(args, proc.pid, prepare(url)))


if __name__ == "__main__":
    main()
