"""Wire types of the board API and the shared document schema (what the browser writes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BoardKind = Literal["live", "frame", "range"]
EditRole = Literal["patroller", "duty_officer", "commander", "admin"]
ElementType = Literal["text", "arrow", "rect", "ellipse", "polygon", "freehand", "pin"]


class Element(BaseModel):
    """One drawn mark. The Y.Map `elements` holds id → Y.Map with these keys; points are
    normalised to the video frame (0–1), flat: [x0, y0, x1, y1, …]."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str
    type: ElementType
    points: list[float] = Field(default_factory=list)
    text: str = ""
    color: str = "#ff3b30"
    width: float = 3.0
    font_size: float = Field(default=18.0, alias="fontSize")
    curved: bool = False
    heads: Literal["end", "both", "none"] = "end"
    author: str = ""
    z: float = 0.0


class BoardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120)
    camera_id: str | None = Field(default=None, max_length=64)
    alert_id: str | None = Field(default=None, max_length=36)
    kind: BoardKind = "live"
    frame_at: datetime | None = None
    range_end: datetime | None = None
    edit_role: EditRole = "duty_officer"


class Presence(BaseModel):
    client_id: int
    name: str
    color: str


class BoardOut(BaseModel):
    id: str
    title: str
    camera_id: str
    alert_id: str | None
    kind: BoardKind
    frame_at: datetime | None
    range_end: datetime | None
    has_frame: bool
    edit_role: EditRole
    created_by: str
    created_at: datetime
    can_edit: bool
    ws_path: str
    presence: list[Presence] = Field(default_factory=list)


class BoardAt(BaseModel):
    """The board as it was at `at` (history view)."""

    board_id: str
    at: datetime
    updates: int
    elements: list[Element]


class TimelinePoint(BaseModel):
    at: datetime
    username: str


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alert_id: str | None = Field(default=None, max_length=36)
    at: datetime | None = None


class ExportOut(BaseModel):
    id: int
    board_id: str
    alert_id: str | None
    url: str


class AlertExport(BaseModel):
    """A board PNG kept as evidence of an alert (listed in the desk's evidence panel)."""

    id: int
    board_id: str
    board_title: str
    alert_id: str
    url: str
    created_by: str
    created_at: datetime
