"""The events table: upserts by id, filters, snapshots kept apart, migration == model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.base import Base
from db.database import Database
from events.store import EventQuery, EventStore
from tests.events.test_bus import make_event

T = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_migration_0002_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if "event" in repr(d)]
    assert ours == []


def test_versions_of_an_event_upsert_one_row_and_keep_the_snapshot(database: Database) -> None:
    store = EventStore(database)
    opened = make_event(snapshot=b"\xff\xd8one", track_ids=[3], details={"threshold": 5.0})
    store.save(opened)
    closed = opened.model_copy(
        update={"state": "closed", "ended_at": T + timedelta(minutes=2), "snapshot": None}
    )
    store.save(closed)
    got = store.get(opened.id)
    assert got is not None
    assert got.state == "closed"
    assert got.track_ids == [3]
    assert got.details == {"threshold": 5.0}
    assert got.snapshot is None  # the JSON value never carries the bytes
    assert store.snapshot(opened.id) == b"\xff\xd8one"
    assert store.has_snapshot(opened.id)
    assert len(store.query(EventQuery())) == 1


def test_filters_by_camera_kind_and_time(database: Database) -> None:
    store = EventStore(database)
    early = make_event(
        "north-1", "intrusion", started_at=T, updated_at=T, ended_at=T + timedelta(minutes=1)
    )
    late = make_event(
        "south-1", "loitering", started_at=T + timedelta(hours=1), updated_at=T + timedelta(hours=1)
    )
    for ev in (early, late):
        store.save(ev)
    assert [e.id for e in store.query(EventQuery())] == [late.id, early.id]  # newest first
    assert [e.id for e in store.query(EventQuery(camera_ids=["north-1"]))] == [early.id]
    assert [e.id for e in store.query(EventQuery(kinds=["loitering"]))] == [late.id]
    since = store.query(EventQuery(since=T + timedelta(minutes=30)))
    assert [e.id for e in since] == [late.id]  # the early one ended before
    until = store.query(EventQuery(until=T + timedelta(minutes=30)))
    assert [e.id for e in until] == [early.id]
    assert store.query(EventQuery(camera_ids=[])) == []
