"""The y-protocols wire format, byte for byte as lib0 writes it (UTF-8 lengths)."""

from __future__ import annotations

import pytest

from annotate import protocol as yp


def test_awareness_round_trip_with_chinese_names() -> None:
    entries = [yp.AwarenessEntry(7, 3, '{"user":{"name":"张伟"}}'),
               yp.AwarenessEntry(300, 1, "null")]
    raw = yp.encode_awareness(entries)
    assert raw[:4] == bytes([2, 7, 3, len('{"user":{"name":"张伟"}}'.encode())])
    assert yp.parse_awareness(raw) == entries
    assert yp.awareness_state(entries[0]) == {"user": {"name": "张伟"}}
    assert yp.awareness_state(entries[1]) is None


def test_sync_messages_and_denial() -> None:
    msg = yp.parse(yp.sync_message(yp.SyncKind.UPDATE, b"\x01\x02"))
    assert msg == yp.SyncMessage(yp.SyncKind.UPDATE, b"\x01\x02")
    reason = "只读 / read-only " * 10  # > 127 bytes: a two-byte length
    assert yp.parse_denied(yp.permission_denied(reason)) == reason
    assert yp.parse(bytes([3])) is None  # query-awareness etc.: ignored


@pytest.mark.parametrize("bad", [b"", b"\x00", b"\x00\x05", b"\x00\x02\x09ab", b"\x00\x02\xff"])
def test_truncated_messages_are_protocol_errors(bad: bytes) -> None:
    with pytest.raises(yp.ProtocolError):
        yp.parse(bad)
