"""kill -9 the server while a client draws: every update a peer had received (the server
relays an update only after its commit) is on the board after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pycrdt import Map

from annotate.client import BoardClient
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "crash-admin-pass"


@contextmanager
def serve(data: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "CITYEYE_DATA_DIR": str(data), "CITYEYE_ADMIN_PASSWORD": PASSWORD,
           "CITYEYE_VISION_ENABLED": "false", "CITYEYE_FLOW_SIMULATE": "false"}
    env.pop("CITYEYE_MEDIA_DIR", None)
    with (data / f"server-{port}.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, (data / f"server-{port}.log").read_text()
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start within 90 s"
                time.sleep(0.2)
            yield proc, url
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def _login(url: str) -> str:
    r = httpx.post(f"{url}/api/auth/login", json={"username": "admin", "password": PASSWORD})
    token: str = r.json()["access_token"]
    return token


def _setup(url: str) -> tuple[str, str]:
    token = _login(url)
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{url}/api/cameras", params={"check": "false"}, headers=headers,
                   json={"id": "cam-k", "name": "K", "url": "rtsp://127.0.0.1:9/k",
                         "unit": "jiangsulu"})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{url}/api/boards", headers=headers,
                   json={"title": "crash", "camera_id": "cam-k"})
    assert r.status_code == 201, r.text
    return token, r.json()["id"]


def _ws(url: str, board_id: str, token: str) -> str:
    return url.replace("http", "ws", 1) + f"/api/boards/{board_id}/ws?token={token}"


async def _draw_until_killed(ws: str, proc: subprocess.Popen[bytes]) -> set[str]:
    async with BoardClient(ws) as writer, BoardClient(ws) as observer:
        for i in range(5000):
            writer.elements[f"e{i}"] = Map({"type": "rect", "points": [0.1, 0.1, 0.2, 0.2]})
            await asyncio.sleep(0.002)
            if len(observer.elements) >= 60:
                seen = set(observer.elements.keys())
                os.kill(proc.pid, signal.SIGKILL)  # mid-edit: the writer keeps sending
                proc.wait(timeout=10)
                return seen
    raise AssertionError("the observer never received 60 edits")


async def test_acknowledged_updates_survive_kill_9(tmp_path: Path) -> None:
    with serve(tmp_path) as (proc, url):
        token, board_id = _setup(url)
        seen = await _draw_until_killed(_ws(url, board_id, token), proc)
    with serve(tmp_path) as (_, url):
        token = _login(url)
        async with BoardClient(_ws(url, board_id, token)) as late:
            stored = set(late.elements.keys())
    assert seen <= stored, f"lost after kill -9: {sorted(seen - stored)[:10]}"
