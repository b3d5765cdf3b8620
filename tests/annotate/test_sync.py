"""Live co-editing over WS /api/boards/{id}/ws with real Python Yjs clients."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from pycrdt import Map, UndoManager
from websockets.exceptions import InvalidStatus

from annotate.client import REMOTE, BoardClient
from auth.accounts import Role
from tests.annotate.helpers import (
    add_board,
    add_camera,
    snapshot,
    wait_until,
    ws_url,
)
from tests.live import LiveServer


def shape(kind: str, x: float, author: str) -> Map[Any]:
    return Map({"type": kind, "points": [x, 0.1, x + 0.2, 0.3], "color": "#ff3b30",
                "width": 3.0, "author": author})


@pytest.fixture
def board(server: LiveServer) -> tuple[str, str]:
    admin = server.admin_token()
    add_camera(server, admin)
    return add_board(server, admin), admin


async def test_edits_reach_peers_and_survive_everyone_leaving(
    server: LiveServer, board: tuple[str, str]
) -> None:
    board_id, token = board
    url = ws_url(server, board_id, token)
    async with BoardClient(url) as a, BoardClient(url) as b:
        a.elements["arrow-1"] = shape("arrow", 0.1, "a")
        b.elements["text-1"] = Map({"type": "text", "points": [0.5, 0.5], "text": "注意 人群"})
        await wait_until(lambda: snapshot(a) == snapshot(b) and len(snapshot(a)) == 2,
                         what="both edits at both peers")
    # The room was dropped from memory when both left; a late joiner gets everything.
    async with BoardClient(url) as late:
        assert set(snapshot(late)) == {"arrow-1", "text-1"}
        assert snapshot(late)["text-1"]["text"] == "注意 人群"


async def _random_edits(client: BoardClient, rng: random.Random, name: str, n: int) -> None:
    for i in range(n):
        keys = list(client.elements.keys())
        op = rng.random()
        if op < 0.5 or not keys:
            client.elements[f"{name}-{i}"] = shape(rng.choice(["rect", "ellipse", "arrow"]),
                                                   rng.random(), name)
        elif op < 0.8:
            item = client.elements[rng.choice(keys)]
            if isinstance(item, Map):
                item["color"] = rng.choice(["#ff0000", "#00ff00", "#0000ff"])
                item["points"] = [rng.random() for _ in range(4)]
        else:
            del client.elements[rng.choice(keys)]
        if rng.random() < 0.3:
            await asyncio.sleep(rng.random() * 0.01)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_five_clients_random_concurrent_edits_converge(
    server: LiveServer, board: tuple[str, str], seed: int
) -> None:
    """Property: whatever the interleaving, every replica (and the stored board) ends equal."""
    board_id, token = board
    url = ws_url(server, board_id, token)
    rng = random.Random(seed)
    clients = [BoardClient(url) for _ in range(5)]
    await asyncio.gather(*(c.connect() for c in clients))  # all join the new room at once
    try:
        await asyncio.gather(*(
            _random_edits(c, random.Random(rng.random()), f"c{i}", 40)
            for i, c in enumerate(clients)
        ))
        await asyncio.gather(*(c.flush() for c in clients))
        await wait_until(
            lambda: all(snapshot(c) == snapshot(clients[0]) for c in clients),
            timeout_s=20, what="convergence",
        )
        final = snapshot(clients[0])
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    async with BoardClient(url) as late:
        assert snapshot(late) == final


async def test_undo_reverts_only_my_own_edits(server: LiveServer, board: tuple[str, str]) -> None:
    board_id, token = board
    url = ws_url(server, board_id, token)
    async with BoardClient(url) as a, BoardClient(url) as b:
        undo = UndoManager(scopes=[a.elements], capture_timeout_millis=0)
        undo.exclude_origin(REMOTE)
        a.elements["mine"] = shape("rect", 0.1, "a")
        b.elements["theirs"] = shape("ellipse", 0.5, "b")
        await wait_until(lambda: len(snapshot(a)) == 2 and len(snapshot(b)) == 2,
                         what="both shapes everywhere")
        assert undo.undo()
        assert not undo.can_undo()  # b's shape is not on a's undo stack
        await wait_until(lambda: set(snapshot(b)) == {"theirs"}, what="undo at the peer")
        assert set(snapshot(a)) == {"theirs"}
        assert undo.redo()
        await wait_until(lambda: set(snapshot(b)) == {"mine", "theirs"}, what="redo")


async def test_read_only_viewer_cannot_change_the_board(
    server: LiveServer, board: tuple[str, str]
) -> None:
    board_id, admin = board
    viewer = server.add_account("xun.cha", Role.PATROLLER, "jiangsulu")
    with server.client(viewer) as c:
        assert c.get(f"/api/boards/{board_id}").json()["can_edit"] is False
    async with BoardClient(ws_url(server, board_id, admin)) as editor, \
            BoardClient(ws_url(server, board_id, viewer)) as reader:
        editor.elements["ok"] = shape("rect", 0.1, "admin")
        await wait_until(lambda: "ok" in snapshot(reader), what="viewer sees the editor")
        reader.elements["vandal"] = shape("rect", 0.7, "viewer")  # a hacked client
        await wait_until(lambda: bool(reader.denied), what="permission denied")
        assert "read-only" in reader.denied[0]
        editor.elements["after"] = shape("arrow", 0.3, "admin")
        await wait_until(lambda: "after" in snapshot(reader), what="later edit")
        assert "vandal" not in snapshot(editor)
    async with BoardClient(ws_url(server, board_id, admin)) as late:
        assert set(snapshot(late)) == {"ok", "after"}


async def test_other_street_and_anonymous_are_refused(
    server: LiveServer, board: tuple[str, str]
) -> None:
    board_id, _ = board
    other = server.add_account("hua.yang", Role.COMMANDER, "huayanglu")
    for token in (other, "not-a-token"):
        with pytest.raises(InvalidStatus):
            await BoardClient(ws_url(server, board_id, token)).connect()
    with server.client(other) as c:
        assert c.get(f"/api/boards/{board_id}").status_code == 404
        assert c.get("/api/boards").json() == []


async def test_presence_is_shared_and_cleared_when_a_peer_leaves(
    server: LiveServer, board: tuple[str, str]
) -> None:
    board_id, token = board
    url = ws_url(server, board_id, token)
    async with BoardClient(url) as b:
        a = BoardClient(url)
        await a.connect()
        state = '{"user":{"name":"张伟","color":"#f00"},"cursor":{"x":0.5,"y":0.5}}'
        await a.send_awareness(a.doc.client_id, 1, state)
        await wait_until(lambda: a.doc.client_id in b.awareness, what="presence at b")
        with server.client(token) as c:
            presence = c.get(f"/api/boards/{board_id}").json()["presence"]
        assert [p["name"] for p in presence] == ["张伟"]
        async with BoardClient(url) as late:  # a late joiner is told who is here
            await wait_until(lambda: a.doc.client_id in late.awareness, what="late presence")
        await a.close()
        await wait_until(lambda: b.awareness[a.doc.client_id].state == "null",
                         what="a's presence removed")


async def test_many_clients_joining_a_new_room_at_once_all_sync(
    server: LiveServer, board: tuple[str, str]
) -> None:
    board_id, token = board
    clients = [BoardClient(ws_url(server, board_id, token)) for _ in range(10)]
    try:
        await asyncio.gather(*(c.connect(timeout_s=20) for c in clients))  # each got step 2
        assert all(c.synced.is_set() for c in clients)
    finally:
        await asyncio.gather(*(c.close() for c in clients))
