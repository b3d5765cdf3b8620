"""Overlay metadata for the browser, keyed to video frames.

The analytics side builds one ``OverlayFrame`` per analysed frame (with that frame's pts) and
calls ``LiveService.publish_overlay``; every viewer of the camera gets it as JSON with ``ticks``
(pts on the 90 kHz clock). A WebRTC viewer also knows the RTP origin of its stream (``clock``
messages), so the page matches an overlay to the displayed frame by
``(origin + ticks) mod 2**32 == rtpTimestamp``; an MJPEG viewer gets ``ticks`` on each picture.

Coordinates are normalised to the frame (0..1), so they do not depend on the analysis size.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streams.webrtc.packets import to_ticks

Unit = float


class OverlayBox(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    x1: Unit = Field(ge=0.0, le=1.0)
    y1: Unit = Field(ge=0.0, le=1.0)
    x2: Unit = Field(ge=0.0, le=1.0)
    y2: Unit = Field(ge=0.0, le=1.0)
    label: str = Field(max_length=64)  # class name, e.g. "person"
    score: float = Field(ge=0.0, le=1.0)
    track_id: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OverlayBox:
        if self.x2 < self.x1 or self.y2 < self.y1:
            raise ValueError("a box needs x1 <= x2 and y1 <= y2")
        return self


class OverlayZone(BaseModel):
    """A zone's count on this frame (its polygon comes with the camera: GET /api/cameras)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zone_id: str
    count: float = Field(ge=0.0)
    alert: bool = False


class OverlayLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    in_count: int = Field(ge=0)
    out_count: int = Field(ge=0)


class OverlayRule(BaseModel):
    """An open rule event (its state), e.g. crowding in a zone or a wrong-way crossing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str
    kind: str
    state: str = "open"
    tier: int = Field(default=3, ge=1, le=4)
    message: str = ""
    zone_id: str | None = None
    line_id: str | None = None


class Heatmap(BaseModel):
    """Occupancy heat, row-major ``width`` x ``height`` cells, each 0..255."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(ge=1, le=256)
    height: int = Field(ge=1, le=256)
    cells: list[int]

    @model_validator(mode="after")
    def _sized(self) -> Heatmap:
        if len(self.cells) != self.width * self.height:
            raise ValueError("heatmap needs width * height cells")
        if any(c < 0 or c > 255 for c in self.cells):
            raise ValueError("heatmap cells are 0..255")
        return self


class OverlayFrame(BaseModel):
    """What the page draws over one video frame."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera_id: str = Field(min_length=1, max_length=64)
    pts: float  # the analysed frame's pts (Frame.pts), seconds
    people: float | None = None  # people in the whole frame
    boxes: list[OverlayBox] = Field(default_factory=list)
    zones: list[OverlayZone] = Field(default_factory=list)
    lines: list[OverlayLine] = Field(default_factory=list)
    rules: list[OverlayRule] = Field(default_factory=list)
    heatmap: Heatmap | None = None

    @property
    def ticks(self) -> int:
        return to_ticks(self.pts)

    def wire(self) -> str:
        """The JSON the browser gets (``type`` "overlay", plus ``ticks``)."""
        body = self.model_dump_json(exclude_none=True)
        return f'{{"type":"overlay","ticks":{self.ticks},{body[1:]}'
