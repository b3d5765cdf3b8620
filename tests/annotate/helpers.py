"""Board test helpers: users, a camera, a board, and connected Python Yjs clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from annotate.client import BoardClient
from tests.live import LiveServer


def add_camera(server: LiveServer, token: str, cid: str = "cam-1",
               unit: str = "jiangsulu") -> None:
    with server.client(token) as c:
        r = c.post("/api/cameras", params={"check": "false"},
                   json={"id": cid, "name": f"摄像机 {cid}", "url": f"rtsp://127.0.0.1:9/{cid}",
                         "unit": unit})
    assert r.status_code == 201, r.text


def add_board(server: LiveServer, token: str, cid: str = "cam-1", **extra: Any) -> str:
    with server.client(token) as c:
        r = c.post("/api/boards", json={"title": "画板", "camera_id": cid, **extra})
    assert r.status_code == 201, r.text
    board_id: str = r.json()["id"]
    return board_id


def ws_url(server: LiveServer, board_id: str, token: str) -> str:
    return server.base_url.replace("http", "ws", 1) + f"/api/boards/{board_id}/ws?token={token}"


async def wait_until(check: Callable[[], bool], timeout_s: float = 10.0,
                     what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout_s} s")
        await asyncio.sleep(0.02)


def snapshot(client: BoardClient) -> dict[str, Any]:
    value: dict[str, Any] = client.elements.to_py()
    return value
