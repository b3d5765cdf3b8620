"""The owned writer task: batches commit before peers hear of them, and stop() flushes."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, TransactionEvent

from annotate.elements import doc_from_update, read_elements
from annotate.orm import BoardRow
from annotate.store import BoardStore, PendingWrite
from annotate.writer import UpdateWriter, WriteJob, WriterClosed
from db.base import utcnow
from db.database import Database


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'boards.db'}")
    db.migrate()
    with db.session() as s:
        s.add(BoardRow(id="b1", camera_id="cam", unit_id="u", title="t", kind="live",
                       edit_role="duty_officer", created_by="admin", created_at=utcnow()))
    return db


async def test_stop_writes_everything_queued_then_refuses(database: Database) -> None:
    store = BoardStore(database)
    writer = UpdateWriter(store, max_batch=16)
    await writer.start()
    committed: list[int] = []
    for i in range(100):
        write = PendingWrite("b1", bytes([0, 0]) + bytes([i]), "admin", utcnow())
        writer.submit(WriteJob(write, functools.partial(committed.append, i), lambda: None))
    await writer.stop()
    assert committed == list(range(100))  # in order, each after its commit
    assert store.count("b1") == 100
    assert writer.batches < 100  # batched
    with pytest.raises(WriterClosed):
        writer.submit(WriteJob(PendingWrite("b1", b"\x00\x00", "a", utcnow()),
                               lambda: None, lambda: None))
    database.close()


async def test_failed_commit_tells_the_sender(database: Database) -> None:
    writer = UpdateWriter(BoardStore(database))
    await writer.start()
    failed: list[str] = []
    write = PendingWrite("no-such-board", b"\x00\x00", "admin", utcnow())  # foreign key
    writer.submit(WriteJob(write, lambda: None, lambda: failed.append("x")))
    await writer.stop()
    assert failed == ["x"]
    assert writer.failed == 1
    database.close()


def test_compaction_keeps_the_document(database: Database) -> None:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(capture)
    elements = doc.get("elements", type=Map)
    for i in range(5):
        elements[f"e{i}"] = Map({"type": "pin", "points": [0.1 * i, 0.5]})
    del elements["e0"]
    store = BoardStore(database)
    store.append([PendingWrite("b1", u, "admin", utcnow()) for u in updates])
    assert store.compact("b1", utcnow()) == len(updates) - 1
    assert store.count("b1") == 1
    ids = [e.id for e in read_elements(doc_from_update(store.load("b1").update))]
    assert ids == ["e1", "e2", "e3", "e4"]
    database.close()
