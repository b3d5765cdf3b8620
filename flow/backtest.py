"""Backtest: the forecast against a seasonal-naive baseline (same time last week) on the last
week of a 15-minute series, at 15, 30 and 60 minutes ahead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flow.forecast import FloatArray, fit, rolling

WEEK_S = 7 * 86400


@dataclass(frozen=True)
class Score:
    horizon_min: int
    mae: float
    mape: float  # percent, over points with at least `min_count` people
    naive_mae: float
    naive_mape: float
    n: int


def _errors(pred: FloatArray, actual: FloatArray, min_count: float) -> tuple[float, float]:
    mae = float(np.mean(np.abs(pred - actual)))
    big = actual >= min_count
    mape = float(np.mean(np.abs(pred[big] - actual[big]) / actual[big]) * 100.0)
    return mae, mape


def backtest(
    epoch_s: FloatArray, counts: FloatArray, step_s: int = 900, test_days: int = 7,
    horizons_min: tuple[int, ...] = (15, 30, 60), min_count: float = 50.0,
) -> list[Score]:
    """Fit on everything before the last `test_days`, forecast each test point from data up to
    `horizon` before it (the model is not refitted), and score both methods."""
    test_n = test_days * 86400 // step_s
    season = WEEK_S // step_s
    if len(counts) < test_n + 2 * season:
        raise ValueError(
            f"backtest needs at least {test_days} + 14 days of data; got {len(counts)} points"
        )
    model = fit(epoch_s[:-test_n], counts[:-test_n], step_s)
    actual = counts[-test_n:]
    naive = counts[-test_n - season: len(counts) - season]
    scores = []
    for hmin in horizons_min:
        h = max(1, hmin * 60 // step_s)
        pred = rolling(model, epoch_s, counts, h)[-test_n:]
        mae, mape = _errors(pred, actual, min_count)
        nmae, nmape = _errors(naive, actual, min_count)
        scores.append(Score(hmin, mae, mape, nmae, nmape, test_n))
    return scores
