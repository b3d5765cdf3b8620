"""API shapes for /api/geo/…"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
PoiKind = Literal["building", "entrance", "road", "other"]
PtzKind = Literal["fixed", "mechanical", "digital"]


class OriginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt: float = 0.0


class OriginOut(OriginIn):
    pass


class PoiIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    name_en: str = Field(default="", max_length=64)
    kind: PoiKind = "building"
    east: float = Field(ge=-50_000, le=50_000)
    north: float = Field(ge=-50_000, le=50_000)
    height: float = Field(default=0.0, ge=0, le=1000)
    area_id: str | None = Field(default=None, max_length=48,
                                description="crowd-flow area whose live count the map shows")


class PoiCreate(PoiIn):
    id: Slug


class PoiOut(PoiCreate):
    lat: float
    lon: float


class PtzStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pan: float = Field(default=0.0, ge=-360, le=360)
    tilt: float = Field(default=0.0, ge=-90, le=90)
    zoom: float = Field(default=1.0, ge=1, le=40)


class PoseIn(BaseModel):
    """A camera's position (local metres), mounting height, orientation and lens."""

    model_config = ConfigDict(extra="forbid")
    east: float = Field(ge=-50_000, le=50_000)
    north: float = Field(ge=-50_000, le=50_000)
    up: float = Field(gt=0, le=1000, description="mounting height above the ground, metres")
    yaw: float = Field(ge=-360, le=360, description="heading, degrees clockwise from north")
    pitch: float = Field(ge=-90, le=90, description="tilt below the horizon, degrees")
    roll: float = Field(default=0.0, ge=-45, le=45)
    hfov: float = Field(ge=1, le=170, description="horizontal field of view, degrees")
    width: int = Field(ge=16, le=16384)
    height: int = Field(ge=16, le=16384)
    range_m: float = Field(default=120.0, gt=0, le=5000)
    ptz: PtzKind = "fixed"
    ptz_state: PtzStateIn = Field(default_factory=PtzStateIn)


class PoseOut(PoseIn):
    camera_id: str
    name: str
    lat: float
    lon: float
    error_px: float | None
    has_homography: bool
    fov: list[tuple[float, float]]


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    u: float
    v: float
    east: float
    north: float
    up: float = 0.0


class CalibrateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pairs: list[PairIn]
    width: int = Field(ge=16, le=16384)
    height: int = Field(ge=16, le=16384)
    hfov: float | None = Field(default=None, ge=1, le=170,
                               description="known field of view; omitted: fitted")
    save: bool = False


class CalibrateOut(BaseModel):
    homography_error_px: float
    homography_inliers: int
    pose_error_px: float
    pose: PoseIn
    saved: bool


class Label(BaseModel):
    key: str  # "poi:<id>" or "camera:<id>"
    kind: str  # building|entrance|road|other|camera
    id: str
    name: str
    name_en: str
    x: float  # 0..1 of the (PTZ) view
    y: float
    distance_m: float
    shown: bool  # false: hidden by declutter


class LabelsOut(BaseModel):
    camera_id: str
    ptz: PtzKind
    ptz_state: PtzStateIn
    crop: tuple[float, float, float, float] | None  # digital PTZ: x, y, w, h in 0..1
    labels: list[Label]


class Covering(BaseModel):
    camera_id: str
    name: str
    distance_m: float
    off_axis_deg: float
    score: float


class LocateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    ptz_state: PtzStateIn | None = None


class LocateOut(BaseModel):
    east: float
    north: float
    lat: float
    lon: float
    cameras: list[Covering]


class CallupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    camera_id: str
    from_camera_id: str | None = None
    target: str = Field(default="", max_length=200, description="what was clicked")


class CallupOut(BaseModel):
    camera_id: str
    live: str  # the web UI route that shows it


class SiteMap(BaseModel):
    origin: OriginOut
    cameras: list[PoseOut]
    pois: list[PoiOut]
    unplaced: list[str]  # visible cameras without a pose
