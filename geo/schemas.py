"""API shapes for /api/geo/…"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class PtzRangesIn(BaseModel):
    """What ONVIF's normalised range (pan/tilt −1…1, zoom 0…1) means for this camera."""

    model_config = ConfigDict(extra="forbid")
    pan_min: float = Field(default=-180.0, ge=-360, le=360)
    pan_max: float = Field(default=180.0, ge=-360, le=360)
    tilt_min: float = Field(default=-90.0, ge=-90, le=90)
    tilt_max: float = Field(default=90.0, ge=-90, le=90)
    zoom_max: float = Field(default=30.0, ge=1, le=40, description="optical zoom at ONVIF 1.0")

    @model_validator(mode="after")
    def _ordered(self) -> PtzRangesIn:
        if self.pan_min >= self.pan_max or self.tilt_min >= self.tilt_max:
            raise ValueError("pan_min must be below pan_max and tilt_min below tilt_max")
        return self


class PtzSourceIn(PtzRangesIn):
    """An ONVIF PTZ service to poll for a mechanical PTZ camera's position."""

    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://\S+$",
                     description="the PTZ service address, e.g. http://10.0.0.5/onvif/ptz_service")
    profile: str = Field(min_length=1, max_length=64, description="media profile token")
    username: str = Field(min_length=1, max_length=64)
    password: str | None = Field(default=None, max_length=128,
                                 description="omitted or empty: keep the stored one")
    interval_s: float = Field(default=2.0, ge=0.2, le=3600, description="seconds between polls")
    enabled: bool = True


PollState = Literal["starting", "ok", "error", "disabled"]


class PtzPollStatus(BaseModel):
    """How polling the camera's PTZ position is going (kept in memory by the poller)."""

    state: PollState
    polls: int = 0
    failures: int = Field(default=0, description="consecutive failed polls")
    backoff_s: float | None = Field(default=None, description="wait before the next try")
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    ptz_state: PtzStateIn | None = None


class PtzSourceOut(PtzRangesIn):
    camera_id: str
    url: str
    profile: str
    username: str
    has_password: bool
    interval_s: float
    enabled: bool
    status: PtzPollStatus


class PoseOut(PoseIn):
    camera_id: str
    name: str
    lat: float
    lon: float
    error_px: float | None
    has_homography: bool
    fov: list[tuple[float, float]]
    ptz_source: PtzSourceOut | None = None  # ONVIF polling of a mechanical PTZ, with its errors


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
    live_ptz: bool = False  # the PTZ state follows the camera (ONVIF polling): re-fetch


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
