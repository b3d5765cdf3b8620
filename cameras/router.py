"""`/api/cameras`: the camera registry with live status, and camera snapshots."""

from __future__ import annotations

from typing import Annotated, Literal, cast

import cv2
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from auth import audit
from auth.deps import AdminUser, CurrentUser, SessionDep
from cameras.access import Forbidden, NotFound, visible_camera
from cameras.registry import CameraRegistry, Conflict
from cameras.schemas import CameraOut, CameraPatch
from cameras.urlcheck import UrlProblem, check_reachable, check_syntax
from config import CameraConfig, Settings
from streams import IngestManager

router = APIRouter(prefix="/api/cameras", tags=["cameras"])


def get_registry(request: Request) -> CameraRegistry:
    return cast(CameraRegistry, request.app.state.cameras)


def get_ingest(request: Request) -> IngestManager:
    return cast(IngestManager, request.app.state.ingest)


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


RegistryDep = Annotated[CameraRegistry, Depends(get_registry)]
IngestDep = Annotated[IngestManager, Depends(get_ingest)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _http(exc: Exception) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, Forbidden):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(exc))
    if isinstance(exc, Conflict):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))


async def _check_url(
    url: str, transport: Literal["tcp", "udp"], check: bool, settings: Settings
) -> None:
    try:
        if check:
            await run_in_threadpool(check_reachable, url, settings.probe_timeout_s, transport)
        else:
            check_syntax(url)
    except UrlProblem as exc:
        hint = "" if not check else " (add ?check=false to register it while it is offline)"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{exc}{hint}") from exc


@router.get("", response_model=list[CameraOut], summary="Cameras visible to the caller")
def list_cameras(user: CurrentUser, session: SessionDep, registry: RegistryDep) -> list[CameraOut]:
    return registry.visible(session, user)


@router.post("", response_model=CameraOut, status_code=status.HTTP_201_CREATED)
async def create_camera(
    body: CameraConfig,
    user: AdminUser,
    session: SessionDep,
    registry: RegistryDep,
    settings: SettingsDep,
    check: Annotated[bool, Query(description="open the stream before saving")] = True,
) -> CameraOut:
    await _check_url(body.url, body.transport, check, settings)
    try:
        row = registry.create(session, user, body)
    except (Conflict, Forbidden, ValueError) as exc:
        raise _http(exc) from exc
    audit.record(session, user.username, "camera.create", row.id, body.url)
    session.commit()
    await run_in_threadpool(registry.apply, row)  # starting/stopping a decoder blocks
    return registry.out(session, row)


@router.get("/{camera_id}", response_model=CameraOut)
def get_camera(
    camera_id: str, user: CurrentUser, session: SessionDep, registry: RegistryDep
) -> CameraOut:
    try:
        row = registry.get(session, user, camera_id)
    except (NotFound, Forbidden) as exc:
        raise _http(exc) from exc
    audit.record_view(session, user.username, camera_id, "detail")
    return registry.out(session, row, user)


@router.patch("/{camera_id}", response_model=CameraOut)
async def patch_camera(
    camera_id: str,
    body: CameraPatch,
    user: AdminUser,
    session: SessionDep,
    registry: RegistryDep,
    settings: SettingsDep,
    check: Annotated[bool, Query(description="open a changed URL before saving")] = True,
) -> CameraOut:
    try:
        current = registry.get(session, user, camera_id)
    except (NotFound, Forbidden) as exc:
        raise _http(exc) from exc
    if body.url is not None and body.url != current.url:
        transport = body.transport or cast(Literal["tcp", "udp"], current.transport)
        await _check_url(body.url, transport, check, settings)
    try:
        row = registry.patch(session, user, camera_id, body)
    except (NotFound, Forbidden, ValueError) as exc:
        raise _http(exc) from exc
    audit.record(session, user.username, "camera.update", camera_id,
                 ",".join(sorted(body.model_fields_set)))
    session.commit()
    await run_in_threadpool(registry.apply, row)  # starting/stopping a decoder blocks
    return registry.out(session, row)


@router.delete("/{camera_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_camera(
    camera_id: str, user: AdminUser, session: SessionDep, registry: RegistryDep
) -> Response:
    try:
        registry.delete(session, user, camera_id)
    except (NotFound, Forbidden) as exc:
        raise _http(exc) from exc
    audit.record(session, user.username, "camera.delete", camera_id)
    session.commit()
    registry.forget(camera_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{camera_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 503: {"description": "no frame yet"}},
)
def snapshot(
    camera_id: str,
    user: CurrentUser,
    session: SessionDep,
    registry: RegistryDep,
    ingest: IngestDep,
    full: Annotated[bool, Query(description="full resolution, not the analysis size")] = False,
) -> Response:
    visible_camera(session, user, camera_id)
    frame = ingest.latest_view(camera_id) if full else ingest.latest_analysis(camera_id)
    if frame is None:
        health = ingest.health(camera_id)
        reason = health.last_error if health and health.last_error else "no frame decoded yet"
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"camera {camera_id}: {reason}")
    ok, buf = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "JPEG encoding failed")
    audit.record_view(session, user.username, camera_id, "snapshot")
    return Response(
        content=buf.tobytes(),
        media_type="image/jpeg",
        headers={"Cache-Control": "no-store", "X-Frame-Pts": f"{frame.pts:.3f}"},
    )
