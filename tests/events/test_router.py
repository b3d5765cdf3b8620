"""GET /api/events (filters, scoping, snapshot) and WS /api/ws/events, on a small app that
mounts the events router the way server.py does; the recorder persists what the bus carries."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from auth.tokens import TokenCodec
from db.database import Database
from events.bus import InProcessBus
from events.recorder import EventRecorder
from events.router import router
from events.store import EventQuery, EventStore
from tests.events.test_bus import make_event
from tests.live import free_port

T = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
CODEC = TokenCodec("test-secret-" + "x" * 40, timedelta(hours=1))


@pytest.fixture
def app(database: Database) -> FastAPI:
    bus = InProcessBus()
    store = EventStore(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        recorder = EventRecorder(bus, store)
        await recorder.start()
        app.state.recorder = recorder
        yield
        await recorder.stop()
        await bus.stop()

    app = FastAPI(lifespan=lifespan)
    app.state.database = database
    app.state.tokens = CODEC
    app.state.event_store = store
    app.state.event_bus = bus
    app.include_router(router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    """The app served by uvicorn on a loopback port, in a thread that the fixture stops."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10.0) as c:
            deadline = time.monotonic() + 30
            while True:
                try:
                    c.get("/api/events")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or not thread.is_alive():
                        raise
                    time.sleep(0.05)
            yield c
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


def auth(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {CODEC.issue(user)}"}


def seed(app: FastAPI) -> list[str]:
    store: EventStore = app.state.event_store
    evs = [
        make_event(
            "north-1",
            "intrusion",
            started_at=T,
            updated_at=T,
            ended_at=T + timedelta(minutes=1),
            snapshot=b"\xff\xd8n",
        ),
        make_event(
            "south-1",
            "overcrowding",
            started_at=T + timedelta(hours=1),
            updated_at=T + timedelta(hours=1),
        ),
    ]
    for ev in evs:
        store.save(ev)
    return [str(e.id) for e in evs]


def test_history_is_filtered_and_scoped(app: FastAPI, client: httpx.Client) -> None:
    north, south = seed(app)
    assert client.get("/api/events").status_code == 401
    all_events = client.get("/api/events", headers=auth("admin")).json()
    assert [e["id"] for e in all_events] == [south, north]
    mine = client.get("/api/events", headers=auth("north-officer")).json()
    assert [e["id"] for e in mine] == [north]  # the south street's camera is not theirs
    asked = client.get("/api/events", params={"camera": "south-1"}, headers=auth("north-officer"))
    assert asked.json() == []
    by_kind = client.get("/api/events", params={"kind": "overcrowding"}, headers=auth("admin"))
    assert [e["id"] for e in by_kind.json()] == [south]
    window = {"since": "2026-11-21T08:30:00Z", "until": "2026-11-21T10:00:00+00:00"}
    assert [
        e["id"] for e in client.get("/api/events", params=window, headers=auth("admin")).json()
    ] == [south]
    bad = client.get("/api/events", params={"kind": "fire"}, headers=auth("admin"))
    assert bad.status_code == 422
    backwards = {"since": "2026-11-21T10:00:00Z", "until": "2026-11-21T08:00:00Z"}
    assert client.get("/api/events", params=backwards, headers=auth("admin")).status_code == 400


def test_one_event_and_its_snapshot(app: FastAPI, client: httpx.Client) -> None:
    north, south = seed(app)
    got = client.get(f"/api/events/{north}", headers=auth("north-officer"))
    assert got.status_code == 200
    assert got.json()["has_snapshot"] is True
    snap = client.get(got.json()["snapshot_url"], headers=auth("north-officer"))
    assert snap.headers["content-type"] == "image/jpeg"
    assert snap.content == b"\xff\xd8n"
    assert client.get(f"/api/events/{south}", headers=auth("north-officer")).status_code == 404
    assert client.get(f"/api/events/{south}/snapshot.jpg", headers=auth("admin")).status_code == 404
    assert client.get("/api/events/not-a-uuid", headers=auth("admin")).status_code == 422


def test_live_events_reach_the_websocket_scoped_and_are_stored(
    app: FastAPI, client: httpx.Client
) -> None:
    bus: InProcessBus = app.state.event_bus
    token = CODEC.issue("north-officer")
    url = str(client.base_url).replace("http", "ws") + f"/api/ws/events?token={token}"
    with connect(url, open_timeout=10) as ws:
        deadline = time.monotonic() + 10
        while bus.subscribers < 2 and time.monotonic() < deadline:  # recorder + this socket
            time.sleep(0.02)
        for cam in ("south-1", "north-1"):
            bus.publish_threadsafe(make_event(cam, "loitering", message=f"{cam} 有人逗留"))
        msg = json.loads(ws.recv(timeout=10))
    assert msg["type"] == "event"
    assert msg["event"]["camera_id"] == "north-1"  # the south event was not sent
    assert msg["event"]["message"] == "north-1 有人逗留"
    store: EventStore = app.state.event_store
    deadline = time.monotonic() + 10
    while len(store.query(EventQuery())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(store.query(EventQuery())) == 2  # the recorder saved both


def test_websocket_without_a_valid_token_is_refused(client: httpx.Client) -> None:
    url = str(client.base_url).replace("http", "ws") + "/api/ws/events?token=forged"
    with pytest.raises(InvalidStatus, match="401"), connect(url, open_timeout=10):
        pass
