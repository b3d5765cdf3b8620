"""The HTTP fallback (MJPEG with interleaved overlays) and a clean shutdown of live sessions."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db.database import Database
from streams.webrtc.audit import LiveSessionRow
from streams.webrtc.client import WhepViewer
from tests.live import LiveServer, start_live_server
from tests.webrtc.conftest import add_camera, live_status, wait_online

pytestmark = [pytest.mark.media]


def parts(response: httpx.Response) -> Iterator[tuple[dict[str, str], bytes]]:
    """(headers, body) of each part of a multipart/x-mixed-replace stream."""
    buf = b""
    stream = response.iter_bytes()
    while True:
        while b"\r\n\r\n" not in buf:
            buf += next(stream)
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        assert lines[0] == "--cityeye-frame", lines
        headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        size = int(headers["content-length"])
        while len(buf) < size + 2:
            buf += next(stream)
        body, buf = buf[:size], buf[size + 2:]
        yield headers, body


def watch_mjpeg(server: LiveServer, token: str, overlay_after: int) -> list[tuple[dict[str, str],
                                                                                 bytes]]:
    got: list[tuple[dict[str, str], bytes]] = []
    with server.client(token) as c, c.stream("GET", "/api/cameras/jsl-1/live.mjpeg") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("multipart/x-mixed-replace")
        for headers, body in parts(r):
            got.append((headers, body))
            if len(got) == overlay_after:
                assert live_status(server, token, "jsl-1")["mjpeg_viewers"] == 1
                pts = float(headers["x-pts"])
                push = c.post("/api/cameras/jsl-1/overlay", json={
                    "camera_id": "jsl-1", "pts": pts, "boxes": [{"x1": 0, "y1": 0, "x2": 0.5,
                                                                 "y2": 0.5, "label": "car",
                                                                 "score": 0.7}]})
                assert push.status_code == 202
            if headers["content-type"] == "application/json" or len(got) > 100:
                return got
    return got


async def test_mjpeg_fallback_streams_pictures_and_overlays(
    live_server: LiveServer, shared_clip: Path
) -> None:
    admin = live_server.admin_token()
    add_camera(live_server, admin, "jsl-1", str(shared_clip), "jiangsulu")
    await asyncio.to_thread(wait_online, live_server, admin, "jsl-1")
    got = await asyncio.wait_for(asyncio.to_thread(watch_mjpeg, live_server, admin, 2), 60)
    pictures = [(h, b) for h, b in got if h["content-type"] == "image/jpeg"]
    assert len(pictures) >= 2
    assert all(b[:2] == b"\xff\xd8" for _, b in pictures)
    assert int(pictures[0][0]["x-width"]) == 1920
    overlay = got[-1]
    assert overlay[0]["content-type"] == "application/json"
    assert f'"ticks":{pictures[1][0]["x-ticks"]}' in overlay[1].decode()
    deadline = time.monotonic() + 15
    while live_status(live_server, admin, "jsl-1")["mjpeg_viewers"] != 0:
        assert time.monotonic() < deadline, "fallback viewer not released"
        await asyncio.sleep(0.2)
    with live_server.client(admin) as c:
        while True:
            rows = c.get("/api/live/sessions").json()
            if (rows and rows[0]["ended_at"]) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    assert rows[0]["transport"] == "mjpeg"
    assert rows[0]["ended_at"] is not None


async def test_server_shutdown_closes_every_peer_connection(
    tmp_path: Path, shared_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYEYE_WEBRTC_HOSTS", "127.0.0.1")
    running = start_live_server(tmp_path / "data")
    server = running.__enter__()
    try:
        admin = server.admin_token()
        add_camera(server, admin, "jsl-1", str(shared_clip), "jiangsulu")
        await asyncio.to_thread(wait_online, server, admin, "jsl-1")
        viewers = [WhepViewer(server.base_url, "jsl-1", admin) for _ in range(2)]
        for v in viewers:
            await v.connect()
            await v.next_frame()
        assert live_status(server, admin, "jsl-1")["webrtc_viewers"] == 2
    finally:
        # stop the server (its lifespan closes the live service) while this loop keeps
        # running the viewers' side of the connections
        await asyncio.to_thread(running.__exit__, None, None, None)
    settings = server.settings
    assert not [t.name for t in threading.enumerate()
                if t.name.startswith(("cityeye-live-", "cityeye-mjpeg-"))]
    database = Database(settings.db_url)
    try:
        with database.session() as s:
            rows = s.query(LiveSessionRow).all()
            assert len(rows) == 2
            assert all(r.ended_at is not None and r.end_reason == "server shutting down"
                       for r in rows)
    finally:
        database.close()
    deadline = time.monotonic() + 10
    while any(v.pc.connectionState == "connected" for v in viewers):
        assert time.monotonic() < deadline, "viewers still connected after the server stopped"
        await asyncio.sleep(0.1)
    for v in viewers:
        await v.close(delete=False)
