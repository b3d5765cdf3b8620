"""The server's own surface: health, metrics, OpenAPI, the web UI fallback, demo cameras."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer, start_live_server


def test_health_metrics_openapi(server: LiveServer) -> None:
    with server.client() as c:
        health = c.get("/api/health").json()
        assert health["status"] == "ok"
        assert health["database"] == "ok"
        assert health["bus"] == "in-process"
        assert health["cameras_total"] == 0
        spec = c.get("/openapi.json").json()
        assert {"/api/auth/login", "/api/cameras", "/api/cameras/{camera_id}"} <= set(spec["paths"])
        assert c.get("/docs").status_code == 200
        metrics = c.get("/metrics")
        assert metrics.status_code == 200
        assert "text/plain" in metrics.headers["content-type"]
        assert c.get("/api/nope").status_code == 404


def test_restart_keeps_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with start_live_server(data) as first:
        token = first.admin_token()
        with first.client(token) as c:
            r = c.post(
                "/api/cameras",
                params={"check": "false"},
                json={
                    "id": "keep",
                    "name": "保留",
                    "url": "rtsp://127.0.0.1:9/x",
                    "unit": "changning",
                },
            )
            assert r.status_code == 201
    with start_live_server(data) as second, second.client(second.admin_token()) as c:
        # a token from before the restart still works: the secret lives in the data dir
        assert (
            httpx.get(
                f"{second.base_url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 200
        )
        assert [x["id"] for x in c.get("/api/cameras").json()] == ["keep"]


@pytest.mark.media
def test_demo_cameras_come_online(tmp_path: Path, media_dir: Path) -> None:
    with start_live_server(tmp_path / "data", demo_dir=media_dir) as live:
        token = live.admin_token()
        deadline = time.monotonic() + 60
        with live.client(token) as c:
            while True:
                cams = c.get("/api/cameras").json()
                if cams and all(x["status"] == "online" for x in cams):
                    break
                assert time.monotonic() < deadline, cams
                time.sleep(0.5)
            clips = sorted(p.stem for p in (media_dir / "videos").glob("*.mp4"))
            assert len(cams) == len(clips)
            health = c.get("/api/health").json()
            assert health["cameras_online"] == health["cameras_total"] == len(clips)
