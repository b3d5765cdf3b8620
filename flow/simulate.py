"""Simulated footfall of the demo areas: per-minute series with weekday/weekend profiles,
holidays, weather and special events. Vectorised numpy; deterministic for a seed and date.

Everything written from here is flagged `simulated` and shown as 模拟数据 in the UI.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from flow.areas import AreaConfig
from flow.calendar import LOCAL_OFFSET_S, local_parts
from flow.metrics import COUNT, DWELL, DWELL_EDGES_MIN, IN, LEVEL, MODES, OD_PREFIX, OUT, Point
from flow.metrics import area_scope as scope_of

FloatArray = npt.NDArray[np.float64]
Peak = tuple[float, float, float]  # hour, width (h), weight


@dataclass(frozen=True)
class Profile:
    weekday: tuple[Peak, ...]
    weekend: tuple[Peak, ...]
    peak_frac: float  # weekday peak as a fraction of capacity
    weekend_factor: float
    rain_factor: float
    dwell_median_min: float
    modes: tuple[float, float, float]  # pedestrian, bicycle, vehicle
    od_share: float  # share of departures that go on to another demo area
    event_rate: float  # chance of a special event on a given day


MALL = Profile(((12.5, 1.2, 0.8), (19.0, 1.8, 1.0), (15.5, 2.5, 0.5)),
               ((14.0, 2.8, 1.0), (19.0, 1.8, 0.8)), 0.5, 1.45, 1.08, 55.0,
               (0.82, 0.08, 0.10), 0.25, 0.05)
PROFILES: dict[str, Profile] = {
    "longzhimeng": MALL,
    "raffles": Profile(MALL.weekday, MALL.weekend, 0.48, 1.5, 1.1, 65.0, (0.8, 0.07, 0.13),
                       0.25, 0.06),
    "zhaofeng": Profile(((12.0, 1.0, 0.7), (18.5, 1.5, 1.0)), ((15.0, 3.0, 1.0),), 0.45, 1.6,
                        0.7, 25.0, (0.88, 0.09, 0.03), 0.35, 0.08),
    "metro": Profile(((8.3, 0.8, 1.0), (18.2, 1.0, 0.95), (13.0, 3.0, 0.3)),
                     ((14.0, 3.5, 0.7), (20.5, 1.5, 0.5)), 0.55, 0.9, 1.1, 6.0,
                     (0.96, 0.03, 0.01), 0.5, 0.03),
}


def _curve(hour: FloatArray, peaks: Sequence[Peak]) -> FloatArray:
    c = np.zeros_like(hour)
    for h, w, weight in peaks:
        c += weight * np.exp(-0.5 * ((hour - h) / w) ** 2)
    return c / max(weight for _, _, weight in peaks)


def ar1(e: FloatArray, phi: float, block: int = 1000) -> FloatArray:
    """x[t] = phi * x[t-1] + e[t], vectorised in blocks (phi ** -block stays finite)."""
    out = np.empty_like(e)
    prev = 0.0
    for s in range(0, len(e), block):
        seg = e[s:s + block]
        p = phi ** np.arange(len(seg), dtype=np.float64)
        out[s:s + len(seg)] = p * (phi * prev + np.cumsum(seg / p))
        prev = float(out[s + len(seg) - 1])
    return out


def _day_rng(seed: int, day: int, salt: str) -> np.random.Generator:
    return np.random.default_rng([seed, day, zlib.crc32(salt.encode())])


def day_factors(
    area_id: str, profile: Profile, days: npt.NDArray[np.int64], seed: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per local day: weather factor (rain), special-event amplitude and event hour."""
    weather = np.ones(len(days))
    amp = np.zeros(len(days))
    at = np.zeros(len(days))
    for i, d in enumerate(days):
        w = _day_rng(seed, int(d), "weather")  # the weather is the district's, not the area's
        if w.random() < 0.25:
            weather[i] = profile.rain_factor
        e = _day_rng(seed, int(d), area_id)
        if e.random() < profile.event_rate:
            amp[i], at[i] = e.uniform(0.25, 0.5), e.uniform(14.0, 19.5)
    return weather, amp, at


def simulate(
    area: AreaConfig, others: Sequence[str], start: datetime, minutes: int, seed: int = 7,
    extra: FloatArray | None = None,
) -> dict[str, FloatArray]:
    """Per-minute metrics of `area` from `start` (UTC); `extra` multiplies the crowd minute by
    minute (tests use it to stage a surge)."""
    prof = PROFILES.get(area.id, MALL)
    rng = np.random.default_rng([seed, int(start.timestamp()) // 60, zlib.crc32(area.id.encode())])
    epoch = start.timestamp() + 60.0 * np.arange(minutes, dtype=np.float64)
    hour, _dow, rest = local_parts(epoch)
    day = np.floor((epoch + LOCAL_OFFSET_S) / 86400.0).astype(np.int64)
    uniq, idx = np.unique(day, return_inverse=True)
    weather, amp, at = day_factors(area.id, prof, uniq, seed)
    curve = np.where(rest, prof.weekend_factor * _curve(hour, prof.weekend),
                     _curve(hour, prof.weekday))
    curve = curve + amp[idx] * np.exp(-0.5 * ((hour - at[idx]) / 1.5) ** 2)
    noise = ar1(rng.normal(0.0, 0.008, minutes), 0.995)
    level = area.capacity * prof.peak_frac * (0.03 + curve) * weather[idx] * np.exp(noise)
    if extra is not None:
        level = level * extra
    count = np.maximum(np.round(level), 0.0)
    diff = np.diff(count, prepend=count[0])
    base = rng.poisson(count / prof.dwell_median_min).astype(np.float64)
    inflow, outflow = base + np.maximum(diff, 0.0), base + np.maximum(-diff, 0.0)
    out: dict[str, FloatArray] = {COUNT: count, IN: inflow, OUT: outflow}
    out[LEVEL] = np.searchsorted(np.array(area.thresholds()), count, side="right").astype(float)
    modes = rng.multinomial(inflow.astype(np.int64), prof.modes)
    for k, name in enumerate(MODES):
        out[name] = modes[:, k].astype(np.float64)
    dwell = rng.multinomial(outflow.astype(np.int64), _dwell_probs(prof.dwell_median_min))
    for k, name in enumerate(DWELL):
        out[name] = dwell[:, k].astype(np.float64)
    if others:
        leaving = rng.binomial(outflow.astype(np.int64), prof.od_share)
        split = rng.multinomial(leaving, np.full(len(others), 1.0 / len(others)))
        for k, dest in enumerate(others):
            out[OD_PREFIX + dest] = split[:, k].astype(np.float64)
    return out


def _dwell_probs(median_min: float, sigma: float = 0.8) -> FloatArray:
    """Lognormal dwell times: the share of visits in each dwell bin."""
    from math import erf, log, sqrt

    cdf = [0.5 * (1 + erf((log(e) - log(median_min)) / (sigma * sqrt(2))))
           for e in DWELL_EDGES_MIN]
    edges = [0.0, *cdf, 1.0]
    return np.diff(np.array(edges))


def to_points(
    area: AreaConfig, start: datetime, data: dict[str, FloatArray], step_s: int,
) -> list[Point]:
    """Points of one step size (60, 900, 3600) from per-minute arrays; `start` on the hour."""
    n = step_s // 60
    scope = scope_of(area.id)
    points: list[Point] = []
    for metric, arr in data.items():
        usable = len(arr) - len(arr) % n
        blocks = arr[:usable].reshape(-1, n)
        vals = (blocks.mean(axis=1) if metric == COUNT else blocks.max(axis=1)
                if metric == LEVEL else blocks.sum(axis=1))
        points.extend(
            Point(scope, metric, step_s, start + timedelta(seconds=step_s * i), float(v), True)
            for i, v in enumerate(vals)
        )
    return points


def history_start(now: datetime, days: int) -> datetime:
    """The hour `days` days before `now` (UTC)."""
    return (now - timedelta(days=days)).astimezone(UTC).replace(minute=0, second=0,
                                                                 microsecond=0)
