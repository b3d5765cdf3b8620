"""Live-video test fixtures: a real server on 127.0.0.1 whose WebRTC offers loopback ICE
candidates, cameras fed by a shared clip, and accounts in two streets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import LiveServer, start_live_server

# 1080p H.264 constrained baseline, no B-frames, keyframe every 0.48 s: passthrough material
PASSTHROUGH_CLIP = "pedestrians_street_amirhossein.mp4"


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("CITYEYE_WEBRTC_HOSTS", "127.0.0.1")
    with start_live_server(tmp_path / "data") as live:
        yield live


@pytest.fixture
def shared_clip(media_dir: Path) -> Path:
    clip = media_dir / "videos" / PASSTHROUGH_CLIP
    if not clip.is_file():
        pytest.fail(f"shared clip missing: {clip}", pytrace=False)
    return clip


def add_camera(server: LiveServer, token: str, cid: str, url: str, unit: str, **extra: Any) -> None:
    body = {"id": cid, "name": f"摄像机 {cid}", "url": url, "unit": unit, **extra}
    with server.client(token) as c:
        r = c.post("/api/cameras", params={"check": "false"}, json=body)
    assert r.status_code == 201, r.text


def wait_online(server: LiveServer, token: str, cid: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with server.client(token) as c:
        while True:
            r = c.get(f"/api/cameras/{cid}/live")
            assert r.status_code == 200, r.text
            if r.json()["camera_status"] == "online" and r.json()["codec"]:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"camera {cid} not online after {timeout} s: {r.json()}")
            time.sleep(0.2)


def live_status(server: LiveServer, token: str, cid: str) -> dict[str, Any]:
    with server.client(token) as c:
        body: dict[str, Any] = c.get(f"/api/cameras/{cid}/live").json()
    return body


def metrics_text(server: LiveServer) -> str:
    return httpx.get(f"{server.base_url}/metrics", timeout=10).text
