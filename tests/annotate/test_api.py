"""Board REST: scoping, creation rules, history at a time, server-rendered PNG evidence."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime

import cv2
import numpy as np
from PIL import Image
from pycrdt import Map

from annotate.client import BoardClient
from auth.accounts import Role
from events.bus import InProcessBus
from events.model import Event
from tests.annotate.helpers import add_board, add_camera, wait_until, ws_url
from tests.live import LiveServer


def test_boards_are_scoped_to_the_camera_unit_and_role(server: LiveServer) -> None:
    admin = server.admin_token()
    add_camera(server, admin, "cam-a", "jiangsulu")
    patroller = server.add_account("xun.cha", Role.PATROLLER, "jiangsulu")
    other = server.add_account("hua.yang", Role.DUTY_OFFICER, "huayanglu")
    with server.client(patroller) as c:
        r = c.post("/api/boards", json={"title": "巡查", "camera_id": "cam-a"})
        assert r.status_code == 403  # default: editable from duty officer up
        r = c.post("/api/boards", json={"title": "巡查", "camera_id": "cam-a",
                                        "edit_role": "patroller"})
        assert r.status_code == 201
        assert r.json()["can_edit"] is True
    with server.client(other) as c:
        assert c.post("/api/boards", json={"title": "x", "camera_id": "cam-a"}).status_code == 403
        assert c.post("/api/boards", json={"title": "x", "camera_id": "nope"}).status_code == 404
        assert c.get("/api/boards", params={"camera_id": "cam-a"}).json() == []
    with server.client(admin) as c:
        boards = c.get("/api/boards", params={"camera_id": "cam-a"}).json()
        assert [b["title"] for b in boards] == ["巡查"]


async def test_history_and_png_export(server: LiveServer) -> None:
    admin = server.admin_token()
    add_camera(server, admin)
    board_id = add_board(server, admin)
    async with BoardClient(ws_url(server, board_id, admin)) as a:
        a.elements["r"] = Map({"type": "rect", "points": [0.1, 0.1, 0.5, 0.5],
                               "color": "#00ff00", "width": 6.0})
        a.elements["t"] = Map({"type": "text", "points": [0.6, 0.6], "text": "疏导"})
        await a.flush()
        await wait_until(lambda: _stored(server, admin, board_id) == 2, what="stored")
        middle = datetime.now(UTC)
        await asyncio.sleep(0.05)
        a.elements["p"] = Map({"type": "pin", "points": [0.8, 0.2], "text": "A"})
        await wait_until(lambda: _stored(server, admin, board_id) == 3, what="stored")
    with server.client(admin) as c:
        then = c.get(f"/api/boards/{board_id}/history", params={"at": middle.isoformat()})
        assert sorted(e["id"] for e in then.json()["elements"]) == ["r", "t"]
        now = c.get(f"/api/boards/{board_id}/history").json()
        assert sorted(e["id"] for e in now["elements"]) == ["p", "r", "t"]
        assert len(c.get(f"/api/boards/{board_id}/timeline").json()) == 3
        png = c.get(f"/api/boards/{board_id}/export.png")
        assert png.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(png.content)).convert("RGB")
        w, h = image.size
        assert image.getpixel((int(0.1 * w) + 1, int(0.3 * h))) == (0, 255, 0)  # the rectangle
        saved = c.post(f"/api/boards/{board_id}/exports", json={})
        assert saved.status_code == 201
        again = c.get(saved.json()["url"])
        assert again.status_code == 200
        assert again.content[:8] == b"\x89PNG\r\n\x1a\n"


def _stored(server: LiveServer, token: str, board_id: str) -> int:
    with server.client(token) as c:
        return len(c.get(f"/api/boards/{board_id}/timeline").json())


def test_alert_board_draws_over_the_alert_frame(server: LiveServer) -> None:
    admin = server.admin_token()
    add_camera(server, admin, "cam-alert")
    assert server.app is not None
    bus: InProcessBus = server.app.state.event_bus
    now = datetime.now(UTC)
    ok, jpeg = cv2.imencode(".jpg", np.full((360, 640, 3), 90, np.uint8))
    assert ok
    bus.publish_threadsafe(Event(camera_id="cam-alert", kind="intrusion", rule_id="r1", tier=3,
                                 started_at=now, updated_at=now, pts=1.0, zone_id="gate",
                                 message="禁区内发现 1 人", snapshot=bytes(jpeg)))
    with server.client(admin) as c:
        deadline = time.monotonic() + 20
        while not (alerts := c.get("/api/alerts").json()):
            assert time.monotonic() < deadline, "no alert was raised"
            time.sleep(0.1)
        assert c.post("/api/boards", json={"title": "x", "alert_id": "nope"}).status_code == 404
        r = c.post("/api/boards", json={"title": "证据", "alert_id": alerts[0]["id"]})
        assert r.status_code == 201, r.text
        board = r.json()
        assert board["camera_id"] == "cam-alert"
        assert board["kind"] == "frame"
        assert board["has_frame"] is True
        assert c.get(f"/api/boards/{board['id']}/frame.jpg").content[:2] == b"\xff\xd8"
        png = c.get(f"/api/boards/{board['id']}/export.png").content
        assert Image.open(io.BytesIO(png)).size == (640, 360)
        listed = c.get("/api/boards", params={"alert_id": alerts[0]["id"]}).json()
        assert [b["id"] for b in listed] == [board["id"]]
