"""The early warning fires before a simulated crossing, and not on a flat day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from db.database import Database
from events.model import Event
from events.store import EventQuery, EventStore
from flow.areas import AreaConfig
from flow.calendar import local_parts
from flow.forecast import FloatArray, fit, forecast
from flow.simulate import simulate
from flow.warning import Outlook, WarningTracker

AREA = AreaConfig(id="zhaofeng", name="兆丰广场", capacity=5000, simulated=True)
START = datetime(2026, 10, 12, 16, 0, tzinfo=UTC)  # Tuesday 00:00 in Shanghai
DAYS = 22


def _replay(area: AreaConfig, minute_counts: FloatArray) -> list[tuple[datetime, Event]]:
    """Fit on all but the last day, then forecast every 15 minutes of the last day."""
    quarters = minute_counts.reshape(-1, 15).mean(axis=1)
    epoch = START.timestamp() + 900.0 * np.arange(len(quarters), dtype=np.float64)
    day = 96
    model = fit(epoch[:-day], quarters[:-day])
    tracker = WarningTracker(horizon_min=60)
    fired: list[tuple[datetime, Event]] = []
    for i in range(len(quarters) - day, len(quarters)):
        now = datetime.fromtimestamp(epoch[i] + 900.0, UTC)
        fc = forecast(model, epoch[: i + 1], quarters[: i + 1], steps=4)
        ahead = tuple(int((e + 900.0 - now.timestamp()) // 60) for e in fc.epoch_s)
        observed = float(minute_counts[(i + 1) * 15 - 1])
        for ev in tracker.step(area, Outlook(now, observed, ahead, tuple(fc.mean))):
            fired.append((now, ev))
    return fired


def _surge(minutes: int) -> FloatArray:
    """A crowd building up on the last afternoon (a pop-up event): ×1 at 12:00 to ×2.4 at 17:00."""
    epoch = START.timestamp() + 60.0 * np.arange(minutes, dtype=np.float64)
    hour, _, _ = local_parts(epoch)
    extra = np.ones(minutes)
    last = np.arange(minutes) >= minutes - 1440
    ramp = np.clip((hour - 12.0) / 5.0, 0.0, 1.0)
    extra[last] = 1.0 + 1.4 * ramp[last]
    return extra


def test_warning_fires_before_the_crowd_reaches_orange() -> None:
    minutes = DAYS * 1440
    counts = simulate(AREA, [], START, minutes, seed=3, extra=_surge(minutes))["count"]
    orange = AREA.thresholds()[2]
    last_day = counts[-1440:]
    assert (last_day >= orange).any(), "the staged surge must cross the orange tier"
    crossed_at = START + timedelta(minutes=minutes - 1440 + int(np.argmax(last_day >= orange)))
    fired = _replay(AREA, counts)
    orange_warnings = [(t, ev) for t, ev in fired if ev.tier >= 3 and ev.state != "closed"]
    assert orange_warnings, f"no orange warning; fired: {[e.message for _, e in fired]}"
    first_t, first = orange_warnings[0]
    assert first_t < crossed_at
    assert first.kind == "flow_forecast"
    assert "预计" in first.message
    assert "橙色预警" in first.message


def test_no_warning_on_a_flat_day() -> None:
    rng = np.random.default_rng(1)
    counts = np.round(1200.0 + rng.normal(0.0, 20.0, DAYS * 1440))
    assert _replay(AREA, counts) == []


def test_forecast_warnings_are_stored_like_other_events(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'events.db'}")
    db.migrate()
    try:
        now = START + timedelta(days=1)
        tracker = WarningTracker()
        [ev] = tracker.step(AREA, Outlook(now, 1000.0, (15, 30, 60), (3000.0, 4300.0, 4400.0)))
        assert ev.tier == 3
        assert ev.message == "兆丰广场：预计 30 分钟后达到橙色预警"
        store = EventStore(db)
        store.save(ev)
        [back] = store.query(EventQuery(kinds=["flow_forecast"]))
        assert back.id == ev.id
        assert back.details["minutes_ahead"] == 30
    finally:
        db.close()
