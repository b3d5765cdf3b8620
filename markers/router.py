"""`/api/markers` (list, one, create, edit, moderate, delete) and `WS /api/markers/ws`.

The app provides `app.state.markers` (MarkerService). Handlers are plain functions: FastAPI
runs them in worker threads, and the service tells WebSocket clients on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, NoReturn

from fastapi import APIRouter, Depends, HTTPException, Query, Request, WebSocket, status

from auth.accounts import Principal, Role
from auth.deps import CurrentUser, ws_authenticate
from cameras.access import Forbidden, NotFound, camera_row
from db.database import Database
from events.wsfeed import as_is, serve_queue
from markers.schemas import Marker, MarkerIn, MarkerKind, MarkerMessage, MarkerPatch
from markers.service import MarkerService, RateLimited
from markers.store import MAX_LIMIT, MarkerQuery

log = logging.getLogger(__name__)
router = APIRouter(tags=["markers"])
NOT_RUNNING = "the marker service is not running"


def get_service(request: Request) -> MarkerService:
    service = getattr(request.app.state, "markers", None)
    if not isinstance(service, MarkerService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NOT_RUNNING)
    return service


ServiceDep = Annotated[MarkerService, Depends(get_service)]


def http_error(exc: Exception) -> HTTPException:
    """The HTTP answer for what the service refused."""
    if isinstance(exc, NotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, Forbidden):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(exc))
    if isinstance(exc, RateLimited):
        return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(exc),
                             headers={"Retry-After": str(exc.retry_after)})
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))


def _raise(exc: Exception) -> NoReturn:
    raise http_error(exc) from exc


@router.get("/api/markers", response_model=list[Marker])
def list_markers(
    user: CurrentUser,
    service: ServiceDep,
    camera_id: Annotated[list[str] | None, Query(description="camera id; repeatable")] = None,
    since: Annotated[float | None, Query(description="epoch seconds (marker ts >= since)")] = None,
    until: Annotated[float | None, Query(description="epoch seconds (marker ts <= until)")] = None,
    kind: Annotated[list[MarkerKind] | None, Query(description="repeatable")] = None,
    author: Annotated[str | None, Query(description="author username")] = None,
    tier: Annotated[list[int] | None, Query(description="1-4; repeatable")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> list[Marker]:
    """Markers ordered by `ts` (the latest `limit` of the match). Cameras are scoped to the
    caller's units; hidden (moderated) markers are listed for admins only."""
    if since is not None and until is not None and until < since:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "'until' is before 'since'")
    if tier and any(not 1 <= t <= 4 for t in tier):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "tier must be 1-4")
    q = MarkerQuery(camera_ids=camera_id, since=since, until=until,
                    kinds=list(kind) if kind else None, author=author, tiers=tier,
                    include_hidden=user.role == Role.ADMIN, limit=limit)
    try:
        return service.list(user, q)
    except (NotFound, Forbidden) as exc:
        _raise(exc)


@router.get("/api/markers/{marker_id}", response_model=Marker)
def get_marker(marker_id: int, user: CurrentUser, service: ServiceDep) -> Marker:
    try:
        return service.get(user, marker_id)
    except NotFound as exc:
        _raise(exc)


@router.post("/api/markers", response_model=Marker, status_code=status.HTTP_201_CREATED,
             responses={429: {"description": "too many markers; see Retry-After"}})
def create_marker(body: MarkerIn, user: CurrentUser, service: ServiceDep) -> Marker:
    """A note (or issue) on a camera at `ts` (default now), optionally at a point (x, y in
    0-1). Plain text, 1-200 characters. Rate limited per user."""
    try:
        return service.create(user, body)
    except (NotFound, Forbidden, RateLimited) as exc:
        _raise(exc)


@router.patch("/api/markers/{marker_id}", response_model=Marker)
def patch_marker(
    marker_id: int, body: MarkerPatch, user: CurrentUser, service: ServiceDep
) -> Marker:
    """The author edits text / x, y / tier; admins set `hidden` (moderation)."""
    try:
        return service.update(user, marker_id, body)
    except (NotFound, Forbidden, ValueError) as exc:
        _raise(exc)


@router.delete("/api/markers/{marker_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_marker(marker_id: int, user: CurrentUser, service: ServiceDep) -> None:
    """The author or an admin deletes a marker (kept in the database as deleted)."""
    try:
        service.delete(user, marker_id)
    except (NotFound, Forbidden) as exc:
        _raise(exc)


def _check_camera(database: Database, user: Principal, camera_id: str) -> None:
    with database.session() as session:
        camera_row(session, user, camera_id)


@router.websocket("/api/markers/ws")
async def marker_feed(
    websocket: WebSocket,
    user: Annotated[Principal, Depends(ws_authenticate)],
    camera_id: Annotated[str, Query(min_length=1, max_length=64)],
) -> None:
    """Pushes `{"type": "marker", "op": "created"|"updated"|"deleted", "marker": {...}}` for
    every change to a marker of the camera; `{"type": "dropped", "dropped": n}` when this
    client fell behind (reload the list). Refused (404/403) for an unknown or another unit's
    camera."""
    service = getattr(websocket.app.state, "markers", None)
    if not isinstance(service, MarkerService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NOT_RUNNING)
    try:
        await asyncio.to_thread(_check_camera, websocket.app.state.database, user, camera_id)
    except (NotFound, Forbidden) as exc:
        _raise(exc)
    # Subscribed before the handshake completes: nothing made after it is missed.
    with service.feed.subscribe(camera_id, user.role == Role.ADMIN,
                                service.settings.feed_queue) as sub:
        await websocket.accept()
        await serve_queue(websocket, sub, _dropped, "ws-markers-reader", as_is)


def _dropped(n: int) -> str:
    return MarkerMessage(type="dropped", dropped=n).model_dump_json()
