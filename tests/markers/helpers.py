"""Fixtures (a conftest imports them) and helpers for marker and patrol tests: a real server
with two streets' cameras and accounts on each street; helpers for the marker WebSocket and
for events as vision publishes them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from auth.accounts import Role
from events.bus import InProcessBus
from events.model import Event
from tests.live import LiveServer, start_live_server

# username → (role, unit); unit None = the district
ACCOUNTS: dict[str, tuple[Role, str | None]] = {
    "alice": (Role.PATROLLER, "jiangsulu"),
    "bob": (Role.PATROLLER, "jiangsulu"),
    "carol": (Role.PATROLLER, "huayanglu"),
    "dave": (Role.DUTY_OFFICER, None),
    "spammer": (Role.PATROLLER, "jiangsulu"),
}
CAMERAS = {"jsl-1": "jiangsulu", "jsl-2": "jiangsulu", "hyl-1": "huayanglu"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("markers")) as server:
        with server.client(server.admin_token()) as c:
            for cam, unit in CAMERAS.items():
                r = c.post("/api/cameras", params={"check": "false"}, json={
                    "id": cam, "name": f"{cam} 路口", "url": "rtsp://127.0.0.1:9/x",
                    "unit": unit, "enabled": False,
                })
                assert r.status_code == 201, r.text
        yield server


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    out = {name: live.add_account(name, role, unit) for name, (role, unit) in ACCOUNTS.items()}
    return out | {"admin": live.admin_token()}


def ws_connect(live: LiveServer, token: str, camera_id: str) -> ClientConnection:
    url = live.base_url.replace("http", "ws") + f"/api/markers/ws?camera_id={camera_id}"
    return connect(f"{url}&token={token}", open_timeout=10)


def next_message(
    ws: ClientConnection, marker_id: int | None = None, timeout: float = 5.0
) -> dict[str, Any]:
    """The next marker message (for `marker_id` when given) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no message for marker {marker_id} within {timeout} s")
        msg: dict[str, Any] = json.loads(ws.recv(timeout=left))
        if marker_id is None or (msg.get("marker") or {}).get("id") == marker_id:
            return msg


def no_message(ws: ClientConnection, wait: float = 0.5) -> None:
    """Nothing arrives within `wait` seconds."""
    try:
        raw = ws.recv(timeout=wait)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message: {raw!r}")


def make_event(camera: str, tier: int = 2, **kw: Any) -> Event:
    now = datetime.now(UTC)
    return Event.model_validate({
        "id": kw.pop("id", uuid.uuid4()), "camera_id": camera, "kind": kw.pop("kind", "intrusion"),
        "rule_id": "r1", "tier": tier, "started_at": kw.pop("started_at", now),
        "updated_at": now, "pts": 1.0, "message": kw.pop("message", "有人进入禁区"), **kw,
    })


def publish(live: LiveServer, event: Event) -> None:
    assert live.app is not None
    bus: InProcessBus = live.app.state.event_bus
    bus.publish_threadsafe(event)
