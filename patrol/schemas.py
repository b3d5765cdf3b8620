"""The API's shapes for patrol tours (轮巡), their runs and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from markers.schemas import Marker, clean_text

ItemStatus = Literal["pending", "normal", "issue"]
MAX_CAMERAS = 100


def _name(v: str) -> str:
    name = clean_text(v)
    if len(name) > 64:
        raise ValueError(f"名称最多 64 字 / the name is {len(name)} characters long;"
                         " the limit is 64")
    return name


def _camera_ids(v: list[str]) -> list[str]:
    ids = [c.strip() for c in v]
    dupes = sorted({c for c in ids if ids.count(c) > 1})
    if dupes:
        raise ValueError(f"每个摄像机只能出现一次 / each camera may appear once; repeated: "
                         f"{', '.join(dupes)}")
    return ids


class TourIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    camera_ids: list[str] = Field(min_length=1, max_length=MAX_CAMERAS,
                                  description="the cameras in the order the tour shows them")
    dwell_s: int = Field(default=30, ge=5, le=600, description="seconds on each camera")

    _check_name = field_validator("name")(_name)
    _check_ids = field_validator("camera_ids")(_camera_ids)


class TourPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    camera_ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_CAMERAS)
    dwell_s: int | None = Field(default=None, ge=5, le=600)

    @field_validator("name")
    @classmethod
    def _n(cls, v: str | None) -> str | None:
        return None if v is None else _name(v)

    @field_validator("camera_ids")
    @classmethod
    def _c(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _camera_ids(v)


class Tour(BaseModel):
    id: int
    name: str
    camera_ids: list[str]
    dwell_s: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class ItemSummary(BaseModel):
    markers: int = Field(description="markers added to the camera in the window")
    by_tier: dict[str, int] = Field(description='"1".."4" (and "none" for untiered markers)')
    latest: list[Marker] = Field(description="the newest (up to 5)")


class TourRunItem(BaseModel):
    camera_id: str
    camera_name: str
    status: ItemStatus
    note: str
    marker_id: int | None
    checked_at: datetime | None
    summary: ItemSummary


class TourRun(BaseModel):
    id: int
    tour_id: int
    tour_name: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    since: datetime | None = Field(
        description="when the previous run of this tour finished; null: the summaries cover the"
        " 24 h before this run started")
    items: list[TourRunItem]


class ItemMark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["normal", "issue"]
    note: str = Field(default="", description="plain text, up to 200 characters")

    @field_validator("note")
    @classmethod
    def _note(cls, v: str) -> str:
        return clean_text(v, allow_empty=True)
