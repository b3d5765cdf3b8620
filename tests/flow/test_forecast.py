"""The forecast beats seasonal-naive in the backtest on simulated data."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from flow.areas import DEMO_AREAS
from flow.backtest import backtest
from flow.simulate import simulate

START = datetime(2026, 10, 12, 16, 0, tzinfo=UTC)


def test_forecast_beats_seasonal_naive_on_simulated_footfall() -> None:
    area = next(a for a in DEMO_AREAS if a.id == "longzhimeng")
    days = 22
    counts = simulate(area, [], START, days * 1440, seed=11)["count"].reshape(-1, 15).mean(1)
    epoch = START.timestamp() + 900.0 * np.arange(len(counts), dtype=np.float64)
    scores = backtest(epoch, counts, test_days=7)
    assert [s.horizon_min for s in scores] == [15, 30, 60]
    for s in scores:
        assert s.mae < s.naive_mae, s
        assert s.mape < s.naive_mape, s
    assert scores[0].mae <= scores[-1].mae  # nearer is easier


def test_forecast_band_contains_the_mean() -> None:
    from flow.forecast import fit, forecast

    area = next(a for a in DEMO_AREAS if a.id == "metro")
    counts = simulate(area, [], START, 15 * 1440, seed=2)["count"].reshape(-1, 15).mean(1)
    epoch = START.timestamp() + 900.0 * np.arange(len(counts), dtype=np.float64)
    fc = forecast(fit(epoch, counts), epoch, counts, steps=4)
    assert np.all(fc.lo <= fc.mean)
    assert np.all(fc.mean <= fc.hi)
    assert np.all(np.diff(fc.hi - fc.lo) >= -1e-9) or fc.mean.min() < 50  # bands widen
    assert np.allclose(np.diff(fc.epoch_s), 900.0)
