"""Cameras run through the vision pipeline inside the server; a broken model is a status."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.live import LiveServer, start_live_server
from tests.media import make_clip


def wait_for(server: LiveServer, token: str, cid: str, done: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    with server.client(token) as c:
        while True:
            cam = c.get(f"/api/cameras/{cid}").json()
            if done(cam) or time.monotonic() > deadline:
                return cam
            time.sleep(0.3)


def test_model_that_fails_to_load_is_an_error_status(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=2)
    with start_live_server(
        tmp_path / "data",
        vision_enabled=True,
        density_enabled=False,
        detector_model=str(tmp_path / "missing-weights.pt"),
    ) as live:
        token = live.admin_token()
        with live.client(token) as c:
            body = {"id": "cam", "name": "测试", "url": str(clip), "unit": "jiangsulu"}
            assert c.post("/api/cameras", json=body).status_code == 201
        cam = wait_for(
            live,
            token,
            "cam",
            lambda x: x["analysis"]["status"].startswith("error") and x["status"] == "online",
        )
        assert cam["analysis"]["status"].startswith("error: "), cam["analysis"]
        assert "missing-weights.pt" in cam["analysis"]["status"]
        assert cam["status"] == "online"  # the video itself is unaffected
        with live.client() as c:
            health = c.get("/api/health").json()
        assert health["status"] == "ok"
        assert health["models_loaded"] == []


@pytest.mark.media
def test_cameras_are_analysed_and_rules_are_validated(
    tmp_path: Path, models_dir: Path, media_dir: Path, ultralytics_env: Path
) -> None:
    clip = media_dir / "videos" / "mall_entrance_zayed.mp4"
    with start_live_server(
        tmp_path / "data", vision_enabled=True, density_enabled=True, models_dir=models_dir
    ) as live:
        token = live.admin_token()
        zone = {"id": "hall", "name": "大厅", "polygon": [[0, 0.3], [1, 0.3], [1, 1], [0, 1]]}
        body = {
            "id": "mall",
            "name": "商场入口",
            "url": str(clip),
            "unit": "jiangsulu",
            "zones": [zone],
            "rules": {"overcrowding": [{"zone": "hall", "thresholds": [1, 100]}]},
        }
        with live.client(token) as c:
            assert c.post("/api/cameras", json=body).status_code == 201
            bad = c.patch("/api/cameras/mall", json={"rules": {"loitering": [{"zone": "nope"}]}})
            assert bad.status_code == 422
            assert "zone 'nope'" in bad.json()["detail"]
        cam = wait_for(live, token, "mall", lambda x: x["analysis"]["status"] == "running")
        assert cam["analysis"]["status"] == "running", cam["analysis"]
        assert cam["rules"]["overcrowding"][0]["zone"] == "hall"
        # /api/health names the weights at work: the detector's, and the shipped density
        # model's once the camera's first density map is through (every 2 s)
        cam = wait_for(live, token, "mall", lambda x: x["analysis"]["density"] == "ok")
        assert cam["analysis"]["density"] == "ok", cam["analysis"]
        with live.client() as c:
            models = c.get("/api/health").json()["models_loaded"]
        assert models == ["cityeye_density.pt", "yolo11n_int8_openvino_model"]
        # people are in the hall from the first frames: a blue overcrowding event opens
        deadline = time.monotonic() + 60
        with live.client(token) as c:
            while True:
                events = c.get("/api/events", params={"camera": "mall"}).json()
                if events or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        assert events, "no event within 60 s"
        assert events[0]["kind"] == "overcrowding"
        assert events[0]["zone_id"] == "hall"
