"""ONVIF PTZ polling over real HTTP: a fake camera on 127.0.0.1 checks the WS-Security digest
and moves; the AR labels follow it as the PTZ model says; refused or unreadable replies show a
clear last_error and back off; stopping the server stops the polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from auth.sealed import is_sealed
from db.database import Database
from geo.orm import PtzSourceRow
from geo.pinhole import Pose, project
from geo.poller import PtzPoller, seal_stored_passwords
from geo.ptz import PtzState, mechanical_pose
from tests.annotate.helpers import add_camera
from tests.geo.onvif_camera import FakeCamera, fake_camera
from tests.live import LiveServer, start_live_server

HIGH = {"east": 0.0, "north": -100.0, "up": 40.0, "yaw": 0.0, "pitch": 20.0, "hfov": 60.0,
        "width": 1920, "height": 1080, "range_m": 300.0, "ptz": "mechanical"}
MALL = {"id": "mall", "name": "龙之梦购物中心", "kind": "building", "east": 5.0, "north": 20.0,
        "height": 30.0}


def wait_for(fetch: Callable[[], Any], ok: Callable[[Any], bool], what: str,
             timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = fetch()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout_s} s; last: {value}")
        time.sleep(0.05)


def _setup(server: LiveServer) -> str:
    admin = server.admin_token()
    add_camera(server, admin, "high", "jiangsulu")
    with server.client(admin) as c:
        assert c.put("/api/geo/cameras/high", json=HIGH).status_code == 200
        assert c.post("/api/geo/pois", json=MALL).status_code == 201
    return admin


def _source(camera: FakeCamera, **extra: Any) -> dict[str, Any]:
    return {"url": camera.url, "profile": camera.profile, "username": camera.username,
            "password": camera.password, "interval_s": 0.2, "zoom_max": 11.0, **extra}


def _status(c: httpx.Client) -> dict[str, Any]:
    src: dict[str, Any] = c.get("/api/geo/cameras/high").json()["ptz_source"]
    return src


def _mall_x(state: PtzState) -> float:
    """Where the PTZ model puts the mall label (0..1 of the view width)."""
    base = Pose(0.0, -100.0, 40.0, 0.0, 20.0, 0.0, 60.0, 1920, 1080)
    px, front = project(mechanical_pose(base, state), np.array([[5.0, 20.0, 30.0]]))
    assert front[0]
    assert 0 < px[0, 1] < 1080
    return float(px[0, 0]) / 1920


def test_labels_follow_the_polled_ptz_position(server: LiveServer) -> None:
    admin = _setup(server)
    with fake_camera() as camera, server.client(admin) as c:
        r = c.put("/api/geo/cameras/high/ptz-source", json=_source(camera))
        assert r.status_code == 200, r.text
        assert "password" not in r.json()
        assert r.json()["has_password"] is True
        st = wait_for(lambda: _status(c), lambda s: s["status"]["state"] == "ok", "first poll")
        assert st["status"]["last_error"] is None
        home = c.get("/api/geo/cameras/high/labels").json()
        assert home["live_ptz"] is True
        assert home["ptz_state"] == {"pan": 0.0, "tilt": 0.0, "zoom": 1.0}
        x0 = next(lab["x"] for lab in home["labels"] if lab["key"] == "poi:mall")
        assert x0 == pytest.approx(_mall_x(PtzState()), abs=1e-9)

        camera.position = (5.0 / 180.0, 0.1, 0.1)  # pan 5° right, tilt 9° up, zoom 2×
        moved = wait_for(lambda: c.get("/api/geo/cameras/high/labels").json(),
                         lambda out: out["ptz_state"]["zoom"] > 1.5, "the new position")
        state = PtzState(5.0, -9.0, 2.0)
        assert moved["ptz_state"] == pytest.approx({"pan": 5.0, "tilt": -9.0, "zoom": 2.0})
        x1 = next(lab["x"] for lab in moved["labels"] if lab["key"] == "poi:mall")
        assert x1 == pytest.approx(_mall_x(state), abs=1e-6)
        assert x1 < x0  # panning right moves the label left
        asked = c.get("/api/geo/cameras/high/labels",
                      params={"pan": 5.0, "tilt": -9.0, "zoom": 2.0}).json()
        for a, m in zip(asked["labels"], moved["labels"], strict=True):  # = asking the model
            assert (a["key"], a["x"], a["y"]) == pytest.approx((m["key"], m["x"], m["y"]))
        pose = c.get("/api/geo/cameras/high").json()
        assert pose["ptz_state"]["pan"] == pytest.approx(5.0)  # the site map's cone too
    assert camera.accepted >= 2
    assert len(camera.nonces) == camera.requests  # a fresh nonce every time
    stored = _stored_password(server)
    assert is_sealed(stored)
    assert camera.password not in stored


def _stored_password(server: LiveServer) -> str:
    assert server.app is not None
    database: Database = server.app.state.database
    with database.session() as session:
        row = session.get(PtzSourceRow, "high")
        assert row is not None
        return row.password


def test_a_password_stored_in_clear_is_sealed_when_polling_starts(server: LiveServer) -> None:
    admin = _setup(server)
    assert server.app is not None
    database, sealer = server.app.state.database, server.app.state.sealer
    with fake_camera() as camera, server.client(admin) as c:
        assert c.put("/api/geo/cameras/high/ptz-source", json=_source(camera)).is_success
        wait_for(lambda: _status(c)["status"]["state"], lambda s: s == "ok", "first poll")
        with database.session() as session:  # as a database from before sealing has it
            row = session.get(PtzSourceRow, "high")
            assert row is not None
            row.password = camera.password
        assert seal_stored_passwords(database, sealer) == 1
        assert seal_stored_passwords(database, sealer) == 0
        assert sealer.unseal(_stored_password(server)) == camera.password


@pytest.mark.parametrize(("mode", "password", "message"), [
    ("http401", None, "refused the credentials (HTTP 401"),
    ("onvif", "wrong-password", "NotAuthorized"),
    ("garbage", None, "unreadable reply"),
])
def test_refused_or_unreadable_replies_show_the_error_and_back_off(
        server: LiveServer, mode: str, password: str | None, message: str) -> None:
    admin = _setup(server)
    with fake_camera() as camera, server.client(admin) as c:
        camera.mode = mode  # type: ignore[assignment]
        body = _source(camera, **({"password": password} if password else {}))
        assert c.put("/api/geo/cameras/high/ptz-source", json=body).status_code == 200
        st = wait_for(lambda: _status(c)["status"], lambda s: s["failures"] >= 3,
                      "three failed polls")
        assert st["state"] == "error"
        assert message in st["last_error"]
        assert st["backoff_s"] == pytest.approx(0.2 * 2 ** st["failures"])  # doubling
        assert st["backoff_s"] > 0.2
        assert c.get("/api/geo/cameras/high/labels").json()["ptz_state"]["pan"] == 0.0
        # the operator fixes it: polling recovers at once
        camera.mode = "onvif"
        camera.position = (0.5, 0.0, 0.0)
        assert c.put("/api/geo/cameras/high/ptz-source", json=_source(camera)).is_success
        st = wait_for(lambda: _status(c)["status"], lambda s: s["state"] == "ok", "recovery")
        assert st["failures"] == 0
        assert st["ptz_state"]["pan"] == pytest.approx(90.0)


def test_source_needs_a_mechanical_ptz_and_is_editor_only(server: LiveServer) -> None:
    admin = _setup(server)
    with fake_camera() as camera, server.client(admin) as c:
        assert c.put("/api/geo/cameras/high", json={**HIGH, "ptz": "fixed"}).is_success
        r = c.put("/api/geo/cameras/high/ptz-source", json=_source(camera))
        assert r.status_code == 422
        assert "mechanical" in r.json()["detail"]
        assert c.put("/api/geo/cameras/high", json=HIGH).is_success
        no_pw = {k: v for k, v in _source(camera).items() if k != "password"}
        r = c.put("/api/geo/cameras/high/ptz-source", json=no_pw)
        assert "password" in r.json()["detail"]
        r = c.put("/api/geo/cameras/high/ptz-source", json={**_source(camera), "url": "ftp://x"})
        assert r.status_code == 422
        assert c.put("/api/geo/cameras/high/ptz-source", json=_source(camera)).is_success
        assert c.put("/api/geo/cameras/high/ptz-source", json=no_pw).is_success  # kept
        wait_for(lambda: _status(c)["status"]["state"], lambda s: s == "ok", "polling")
        assert c.delete("/api/geo/cameras/high/ptz-source").status_code == 204
        assert _status_or_none(c) is None
        assert c.get("/api/geo/cameras/high/labels").json()["live_ptz"] is False


def _status_or_none(c: httpx.Client) -> Any:
    return c.get("/api/geo/cameras/high").json()["ptz_source"]


def test_stopping_the_server_stops_polling(tmp_path: Path) -> None:
    with fake_camera() as camera:
        with start_live_server(tmp_path / "data") as server:
            admin = _setup(server)
            with server.client(admin) as c:
                assert c.put("/api/geo/cameras/high/ptz-source",
                             json=_source(camera)).is_success
                wait_for(lambda: _status(c)["status"]["state"], lambda s: s == "ok", "polling")
            assert server.app is not None
            poller = server.app.state.geo_ptz
            assert isinstance(poller, PtzPoller)
            assert poller.running == ["high"]
        assert poller.running == []
        seen = camera.requests
        time.sleep(0.6)  # three intervals: a poller still running would have asked again
        assert camera.requests == seen
