"""REST for boards: list/create/read, history at a time, timeline, PNG export (evidence)."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import datetime, timedelta
from typing import Annotated, cast

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.access import BoardNotFound, can_edit, role_at_least, visible_board
from annotate.orm import BoardExportRow, BoardRow
from annotate.protocol import awareness_state
from annotate.schemas import (
    AlertExport,
    BoardAt,
    BoardCreate,
    BoardKind,
    BoardOut,
    EditRole,
    ExportCreate,
    ExportOut,
    Presence,
    TimelinePoint,
)
from annotate.service import BoardService
from auth.accounts import Principal
from auth.deps import CurrentUser, SessionDep
from cameras.access import visible_camera
from db.base import utcnow
from desk.orm import AlertRow
from events.store import EventStore

router = APIRouter(tags=["boards"])


def _service(request: Request) -> BoardService:
    service = request.app.state.boards
    assert isinstance(service, BoardService)
    return service


def _presence(service: BoardService, board_id: str) -> list[Presence]:
    room = service.hub.rooms.get(board_id)
    out = []
    for entry in room.awareness.values() if room else []:
        state = awareness_state(entry)
        user = state.get("user") if state else None
        if isinstance(user, dict):
            out.append(Presence(client_id=entry.client_id, name=str(user.get("name", "")),
                                color=str(user.get("color", "#888"))))
    return out


def board_out(row: BoardRow, user: Principal, service: BoardService | None = None) -> BoardOut:
    return BoardOut(
        id=row.id, title=row.title, camera_id=row.camera_id, alert_id=row.alert_id,
        kind=cast(BoardKind, row.kind), frame_at=row.frame_at, range_end=row.range_end,
        has_frame=row.frame_jpeg is not None, edit_role=cast(EditRole, row.edit_role),
        created_by=row.created_by, created_at=row.created_at, can_edit=can_edit(user, row),
        ws_path=f"/api/boards/{row.id}/ws",
        presence=_presence(service, row.id) if service else [],
    )


def _board(session: Session, user: Principal, board_id: str) -> BoardRow:
    try:
        return visible_board(session, user, board_id)
    except BoardNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


def _frozen_frame(request: Request, camera_id: str) -> bytes | None:
    frame = request.app.state.ingest.latest_view(camera_id)
    if frame is None:
        return None
    buf = io.BytesIO()
    Image.fromarray(frame.image[:, :, ::-1]).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _alert_frame(request: Request, alert: AlertRow) -> bytes | None:
    """The picture that made the alert fire (its event's snapshot), when kept."""
    store: EventStore = request.app.state.event_store
    event_id = alert.snapshot_event_id or alert.first_event_id
    try:
        return store.snapshot(uuid.UUID(event_id))
    except ValueError:
        return None


def _clip_window(request: Request) -> tuple[float, float]:
    """Seconds of recorded video before and after an alert's start (the recording settings)."""
    settings = getattr(request.app.state, "settings", None)
    return (float(getattr(settings, "recording_clip_pre_s", 10.0)),
            float(getattr(settings, "recording_clip_post_s", 10.0)))


@router.get("/api/boards", response_model=list[BoardOut])
def list_boards(user: CurrentUser, session: SessionDep, request: Request,
                camera_id: str | None = None, alert_id: str | None = None) -> list[BoardOut]:
    """Boards of the caller's cameras (optionally of one camera or alert), newest first."""
    stmt = select(BoardRow).order_by(BoardRow.created_at.desc())
    if camera_id:
        stmt = stmt.where(BoardRow.camera_id == camera_id)
    if alert_id:
        stmt = stmt.where(BoardRow.alert_id == alert_id)
    service = _service(request)
    out = []
    for row in session.scalars(stmt.limit(500)):
        try:
            visible_board(session, user, row.id)
        except BoardNotFound:
            continue
        out.append(board_out(row, user, service))
    return out


@router.post("/api/boards", response_model=BoardOut, status_code=status.HTTP_201_CREATED)
def create_board(body: BoardCreate, user: CurrentUser, session: SessionDep,
                 request: Request) -> BoardOut:
    """A board over a camera's live video, or over an alert's frozen frame / time range."""
    camera_id, frame, frame_at, range_end = body.camera_id, None, body.frame_at, body.range_end
    if body.alert_id is not None:
        alert = session.get(AlertRow, body.alert_id)
        if alert is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"alert {body.alert_id!r} not found")
        camera_id = alert.camera_id
        frame = _alert_frame(request, alert)
        if body.kind == "range":  # the recorded video around the alert: [start − pre, start + post]
            pre, post = _clip_window(request)
            frame_at = frame_at or alert.first_event_at - timedelta(seconds=pre)
            range_end = range_end or alert.first_event_at + timedelta(seconds=post)
        frame_at = frame_at or alert.first_event_at
    if camera_id is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "give camera_id or alert_id / 需要摄像头或告警")
    unit = visible_camera(session, user, camera_id).unit_id
    if not role_at_least(user, body.edit_role):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"your role may not create a board editable only by {body.edit_role}")
    kind = "frame" if body.alert_id is not None and body.kind == "live" else body.kind
    row = BoardRow(
        id=str(uuid.uuid4()), camera_id=camera_id, unit_id=unit, alert_id=body.alert_id,
        title=body.title, kind=kind, frame_at=frame_at or (utcnow() if kind != "live" else None),
        range_end=range_end, edit_role=body.edit_role, created_by=user.username,
        created_at=utcnow(),
        frame_jpeg=frame or (_frozen_frame(request, camera_id) if kind == "frame" else None),
    )
    session.add(row)
    session.flush()
    return board_out(row, user)


@router.get("/api/boards/{board_id}", response_model=BoardOut)
def get_board(board_id: str, user: CurrentUser, session: SessionDep,
              request: Request) -> BoardOut:
    return board_out(_board(session, user, board_id), user, _service(request))


@router.get("/api/boards/{board_id}/frame.jpg", response_class=Response)
def board_frame(board_id: str, user: CurrentUser, session: SessionDep) -> Response:
    """The frozen frame of an alert board; 404 for live boards."""
    row = _board(session, user, board_id)
    if row.frame_jpeg is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this board draws over live video")
    return Response(row.frame_jpeg, media_type="image/jpeg")


@router.get("/api/boards/{board_id}/history", response_model=BoardAt)
async def board_history(board_id: str, user: CurrentUser, request: Request,
                        at: Annotated[datetime | None, Query()] = None) -> BoardAt:
    """The board as it was at `at` (ISO time with zone; now when omitted)."""
    await asyncio.to_thread(_check, request, user, board_id)
    when = at or utcnow()
    if when.tzinfo is None:
        raise HTTPException(422, "give `at` with a time zone, e.g. 2026-11-21T08:00:00+08:00")
    n, elements = await asyncio.to_thread(_service(request).elements_at, board_id, when)
    return BoardAt(board_id=board_id, at=when, updates=n, elements=elements)


@router.get("/api/boards/{board_id}/timeline", response_model=list[TimelinePoint])
async def board_timeline(board_id: str, user: CurrentUser,
                         request: Request) -> list[TimelinePoint]:
    """When each stored change was made and by whom (for the history slider)."""
    await asyncio.to_thread(_check, request, user, board_id)
    points = await asyncio.to_thread(_service(request).store.timeline, board_id)
    return [TimelinePoint(at=t, username=u) for t, u in points]


def _check(request: Request, user: Principal, board_id: str) -> BoardRow:
    with request.app.state.database.session() as session:
        return _board(session, user, board_id)


@router.get("/api/boards/{board_id}/export.png", response_class=Response)
async def export_png(board_id: str, user: CurrentUser, request: Request,
                     at: Annotated[datetime | None, Query()] = None) -> Response:
    """The frame with the board drawn on it, rendered on the server."""
    row = await asyncio.to_thread(_check, request, user, board_id)
    png = await _service(request).render_async(board_id, row.camera_id, row.frame_jpeg, at)
    return Response(png, media_type="image/png")


@router.post("/api/boards/{board_id}/exports", response_model=ExportOut,
             status_code=status.HTTP_201_CREATED)
async def save_export(board_id: str, body: ExportCreate, user: CurrentUser,
                      request: Request) -> ExportOut:
    """Render and keep the PNG as evidence (for the board's alert, or the one given)."""
    row = await asyncio.to_thread(_check, request, user, board_id)
    if body.alert_id is not None:
        await asyncio.to_thread(_check_alert, request, user, body.alert_id)
    service = _service(request)
    png = await service.render_async(board_id, row.camera_id, row.frame_jpeg, body.at)
    alert_id = body.alert_id or row.alert_id
    export_id = await asyncio.to_thread(service.store.add_export, board_id, alert_id, png,
                                        user.username, utcnow())
    return ExportOut(id=export_id, board_id=board_id, alert_id=alert_id,
                     url=f"/api/boards/{board_id}/exports/{export_id}.png")


def _visible_alert(session: Session, user: Principal, alert_id: str) -> AlertRow:
    alert = session.get(AlertRow, alert_id)
    if alert is None or not user.can_see_unit(alert.unit_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert {alert_id} in your units")
    return alert


def _check_alert(request: Request, user: Principal, alert_id: str) -> None:
    with request.app.state.database.session() as session:
        _visible_alert(session, user, alert_id)


@router.get("/api/alerts/{alert_id}/exports", response_model=list[AlertExport])
def alert_exports(alert_id: str, user: CurrentUser, session: SessionDep) -> list[AlertExport]:
    """Board PNGs attached to the alert as evidence (of boards the caller may see), newest
    first; each `url` serves the full-size PNG."""
    _visible_alert(session, user, alert_id)
    rows = session.execute(
        select(BoardExportRow.id, BoardExportRow.board_id, BoardExportRow.created_by,
               BoardExportRow.created_at, BoardRow.title)
        .join(BoardRow, BoardRow.id == BoardExportRow.board_id)
        .where(BoardExportRow.alert_id == alert_id)
        .order_by(BoardExportRow.created_at.desc(), BoardExportRow.id.desc()))
    out = []
    for export_id, board_id, by, at, title in rows:
        try:
            visible_board(session, user, board_id)
        except BoardNotFound:
            continue
        out.append(AlertExport(id=export_id, board_id=board_id, board_title=title,
                               alert_id=alert_id, created_by=by, created_at=at,
                               url=f"/api/boards/{board_id}/exports/{export_id}.png"))
    return out


@router.get("/api/boards/{board_id}/exports/{export_id}.png", response_class=Response)
def get_export(board_id: str, export_id: int, user: CurrentUser, session: SessionDep,
               request: Request) -> Response:
    _board(session, user, board_id)
    png = _service(request).store.export_png(board_id, export_id)
    if png is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such export")
    return Response(png, media_type="image/png")
