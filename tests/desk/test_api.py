"""The desk API on a real server: list and filters, one alert with its timeline, the actions
with their 403/404/409/422 answers (nothing changes on a refusal), scoping by street, the live
WebSocket, the inbound webhook of the dispatch platform, logs, maintenance and statistics."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from auth.accounts import Role, add_user
from db.database import Database
from desk.service import DeskService
from desk.signing import DELIVERY, SIGNATURE, TIMESTAMP, sign
from events.bus import InProcessBus
from tests.desk.conftest import make_event
from tests.live import LiveServer, start_live_server

SECRET = "inbound-secret-0123456789"
PASSWORD = "a-long-password-1"
USERS = {
    "officer": (Role.DUTY_OFFICER, None),
    "commander": (Role.COMMANDER, None),
    "jsl-officer": (Role.DUTY_OFFICER, "jiangsulu"),
    "jsl-patroller": (Role.PATROLLER, "jiangsulu"),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("desk-api")
    with start_live_server(data, desk_webhook_secret=SECRET) as server:
        assert server.app is not None
        db: Database = server.app.state.database
        with db.session() as s:
            for name, (role, unit) in USERS.items():
                add_user(s, username=name, password=PASSWORD, role=role, unit_id=unit,
                         display_name=f"{name}-name")
        with server.client(server.admin_token()) as c:
            for cam, unit in (("jsl-1", "jiangsulu"), ("hyl-1", "huayanglu")):
                r = c.post("/api/cameras", params={"check": "false"}, json={
                    "id": cam, "name": f"{cam} 路口", "url": "rtsp://127.0.0.1:9/x",
                    "unit": unit, "enabled": False,
                })
                assert r.status_code == 201, r.text
        yield server


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    return {name: live.login(name, PASSWORD) for name in USERS} | {"admin": live.admin_token()}


def client(live: LiveServer, tokens: dict[str, str], who: str) -> httpx.Client:
    return live.client(tokens[who])


def raise_alert(live: LiveServer, camera: str = "jsl-1", **kw: Any) -> dict[str, Any]:
    """Publish an event as vision does; wait for its alert."""
    assert live.app is not None
    bus: InProcessBus = live.app.state.event_bus
    rule = kw.pop("rule_id", f"r-{uuid.uuid4().hex[:8]}")
    bus.publish_threadsafe(make_event(camera, rule_id=rule, **kw))
    desk: DeskService = live.app.state.desk
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [a for a in desk.queries.find(_query(camera), None) if a.rule_id == rule]
        if found:
            return found[0].model_dump(mode="json")
        time.sleep(0.02)
    raise AssertionError(f"no alert for rule {rule} within 10 s")


def _query(camera: str) -> Any:
    from desk.queries import AlertQuery

    return AlertQuery(cameras=[camera])


def test_lifecycle_over_http(live: LiveServer, tokens: dict[str, str]) -> None:
    alert = raise_alert(live)
    path = f"/api/alerts/{alert['id']}"
    with client(live, tokens, "jsl-patroller") as patrol, \
            client(live, tokens, "jsl-officer") as officer, \
            client(live, tokens, "commander") as boss:
        listed = officer.get("/api/alerts", params={"active": True}).json()
        assert alert["id"] in [a["id"] for a in listed]
        refused = patrol.post(f"{path}/close", json={})
        assert refused.status_code == 403
        assert "may not close" in refused.json()["detail"]
        r = officer.post(f"{path}/resolve", json={"note": "x"})
        assert r.status_code == 409
        assert "acknowledge or dispatch the alert before resolving it" in r.json()["detail"]
        assert patrol.post(f"{path}/ack", json={"note": "看到了"}).status_code == 200
        again = officer.post(f"{path}/ack")
        assert again.status_code == 409
        assert "already acknowledged" in again.json()["detail"]
        bad_unit = officer.post(f"{path}/dispatch", json={"unit": "mars", "instructions": "去"})
        assert bad_unit.status_code == 422
        assert "unit 'mars' does not exist" in bad_unit.json()["detail"]
        assert officer.post(f"{path}/dispatch", json={"instructions": "去"}).status_code == 422
        d = officer.post(f"{path}/dispatch", json={
            "unit": "jiangsulu", "assignee": "王队", "instructions": "到场劝离",
            "deadline_minutes": 20,
        })
        assert d.status_code == 200
        assert d.json()["state"] == "dispatched"
        assert officer.post(f"{path}/resolve", json={"note": ""}).status_code == 422
        resolved = officer.post(f"{path}/resolve", json={"note": "已劝离"})
        assert resolved.json()["state"] == "resolved"
        assert officer.post(f"{path}/close", json={}).status_code == 403
        closed = boss.post(f"{path}/close", json={"note": "复核无误"})
        assert closed.json()["state"] == "closed"
        assert closed.json()["closed_by"] == "commander-name"
        final = officer.post(f"{path}/dismiss", json={"reason": "误报"})
        assert final.status_code == 409
        assert "closed (verified)" in final.json()["detail"]
        detail = officer.get(path).json()
        assert [s["kind"] for s in detail["steps"]] == [
            "created", "ack", "dispatch", "resolve", "close"
        ]
        assert [s["actor"] for s in detail["steps"][1:]] == [
            "jsl-patroller", "jsl-officer", "jsl-officer", "commander"
        ]
        assert "王队" in detail["steps"][2]["note"]
        assert detail["state"] == "closed"
        assert detail["version"] == 5
        unknown = officer.post(f"/api/alerts/{uuid.uuid4()}/ack")
        assert unknown.status_code == 404
        assert officer.get("/api/alerts/not-an-id").status_code == 422
    assert httpx.get(f"{live.base_url}/api/alerts").status_code == 401


def test_streets_see_only_their_alerts(live: LiveServer, tokens: dict[str, str]) -> None:
    other = raise_alert(live, "hyl-1")
    mine = raise_alert(live, "jsl-1", tier=4)
    with client(live, tokens, "jsl-officer") as c:
        ids = [a["id"] for a in c.get("/api/alerts").json()]
        assert mine["id"] in ids
        assert other["id"] not in ids
        assert c.get(f"/api/alerts/{other['id']}").status_code == 404
        assert c.post(f"/api/alerts/{other['id']}/ack").status_code == 404
        red = c.get("/api/alerts", params={"tier": 4, "sort": "queue"}).json()
        assert [a["tier"] for a in red] == [4] * len(red)
        assert c.get("/api/alerts", params={"tier": 5}).status_code == 422
    with client(live, tokens, "officer") as district:
        ids = [a["id"] for a in district.get("/api/alerts").json()]
        assert {mine["id"], other["id"]} <= set(ids)


def _ws(live: LiveServer, token: str) -> ClientConnection:
    return connect(live.base_url.replace("http", "ws") + f"/api/ws/desk?token={token}",
                   open_timeout=10)


def _next(ws: ClientConnection, alert_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        msg = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if msg["type"] == "alert" and msg["alert"]["id"] == alert_id:
            return dict(msg)


def test_changes_reach_desks_live(live: LiveServer, tokens: dict[str, str]) -> None:
    assert live.app is not None
    desk: DeskService = live.app.state.desk
    before = desk.feed.subscribers
    with _ws(live, tokens["jsl-officer"]) as street, _ws(live, tokens["officer"]) as district:
        deadline = time.monotonic() + 10
        while desk.feed.subscribers < before + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        other = raise_alert(live, "hyl-1")
        alert = raise_alert(live, "jsl-1")
        assert _next(district, other["id"])["change"] == "created"
        first = _next(street, alert["id"])  # the other street's alert never came before it
        assert first["change"] == "created"
        assert first["alert"]["camera_name"] == "jsl-1 路口"
        assert _next(district, alert["id"])["change"] == "created"
        with client(live, tokens, "officer") as c:
            c.post(f"/api/alerts/{alert['id']}/ack")
        for ws in (street, district):
            msg = _next(ws, alert["id"])
            assert msg["change"] == "ack"
            assert msg["alert"]["state"] == "acknowledged"
            assert msg["alert"]["acknowledged_by"] == "officer-name"
    with pytest.raises(InvalidStatus, match="401"), _ws(live, "forged"):
        pass


def _signed(body: bytes, delivery: str, at: datetime | None = None) -> dict[str, str]:
    ts = str(int((at or datetime.now(UTC)).timestamp()))
    return {SIGNATURE: sign(SECRET.encode(), ts, body), TIMESTAMP: ts, DELIVERY: delivery,
            "Content-Type": "application/json"}


def test_inbound_webhook_authenticates_and_refuses_replays(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    alert = raise_alert(live)
    url = f"{live.base_url}/api/desk/webhook"
    body = json.dumps({"alert_id": alert["id"], "action": "dispatch", "actor": "张三",
                       "unit": "jiangsulu", "instructions": "城运平台派单"}).encode()
    delivery = f"d-{uuid.uuid4().hex}"
    unsigned = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert "unsigned" in unsigned.json()["detail"]
    stale = _signed(body, delivery, datetime.now(UTC) - timedelta(minutes=6))
    assert httpx.post(url, content=body, headers=stale).status_code == 401
    forged = _signed(body, delivery) | {SIGNATURE: "sha256=" + "0" * 64}
    assert httpx.post(url, content=body, headers=forged).status_code == 401
    with client(live, tokens, "officer") as c:
        assert c.get(f"/api/alerts/{alert['id']}").json()["state"] == "new"  # unchanged
        ok = httpx.post(url, content=body, headers=_signed(body, delivery))
        assert ok.status_code == 200, ok.text
        assert ok.json()["state"] == "dispatched"
        replay = httpx.post(url, content=body, headers=_signed(body, delivery))
        assert replay.status_code == 409
        assert "replay" in replay.json()["detail"]
        detail = c.get(f"/api/alerts/{alert['id']}").json()
        assert detail["version"] == 2
        assert detail["steps"][-1]["actor"] == "platform:张三"
        assert detail["steps"][-1]["actor_name"] == "城运平台·张三"
        ghost = json.dumps({"alert_id": str(uuid.uuid4()), "action": "ack", "actor": "张三"})
        missing = httpx.post(url, content=ghost, headers=_signed(ghost.encode(), "d-ghost-0001"))
        assert missing.status_code == 404
        bad = b'{"alert_id": "x", "action": "explode"}'
        assert httpx.post(url, content=bad, headers=_signed(bad, "d-bad-00001")).status_code == 422
        assert c.get("/api/desk/webhook/inbound").status_code == 403
    with client(live, tokens, "admin") as admin:
        log = admin.get("/api/desk/webhook/inbound").json()
        mine = {e["delivery_id"]: e for e in log}
        assert mine[delivery]["status_code"] == 200
        assert mine["d-ghost-0001"]["status_code"] == 404
        out = admin.get("/api/desk/webhook/deliveries").json()
        assert out["outbound_configured"] is False
        assert out["inbound_configured"] is True


def test_maintenance_policy_and_stats(live: LiveServer, tokens: dict[str, str]) -> None:
    now = datetime.now(UTC)
    window = {"camera_id": "hyl-1", "starts_at": now.isoformat(),
              "ends_at": (now + timedelta(hours=1)).isoformat(), "reason": "线路检修"}
    with client(live, tokens, "officer") as officer, client(live, tokens, "commander") as boss:
        assert officer.post("/api/desk/maintenance", json=window).status_code == 403
        made = boss.post("/api/desk/maintenance", json=window)
        assert made.status_code == 201
        assert [w["reason"] for w in officer.get("/api/desk/maintenance").json()] == ["线路检修"]
        assert live.app is not None
        desk: DeskService = live.app.state.desk
        silenced = desk.in_maintenance
        live.app.state.event_bus.publish_threadsafe(make_event("hyl-1", rule_id="quiet"))
        deadline = time.monotonic() + 10
        while desk.in_maintenance == silenced and time.monotonic() < deadline:
            time.sleep(0.02)
        assert desk.in_maintenance == silenced + 1  # no alert from a camera under repair
        policy = officer.get("/api/desk/policy").json()
        assert policy["overdue_after_s"] == 1800
        assert policy["escalation"][0]["after_s"] == 300
        ack_me = raise_alert(live, "jsl-1", kind="loitering")
        officer.post(f"/api/alerts/{ack_me['id']}/ack")
        stats = officer.get("/api/alerts/stats").json()
        assert stats["total"] >= 1
        assert stats["by_kind"]["loitering"] >= 1
        assert stats["mean_ack_s"] is not None
        assert boss.delete(f"/api/desk/maintenance/{made.json()['id']}").status_code == 204
        assert officer.get("/api/desk/maintenance").json() == []
