"""REST for the geo model and AR video retrieval: /api/geo/…

(PATCH is accepted as a synonym of PUT for the web client, whose request helper has no PUT.)
Reading needs a login; editing the origin, POIs and camera poses needs a commander or admin.
Cameras are scoped by cameras/access.py (404 unknown, 403 another unit's camera).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from auth import audit
from auth.accounts import Principal, Role
from auth.deps import CurrentUser, SessionDep, require_roles
from auth.sealed import Sealer
from cameras.access import visible_camera
from cameras.orm import CameraRow
from db.base import utcnow
from geo import service
from geo.calibration import CalibrationError, PointPair, fit_homography, fit_pose
from geo.orm import CameraPoseRow, GeoOriginRow, PoiRow, PtzSourceRow
from geo.poller import PtzPoller
from geo.ptz import PtzState
from geo.schemas import (
    CalibrateIn,
    CalibrateOut,
    CallupIn,
    CallupOut,
    Covering,
    LabelsOut,
    LocateIn,
    LocateOut,
    OriginIn,
    OriginOut,
    PoiCreate,
    PoiIn,
    PoiOut,
    PoseIn,
    PoseOut,
    PtzSourceIn,
    PtzSourceOut,
    SiteMap,
)

router = APIRouter(prefix="/api/geo", tags=["geo"])
Editor = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.COMMANDER))]


def _poller(request: Request) -> PtzPoller | None:
    poller = getattr(request.app.state, "geo_ptz", None)
    return poller if isinstance(poller, PtzPoller) else None


def _pose(request: Request, session: Session, user: Principal, camera_id: str
          ) -> tuple[CameraPoseRow, CameraRow]:
    cam = visible_camera(session, user, camera_id)
    row = session.get(CameraPoseRow, camera_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"camera {camera_id!r} has no position yet: place it on the 标定 page")
    return row, cam


@router.get("/origin")
def get_origin(session: SessionDep, user: CurrentUser) -> OriginOut:
    name, org = service.origin(session)
    return OriginOut(name=name, lat=org.lat, lon=org.lon, alt=org.alt)


@router.put("/origin")
@router.patch("/origin", include_in_schema=False)
def put_origin(body: OriginIn, session: SessionDep, user: Editor) -> OriginOut:
    row = session.get(GeoOriginRow, 1) or GeoOriginRow(id=1)
    row.name, row.lat, row.lon, row.alt = body.name, body.lat, body.lon, body.alt
    session.add(row)
    audit.record(session, user.username, "geo.origin", None, f"{body.lat},{body.lon}")
    return OriginOut(**body.model_dump())


@router.get("/map")
def site_map(request: Request, session: SessionDep, user: CurrentUser) -> SiteMap:
    name, org = service.origin(session)
    placed = service.visible_poses(session, user)
    ids = {c.id for _, c in placed}
    unplaced = [c.id for c in session.scalars(select(CameraRow).order_by(CameraRow.id))
                if user.can_see_unit(c.unit_id) and c.id not in ids]
    return SiteMap(
        origin=OriginOut(name=name, lat=org.lat, lon=org.lon, alt=org.alt),
        cameras=[service.pose_out(session, p, c, _poller(request)) for p, c in placed],
        pois=[service.poi_out(session, p) for p in session.scalars(select(PoiRow))],
        unplaced=unplaced)


@router.get("/pois")
def list_pois(session: SessionDep, user: CurrentUser) -> list[PoiOut]:
    rows = session.scalars(select(PoiRow).order_by(PoiRow.id))
    return [service.poi_out(session, p) for p in rows]


@router.post("/pois", status_code=status.HTTP_201_CREATED)
def create_poi(body: PoiCreate, session: SessionDep, user: Editor) -> PoiOut:
    if session.get(PoiRow, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"POI {body.id!r} already exists")
    row = PoiRow(**body.model_dump())
    session.add(row)
    session.flush()
    audit.record(session, user.username, "geo.poi", None, f"create {body.id}")
    return service.poi_out(session, row)


@router.put("/pois/{poi_id}")
@router.patch("/pois/{poi_id}", include_in_schema=False)
def update_poi(poi_id: str, body: PoiIn, session: SessionDep, user: Editor) -> PoiOut:
    row = session.get(PoiRow, poi_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"POI {poi_id!r} does not exist")
    for key, value in body.model_dump().items():
        setattr(row, key, value)
    session.flush()
    audit.record(session, user.username, "geo.poi", None, f"update {poi_id}")
    return service.poi_out(session, row)


@router.delete("/pois/{poi_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_poi(poi_id: str, session: SessionDep, user: Editor) -> None:
    row = session.get(PoiRow, poi_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"POI {poi_id!r} does not exist")
    session.delete(row)
    audit.record(session, user.username, "geo.poi", None, f"delete {poi_id}")


@router.get("/cameras/{camera_id}")
def get_pose(camera_id: str, request: Request, session: SessionDep, user: CurrentUser
             ) -> PoseOut:
    row, cam = _pose(request, session, user, camera_id)
    return service.pose_out(session, row, cam, _poller(request))


@router.put("/cameras/{camera_id}")
@router.patch("/cameras/{camera_id}", include_in_schema=False)
def put_pose(camera_id: str, body: PoseIn, request: Request, session: SessionDep,
             user: Editor) -> PoseOut:
    cam = visible_camera(session, user, camera_id)
    row = session.get(CameraPoseRow, camera_id) or CameraPoseRow(camera_id=camera_id, pairs=[])
    data = body.model_dump()
    data["ptz_state"] = body.ptz_state.model_dump()
    for key, value in data.items():
        setattr(row, key, value)
    row.updated_by = user.username
    session.add(row)
    session.flush()
    audit.record(session, user.username, "geo.pose", camera_id, body.model_dump_json()[:200])
    _reload_after_commit(request, session)  # the PTZ model decides whether it is polled
    return service.pose_out(session, row, cam, _poller(request))


def _reload_after_commit(request: Request, session: Session) -> None:
    poller = _poller(request)
    if poller is not None:
        event.listen(session, "after_commit", lambda _s: poller.reload(), once=True)


@router.get("/cameras/{camera_id}/ptz-source")
def get_ptz_source(camera_id: str, request: Request, session: SessionDep, user: CurrentUser
                   ) -> PtzSourceOut:
    """Where the camera's PTZ position is read (ONVIF), and how polling it is going."""
    row, _ = _pose(request, session, user, camera_id)
    src = session.get(PtzSourceRow, camera_id)
    if src is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"camera {camera_id!r} has no ONVIF PTZ source")
    return service.source_out(src, row, _poller(request))


@router.put("/cameras/{camera_id}/ptz-source")
@router.patch("/cameras/{camera_id}/ptz-source", include_in_schema=False)
def put_ptz_source(camera_id: str, body: PtzSourceIn, request: Request, session: SessionDep,
                   user: Editor) -> PtzSourceOut:
    """Poll a mechanical PTZ camera's ONVIF PTZ service so its AR labels follow it."""
    row, _ = _pose(request, session, user, camera_id)
    if row.ptz != "mechanical":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"camera {camera_id!r} is a {row.ptz} camera: set its PTZ model to"
                            " mechanical first (ONVIF positions drive a mechanical PTZ)")
    src = session.get(PtzSourceRow, camera_id)
    if body.password:
        sealer: Sealer = request.app.state.sealer
        stored = sealer.seal(body.password)
    elif src is not None and src.password:
        stored = src.password  # unchanged (sealed)
    else:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "give the ONVIF password (WS-Security needs it)")
    src = src or PtzSourceRow(camera_id=camera_id)
    for key, value in body.model_dump(exclude={"password"}).items():
        setattr(src, key, value)
    src.password, src.updated_by, src.updated_at = stored, user.username, utcnow()
    session.add(src)
    session.flush()
    audit.record(session, user.username, "geo.ptz_source", camera_id,
                 f"{body.url} profile {body.profile} every {body.interval_s:g} s"
                 f"{'' if body.enabled else ' (disabled)'}")
    _reload_after_commit(request, session)
    return service.source_out(src, row, None)


@router.delete("/cameras/{camera_id}/ptz-source", status_code=status.HTTP_204_NO_CONTENT)
def delete_ptz_source(camera_id: str, request: Request, session: SessionDep,
                      user: Editor) -> None:
    visible_camera(session, user, camera_id)
    src = session.get(PtzSourceRow, camera_id)
    if src is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"camera {camera_id!r} has no ONVIF PTZ source")
    session.delete(src)
    audit.record(session, user.username, "geo.ptz_source", camera_id, "delete")
    _reload_after_commit(request, session)


@router.post("/cameras/{camera_id}/calibrate")
def calibrate(camera_id: str, body: CalibrateIn, request: Request, session: SessionDep,
              user: Editor) -> CalibrateOut:
    """Fit a ground homography and a full pose from image↔map pairs; `save` stores the pose."""
    cam = visible_camera(session, user, camera_id)
    pairs = [PointPair(p.u, p.v, p.east, p.north, p.up) for p in body.pairs]
    try:
        hom = fit_homography(pairs, body.width, body.height)
        fit = fit_pose(pairs, body.width, body.height, body.hfov)
    except CalibrationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    old = session.get(CameraPoseRow, camera_id)
    p = fit.pose
    pose = PoseIn(east=p.east, north=p.north, up=max(p.up, 0.1), yaw=p.yaw % 360.0,
                  pitch=p.pitch, roll=max(-45.0, min(45.0, p.roll)), hfov=p.hfov,
                  width=p.width, height=p.height,
                  range_m=old.range_m if old else 150.0, ptz=old.ptz if old else "fixed")
    if body.save:
        put_pose(camera_id, pose, request, session, user)
        row = session.get(CameraPoseRow, camera_id)
        assert row is not None
        row.homography = hom.matrix.tolist()
        row.pairs = [pr.model_dump() for pr in body.pairs]
        row.error_px = fit.rms_px
        audit.record(session, user.username, "geo.calibrate", cam.id,
                     f"{len(pairs)} pairs, {fit.rms_px:.2f} px")
    return CalibrateOut(homography_error_px=hom.rms_px, homography_inliers=hom.inliers,
                        pose_error_px=fit.rms_px, pose=pose, saved=body.save)


@router.get("/cameras/{camera_id}/labels")
def get_labels(camera_id: str, request: Request, session: SessionDep, user: CurrentUser,
               pan: Annotated[float | None, Query()] = None,
               tilt: Annotated[float | None, Query()] = None,
               zoom: Annotated[float | None, Query(ge=1, le=40)] = None) -> LabelsOut:
    """AR labels (POIs and other cameras) for the camera's current or the given PTZ state."""
    row, _ = _pose(request, session, user, camera_id)
    cur = service.ptz_state(row)
    state = PtzState(cur.pan if pan is None else pan, cur.tilt if tilt is None else tilt,
                     cur.zoom if zoom is None else zoom)
    return service.labels(session, user, row, state)


@router.get("/coverage")
def coverage(session: SessionDep, user: CurrentUser, east: float, north: float,
             up: float = 0.0, exclude: str | None = None) -> list[Covering]:
    """Cameras whose field of view covers the place, best (near, head-on) first."""
    return service.covering(session, user, np.array([east, north, up]), exclude)


@router.post("/cameras/{camera_id}/locate")
def locate(camera_id: str, body: LocateIn, request: Request, session: SessionDep,
           user: CurrentUser) -> LocateOut:
    """The map position of a click in the camera's view, and which cameras see it."""
    row, _ = _pose(request, session, user, camera_id)
    s = body.ptz_state
    state = PtzState(s.pan, s.tilt, s.zoom) if s else service.ptz_state(row)
    g = service.locate(row, state, body.x, body.y)
    if g is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "that point is above the horizon: click on the ground")
    _, org = service.origin(session)
    lat, lon, _ = org.to_lla(float(g[0]), float(g[1]))
    return LocateOut(east=round(float(g[0]), 2), north=round(float(g[1]), 2), lat=lat, lon=lon,
                     cameras=service.covering(session, user, g, exclude=camera_id))


@router.post("/callup")
def callup(body: CallupIn, request: Request, session: SessionDep, user: CurrentUser
           ) -> CallupOut:
    """Record that the user called up a camera from the AR view or map (audited)."""
    cam = visible_camera(session, user, body.camera_id)
    detail = f"from {body.from_camera_id or 'map'}: {body.target}"
    audit.record(session, user.username, "ar.callup", cam.id, detail)
    return CallupOut(camera_id=cam.id, live=f"/live/{cam.id}")
