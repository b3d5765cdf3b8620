"""/api/events (history with filters, one event, its snapshot) and WS /api/ws/events (live).

Everything is scoped: a user sees the events of cameras in their unit and the units below it.
The app provides `app.state.event_store` (EventStore) and `app.state.event_bus` (EventBus).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, WebSocket, status
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from auth.accounts import Principal
from auth.deps import CurrentUser, SessionDep, ws_authenticate
from cameras.access import visible_camera_ids
from events.bus import EventBus
from events.model import Event, EventKind
from events.store import EventQuery, EventStore
from events.wsfeed import serve_queue

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])
MAX_LIMIT = 1000


class EventOut(Event):
    has_snapshot: bool = False
    snapshot_url: str | None = None


class LiveMessage(BaseModel):
    type: str  # "event" or "dropped"
    event: EventOut | None = None
    dropped: int | None = None


def get_store(request: Request) -> EventStore:
    store = request.app.state.event_store
    if not isinstance(store, EventStore):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the event store is not running")
    return store


StoreDep = Annotated[EventStore, Depends(get_store)]


def _utc(t: datetime | None) -> datetime | None:
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=UTC)  # naive means UTC


def _out(ev: Event, has_snapshot: bool) -> EventOut:
    data = ev.model_dump()
    url = f"/api/events/{ev.id}/snapshot.jpg" if has_snapshot else None
    return EventOut(**data, has_snapshot=has_snapshot, snapshot_url=url)


@router.get("/api/events", response_model=list[EventOut])
async def list_events(
    user: CurrentUser,
    session: SessionDep,
    store: StoreDep,
    camera: Annotated[list[str] | None, Query(description="camera id; repeat for several")] = None,
    kind: Annotated[list[EventKind] | None, Query(description="event kind; repeatable")] = None,
    since: Annotated[datetime | None, Query(description="ISO time; naive = UTC")] = None,
    until: Annotated[datetime | None, Query(description="ISO time; naive = UTC")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> list[EventOut]:
    """Events whose span overlaps [since, until], newest first."""
    since, until = _utc(since), _utc(until)
    if since and until and until < since:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "'until' is before 'since'")
    allowed = visible_camera_ids(session, user)
    cams: list[str] | None = None
    if camera:
        cams = [c for c in camera if allowed is None or c in allowed]
    elif allowed is not None:
        cams = sorted(allowed)
    q = EventQuery(camera_ids=cams, kinds=kind, since=since, until=until, limit=limit)
    events = await asyncio.to_thread(store.query, q)
    ids = {e.id for e in events}
    snaps = await asyncio.to_thread(lambda: {i for i in ids if store.has_snapshot(i)})
    return [_out(e, e.id in snaps) for e in events]


async def _visible_event(
    event_id: uuid.UUID, user: Principal, session: Session, store: EventStore
) -> Event:
    ev = await asyncio.to_thread(store.get, event_id)
    allowed = visible_camera_ids(session, user)
    if ev is None or (allowed is not None and ev.camera_id not in allowed):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id}")
    return ev


@router.get("/api/events/{event_id}", response_model=EventOut)
async def get_event(
    event_id: uuid.UUID, user: CurrentUser, session: SessionDep, store: StoreDep
) -> EventOut:
    ev = await _visible_event(event_id, user, session, store)
    return _out(ev, await asyncio.to_thread(store.has_snapshot, event_id))


@router.get(
    "/api/events/{event_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "no snapshot"}},
)
async def get_snapshot(
    event_id: uuid.UUID, user: CurrentUser, session: SessionDep, store: StoreDep
) -> Response:
    await _visible_event(event_id, user, session, store)
    jpeg = await asyncio.to_thread(store.snapshot, event_id)
    if jpeg is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id} has no snapshot")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})


@router.websocket("/api/ws/events")
async def live_events(
    websocket: WebSocket,
    user: Annotated[Principal, Depends(ws_authenticate)],
    camera: Annotated[list[str] | None, Query()] = None,
    kind: Annotated[list[EventKind] | None, Query()] = None,
) -> None:
    """Pushes `{"type": "event", "event": {...}}` for each event version (open, updated,
    closed) of the caller's cameras; `{"type": "dropped", "dropped": n}` when this client fell
    behind and lost the n oldest."""
    bus: EventBus = websocket.app.state.event_bus
    database = websocket.app.state.database
    with database.session() as session:
        allowed = visible_camera_ids(session, user)
    wanted = set(camera) if camera else None
    kinds: set[str] | None = set(kind) if kind else None
    await websocket.accept()

    def render(ev: Event) -> str | None:
        if allowed is not None and ev.camera_id not in allowed:
            return None
        if (wanted and ev.camera_id not in wanted) or (kinds and ev.kind not in kinds):
            return None
        out = _out(ev, ev.snapshot is not None)
        return LiveMessage(type="event", event=out).model_dump_json()

    with bus.subscribe(256) as sub:
        await serve_queue(websocket, sub, _dropped, "ws-events-reader", render)


def _dropped(n: int) -> str:
    return LiveMessage(type="dropped", dropped=n).model_dump_json()
