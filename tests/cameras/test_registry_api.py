"""The camera registry over HTTP: scoping by street, admin-only changes, and bad input."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from auth.accounts import Role
from tests.live import LiveServer
from tests.media import make_clip


def camera(cid: str, url: str, unit: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": f"摄像机 {cid}", "url": url, "unit": unit, **extra}


def wait_status(
    server: LiveServer, token: str, cid: str, want: str, timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with server.client(token) as c:
        while True:
            cam: dict[str, Any] = c.get(f"/api/cameras/{cid}").json()
            if cam["status"] == want or time.monotonic() > deadline:
                return cam
            time.sleep(0.2)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "clip.mp4", seconds=2)


def test_admin_adds_camera_that_comes_online(server: LiveServer, clip: Path) -> None:
    admin = server.admin_token()
    with server.client(admin) as c:
        r = c.post("/api/cameras", json=camera("jsl-1", str(clip), "jiangsulu"))
        assert r.status_code == 201, r.text
        assert r.json()["unit_name"] == "江苏路街道"
    cam = wait_status(server, admin, "jsl-1", "online")
    assert cam["status"] == "online", cam
    assert cam["health"]["width"] == 320
    with server.client(admin) as c:
        snap = c.get("/api/cameras/jsl-1/snapshot.jpg")
        assert snap.status_code == 200
        assert snap.headers["content-type"] == "image/jpeg"
        assert snap.content[:2] == b"\xff\xd8"
        audit = c.get("/api/audit", params={"camera_id": "jsl-1"}).json()
    assert {"camera.create", "view"} <= {a["action"] for a in audit}


def test_street_user_sees_only_their_street(server: LiveServer, clip: Path) -> None:
    admin = server.admin_token()
    with server.client(admin) as c:
        for cid, unit in (("jsl-1", "jiangsulu"), ("hyl-1", "huayanglu")):
            assert c.post("/api/cameras", json=camera(cid, str(clip), unit)).status_code == 201
        assert {x["id"] for x in c.get("/api/cameras").json()} == {"jsl-1", "hyl-1"}
    street = server.add_account("jsl-patrol", Role.PATROLLER, "jiangsulu")
    with server.client(street) as c:
        assert [x["id"] for x in c.get("/api/cameras").json()] == ["jsl-1"]
        assert c.get("/api/cameras/jsl-1").status_code == 200
        other = c.get("/api/cameras/hyl-1")
        assert other.status_code == 403
        assert "another unit" in other.json()["detail"]
        assert c.get("/api/cameras/hyl-1/snapshot.jpg").status_code == 403
        # its own street in scope; the district above it listed by name only (alerts escalate
        # there), out of scope; the sibling street not at all
        units = {u["id"]: u["in_scope"] for u in c.get("/api/units").json()}
        assert units == {"jiangsulu": True, "changning": False}
        assert c.get("/api/cameras/nope").status_code == 404


def test_only_admins_change_cameras(server: LiveServer, clip: Path) -> None:
    duty = server.add_account("duty", Role.DUTY_OFFICER, "changning")
    with server.client(duty) as c:
        r = c.post("/api/cameras", json=camera("x-1", str(clip), "jiangsulu"))
        assert r.status_code == 403
        assert "may not" in r.json()["detail"]
        assert c.delete("/api/cameras/x-1").status_code == 403


def test_patch_and_delete_keep_ingest_in_step(server: LiveServer, clip: Path) -> None:
    admin = server.admin_token()
    with server.client(admin) as c:
        assert (
            c.post("/api/cameras", json=camera("cam-a", str(clip), "xinhualu")).status_code == 201
        )
        r = c.patch("/api/cameras/cam-a", json={"enabled": False, "name": "新华路 1"})
        assert r.status_code == 200
        assert r.json()["status"] == "disabled"
        assert r.json()["name"] == "新华路 1"
        zones = [{"id": "z", "name": "广场", "polygon": [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]]}]
        r = c.patch("/api/cameras/cam-a", json={"zones": zones})
        assert r.json()["zones"][0]["polygon"][2] == [0.5, 0.9]
        assert c.delete("/api/cameras/cam-a").status_code == 204
        assert c.get("/api/cameras/cam-a").status_code == 404


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://127.0.0.1/cam", "unsupported URL scheme"),
        ("/no/such/clip.mp4", "file not found"),
        ("relative/clip.mp4", "absolute file path"),
        ("rtsp://no-such-host.invalid/live", "host not found"),
    ],
)
def test_bad_urls_are_refused(server: LiveServer, url: str, expected: str) -> None:
    with server.client(server.admin_token()) as c:
        r = c.post("/api/cameras", json=camera("bad", url, "jiangsulu"))
        assert r.status_code == 422
        assert expected in r.json()["detail"]
        assert c.get("/api/cameras").json() == []


def test_unreachable_camera_is_refused_unless_asked(server: LiveServer) -> None:
    url = f"rtsp://127.0.0.1:{closed_port()}/live"
    with server.client(server.admin_token()) as c:
        r = c.post("/api/cameras", json=camera("off", url, "jiangsulu"))
        assert r.status_code == 422
        assert "cannot open" in r.json()["detail"]
        assert "check=false" in r.json()["detail"]
        r = c.post("/api/cameras", params={"check": "false"}, json=camera("off", url, "jiangsulu"))
        assert r.status_code == 201
    cam = wait_status(server, server.admin_token(), "off", "offline")
    assert cam["status"] in {"offline", "error"}
    assert cam["last_error"]


def test_invalid_bodies(server: LiveServer, clip: Path) -> None:
    with server.client(server.admin_token()) as c:
        assert c.post("/api/cameras", json=camera("a", str(clip), "jiangsulu")).status_code == 201
        dup = c.post("/api/cameras", json=camera("a", str(clip), "jiangsulu"))
        assert dup.status_code == 409
        unknown_unit = c.post("/api/cameras", json=camera("b", str(clip), "moon"))
        assert unknown_unit.status_code == 422
        assert "does not exist" in unknown_unit.json()["detail"]
        bad_zone = c.patch(
            "/api/cameras/a",
            json={"zones": [{"id": "z", "name": "z", "polygon": [[0, 0], [1, 1], [1, 0], [0, 1]]}]},
        )
        assert bad_zone.status_code == 422
        assert "self-intersecting" in str(bad_zone.json()["detail"])
        extra = c.patch("/api/cameras/a", json={"colour": "red"})
        assert extra.status_code == 422
        assert [x["id"] for x in c.get("/api/cameras").json()] == ["a"]


def test_stream_passwords_are_hidden_from_non_admins(server: LiveServer) -> None:
    url = f"rtsp://operator:s3cret@127.0.0.1:{closed_port()}/live"
    with server.client(server.admin_token()) as c:
        r = c.post("/api/cameras", params={"check": "false"}, json=camera("pw", url, "jiangsulu"))
        assert r.json()["url"] == url
    patrol = server.add_account("patrol", Role.PATROLLER, "jiangsulu")
    with server.client(patrol) as c:
        shown = c.get("/api/cameras/pw").json()["url"]
    assert "s3cret" not in shown
    assert shown.startswith("rtsp://operator:***@127.0.0.1:")
