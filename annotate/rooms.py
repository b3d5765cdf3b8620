"""Live boards in memory: one `Room` (a pycrdt Doc, its peers and their presence) per board.

Rooms are loaded from the update log when the first peer joins (concurrent joiners wait for
the same load, and every peer gets sync step 1) and dropped from memory when the last leaves;
nothing is deleted, because every accepted update is in the database before peers see it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, merge_updates

from annotate import protocol as yp
from annotate.store import PendingWrite
from annotate.writer import UpdateWriter, WriteJob
from db.base import utcnow

log = logging.getLogger(__name__)


class Peer:
    """One connection: a bounded outbox drained by the socket's sender task."""

    def __init__(self, username: str, display_name: str, can_edit: bool,
                 outbox_size: int = 4096) -> None:
        self.username = username
        self.display_name = display_name
        self.can_edit = can_edit
        self.outbox: asyncio.Queue[bytes | None] = asyncio.Queue(outbox_size)
        self.client_ids: set[int] = set()
        self.overflowed = False
        self.denied = 0

    def offer(self, message: bytes) -> None:
        """Queue a message; a peer that cannot keep up is disconnected (it resyncs on return)."""
        if self.overflowed:
            return
        try:
            self.outbox.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            log.warning("board peer %s fell behind; disconnecting it", self.username)

    def close(self) -> None:
        try:
            self.outbox.put_nowait(None)
        except asyncio.QueueFull:
            self.overflowed = True


@dataclass
class Room:
    board_id: str
    doc: Doc[Any]
    peers: set[Peer] = field(default_factory=set)
    awareness: dict[int, yp.AwarenessEntry] = field(default_factory=dict)
    committed: list[tuple[Peer | None, bytes]] = field(default_factory=list)

    def relay(self) -> None:
        """Send the updates committed since the last relay: one message per peer, merged
        when several (under load one write batch carries many), never back to the author of
        a lone update."""
        batch, self.committed = self.committed, []
        if not batch:
            return
        authors = {author for author, _ in batch}
        update = batch[0][1] if len(batch) == 1 else merge_updates(*[u for _, u in batch])
        exclude = next(iter(authors)) if len(authors) == 1 else None
        self.broadcast(yp.sync_message(yp.SyncKind.UPDATE, update), exclude=exclude)

    def broadcast(self, message: bytes, exclude: Peer | None = None) -> None:
        for peer in self.peers:
            if peer is not exclude:
                peer.offer(message)

    def greeting(self) -> list[bytes]:
        """What a new peer gets: our state vector (sync step 1) and everyone's presence."""
        out = [yp.sync_message(yp.SyncKind.STEP1, self.doc.get_state())]
        live = [e for e in self.awareness.values() if e.state != "null"]
        if live:
            out.append(yp.awareness_message(yp.encode_awareness(live)))
        return out


class BoardHub:
    """Owns the rooms and the writer; `handle` applies one message from one peer."""

    def __init__(self, loader: Callable[[str], bytes], writer: UpdateWriter) -> None:
        self._loader = loader  # board id -> the stored document as one update (blocking)
        self._writer = writer
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Future[Room]] = {}

    @property
    def rooms(self) -> dict[str, Room]:
        return self._rooms

    async def join(self, board_id: str, peer: Peer) -> Room:
        room = self._rooms.get(board_id)
        if room is None:
            pending = self._loading.get(board_id)
            if pending is None:
                pending = asyncio.get_running_loop().create_future()
                self._loading[board_id] = pending
                try:
                    update = await asyncio.to_thread(self._loader, board_id)
                    doc: Doc[Any] = Doc()
                    doc.apply_update(update)
                    room = Room(board_id, doc)
                    self._rooms[board_id] = room
                    pending.set_result(room)
                except BaseException as exc:
                    pending.set_exception(exc)
                    pending.exception()  # retrieved: joiners waiting on it re-raise it
                    raise
                finally:
                    del self._loading[board_id]
            else:
                room = await asyncio.shield(pending)
        room.peers.add(peer)
        for message in room.greeting():
            peer.offer(message)
        return room

    def leave(self, room: Room, peer: Peer) -> None:
        room.peers.discard(peer)
        gone = [room.awareness.pop(c) for c in peer.client_ids if c in room.awareness]
        if gone:
            left = [yp.AwarenessEntry(e.client_id, e.clock + 1, "null") for e in gone]
            room.broadcast(yp.awareness_message(yp.encode_awareness(left)))
        if not room.peers and self._rooms.get(room.board_id) is room:
            del self._rooms[room.board_id]

    def handle(self, room: Room, peer: Peer, data: bytes, on_fail: Callable[[], None]) -> None:
        """Apply one message. Raises ProtocolError for malformed input."""
        message = yp.parse(data)
        if isinstance(message, yp.AwarenessMessage):
            self._awareness(room, peer, message, data)
        elif isinstance(message, yp.SyncMessage):
            if message.kind == yp.SyncKind.STEP1:
                peer.offer(yp.sync_message(yp.SyncKind.STEP2,
                                           room.doc.get_update(message.payload)))
            else:
                self._update(room, peer, message.payload, on_fail)

    def _awareness(self, room: Room, peer: Peer, message: yp.AwarenessMessage,
                   raw: bytes) -> None:
        for entry in yp.parse_awareness(message.payload):
            known = room.awareness.get(entry.client_id)
            if known is not None and known.clock > entry.clock:
                continue
            room.awareness[entry.client_id] = entry
            peer.client_ids.add(entry.client_id)
        # Echoed to the sender too (as the reference server does): y-websocket reconnects
        # after 30 s without any message, and a lone peer's 15 s awareness renewal keeps it up.
        room.broadcast(raw)

    def _update(self, room: Room, peer: Peer, update: bytes,
                on_fail: Callable[[], None]) -> None:
        if update == yp.EMPTY_UPDATE:
            return
        if not peer.can_edit:
            peer.denied += 1
            if peer.denied == 1:
                peer.offer(yp.permission_denied(
                    "只读：你的角色不能修改此画板 / read-only: your role cannot edit this board"
                ))
            return
        room.doc.apply_update(update)  # raises on malformed updates: nothing stored
        write = PendingWrite(room.board_id, update, peer.username, utcnow())

        def committed() -> None:
            current = self._rooms.get(room.board_id)
            author: Peer | None = peer
            if current is not None and current is not room:
                current.doc.apply_update(update)  # the room was reloaded meanwhile
                author = None
            target = current or room
            if not target.committed:  # after the rest of this write batch: one relay
                asyncio.get_running_loop().call_soon(target.relay)
            target.committed.append((author, update))

        self._writer.submit(WriteJob(write, committed, on_fail))

    def close_all(self) -> None:
        for room in list(self._rooms.values()):
            for peer in list(room.peers):
                peer.close()
