"""`/api/flow/*`: areas with their current state and forecast, series, and the crowd portrait
(dwell, travel modes, origin → destination). District-wide: every logged-in user may read."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel

from auth.deps import CurrentUser
from flow.areas import TIER_NAMES_EN, TIER_NAMES_ZH, AreaConfig
from flow.metrics import COUNT, DWELL, IN, MODES, OD_PREFIX, OUT, area_scope, is_metric
from flow.service import AreaForecast, FlowService

router = APIRouter(prefix="/api/flow", tags=["flow"])
STEPS = {"1m": 60, "15m": 900, "1h": 3600, "60": 60, "900": 900, "3600": 3600}
MAX_POINTS = 20000


def get_flow(request: Request) -> FlowService:
    flow = getattr(request.app.state, "flow", None)
    if not isinstance(flow, FlowService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "crowd flow is not running")
    return flow


FlowDep = Annotated[FlowService, Depends(get_flow)]


class TierOut(BaseModel):
    tier: int
    name_zh: str
    name_en: str
    threshold: float


class ForecastOut(BaseModel):
    area_id: str
    made_at: datetime | None
    t: list[datetime]
    mean: list[float]
    lo: list[float]
    hi: list[float]
    ahead_min: list[int]
    method: str = "Fourier regression (daily × day type, weekly) + SARIMAX AR(2) errors, log scale"


class AreaOut(BaseModel):
    id: str
    name: str
    name_en: str
    capacity: int
    tiers: list[TierOut]
    plan: list[tuple[float, float]]
    simulated: bool
    count: float | None
    level: int
    at: datetime | None
    inflow_15m: float
    outflow_15m: float
    forecast_15m: float | None
    forecast_30m: float | None
    forecast_60m: float | None
    forecast_tier: int


class SeriesOut(BaseModel):
    area_id: str
    metric: str
    step_s: int
    simulated: bool
    t: list[datetime]
    values: list[float]


class Link(BaseModel):
    source: str
    target: str
    value: float


class SummaryOut(BaseModel):
    since: datetime
    until: datetime
    dwell_bins: list[str]
    dwell: dict[str, list[float]]  # area -> people per dwell bin
    modes: dict[str, dict[str, float]]  # area -> mode -> arrivals
    od: list[Link]
    simulated: bool


def _forecast_out(area_id: str, fc: AreaForecast | None) -> ForecastOut:
    if fc is None:
        return ForecastOut(area_id=area_id, made_at=None, t=[], mean=[], lo=[], hi=[],
                           ahead_min=[])
    return ForecastOut(area_id=area_id, made_at=fc.made_at, t=fc.t, mean=fc.mean, lo=fc.lo,
                       hi=fc.hi, ahead_min=fc.ahead_min)


def _at(fc: AreaForecast | None, minutes: int) -> float | None:
    if fc is None or not fc.mean:
        return None
    i = min(range(len(fc.ahead_min)), key=lambda k: abs(fc.ahead_min[k] - minutes))
    return round(fc.mean[i], 1)


def _area_out(flow: FlowService, a: AreaConfig) -> AreaOut:
    now = flow.now()
    scope = area_scope(a.id)
    latest = flow.store.latest(scope, COUNT, 60)
    sums = flow.store.totals([scope], 60, now - timedelta(minutes=15), now)
    fc = flow.forecasts.get(a.id)
    peak = max(fc.mean[: max(1, sum(1 for m in fc.ahead_min if m <= 60))]) if fc and fc.mean \
        else 0.0
    return AreaOut(
        id=a.id, name=a.name, name_en=a.name_en, capacity=a.capacity,
        tiers=[TierOut(tier=i + 1, name_zh=TIER_NAMES_ZH[i + 1], name_en=TIER_NAMES_EN[i + 1],
                       threshold=th) for i, th in enumerate(a.thresholds())],
        plan=a.plan, simulated=a.simulated,
        count=None if latest is None else latest[1],
        level=0 if latest is None else a.tier_of(latest[1]),
        at=None if latest is None else latest[0],
        inflow_15m=sums.get((scope, IN), 0.0), outflow_15m=sums.get((scope, OUT), 0.0),
        forecast_15m=_at(fc, 15), forecast_30m=_at(fc, 30), forecast_60m=_at(fc, 60),
        forecast_tier=a.tier_of(peak),
    )


def _area(flow: FlowService, area_id: str) -> AreaConfig:
    area = flow.area(area_id)
    if area is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no flow area {area_id!r}")
    return area


@router.get("/areas", response_model=list[AreaOut])
async def list_areas(flow: FlowDep, _user: CurrentUser) -> list[AreaOut]:
    return await asyncio.to_thread(lambda: [_area_out(flow, a) for a in flow.areas])


def _step(step: str | None, since: datetime, until: datetime) -> int:
    if step is None:
        span = (until - since).total_seconds()
        return 60 if span <= 6 * 3600 else 900 if span <= 8 * 86400 else 3600
    if step not in STEPS:
        raise HTTPException(422, f"step must be one of 1m, 15m, 1h (or 60, 900, 3600); got {step}")
    return STEPS[step]


def _range(flow: FlowService, since: datetime | None, until: datetime | None,
           default: timedelta) -> tuple[datetime, datetime]:
    until = until or flow.now()
    since = since or until - default
    if since.tzinfo is None or until.tzinfo is None:
        raise HTTPException(422, "since/until need a time zone, e.g. 2026-11-21T08:00:00Z")
    if since >= until:
        raise HTTPException(422, "since must be before until")
    return since, until


@router.get("/areas/{area_id}/series", response_model=SeriesOut)
async def series(
    area_id: str, flow: FlowDep, _user: CurrentUser,
    metric: Annotated[str, Query(description="count, in, out, level, mode_*, dwell_*, od:<area>")]
    = COUNT,
    since: datetime | None = None, until: datetime | None = None,
    step: Annotated[str | None, Query(description="1m, 15m or 1h; default by range")] = None,
) -> SeriesOut:
    area = _area(flow, area_id)
    if not is_metric(metric):
        raise HTTPException(422, f"unknown metric {metric!r}; use count, in, out, level, "
                                 f"{', '.join(MODES)}, {', '.join(DWELL)} or od:<area id>")
    since, until = _range(flow, since, until, timedelta(hours=24))
    step_s = _step(step, since, until)
    if (until - since).total_seconds() / step_s > MAX_POINTS:
        raise HTTPException(422, "too many points: narrow since/until or use a larger step")
    s = await asyncio.to_thread(flow.store.series, area_scope(area.id), metric, step_s, since,
                                until)
    return SeriesOut(area_id=area.id, metric=metric, step_s=step_s,
                     simulated=s.simulated or area.simulated, t=s.t, values=s.values)


@router.get("/areas/{area_id}/forecast", response_model=ForecastOut)
async def area_forecast(area_id: str, flow: FlowDep, _user: CurrentUser) -> ForecastOut:
    area = _area(flow, area_id)
    return _forecast_out(area.id, flow.forecasts.get(area.id))


@router.get("/summary", response_model=SummaryOut)
async def summary(
    flow: FlowDep, _user: CurrentUser, since: datetime | None = None,
    until: datetime | None = None,
) -> SummaryOut:
    """Dwell-time distribution and travel modes per area, origin → destination between
    areas, over [since, until) (default: the last 24 hours)."""
    since, until = _range(flow, since, until, timedelta(hours=24))
    step_s = 900 if (until - since).total_seconds() <= 30 * 86400 else 3600
    scopes = {area_scope(a.id): a.id for a in flow.areas}
    totals = await asyncio.to_thread(flow.store.totals, scopes, step_s, since, until)
    names = {a.id for a in flow.areas}
    od = [Link(source=scopes[scope], target=m[len(OD_PREFIX):], value=v)
          for (scope, m), v in totals.items()
          if m.startswith(OD_PREFIX) and m[len(OD_PREFIX):] in names and v > 0]
    return SummaryOut(
        since=since, until=until, dwell_bins=list(DWELL),
        dwell={a: [totals.get((s, b), 0.0) for b in DWELL] for s, a in scopes.items()},
        modes={a: {m: totals.get((s, m), 0.0) for m in MODES} for s, a in scopes.items()},
        od=od, simulated=any(a.simulated for a in flow.areas),
    )


__all__ = ["router"]
