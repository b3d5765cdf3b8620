"""WS /api/boards/{id}/ws: the y-websocket endpoint (binary y-protocols messages).

Authenticated (`?token=`), scoped by unit; read-only viewers get the document and presence,
but their updates are dropped and answered with a permission-denied message."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, HTTPException, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from annotate.access import BoardNotFound, can_edit, visible_board
from annotate.protocol import ProtocolError
from annotate.rooms import Peer, Room
from annotate.service import BoardService
from annotate.writer import WriterClosed
from auth.accounts import Principal
from auth.deps import ws_authenticate
from db.database import Database

log = logging.getLogger(__name__)
router = APIRouter(tags=["boards"])

CLOSE_UNAUTHORISED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_PROTOCOL = 4400
CLOSE_RESYNC = 1012  # "service restart": the client reconnects and resyncs


def _authorise(websocket: WebSocket, board_id: str) -> tuple[Principal, bool] | int:
    try:
        user = ws_authenticate(websocket)
    except HTTPException:
        return CLOSE_UNAUTHORISED
    database: Database = websocket.app.state.database
    with database.session() as session:
        try:
            board = visible_board(session, user, board_id)
        except BoardNotFound:
            return CLOSE_NOT_FOUND
        return user, can_edit(user, board)


async def _send_loop(websocket: WebSocket, peer: Peer) -> None:
    while True:
        message = await peer.outbox.get()
        if message is None or peer.overflowed:
            return
        await websocket.send_bytes(message)


async def _receive_loop(websocket: WebSocket, service: BoardService, room: Room,
                        peer: Peer) -> None:
    while True:
        event = await websocket.receive()
        if event["type"] == "websocket.disconnect":
            return
        data = event.get("bytes")
        if data is None:
            continue  # text frames are not part of the protocol
        try:
            service.hub.handle(room, peer, data, on_fail=peer.close)
        except ProtocolError as exc:
            log.info("board %s: bad message from %s: %s", room.board_id, peer.username, exc)
            return
        except WriterClosed:
            return
        except ValueError as exc:  # pycrdt refused the update
            log.info("board %s: bad update from %s: %s", room.board_id, peer.username, exc)
            return


@router.websocket("/api/boards/{board_id}/ws")
async def board_socket(websocket: WebSocket, board_id: str) -> None:
    result = await asyncio.to_thread(_authorise, websocket, board_id)
    if isinstance(result, int):
        await websocket.close(code=result)
        return
    user, editable = result
    service: BoardService = websocket.app.state.boards
    await websocket.accept()
    peer = Peer(user.username, user.display_name, editable)
    room = await service.hub.join(board_id, peer)
    try:
        sender = asyncio.create_task(_send_loop(websocket, peer), name="board-ws-send")
        receiver = asyncio.create_task(_receive_loop(websocket, service, room, peer),
                                       name="board-ws-receive")
        _, pending = await asyncio.wait({sender, receiver},
                                        return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(sender, receiver, return_exceptions=True)
    except WebSocketDisconnect:
        pass
    finally:
        service.hub.leave(room, peer)
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code=CLOSE_RESYNC if peer.overflowed else 1000)
