"""Geo queries over the database: poses visible to a user, AR labels, coverage, locate."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.accounts import Principal
from cameras.orm import CameraRow
from geo.coverage import Seeing, fov_polygon, rank
from geo.declutter import Box, declutter, label_size
from geo.enu import ZHONGSHAN_PARK, Origin
from geo.orm import CameraPoseRow, GeoOriginRow, PoiRow, PtzSourceRow
from geo.pinhole import Pose, ground_point, in_image, project
from geo.poller import PtzPoller
from geo.ptz import Crop, PtzState, digital_crop, from_view, mechanical_pose, to_view
from geo.schemas import (
    Covering,
    Label,
    LabelsOut,
    PoiOut,
    PoseIn,
    PoseOut,
    PtzPollStatus,
    PtzSourceOut,
    PtzStateIn,
)

KIND_RANK = {"camera": 0.0, "building": 1.0, "entrance": 2.0, "road": 3.0, "other": 4.0}


def origin(session: Session) -> tuple[str, Origin]:
    row = session.get(GeoOriginRow, 1)
    if row is None:
        return "中山公园", Origin(*ZHONGSHAN_PARK)
    return row.name, Origin(row.lat, row.lon, row.alt)


def to_pose(row: CameraPoseRow) -> Pose:
    return Pose(row.east, row.north, row.up, row.yaw, row.pitch, row.roll, row.hfov, row.width,
                row.height)


def ptz_state(row: CameraPoseRow) -> PtzState:
    s = PtzStateIn.model_validate(row.ptz_state or {})
    if row.ptz == "digital" and not row.ptz_state:
        s = PtzStateIn(pan=0.5, tilt=0.5, zoom=1.0)
    return PtzState(s.pan, s.tilt, s.zoom)


def pose_in(row: CameraPoseRow) -> PoseIn:
    st = ptz_state(row)
    return PoseIn(east=row.east, north=row.north, up=row.up, yaw=row.yaw, pitch=row.pitch,
                  roll=row.roll, hfov=row.hfov, width=row.width, height=row.height,
                  range_m=row.range_m, ptz=row.ptz,
                  ptz_state=PtzStateIn(pan=st.pan, tilt=st.tilt, zoom=st.zoom))


def source_out(src: PtzSourceRow, pose: CameraPoseRow | None, poller: PtzPoller | None
               ) -> PtzSourceOut:
    """A PTZ source as the API shows it: no password, and how polling it is going."""
    status = poller.status(src.camera_id) if poller is not None else None
    if status is None:
        if not src.enabled:
            status = PtzPollStatus(state="disabled")
        elif pose is None or pose.ptz != "mechanical":
            status = PtzPollStatus(state="disabled", last_error=(
                "not polled: set the camera's PTZ model to mechanical"))
        else:
            status = PtzPollStatus(state="starting")
    return PtzSourceOut(camera_id=src.camera_id, url=src.url, profile=src.profile,
                        username=src.username, has_password=bool(src.password),
                        interval_s=src.interval_s, enabled=src.enabled, pan_min=src.pan_min,
                        pan_max=src.pan_max, tilt_min=src.tilt_min, tilt_max=src.tilt_max,
                        zoom_max=src.zoom_max, status=status)


def pose_out(session: Session, row: CameraPoseRow, cam: CameraRow,
             poller: PtzPoller | None = None) -> PoseOut:
    _, org = origin(session)
    lat, lon, _ = org.to_lla(row.east, row.north)
    pose = to_pose(row)
    if row.ptz == "mechanical":
        pose = mechanical_pose(pose, ptz_state(row))
    src = session.get(PtzSourceRow, row.camera_id)
    return PoseOut(**pose_in(row).model_dump(), camera_id=row.camera_id, name=cam.name,
                   lat=lat, lon=lon, error_px=row.error_px,
                   has_homography=row.homography is not None,
                   fov=fov_polygon(pose, row.range_m),
                   ptz_source=source_out(src, row, poller) if src is not None else None)


def poi_out(session: Session, row: PoiRow) -> PoiOut:
    _, org = origin(session)
    lat, lon, _ = org.to_lla(row.east, row.north)
    return PoiOut(id=row.id, name=row.name, name_en=row.name_en, kind=row.kind,
                  east=row.east, north=row.north, height=row.height, area_id=row.area_id,
                  lat=lat, lon=lon)


def visible_poses(session: Session, user: Principal) -> list[tuple[CameraPoseRow, CameraRow]]:
    rows = session.execute(
        select(CameraPoseRow, CameraRow).join(CameraRow, CameraRow.id == CameraPoseRow.camera_id)
        .order_by(CameraRow.id))
    return [(p, c) for p, c in rows if user.can_see_unit(c.unit_id)]


def view_pose(row: CameraPoseRow, state: PtzState) -> tuple[Pose, Crop | None]:
    """The pose to project with, and for a digital PTZ the crop of the source shown."""
    base = to_pose(row)
    if row.ptz == "mechanical":
        return mechanical_pose(base, state), None
    if row.ptz == "digital":
        return base, digital_crop(base.width, base.height, state)
    return base, None


def labels(session: Session, user: Principal, row: CameraPoseRow, state: PtzState
           ) -> LabelsOut:
    pose, crop = view_pose(row, state)
    items: list[tuple[str, str, str, str, str, np.ndarray]] = [
        (f"poi:{p.id}", p.kind, p.id, p.name, p.name_en, np.array([p.east, p.north, p.height]))
        for p in session.scalars(select(PoiRow).order_by(PoiRow.id))]
    items += [(f"camera:{c.id}", "camera", c.id, c.name, c.id,
               np.array([p.east, p.north, p.up]))
              for p, c in visible_poses(session, user) if c.id != row.camera_id]
    if not items:
        return LabelsOut(camera_id=row.camera_id, ptz=row.ptz,
                         ptz_state=PtzStateIn(pan=state.pan, tilt=state.tilt, zoom=state.zoom),
                         crop=None, labels=[])
    world = np.stack([it[5] for it in items])
    px, front = project(pose, world)
    ok = in_image(pose, px, front)
    if crop is not None:
        px = to_view(px, crop, pose.width, pose.height)
        ok = in_image(pose, px, front) & ok
    dist = np.linalg.norm(world - pose.center(), axis=1)
    boxes = []
    for i, it in enumerate(items):
        if ok[i]:
            w, h = label_size(it[3])
            boxes.append(Box(it[0], float(px[i, 0]), float(px[i, 1]), w * pose.width / 1280,
                             h * pose.width / 1280, KIND_RANK[it[1]] + float(dist[i]) / 10_000))
    shown = declutter(boxes)
    src = session.get(PtzSourceRow, row.camera_id)
    live = src is not None and src.enabled and row.ptz == "mechanical"
    out = [Label(key=it[0], kind=it[1], id=it[2], name=it[3], name_en=it[4],
                 x=float(px[i, 0]) / pose.width, y=float(px[i, 1]) / pose.height,
                 distance_m=round(float(dist[i]), 1), shown=it[0] in shown)
           for i, it in enumerate(items) if ok[i]]
    c = None if crop is None else (crop.x / pose.width, crop.y / pose.height,
                                   crop.w / pose.width, crop.h / pose.height)
    return LabelsOut(camera_id=row.camera_id, ptz=row.ptz,
                     ptz_state=PtzStateIn(pan=state.pan, tilt=state.tilt, zoom=state.zoom),
                     crop=c, labels=out, live_ptz=live)


def covering(session: Session, user: Principal, point: np.ndarray,
             exclude: str | None = None) -> list[Covering]:
    rows = visible_poses(session, user)
    names = {c.id: c.name for _, c in rows}
    cams = {p.camera_id: (view_pose(p, ptz_state(p))[0], p.range_m) for p, _ in rows}
    return [_covering(s, names[s.camera_id]) for s in rank(cams, point, exclude)]


def _covering(s: Seeing, name: str) -> Covering:
    return Covering(camera_id=s.camera_id, name=name, distance_m=round(s.distance_m, 1),
                    off_axis_deg=round(s.off_axis_deg, 1), score=round(s.score, 3))


def locate(row: CameraPoseRow, state: PtzState, x: float, y: float) -> np.ndarray | None:
    """The ground point under a click at (x, y) (0..1 of the view)."""
    pose, crop = view_pose(row, state)
    u, v = x * pose.width, y * pose.height
    if crop is not None:
        u, v = from_view(u, v, crop, pose.width, pose.height)
    return ground_point(pose, u, v)
