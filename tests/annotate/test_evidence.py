"""Board PNGs attached to an alert appear in its evidence list (GET /api/alerts/{id}/exports),
scoped like the alert; attaching to an alert you cannot see is refused."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from auth.accounts import Role
from events.bus import InProcessBus
from events.model import Event
from tests.annotate.helpers import add_board, add_camera
from tests.live import LiveServer, start_live_server


def raise_alert(server: LiveServer, token: str, camera_id: str) -> str:
    """Publish an intrusion event with a snapshot and return the alert the desk raised."""
    assert server.app is not None
    bus: InProcessBus = server.app.state.event_bus
    now = datetime.now(UTC)
    ok, jpeg = cv2.imencode(".jpg", np.full((360, 640, 3), 90, np.uint8))
    assert ok
    bus.publish_threadsafe(Event(camera_id=camera_id, kind="intrusion", rule_id="r1", tier=3,
                                 started_at=now, updated_at=now, pts=1.0, zone_id="gate",
                                 message="禁区内发现 1 人", snapshot=bytes(jpeg)))
    with server.client(token) as c:
        deadline = time.monotonic() + 20
        while not (alerts := c.get("/api/alerts", params={"camera": camera_id}).json()):
            assert time.monotonic() < deadline, "no alert was raised"
            time.sleep(0.1)
        snapshot = f"/api/events/{alerts[0]['first_event_id']}/snapshot.jpg"
        while c.get(snapshot).status_code != 200:  # the recorder keeps it a moment later
            assert time.monotonic() < deadline, "the alert's snapshot was not kept"
            time.sleep(0.1)
    alert_id: str = alerts[0]["id"]
    return alert_id


def test_exports_attached_to_an_alert_are_its_evidence(server: LiveServer) -> None:
    admin = server.admin_token()
    add_camera(server, admin, "cam-gate", "jiangsulu")
    alert_id = raise_alert(server, admin, "cam-gate")
    live_board = add_board(server, admin, "cam-gate", title="现场态势")
    with server.client(admin) as c:
        assert c.get(f"/api/alerts/{alert_id}/exports").json() == []
        frame_board = c.post("/api/boards", json={"title": "告警标注", "alert_id": alert_id}
                             ).json()["id"]
        first = c.post(f"/api/boards/{frame_board}/exports", json={})  # the board's alert
        assert first.status_code == 201, first.text
        second = c.post(f"/api/boards/{live_board}/exports", json={"alert_id": alert_id})
        assert second.status_code == 201, second.text
        unrelated = c.post(f"/api/boards/{live_board}/exports", json={})
        assert unrelated.json()["alert_id"] is None
        refused = c.post(f"/api/boards/{live_board}/exports", json={"alert_id": "no-such"})
        assert refused.status_code == 404
        listed = c.get(f"/api/alerts/{alert_id}/exports").json()
        assert [x["id"] for x in listed] == [second.json()["id"], first.json()["id"]]
        assert [x["board_title"] for x in listed] == ["现场态势", "告警标注"]
        assert all(x["created_by"] == "admin" for x in listed)
        full = c.get(listed[1]["url"])
        assert full.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(full.content)).size == (640, 360)  # the alert's frame
        assert c.get("/api/alerts/no-such/exports").status_code == 404

    other = server.add_account("hua.yang", Role.DUTY_OFFICER, "huayanglu")
    with server.client(other) as c:
        assert c.get(f"/api/alerts/{alert_id}/exports").status_code == 404
    officer = server.add_account("zhang.wei", Role.DUTY_OFFICER, "jiangsulu")
    with server.client(officer) as c:
        assert len(c.get(f"/api/alerts/{alert_id}/exports").json()) == 2
        assert c.post(f"/api/boards/{live_board}/exports",
                      json={"alert_id": alert_id}).status_code == 201


def test_range_board_of_an_alert_spans_the_recorded_window(tmp_path: Path) -> None:
    with start_live_server(tmp_path / "data", recording_clip_pre_s=15.0,
                           recording_clip_post_s=30.0) as server:
        admin = server.admin_token()
        add_camera(server, admin, "cam-gate", "jiangsulu")
        alert_id = raise_alert(server, admin, "cam-gate")
        with server.client(admin) as c:
            alert = c.get(f"/api/alerts/{alert_id}").json()
            r = c.post("/api/boards", json={"title": "回放标注", "alert_id": alert_id,
                                            "kind": "range"})
            assert r.status_code == 201, r.text
        board = r.json()
        start = datetime.fromisoformat(alert["first_event_at"])
        assert board["kind"] == "range"
        assert board["camera_id"] == "cam-gate"
        assert datetime.fromisoformat(board["frame_at"]) == start - timedelta(seconds=15)
        assert datetime.fromisoformat(board["range_end"]) == start + timedelta(seconds=30)
