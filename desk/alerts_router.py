"""/api/alerts (list with filters, statistics, one alert with its timeline, the lifecycle
actions) and WS /api/ws/desk (live alert changes). Scoped: a user sees the alerts of cameras
in their unit and the units below it; admins see all. `app.state.desk` is the DeskService."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, WebSocket, status

from auth.accounts import Principal
from auth.deps import CurrentUser, ws_authenticate
from desk.deps import DeskDep
from desk.lifecycle import IllegalTransition, NotAllowed
from desk.model import (
    AckIn,
    Action,
    ActionBody,
    AlertDetail,
    AlertOut,
    AlertState,
    AlertStats,
    CloseIn,
    DeskMessage,
    DismissIn,
    DispatchIn,
    ResolveIn,
)
from desk.queries import AlertQuery
from desk.service import DeskService, scope, status_of
from desk.store import AlertNotFound, BadRequest
from events.model import EventKind
from events.wsfeed import as_is, serve_queue

router = APIRouter(tags=["desk"])


def _utc(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo is not None else t.replace(tzinfo=UTC)  # naive = UTC


@router.get("/api/alerts", response_model=list[AlertOut])
async def list_alerts(
    user: CurrentUser,
    desk: DeskDep,
    state: Annotated[list[AlertState] | None, Query(description="repeatable")] = None,
    tier: Annotated[list[int] | None, Query(description="1–4 (蓝/黄/橙/红); repeatable")] = None,
    camera: Annotated[list[str] | None, Query(description="camera id; repeatable")] = None,
    kind: Annotated[list[EventKind] | None, Query(description="event kind; repeatable")] = None,
    overdue: Annotated[bool | None, Query(description="only overdue (督办) or not")] = None,
    active: Annotated[bool | None, Query(description="new/acknowledged/dispatched")] = None,
    since: Annotated[datetime | None, Query(description="raised at or after (ISO)")] = None,
    until: Annotated[datetime | None, Query(description="raised before (ISO; naive = UTC)")] = None,
    sort: Annotated[Literal["newest", "queue"], Query(
        description="newest first, or the queue order: tier, then the oldest first")] = "newest",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    if tier and any(t < 1 or t > 4 for t in tier):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "tier is 1–4 (蓝/黄/橙/红)")
    since, until = _utc(since), _utc(until)
    if since and until and until < since:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "'until' is before 'since'")
    q = AlertQuery(states=state, tiers=tier, cameras=camera, kinds=kind, overdue=overdue,
                   active=active, since=since, until=until, sort=sort, limit=limit)
    return await asyncio.to_thread(desk.queries.find, q, scope(user))


@router.get("/api/alerts/stats", response_model=AlertStats)
async def alert_stats(
    user: CurrentUser,
    desk: DeskDep,
    day: Annotated[date | None, Query(description="the last day (local); default today")] = None,
    days: Annotated[int, Query(ge=1, le=90, description="how many days up to `day`")] = 1,
) -> AlertStats:
    """Counts by kind, tier and state, false alarms per rule, mean time to acknowledge and to
    resolve, for alerts raised on those days (the policy's time zone) in the caller's scope."""
    zone = desk.policy.zone
    last = day or desk.clock.now().astimezone(zone).date()
    until = datetime.combine(last + timedelta(days=1), time(0), zone)
    since = datetime.combine(last - timedelta(days=days - 1), time(0), zone)
    return await asyncio.to_thread(desk.queries.stats, since, until, scope(user))


@router.get("/api/alerts/{alert_id}", response_model=AlertDetail)
async def get_alert(alert_id: uuid.UUID, user: CurrentUser, desk: DeskDep) -> AlertDetail:
    found = await asyncio.to_thread(desk.queries.get, alert_id, scope(user))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert {alert_id} in your units")
    return found


async def _act(
    desk: DeskService, alert_id: uuid.UUID, action: Action, body: ActionBody, user: Principal
) -> AlertOut:
    try:
        return await desk.act(alert_id, action, body, user)
    except NotAllowed as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except AlertNotFound as exc:
        raise HTTPException(status_of(exc), f"no alert {alert_id} in your units") from exc
    except (IllegalTransition, BadRequest) as exc:
        raise HTTPException(status_of(exc), str(exc)) from exc


_ACTIONS = "403: the role may not; 404: unknown alert; 409: not allowed in its state (says why)"


@router.post("/api/alerts/{alert_id}/ack", response_model=AlertOut, description=_ACTIONS)
async def ack_alert(
    alert_id: uuid.UUID, user: CurrentUser, desk: DeskDep,
    body: Annotated[AckIn | None, Body()] = None,
) -> AlertOut:
    return await _act(desk, alert_id, Action.ACK, body or AckIn(), user)


@router.post("/api/alerts/{alert_id}/dispatch", response_model=AlertOut, description=_ACTIONS)
async def dispatch_alert(
    alert_id: uuid.UUID, body: DispatchIn, user: CurrentUser, desk: DeskDep
) -> AlertOut:
    return await _act(desk, alert_id, Action.DISPATCH, body, user)


@router.post("/api/alerts/{alert_id}/resolve", response_model=AlertOut, description=_ACTIONS)
async def resolve_alert(
    alert_id: uuid.UUID, body: ResolveIn, user: CurrentUser, desk: DeskDep
) -> AlertOut:
    return await _act(desk, alert_id, Action.RESOLVE, body, user)


@router.post("/api/alerts/{alert_id}/close", response_model=AlertOut, description=_ACTIONS)
async def close_alert(
    alert_id: uuid.UUID, user: CurrentUser, desk: DeskDep,
    body: Annotated[CloseIn | None, Body()] = None,
) -> AlertOut:
    return await _act(desk, alert_id, Action.CLOSE, body or CloseIn(), user)


@router.post("/api/alerts/{alert_id}/dismiss", response_model=AlertOut, description=_ACTIONS)
async def dismiss_alert(
    alert_id: uuid.UUID, body: DismissIn, user: CurrentUser, desk: DeskDep
) -> AlertOut:
    return await _act(desk, alert_id, Action.DISMISS, body, user)


@router.websocket("/api/ws/desk")
async def desk_feed(
    websocket: WebSocket, user: Annotated[Principal, Depends(ws_authenticate)]
) -> None:
    """Pushes `{"type": "alert", "change": ..., "alert": {...}}` for every change of an alert
    in the caller's units (created, updated count, tier_raised, escalated, overdue, ack,
    dispatch, resolve, close, dismiss); `{"type": "dropped", "dropped": n}` when this client
    fell behind (reload the list)."""
    desk = getattr(websocket.app.state, "desk", None)
    if not isinstance(desk, DeskService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the duty desk is not running")
    await websocket.accept()
    with desk.feed.subscribe(scope(user)) as sub:
        await serve_queue(websocket, sub, _dropped, "ws-desk-reader", as_is)


def _dropped(n: int) -> str:
    return DeskMessage(type="dropped", dropped=n).model_dump_json()
