"""The 中山公园商圈 demo: POIs, a high-point camera and street cameras mapped onto the clips.

Positions are approximate (read off a plan, not surveyed). The high-point camera
(`demo-pedestrians-street-yas-sim`, 1920×1080 looking down a shopping street) was calibrated by
hand: the two dark kerb strips of its carriageway were taken as lines 9 m apart and points on
them given distances along the street judged from the size of the people; `fit_pose` turns the
pairs into its pose (≈ 40 px RMS — a hand calibration, good enough to place labels). It is a
digital PTZ: the view is a crop of the 1080p source. Seeded only in demo mode, never over edits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cameras.orm import CameraRow
from geo.calibration import PointPair, fit_pose
from geo.enu import ZHONGSHAN_PARK
from geo.orm import CameraPoseRow, GeoOriginRow, PoiRow

HIGH_POINT = "demo-pedestrians-street-yas-sim"
STREET_ORIGIN = (40.0, -20.0)  # where the street frame starts, ENU metres (长宁路, 兆丰广场 front)
STREET_HEADING = 270.0  # the street axis runs west from there
# (u, v) in the 1920×1080 frame ↔ (metres along the street, metres across: + is to the right)
HAND_PAIRS = [(0, 924, 10, -4.5), (600, 450, 20, -4.5), (1080, 200, 40, -4.5),
              (840, 1030, 8, 4.5), (1180, 640, 16, 4.5), (1520, 300, 32, 4.5)]


@dataclass(frozen=True)
class DemoPoi:
    id: str
    name: str
    name_en: str
    kind: str
    east: float
    north: float
    height: float
    area_id: str | None = None


POIS = [
    DemoPoi("zhaofeng-plaza", "兆丰广场", "Zhaofeng Plaza", "building", 20.0, -29.0, 4.0,
            "zhaofeng"),
    DemoPoi("cloud-nine", "龙之梦购物中心", "Cloud Nine Mall", "building", -5.0, -29.0, 3.0,
            "longzhimeng"),
    DemoPoi("cloud-nine-gate-2", "龙之梦 2号门", "Cloud Nine Gate 2", "entrance",
            0.0, -27.0, 1.0),
    DemoPoi("changning-rd", "长宁路", "Changning Rd", "road", 26.0, -19.0, 0.0),
    DemoPoi("raffles-city", "来福士广场", "Raffles City", "building", -448.0, 89.0, 60.0,
            "raffles"),
    DemoPoi("zhongshan-park-gate", "中山公园 正门", "Zhongshan Park Gate", "entrance",
            -67.0, 144.0, 0.0),
    DemoPoi("metro-zhongshan-park", "地铁中山公园站", "Zhongshan Park Station", "entrance",
            -181.0, 67.0, 0.0, "metro"),
    DemoPoi("kaixuan-rd", "凯旋路", "Kaixuan Rd", "road", -300.0, 20.0, 0.0),
]

# camera id → (east, north, up, yaw, pitch, hfov, width, height, range_m)
STREET_CAMERAS: dict[str, tuple[float, float, float, float, float, float, int, int, float]] = {
    "demo-pedestrians-street-amirhossein": (18.0, -16.0, 3.0, 95.0, 20.0, 60.0, 1920, 1080, 60.0),
    "demo-mall-entrance-zayed": (10.0, -26.0, 3.0, 185.0, 25.0, 70.0, 640, 360, 30.0),
    "demo-traffic-highway-mihailrc": (-300.0, 60.0, 15.0, 0.0, 15.0, 60.0, 1280, 720, 200.0),
}


def street_to_enu(along: float, across: float) -> tuple[float, float]:
    h = math.radians(STREET_HEADING)
    e0, n0 = STREET_ORIGIN
    return (e0 + along * math.sin(h) + across * math.cos(h),
            n0 + along * math.cos(h) - across * math.sin(h))


def hand_pairs() -> list[PointPair]:
    out = []
    for u, v, along, across in HAND_PAIRS:
        e, n = street_to_enu(along, across)
        out.append(PointPair(float(u), float(v), e, n, 0.0))
    return out


def _high_point_row() -> CameraPoseRow:
    fit = fit_pose(hand_pairs(), 1920, 1080)
    p = fit.pose
    return CameraPoseRow(
        camera_id=HIGH_POINT, east=p.east, north=p.north, up=p.up, yaw=p.yaw, pitch=p.pitch,
        roll=p.roll, hfov=p.hfov, width=p.width, height=p.height, range_m=150.0, ptz="digital",
        ptz_state={"pan": 0.5, "tilt": 0.5, "zoom": 1.0}, homography=None,
        pairs=[{"u": q.u, "v": q.v, "east": q.east, "north": q.north, "up": q.up}
               for q in hand_pairs()],
        error_px=fit.rms_px, updated_by="demo")


def seed_demo(session: Session) -> int:
    """Insert what is missing of the demo geo model; return the number of rows added."""
    if session.get(CameraRow, HIGH_POINT) is None:
        return 0
    added = 0
    if session.get(GeoOriginRow, 1) is None:
        session.add(GeoOriginRow(id=1, name="中山公园", lat=ZHONGSHAN_PARK[0],
                                 lon=ZHONGSHAN_PARK[1], alt=0.0))
        added += 1
    for poi in POIS:
        if session.get(PoiRow, poi.id) is None:
            session.add(PoiRow(id=poi.id, name=poi.name, name_en=poi.name_en, kind=poi.kind,
                               east=poi.east, north=poi.north, height=poi.height,
                               area_id=poi.area_id))
            added += 1
    if session.get(CameraPoseRow, HIGH_POINT) is None:
        session.add(_high_point_row())
        added += 1
    for cid, (e, n, up, yaw, pitch, hfov, w, h, rng) in STREET_CAMERAS.items():
        if session.get(CameraRow, cid) is not None and session.get(CameraPoseRow, cid) is None:
            session.add(CameraPoseRow(camera_id=cid, east=e, north=n, up=up, yaw=yaw,
                                      pitch=pitch, roll=0.0, hfov=hfov, width=w, height=h,
                                      range_m=rng, ptz="fixed", ptz_state={}, pairs=[],
                                      updated_by="demo"))
            added += 1
    return added
