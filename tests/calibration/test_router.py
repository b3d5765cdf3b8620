"""`/api/cameras/{id}/density-calibration` over HTTP: fit, read back, validation, roles."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from auth.accounts import Role
from tests.live import LiveServer
from tests.media import make_clip

CAM = "jsl-1"


def _jpeg(seed: int) -> str:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (128, 160, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return base64.b64encode(buf.tobytes()).decode()


def _body(frames: int = 2, points: int = 6) -> dict[str, Any]:
    pts = [[0.1 + 0.1 * i, 0.5] for i in range(points)]
    return {"frames": [{"image": _jpeg(i), "points": pts} for i in range(frames)], "rows": 1,
            "cols": 2}


@pytest.fixture
def camera_server(server: LiveServer, tmp_path: Path, ultralytics_env: Path) -> LiveServer:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1)
    with server.client(server.admin_token()) as c:
        body = {"id": CAM, "name": "摄像机", "url": str(clip), "unit": "jiangsulu"}
        assert c.post("/api/cameras", json=body).status_code == 201
    return server


def test_admin_calibrates_and_everyone_on_the_unit_reads_it(camera_server: LiveServer) -> None:
    s = camera_server
    with s.client(s.admin_token()) as c:
        assert c.get(f"/api/cameras/{CAM}/density-calibration").json()["calibrated"] is False
        r = c.post(f"/api/cameras/{CAM}/density-calibration", json=_body(), timeout=60)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["calibrated"] is True
        assert (out["rows"], out["cols"]) == (1, 2)
        assert (out["report"]["frames"], out["report"]["points"]) == (2, 12)
        assert out["report"]["evaluated_on"] == "held-out"
        assert (out["model"], out["created_by"]) == ("cityeye_density", "admin")
    street = s.add_account("jsl-patrol", Role.PATROLLER, "jiangsulu")
    with s.client(street) as c:
        got = c.get(f"/api/cameras/{CAM}/density-calibration").json()
        assert got["calibrated"] is True
        assert got["scales"] == out["scales"]
        refused = c.post(f"/api/cameras/{CAM}/density-calibration", json=_body())
        assert refused.status_code == 403
    with s.client(s.admin_token()) as c:
        assert c.delete(f"/api/cameras/{CAM}/density-calibration").status_code == 204
        assert c.get(f"/api/cameras/{CAM}/density-calibration").json()["calibrated"] is False


def test_bad_requests_get_clear_errors(camera_server: LiveServer) -> None:
    s = camera_server
    url = f"/api/cameras/{CAM}/density-calibration"
    with s.client(s.admin_token()) as c:
        none = c.post(url, json=_body(points=0))
        assert none.status_code == 422
        assert "no head points" in none.json()["detail"]
        bad = _body()
        bad["frames"][1]["image"] = base64.b64encode(b"not an image").decode()
        r = c.post(url, json=bad)
        assert r.status_code == 422
        assert "frame 2" in r.json()["detail"]
        bad["frames"][1]["image"] = "%%%"
        assert c.post(url, json=bad).status_code == 422
        outside = _body()
        outside["frames"][0]["points"] = [[1.5, 0.2]]
        assert c.post(url, json=outside).status_code == 422
        assert c.post(url, json={"frames": []}).status_code == 422
        unknown = c.post("/api/cameras/nope/density-calibration", json=_body())
        assert unknown.status_code == 404
        assert c.get("/api/cameras/nope/density-calibration").status_code == 404


def test_migration_0011_matches_the_model(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import calibration.orm  # noqa: F401  (registers the table on Base.metadata)
    from db.base import Base
    from db.database import Database

    database = Database(f"sqlite:///{tmp_path / 'cal.db'}")
    database.migrate()
    try:
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        database.close()
    assert [d for d in diff if "density_calibrations" in repr(d)] == []
