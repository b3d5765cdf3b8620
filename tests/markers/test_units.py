"""The pure parts: text rules, the rate limiter, timeline counts, and the migration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import inspect

from db.base import Base
from db.database import MIGRATIONS_DIR, Database
from markers.orm import MarkerRow
from markers.ratelimit import RateLimiter
from markers.schemas import MarkerIn, clean_text, sanitise
from markers.store import count_markers

TABLES = {"markers", "tours", "tour_runs", "tour_run_items"}


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    return db


def test_text_is_plain_and_kept_as_typed() -> None:
    assert clean_text("  <b>粗体</b> & 'x'  ") == "<b>粗体</b> & 'x'"
    assert clean_text("表情 😀 ok") == "表情 😀 ok"
    for bad in ("", "   ", "a\tb", "a\u202eb", "a\u2028b", "x" * 201):
        with pytest.raises(ValueError, match="text"):
            clean_text(bad)
    assert sanitise("a\nb\x00") == "a b"
    assert len(sanitise("长" * 300)) == 200
    with pytest.raises(ValidationError, match="finite"):
        MarkerIn(camera_id="c", text="x", ts=float("inf"))


def test_rate_limiter_counts_a_sliding_window() -> None:
    now = [100.0]
    limiter = RateLimiter(3, 10.0, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    now[0] = 104.0
    assert limiter.hit("a") == pytest.approx(6.0)  # the first hit leaves the window at 110
    assert limiter.hit("b") is None  # per key
    now[0] = 110.0  # the three first hits have left the window; the refused one never counted
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == pytest.approx(10.0)


def test_count_markers_buckets_visible_markers(database: Database) -> None:
    now = datetime.now(UTC)

    def row(ts: float, camera: str = "cam", hidden: bool = False,
            deleted_at: datetime | None = None) -> MarkerRow:
        return MarkerRow(camera_id=camera, ts=ts, text="t", kind="note", created_at=now,
                         updated_at=now, hidden=hidden, deleted_at=deleted_at)

    with database.session() as s:
        s.add_all([row(1000), row(1001), row(1059.9), row(1060), row(1299), row(1300),
                   row(999), row(1010, camera="other"), row(1010, hidden=True),
                   row(1010, deleted_at=now)])
    with database.session() as s:
        assert count_markers(s, "cam", 1000, 1300, 5) == [3, 1, 0, 0, 1]
        assert count_markers(s, "cam", 1000, 1000, 3) == [0, 0, 0]
        assert count_markers(s, "none", 1000, 1300, 2) == [0, 0]
    database.close()


def test_migration_matches_the_models_and_downgrades(database: Database) -> None:
    import markers.orm  # noqa: F401  (register the tables on Base)
    import patrol.orm  # noqa: F401

    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if any(t in repr(d) for t in ("markers", "tour"))]
    assert ours == []
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    assert not TABLES & set(inspect(database.engine).get_table_names())
    database.migrate()
    assert set(inspect(database.engine).get_table_names()) >= TABLES
    database.close()


async def test_the_service_stops_its_task_and_closes_its_feeds(database: Database) -> None:
    from events.bus import InProcessBus
    from markers.service import MarkerService

    bus = InProcessBus()
    await bus.start()
    service = MarkerService(database, bus)
    await service.start()
    sub = service.feed.subscribe("cam", admin=False)
    assert service.running
    assert bus.subscribers == 1
    await service.stop()
    assert not service.running
    assert bus.subscribers == 0
    assert await sub.get() is None  # a watcher's pump ends
    await service.stop()  # twice is fine
    await bus.stop()
    database.close()
