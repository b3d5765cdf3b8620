"""What the camera API takes and returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vision.geometry import Line, Zone
from vision.rules.config import RulesConfig

CameraState = Literal["connecting", "online", "stalled", "offline", "error", "disabled"]


class CameraPatch(BaseModel):
    """Fields a PATCH may change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=64)
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    unit: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    enabled: bool | None = None
    analysis_fps: float | None = Field(default=None, gt=0, le=60)
    analysis_width: int | None = Field(default=None, ge=64, le=3840)
    loop: bool | None = None
    transport: Literal["tcp", "udp"] | None = None
    zones: list[Zone] | None = None
    lines: list[Line] | None = None
    rules: RulesConfig | None = None


class AnalysisOut(BaseModel):
    """The vision pipeline's view of the camera."""

    status: str  # "starting", "running", "waiting for frames", "stopped" or "error: …"
    model: str
    fps: float
    frames: int
    density: str  # "off", "ok" or "error: …"


class HealthOut(BaseModel):
    fps_in: float
    fps_decoded: float
    frames_decoded: int
    drops: int
    reconnects: int
    bytes_in: int
    width: int | None
    height: int | None
    codec: str | None


class CameraOut(BaseModel):
    id: str
    name: str
    url: str
    unit_id: str
    unit_name: str
    lat: float | None
    lon: float | None
    enabled: bool
    analysis_fps: float
    analysis_width: int
    loop: bool
    transport: Literal["tcp", "udp"]
    zones: list[Zone]
    lines: list[Line]
    rules: RulesConfig
    status: CameraState
    last_error: str | None
    health: HealthOut | None
    analysis: AnalysisOut | None
