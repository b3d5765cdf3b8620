"""The first start's simulated history is written by a child process (flow/seeding.py): it
fills the same database, hands back what the feed needs to go on ticking, stops at once when
halted, and reports a database it cannot open instead of hanging."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.database import Database
from flow.areas import DEMO_AREAS
from flow.metrics import area_scope
from flow.orm import FlowPointRow
from flow.seeding import SeedError, SeedJob, SpawnError, seed_in_child, shareable
from flow.simfeed import SimulatedFeed
from flow.store import FlowStore

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
AREA = next(a for a in DEMO_AREAS if a.id == "zhaofeng")


def _rows(database: Database) -> int:
    with database.session() as s:
        return int(s.scalar(select(func.count()).select_from(FlowPointRow)) or 0)


def test_the_child_writes_the_history_and_hands_back_the_buffers(database: Database) -> None:
    job = SeedJob(database.url, [AREA], days=2, minute_days=1, now=NOW)
    seeded = seed_in_child(job, threading.Event())
    assert seeded is not None
    assert seeded.points == _rows(database) > 2 * 1440  # minutes, quarters and hours
    buf = seeded.buffers[AREA.id]
    assert buf.written == int((NOW - buf.start).total_seconds() // 60)
    assert buf.minutes >= buf.written + 1440  # a day ahead, to tick from
    minutes = FlowStore(database).series(area_scope(AREA.id), "count", 60,
                                         NOW - timedelta(hours=3), NOW)
    assert len(minutes.t) == 180
    assert minutes.simulated


def test_the_feed_seeds_through_the_child_and_goes_on_ticking(database: Database) -> None:
    feed = SimulatedFeed(FlowStore(database), [AREA], days=2, minute_days=1)
    written = feed.prepare(NOW)
    assert written == _rows(database) > 0
    assert feed.tick(NOW + timedelta(minutes=5)) > 0  # the buffers came back from the child


def test_halt_ends_the_child_at_once(database: Database) -> None:
    halt = threading.Event()
    job = SeedJob(database.url, list(DEMO_AREAS), days=60, minute_days=2, now=NOW)
    threading.Timer(1.0, halt.set).start()  # 60 days of four areas take far longer
    assert seed_in_child(job, halt) is None
    assert not [p for p in multiprocessing.active_children() if p.name == "flow-seed"]


def test_a_database_the_child_cannot_open_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "flow.db"
    job = SeedJob(f"sqlite:///{missing}", [AREA], days=2, minute_days=1, now=NOW)
    with pytest.raises(SeedError, match="OperationalError"):
        seed_in_child(job, threading.Event())


def test_without_child_processes_the_feed_seeds_on_its_own_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_self: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    job = SeedJob(database.url, [AREA], days=2, minute_days=1, now=NOW)
    with pytest.raises(SpawnError, match="cannot start the seeding process"):
        seed_in_child(job, threading.Event())
    feed = SimulatedFeed(FlowStore(database), [AREA], days=2, minute_days=1)
    assert feed.prepare(NOW) == _rows(database) > 0


@pytest.mark.parametrize(("url", "ok"), [
    ("sqlite:////data/cityeye.db", True),
    ("sqlite:///:memory:", False),
    ("sqlite://", False),
    ("postgresql+psycopg://u:p@db/cityeye", True),
])
def test_which_databases_another_process_can_share(url: str, ok: bool) -> None:
    assert shareable(url) is ok
