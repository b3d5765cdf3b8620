"""`cityeye flow backtest`: the forecast against seasonal-naive (same time last week) on
simulated footfall of the demo areas, at 15 / 30 / 60 minutes ahead."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime

import numpy as np

from flow.areas import DEMO_AREAS
from flow.backtest import Score, backtest
from flow.simulate import history_start, simulate

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cityeye flow", description="crowd flow (客流) tools")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backtest", help="forecast vs seasonal-naive on simulated footfall")
    b.add_argument("--days", type=int, default=35, help="days simulated (>= 22; default 35)")
    b.add_argument("--test-days", type=int, default=7, help="days held out (default 7)")
    b.add_argument("--area", action="append", help="area id (repeatable; default all)")
    b.add_argument("--seed", type=int, default=7, help="simulation seed (default 7)")
    return p


def run_backtest(days: int, test_days: int, area_ids: list[str] | None,
                 seed: int) -> dict[str, list[Score]]:
    areas = [a for a in DEMO_AREAS if not area_ids or a.id in area_ids]
    start = history_start(datetime.now(UTC), days)
    out = {}
    for area in areas:
        data = simulate(area, [], start, days * 1440, seed=seed)
        counts = data["count"].reshape(-1, 15).mean(axis=1)
        epoch = start.timestamp() + 900.0 * np.arange(len(counts), dtype=np.float64)
        out[area.id] = backtest(epoch, counts, test_days=test_days)
    return out


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    known = {a.id for a in DEMO_AREAS}
    unknown = [a for a in args.area or [] if a not in known]
    if unknown:
        print(f"unknown area {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
        return 2
    if args.days < args.test_days + 15:
        print(f"--days must be at least --test-days + 15 ({args.test_days + 15})")
        return 2
    results = run_backtest(args.days, args.test_days, args.area, args.seed)
    print("area            horizon  MAE      MAPE%   naive MAE  naive MAPE%  MAE ratio")
    for area_id, scores in results.items():
        for s in scores:
            print(f"{area_id:<15} {s.horizon_min:>4} min {s.mae:>8.1f} {s.mape:>7.2f}"
                  f" {s.naive_mae:>10.1f} {s.naive_mape:>11.2f} {s.mae / s.naive_mae:>10.2f}")
    print("simulated data (模拟数据); naive = same 15 minutes one week earlier")
    return 0
