"""/api/geo over a real server: editing the geo model, calibration refusals, AR labels,
coverage, locate, audited call-ups, unit scoping, and the 中山公园 demo seed."""

from __future__ import annotations

import numpy as np

from auth.accounts import Role
from db.database import Database
from geo.demo import HIGH_POINT, seed_demo
from geo.pinhole import Pose, project
from tests.annotate.helpers import add_camera
from tests.live import LiveServer

HIGH = {"east": 0.0, "north": -100.0, "up": 40.0, "yaw": 0.0, "pitch": 20.0, "hfov": 60.0,
        "width": 1920, "height": 1080, "range_m": 300.0}
STREET = {"east": 0.0, "north": 40.0, "up": 5.0, "yaw": 180.0, "pitch": 15.0, "hfov": 70.0,
          "width": 1280, "height": 720, "range_m": 80.0}


def _setup(server: LiveServer) -> str:
    admin = server.admin_token()
    add_camera(server, admin, "high", "jiangsulu")
    add_camera(server, admin, "street", "jiangsulu")
    add_camera(server, admin, "other", "huayanglu")
    with server.client(admin) as c:
        assert c.put("/api/geo/cameras/high", json=HIGH).status_code == 200
        assert c.put("/api/geo/cameras/street", json=STREET).status_code == 200
        assert c.put("/api/geo/cameras/other", json={**STREET, "east": 10.0}).status_code == 200
        r = c.post("/api/geo/pois", json={"id": "mall", "name": "龙之梦购物中心",
                                          "kind": "building", "east": 5.0, "north": 20.0,
                                          "height": 30.0})
        assert r.status_code == 201, r.text
        assert abs(r.json()["lat"] - 31.2199) < 1e-3
    return admin


def test_labels_coverage_and_audited_callup(server: LiveServer) -> None:
    admin = _setup(server)
    with server.client(admin) as c:
        labels = c.get("/api/geo/cameras/high/labels").json()["labels"]
        keys = {lab["key"] for lab in labels}
        assert {"poi:mall", "camera:street"} <= keys
        assert "camera:high" not in keys
        mall = next(lab for lab in labels if lab["key"] == "poi:mall")
        assert 0 < mall["x"] < 1
        assert 0 < mall["y"] < 1
        # a mechanical PTZ turned round: everything is behind it and hidden
        assert c.put("/api/geo/cameras/high", json={**HIGH, "ptz": "mechanical"}).is_success
        behind = c.get("/api/geo/cameras/high/labels", params={"pan": 180}).json()["labels"]
        assert behind == []
        panned = c.get("/api/geo/cameras/high/labels", params={"pan": 5}).json()["labels"]
        moved = next(lab for lab in panned if lab["key"] == "poi:mall")
        assert moved["x"] < mall["x"]  # panning right moves the label left
    with server.client(admin) as c:
        cov = c.get("/api/geo/coverage", params={"east": 0, "north": 10}).json()
        assert [x["camera_id"] for x in cov] == ["high", "street", "other"]  # near and head-on
        cov = c.get("/api/geo/coverage",
                    params={"east": 0, "north": 10, "exclude": "high"}).json()
        assert [x["camera_id"] for x in cov] == ["street", "other"]
        loc = c.post("/api/geo/cameras/high/locate", json={"x": 0.5, "y": 0.5}).json()
        assert abs(loc["north"] - 10.0) < 1.0
        assert "street" in [x["camera_id"] for x in loc["cameras"]]
        r = c.post("/api/geo/callup", json={"camera_id": "street", "from_camera_id": "high",
                                            "target": "poi:mall"})
        assert r.json()["live"] == "/live/street"
        audit = c.get("/api/audit", params={"camera_id": "street"}).json()
        assert any(a["action"] == "ar.callup" and "high" in a["detail"] for a in audit)


def test_street_user_is_scoped_and_read_only(server: LiveServer) -> None:
    _setup(server)
    patroller = server.add_account("xun.cha", Role.PATROLLER, "jiangsulu")
    with server.client(patroller) as c:
        assert c.get("/api/geo/cameras/other").status_code == 403
        assert c.post("/api/geo/callup", json={"camera_id": "other"}).status_code == 403
        assert c.put("/api/geo/cameras/street", json=STREET).status_code == 403
        site = c.get("/api/geo/map").json()
        assert sorted(x["camera_id"] for x in site["cameras"]) == ["high", "street"]
        cov = c.get("/api/geo/coverage", params={"east": 0, "north": 10}).json()
        assert [x["camera_id"] for x in cov] == ["high", "street"]  # not "other"


def test_calibration_refuses_degenerate_input_and_saves_a_good_fit(server: LiveServer) -> None:
    admin = _setup(server)
    few = {"width": 1920, "height": 1080,
           "pairs": [{"u": 1, "v": 1, "east": 0, "north": 0}] * 3}
    with server.client(admin) as c:
        r = c.post("/api/geo/cameras/street/calibrate", json=few)
        assert r.status_code == 422
        assert "at least 4" in r.json()["detail"]
        line = {**few, "pairs": [{"u": i * 100, "v": i * 50, "east": i, "north": 2 * i}
                                 for i in range(1, 6)]}
        assert "one line" in c.post("/api/geo/cameras/street/calibrate", json=line).json()[
            "detail"]
        # pairs made by projecting with the stored pose recover it
        pts = [(-10, 10), (10, 10), (-15, -10), (15, -10), (0, 20), (5, 0)]
        pose = Pose(0.0, 40.0, 5.0, 180.0, 15.0, 0.0, 70.0, 1280, 720)  # STREET
        px, _ = project(pose, np.array([[e, n, 0.0] for e, n in pts]))
        pairs = [{"u": float(u), "v": float(v), "east": e, "north": n}
                 for (u, v), (e, n) in zip(px, pts, strict=True)]
        r = c.post("/api/geo/cameras/street/calibrate",
                   json={"width": 1280, "height": 720, "pairs": pairs, "save": True})
        assert r.status_code == 200, r.text
        assert r.json()["pose_error_px"] < 1.0
        saved = c.get("/api/geo/cameras/street").json()
        assert abs(saved["yaw"] - 180.0) < 1.0
        assert saved["error_px"] < 1.0


def test_demo_seed_maps_the_high_point_camera(server: LiveServer) -> None:
    admin = server.admin_token()
    for cid in (HIGH_POINT, "demo-pedestrians-street-amirhossein", "demo-mall-entrance-zayed"):
        add_camera(server, admin, cid, "jiangsulu")
    assert server.app is not None
    database: Database = server.app.state.database
    with database.session() as session:
        assert seed_demo(session) > 5
    with database.session() as session:
        assert seed_demo(session) == 0
    with server.client(admin) as c:
        out = c.get(f"/api/geo/cameras/{HIGH_POINT}/labels").json()
        assert out["ptz"] == "digital"
        shown = {lab["key"] for lab in out["labels"] if lab["shown"]}
        assert "camera:demo-pedestrians-street-amirhossein" in shown
        zoomed = c.get(f"/api/geo/cameras/{HIGH_POINT}/labels",
                       params={"pan": 0.5, "tilt": 0.5, "zoom": 2}).json()
        assert zoomed["crop"] == [0.25, 0.25, 0.5, 0.5]
