"""The y-protocols wire format (y-websocket): sync step 1/2, update, awareness, auth.

Pure functions over bytes; the room and the socket handler build on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

from pycrdt import write_var_uint

MSG_SYNC = 0
MSG_AWARENESS = 1
MSG_AUTH = 2
AUTH_PERMISSION_DENIED = 0
EMPTY_UPDATE = b"\x00\x00"  # an update with no structs and no deletions


class SyncKind(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class ProtocolError(ValueError):
    """A message that does not follow the y-protocols format."""


@dataclass(frozen=True)
class SyncMessage:
    kind: SyncKind
    payload: bytes  # a state vector (step 1) or an update (step 2 / update)


@dataclass(frozen=True)
class AwarenessMessage:
    payload: bytes  # an awareness update: [(client id, clock, state json)]


@dataclass(frozen=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text; "null" means the client left


Message = SyncMessage | AwarenessMessage


def _read_uint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ProtocolError("truncated variable-length integer")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos
        if shift > 63:
            raise ProtocolError("variable-length integer too long")


def _read_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _read_uint(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtocolError("truncated payload")
    return data[pos:end], end


def parse(data: bytes) -> Message | None:
    """Decode one message; None for types the server does not handle (e.g. query-awareness)."""
    kind, pos = _read_uint(data, 0)
    if kind == MSG_SYNC:
        sub, pos = _read_uint(data, pos)
        if sub not in (0, 1, 2):
            raise ProtocolError(f"unknown sync message type {sub}")
        payload, _ = _read_bytes(data, pos)
        return SyncMessage(SyncKind(sub), payload)
    if kind == MSG_AWARENESS:
        payload, _ = _read_bytes(data, pos)
        return AwarenessMessage(payload)
    return None


def sync_message(kind: SyncKind, payload: bytes) -> bytes:
    return bytes([MSG_SYNC, int(kind)]) + write_var_uint(len(payload)) + payload


def awareness_message(payload: bytes) -> bytes:
    return bytes([MSG_AWARENESS]) + write_var_uint(len(payload)) + payload


def _var_string(text: str) -> bytes:
    """lib0's writeVarString: the UTF-8 byte length, then the bytes (pycrdt's Encoder writes
    the character count, which breaks non-ASCII text such as Chinese names)."""
    raw = text.encode("utf-8")
    return write_var_uint(len(raw)) + raw


def permission_denied(reason: str) -> bytes:
    """y-websocket's auth message; the client logs the reason (`permissionDeniedHandler`)."""
    return bytes([MSG_AUTH, AUTH_PERMISSION_DENIED]) + _var_string(reason)


def parse_awareness(payload: bytes) -> list[AwarenessEntry]:
    count, pos = _read_uint(payload, 0)
    out = []
    for _ in range(count):
        client, pos = _read_uint(payload, pos)
        clock, pos = _read_uint(payload, pos)
        raw, pos = _read_bytes(payload, pos)
        out.append(AwarenessEntry(client, clock, raw.decode("utf-8", errors="replace")))
    return out


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    parts = [write_var_uint(len(entries))]
    for e in entries:
        parts += [write_var_uint(e.client_id), write_var_uint(e.clock), _var_string(e.state)]
    return b"".join(parts)


def awareness_state(entry: AwarenessEntry) -> dict[str, object] | None:
    """The parsed state (for presence lists); None when it left or is not an object."""
    try:
        value = json.loads(entry.state)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None



def parse_denied(data: bytes) -> str | None:
    """The reason of a permission-denied auth message; None for any other message."""
    kind, pos = _read_uint(data, 0)
    if kind != MSG_AUTH:
        return None
    sub, pos = _read_uint(data, pos)
    if sub != AUTH_PERMISSION_DENIED:
        return None
    reason, _ = _read_bytes(data, pos)
    return reason.decode("utf-8", errors="replace")
