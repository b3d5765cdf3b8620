"""`/api/recordings`: segments, their video (HTTP Range, `?token=`), seek by time, timeline,
per-camera policy, event clips. Camera visibility by unit as in /api/cameras."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from auth import audit
from auth.accounts import Principal
from auth.deps import AdminUser, CurrentUser, DatabaseDep, SessionDep, TokensDep, current_user
from cameras.access import visible_camera
from recording.schemas import (
    AtOut,
    BucketOut,
    PolicyIn,
    PolicyOut,
    SegmentOut,
    TimelineOut,
    UsageOut,
)
from recording.service import RecordingService
from recording.settings import Policy
from recording.store import Segment
from recording.timeline import bucket_counts, coverage, event_times, marker_counts

router = APIRouter(prefix="/api/recordings", tags=["recordings"])
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")
MAX_SPAN_S = 31 * 86_400


def get_service(request: Request) -> RecordingService:
    service = getattr(request.app.state, "recording", None)
    if service is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "recording is not running")
    return cast(RecordingService, service)


def media_user(
    database: DatabaseDep, tokens: TokensDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: Annotated[str | None, Query(description="access token, for <video src>")] = None,
) -> Principal:
    """The caller from `Authorization: Bearer` or, for media elements, `?token=`."""
    if creds is None and token:
        creds = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    return current_user(database, tokens, creds)


ServiceDep = Annotated[RecordingService, Depends(get_service)]
MediaUser = Annotated[Principal, Depends(media_user)]


def _span(since: float | None, until: float | None, default_s: float) -> tuple[float, float]:
    until = time.time() if until is None else until
    since = until - default_s if since is None else since
    if since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"since ({since}) must be before until ({until})")
    if until - since > MAX_SPAN_S:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "ask for at most 31 days at a time")
    return since, until


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


Epoch = Annotated[float | None, Query(ge=0, description="wall-clock epoch seconds")]


@router.get("/clips/{event_id:uuid}", response_class=FileResponse,
            summary="An event's clip (video/mp4)")
def get_clip(
    event_id: uuid.UUID, user: MediaUser, session: SessionDep, service: ServiceDep
) -> FileResponse:
    clip = service.store.clip(str(event_id))
    if clip is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"no clip for event {event_id}: clips are cut after an event opens"
                            " on a recorded camera")
    visible_camera(session, user, clip.camera_id)
    if clip.status == "pending" or clip.path is None:
        detail = (f"the clip of event {event_id} is not cut yet (ready after {_iso(clip.end)})"
                  if clip.status == "pending" else f"no clip for event {event_id}: {clip.error}")
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    path = service.store.root / clip.path
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the clip of event {event_id} is gone")
    return FileResponse(path, media_type="video/mp4")


@router.get("/{camera_id}/segments", response_model=list[SegmentOut])
def list_segments(
    camera_id: str, user: CurrentUser, session: SessionDep, service: ServiceDep,
    since: Epoch = None, until: Epoch = None,
) -> list[SegmentOut]:
    visible_camera(session, user, camera_id)
    if since is not None and until is not None and since > until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"since ({since}) must not be after until ({until})")
    return [SegmentOut.of(s) for s in service.store.segments(camera_id, since, until)]


@router.get("/{camera_id}/segments/{segment_id}/video", response_class=FileResponse,
            summary="A segment's video (video/mp4, HTTP Range; ?token= for <video src>)")
def segment_video(
    camera_id: str, segment_id: int, user: MediaUser, session: SessionDep,
    service: ServiceDep,
) -> FileResponse:
    visible_camera(session, user, camera_id)
    seg = service.store.segment(segment_id)
    if seg is None or seg.camera_id != camera_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"camera {camera_id!r} has no segment {segment_id} (deleted by"
                            " retention?)")
    path = service.store.root / seg.path
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"segment {segment_id}'s file is gone")
    audit.record_view(session, user.username, camera_id, "playback")
    return FileResponse(path, media_type="video/mp4", headers={"Cache-Control": "no-cache"})


def _covering(segments: list[Segment], t: float) -> Segment | None:
    for seg in reversed(segments):
        if seg.start <= t <= seg.end:
            return seg
    return None


@router.get("/{camera_id}/at", response_model=AtOut, summary="The segment recorded at time t")
def at_time(
    camera_id: str, user: CurrentUser, session: SessionDep, service: ServiceDep,
    t: Annotated[float, Query(ge=0, description="wall-clock epoch seconds")],
) -> AtOut:
    visible_camera(session, user, camera_id)
    seg = _covering(service.store.segments(camera_id, t, t), t)
    if seg is None:
        near = service.store.segments(camera_id, t - 3600, t + 3600)
        hint = ""
        if near:
            best = min(near, key=lambda s: min(abs(s.start - t), abs(s.end - t)))
            hint = f"; the nearest recording is {_iso(best.start)} to {_iso(best.end)}"
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"nothing was recorded on camera {camera_id!r} at {_iso(t)}{hint}")
    return AtOut(segment=SegmentOut.of(seg), offset_s=t - seg.start)


@router.get("/{camera_id}/timeline", response_model=TimelineOut)
def timeline(
    camera_id: str, user: CurrentUser, session: SessionDep, service: ServiceDep,
    since: Epoch = None, until: Epoch = None,
    buckets: Annotated[int, Query(ge=1, le=1440)] = 96,
) -> TimelineOut:
    visible_camera(session, user, camera_id)
    since, until = _span(since, until, 86_400)
    segments = service.store.segments(camera_id, since, until)
    events = bucket_counts(event_times(session, camera_id, since, until), since, until, buckets)
    markers = marker_counts(session, camera_id, since, until, buckets)
    width = (until - since) / buckets
    return TimelineOut(
        since=since, until=until, coverage=coverage(segments, since, until),
        buckets=[BucketOut(start=since + i * width, end=since + (i + 1) * width,
                           events=events[i], markers=markers[i]) for i in range(buckets)],
    )


def _policy_out(service: RecordingService, policy: Policy) -> PolicyOut:
    n, size = service.store.usage(policy.camera_id)
    return PolicyOut(**policy.model_dump(), recording=service.is_recording(policy.camera_id),
                     usage=UsageOut(segments=n, bytes=size))


@router.get("/{camera_id}/policy", response_model=PolicyOut)
def get_policy(
    camera_id: str, user: CurrentUser, session: SessionDep, service: ServiceDep
) -> PolicyOut:
    visible_camera(session, user, camera_id)
    return _policy_out(service, service.store.policy(camera_id))


@router.put("/{camera_id}/policy", response_model=PolicyOut, summary="Set (admins only)")
async def put_policy(
    camera_id: str, body: PolicyIn, user: AdminUser, session: SessionDep, service: ServiceDep
) -> PolicyOut:
    visible_camera(session, user, camera_id)
    current = await run_in_threadpool(service.store.policy, camera_id)
    update = body.model_dump(exclude_none=True)
    update["retain_days"], update["retain_gb"] = body.retain_days, body.retain_gb
    policy = current.model_copy(update=update)
    saved = await run_in_threadpool(service.store.set_policy, policy, user.username)
    audit.record(session, user.username, "recording.policy", camera_id,
                 f"enabled={saved.enabled} days={saved.retain_days} gb={saved.retain_gb}")
    return _policy_out(service, saved)
