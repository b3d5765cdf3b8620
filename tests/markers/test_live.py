"""The per-camera marker WebSocket on a real server, and AI markers made from events."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from tests.live import LiveServer
from tests.markers.helpers import make_event, next_message, no_message, publish, ws_connect


def _post(live: LiveServer, token: str, **body: Any) -> dict[str, Any]:
    with live.client(token) as c:
        r = c.post("/api/markers", json={"camera_id": "jsl-1", "text": "看这里"} | body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _ai_markers(live: LiveServer, token: str, camera: str) -> list[dict[str, Any]]:
    with live.client(token) as c:
        r = c.get("/api/markers", params={"camera_id": camera, "kind": "ai"})
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def _wait_ai(live: LiveServer, token: str, camera: str, event_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in _ai_markers(live, token, camera) if m["event_id"] == event_id]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no AI marker for event {event_id} within 10 s")


def test_a_marker_reaches_everyone_watching_the_camera(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    with (ws_connect(live, tokens["bob"], "jsl-1") as bob,
          ws_connect(live, tokens["dave"], "jsl-1") as dave,
          ws_connect(live, tokens["bob"], "jsl-2") as elsewhere):
        m = _post(live, tokens["alice"], text="有人翻越护栏", x=0.4, y=0.6)
        for ws in (bob, dave):
            msg = next_message(ws, m["id"])
            assert (msg["type"], msg["op"]) == ("marker", "created")
            assert msg["marker"] == m
        no_message(elsewhere, 0.3)  # another camera's watchers are not told

        with live.client(tokens["alice"]) as c:
            c.patch(f"/api/markers/{m['id']}", json={"text": "已处理"}).raise_for_status()
            msg = next_message(bob, m["id"])
            assert (msg["op"], msg["marker"]["text"]) == ("updated", "已处理")
            assert c.delete(f"/api/markers/{m['id']}").status_code == 204
            assert next_message(bob, m["id"])["op"] == "deleted"


def test_hidden_markers_vanish_for_viewers_but_not_for_admins(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    with (ws_connect(live, tokens["bob"], "jsl-1") as bob,
          ws_connect(live, tokens["admin"], "jsl-1") as admin_ws):
        m = _post(live, tokens["alice"], text="广告")
        next_message(bob, m["id"])
        next_message(admin_ws, m["id"])
        with live.client(tokens["admin"]) as c:
            c.patch(f"/api/markers/{m['id']}", json={"hidden": True}).raise_for_status()
        assert next_message(bob, m["id"])["op"] == "deleted"
        seen = next_message(admin_ws, m["id"])
        assert (seen["op"], seen["marker"]["hidden"]) == ("updated", True)


def test_the_feed_refuses_other_units_and_strangers(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    with pytest.raises(InvalidStatus, match="403"), ws_connect(live, tokens["carol"], "jsl-1"):
        pass
    with pytest.raises(InvalidStatus, match="404"), ws_connect(live, tokens["bob"], "nope"):
        pass
    with pytest.raises(InvalidStatus, match="401"), ws_connect(live, "forged", "jsl-1"):
        pass
    # carol watches her own street and hears nothing of 江苏路
    with ws_connect(live, tokens["carol"], "hyl-1") as carol:
        _post(live, tokens["alice"], text="江苏路的事")
        no_message(carol, 0.3)


def test_events_make_one_ai_marker_each_and_raise_its_tier(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=30)
    event = make_event("jsl-2", tier=2, started_at=started, point=(0.3, 0.7),
                       message="有人进入禁区 北门")
    with ws_connect(live, tokens["bob"], "jsl-2") as bob:
        publish(live, event)
        msg = next_message(bob, timeout=5)
        marker = msg["marker"]
        assert msg["op"] == "created"
        assert marker["event_id"] == str(event.id)
        assert (marker["kind"], marker["rule"], marker["tier"], marker["author"]) == (
            "ai", "intrusion", 2, None)
        assert marker["text"] == "区域入侵：有人进入禁区 北门"
        assert (marker["x"], marker["y"]) == (0.3, 0.7)
        assert marker["ts"] == pytest.approx(started.timestamp())

        # the same event again (open, or an update without a higher tier): still one marker
        publish(live, event)
        publish(live, event.model_copy(update={"state": "updated"}))
        sentinel = make_event("jsl-2", tier=1)
        publish(live, sentinel)  # handled after the repeats: the bus keeps the order
        assert next_message(bob, timeout=5)["marker"]["event_id"] == str(sentinel.id)
        ours = [m for m in _ai_markers(live, tokens["bob"], "jsl-2")
                if m["event_id"] == str(event.id)]
        assert len(ours) == 1

        publish(live, event.model_copy(update={"state": "updated", "tier": 4}))
        raised = next_message(bob, marker["id"], timeout=5)
        assert (raised["op"], raised["marker"]["tier"]) == ("updated", 4)
        publish(live, event.model_copy(update={"state": "closed", "tier": 4}))
    again = _wait_ai(live, tokens["bob"], "jsl-2", str(event.id))
    assert (again["id"], again["tier"]) == (marker["id"], 4)
    # other streets do not see it; only admins may remove it
    assert str(event.id) not in [m["event_id"] for m in _ai_markers(live, tokens["dave"], "hyl-1")]
    with live.client(tokens["bob"]) as c:
        assert c.delete(f"/api/markers/{marker['id']}").status_code == 403
    with live.client(tokens["admin"]) as c:
        assert c.delete(f"/api/markers/{marker['id']}").status_code == 204


def test_an_ai_marker_is_made_once_even_after_a_restart(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    from markers.service import MarkerService

    assert live.app is not None
    event = make_event("jsl-1", tier=3)
    publish(live, event)
    first = _wait_ai(live, tokens["alice"], "jsl-1", str(event.id))
    # a fresh service (as after a restart) seeing the event again makes nothing new
    fresh = MarkerService(live.app.state.database, live.app.state.event_bus)
    assert fresh.apply_event(event) is None
    ours = [m for m in _ai_markers(live, tokens["alice"], "jsl-1")
            if m["event_id"] == str(event.id)]
    assert [m["id"] for m in ours] == [first["id"]]
