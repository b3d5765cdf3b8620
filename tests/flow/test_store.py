"""Downsampling (1 min → 15 min → 1 h) and retention of the stored series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.database import Database
from flow.metrics import Point
from flow.store import FlowStore

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_rollups_average_counts_keep_the_worst_level_and_sum_flows(database: Database) -> None:
    store = FlowStore(database)
    pts = []
    for m in range(60):
        t = T0 + timedelta(minutes=m)
        pts += [Point("area:a", "count", 60, t, float(m)), Point("area:a", "in", 60, t, 2.0),
                Point("area:a", "level", 60, t, 3.0 if m == 7 else 1.0)]
    store.insert(pts)
    for k in range(4):
        store.rollup(60, 900, T0 + timedelta(minutes=15 * k))
    store.rollup(900, 3600, T0)
    q = store.series("area:a", "count", 900, T0, T0 + timedelta(hours=1))
    assert q.values == [7.0, 22.0, 37.0, 52.0]  # means of 0..14, 15..29, ...
    assert store.series("area:a", "in", 900, T0, T0 + timedelta(hours=1)).values == [30.0] * 4
    assert store.series("area:a", "level", 900, T0, T0 + timedelta(hours=1)).values[0] == 3.0
    hourly = store.series("area:a", "count", 3600, T0, T0 + timedelta(hours=1))
    assert hourly.values == [29.5]
    assert store.series("area:a", "in", 3600, T0, T0 + timedelta(hours=1)).values == [120.0]
    store.rollup(60, 900, T0)  # idempotent
    assert len(store.series("area:a", "count", 900, T0, T0 + timedelta(hours=1)).t) == 4


def test_retention_drops_old_minutes_but_keeps_coarser_steps(database: Database) -> None:
    store = FlowStore(database)
    old = T0 - timedelta(days=3)
    store.insert([Point("area:a", "count", 60, old, 1.0), Point("area:a", "count", 900, old, 1.0),
                  Point("area:a", "count", 60, T0, 2.0)])
    removed = store.purge(T0, {60: 2, 900: 60, 3600: 400})
    assert removed == 1
    assert store.series("area:a", "count", 60, old, T0 + timedelta(minutes=1)).values == [2.0]
    assert store.series("area:a", "count", 900, old, T0).values == [1.0]
