"""Live video API: WHEP signalling, the MJPEG fallback, live status and overlay push.

    POST   /api/cameras/{id}/whep               application/sdp offer -> 201 + SDP answer + Location
    DELETE /api/cameras/{id}/whep/{session}     end the session
    GET    /api/cameras/{id}/live               viewers, relay mode, camera status
    GET    /api/cameras/{id}/live.mjpeg         HTTP fallback (multipart: JPEG pictures + overlays)
    POST   /api/cameras/{id}/overlay            (admin) push an overlay (external analysers)
    GET    /api/live/sessions                   (admin) live-viewing audit

API layer: scoping through cameras/access.py, audit through the database. The server wires it
with ``create_live`` / ``close_live``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from prometheus_client import CollectorRegistry

from auth.accounts import Principal, Role
from auth.deps import AdminUser, CurrentUser
from cameras.access import visible_camera
from db.database import Database
from streams.webrtc.audit import LiveSessionOut, SessionAudit
from streams.webrtc.feed import PacketSource
from streams.webrtc.messages import LiveStatus
from streams.webrtc.metrics import LiveCollector
from streams.webrtc.mjpeg import JpegPicture, MjpegSubscription
from streams.webrtc.overlay import OverlayFrame
from streams.webrtc.sdp import BadOffer
from streams.webrtc.service import CameraUnavailable, LiveService, TooManySessions
from streams.webrtc.session import SessionInfo
from streams.webrtc.settings import LiveSettings

log = logging.getLogger(__name__)
router = APIRouter(tags=["live"])

SDP = "application/sdp"
BOUNDARY = "cityeye-frame"
MJPEG_IDLE_S = 5.0


def create_live(
    app: FastAPI,
    source: PacketSource,
    database: Database,
    metrics: CollectorRegistry,
    settings: LiveSettings,
) -> LiveService:
    """Start the live service for the server (``app.state.live``) and register its metrics."""
    audit = SessionAudit(database)
    service = LiveService(source, settings, on_end=audit.ended)
    app.state.live = service
    app.state.live_audit = audit
    metrics.register(LiveCollector(service))
    return service


async def close_live(app: FastAPI) -> None:
    """Close every live session and feed (call in the lifespan before the database closes)."""
    live = getattr(app.state, "live", None)
    if isinstance(live, LiveService):
        await live.aclose()


def get_live(request: Request) -> LiveService:
    live = getattr(request.app.state, "live", None)
    if not isinstance(live, LiveService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "live video is not running")
    return live


def get_audit(request: Request) -> SessionAudit:
    audit = getattr(request.app.state, "live_audit", None)
    if not isinstance(audit, SessionAudit):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "live video is not running")
    return audit


LiveDep = Annotated[LiveService, Depends(get_live)]
AuditDep = Annotated[SessionAudit, Depends(get_audit)]


def _check_scope(request: Request, user: Principal, camera_id: str) -> bool:
    """404 / 403 like the camera API; returns whether the camera is enabled."""
    database = cast(Database, request.app.state.database)
    with database.session() as session:
        return visible_camera(session, user, camera_id).enabled


async def _visible(request: Request, user: Principal, camera_id: str) -> None:
    enabled = await run_in_threadpool(_check_scope, request, user, camera_id)
    if not enabled:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            f"camera {camera_id} is disabled: an administrator can enable it")


def _unavailable(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), {"Retry-After": "5"})


@router.post(
    "/api/cameras/{camera_id}/whep",
    status_code=status.HTTP_201_CREATED,
    response_class=Response,
    summary="WHEP: start watching a camera (SDP offer in, SDP answer out)",
    responses={201: {"content": {SDP: {}}}, 400: {}, 401: {}, 403: {}, 404: {}, 503: {}},
)
async def whep_offer(
    camera_id: str, request: Request, user: CurrentUser, live: LiveDep, audit: AuditDep
) -> Response:
    await _visible(request, user, camera_id)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != SDP:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"send the SDP offer as {SDP} (got {ctype or 'no content type'})")
    try:
        offer = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the SDP offer is not UTF-8") from exc
    try:
        info, answer = await live.open_session(camera_id, offer, user.username)
    except BadOffer as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    except (CameraUnavailable, TooManySessions) as exc:
        raise _unavailable(exc) from exc
    await run_in_threadpool(audit.started, info)
    location = f"/api/cameras/{camera_id}/whep/{info.session_id}"
    return Response(
        content=answer, status_code=status.HTTP_201_CREATED, media_type=SDP,
        headers={"Location": location, "ETag": f'"{info.session_id}"',
                 "Access-Control-Expose-Headers": "Location"},
    )


@router.delete(
    "/api/cameras/{camera_id}/whep/{session_id}",
    status_code=status.HTTP_200_OK,
    summary="WHEP: end a live session",
)
async def whep_delete(
    camera_id: str, session_id: str, user: CurrentUser, live: LiveDep
) -> Response:
    session = live.session(session_id)
    if session is None or session.info.camera_id != camera_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no live session {session_id}")
    if session.info.username != user.username and user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this live session belongs to another user")
    await live.close_session(session_id)
    return Response(status_code=status.HTTP_200_OK)


@router.get("/api/cameras/{camera_id}/live", response_model=LiveStatus)
async def live_status(
    camera_id: str, request: Request, user: CurrentUser, live: LiveDep
) -> LiveStatus:
    await run_in_threadpool(_check_scope, request, user, camera_id)
    return live.status(camera_id)


def _part(headers: dict[str, str], body: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"--{BOUNDARY}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body + b"\r\n"


def _picture_part(p: JpegPicture) -> bytes:
    return _part({"Content-Type": "image/jpeg", "X-Ticks": str(p.ticks), "X-Pts": f"{p.pts:.6f}",
                  "X-Captured-At": f"{p.captured_at:.6f}", "X-Width": str(p.width),
                  "X-Height": str(p.height)}, p.jpeg)


async def _mjpeg_parts(
    request: Request, live: LiveService, info: SessionInfo, sub: MjpegSubscription
) -> AsyncIterator[bytes]:
    reason = "closed by the viewer"
    try:
        while not sub.closed:
            try:
                item = await asyncio.wait_for(sub.next(), MJPEG_IDLE_S)
            except TimeoutError:
                if await request.is_disconnected():
                    break
                continue
            if isinstance(item, JpegPicture):
                yield _picture_part(item)
            elif isinstance(item, str):
                yield _part({"Content-Type": "application/json"}, item.encode())
        else:
            reason = "server closed the stream"
    finally:
        live.close_mjpeg(info, sub, reason)


@router.get(
    "/api/cameras/{camera_id}/live.mjpeg",
    response_class=StreamingResponse,
    summary="HTTP live fallback: multipart JPEG pictures (X-Ticks) with overlays interleaved",
)
async def live_mjpeg(
    camera_id: str, request: Request, user: CurrentUser, live: LiveDep, audit: AuditDep
) -> StreamingResponse:
    await _visible(request, user, camera_id)
    try:
        info, sub = live.open_mjpeg(camera_id, user.username)
    except (CameraUnavailable, TooManySessions) as exc:
        raise _unavailable(exc) from exc
    try:
        await run_in_threadpool(audit.started, info)
    except BaseException:
        live.close_mjpeg(info, sub, "audit failed")
        raise
    return StreamingResponse(
        _mjpeg_parts(request, live, info, sub),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store", "X-Session-Id": info.session_id},
    )


@router.post(
    "/api/cameras/{camera_id}/overlay",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Push an overlay for a frame (admin; e.g. an external analyser)",
)
async def push_overlay(
    camera_id: str, body: OverlayFrame, request: Request, user: AdminUser, live: LiveDep
) -> Response:
    await run_in_threadpool(_check_scope, request, user, camera_id)
    if body.camera_id != camera_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"camera_id {body.camera_id!r} does not match the path ({camera_id})")
    live.publish_overlay(body)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("/api/live/sessions", response_model=list[LiveSessionOut])
async def live_sessions(
    user: AdminUser,
    audit: AuditDep,
    camera_id: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[LiveSessionOut]:
    return await run_in_threadpool(audit.recent, limit, camera_id)
