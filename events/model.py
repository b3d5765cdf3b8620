"""The `Event` value: what a rule saw, where, when, how serious (tier 1–4 = 蓝/黄/橙/红).

An event has one id over its life: published when it opens, again when it is updated (tier,
count or members changed) and once more when it closes. The JPEG snapshot travels with the
value in-process but is excluded from its JSON; the store keeps it separately.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EventKind = Literal[
    "overcrowding", "intrusion", "line_crossing", "loitering", "gathering", "vehicle_flow",
    "flow_forecast",
]
EventState = Literal["open", "updated", "closed"]
DetailValue = int | float | str | bool | None
EVENT_KINDS: tuple[EventKind, ...] = (
    "overcrowding",
    "intrusion",
    "line_crossing",
    "loitering",
    "gathering",
    "vehicle_flow",
    "flow_forecast",
)
KIND_NAMES_ZH: dict[str, str] = {
    "overcrowding": "人员过密",
    "intrusion": "区域入侵",
    "line_crossing": "越线",
    "loitering": "徘徊逗留",
    "gathering": "异常聚集",
    "vehicle_flow": "车流",
    "flow_forecast": "预计超限",
}
TIER_NAMES_ZH: dict[int, str] = {1: "蓝色", 2: "黄色", 3: "橙色", 4: "红色"}


def utc_from_timestamp(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    camera_id: str = Field(min_length=1, max_length=64)
    kind: EventKind
    rule_id: str = Field(default="", max_length=128)
    tier: int = Field(ge=1, le=4)
    state: EventState = "open"
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    pts: float
    zone_id: str | None = None
    line_id: str | None = None
    track_ids: list[int] = Field(default_factory=list)
    count: float | None = None
    point: tuple[float, float] | None = None  # normalised marker position
    message: str = ""
    details: dict[str, DetailValue] = Field(default_factory=dict)  # the rule's numbers
    snapshot: bytes | None = Field(default=None, exclude=True, repr=False)

    @field_validator("point")
    @classmethod
    def _normalised(cls, p: tuple[float, float] | None) -> tuple[float, float] | None:
        if p is not None and not (0.0 <= p[0] <= 1.0 and 0.0 <= p[1] <= 1.0):
            raise ValueError(f"point {p} must be normalised to 0–1")
        return p

    @field_validator("started_at", "updated_at", "ended_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("timestamps must carry a time zone (UTC)")
        return v

    @property
    def tier_name(self) -> str:
        return TIER_NAMES_ZH[self.tier]
