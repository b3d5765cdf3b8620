"""Values the desk exchanges: alert states and actions, the alert as the API shows it, its
timeline steps, the bodies of the actions and the WebSocket messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AlertState(StrEnum):
    NEW = "new"  # 待确认
    ACKNOWLEDGED = "acknowledged"  # 已确认
    DISPATCHED = "dispatched"  # 已派发
    RESOLVED = "resolved"  # 已处置
    CLOSED = "closed"  # 已结案 (verified)
    DISMISSED = "dismissed"  # 误报


ACTIVE_STATES = frozenset({AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.DISPATCHED})
FINAL_STATES = frozenset({AlertState.CLOSED, AlertState.DISMISSED})


class Action(StrEnum):
    ACK = "ack"
    DISPATCH = "dispatch"
    RESOLVE = "resolve"
    CLOSE = "close"
    DISMISS = "dismiss"


StepKind = Literal[
    "created", "tier_raised", "escalated", "overdue", "ack", "dispatch", "resolve", "close",
    "dismiss",
]
Change = Literal[
    "created", "updated", "tier_raised", "escalated", "overdue", "ack", "dispatch", "resolve",
    "close", "dismiss",
]


class AlertStep(BaseModel):
    """One line of an alert's timeline: who (or "system"), when, what, and the note."""

    at: datetime
    kind: StepKind
    actor: str  # username, "system" or "platform:<name>"
    actor_name: str
    from_state: AlertState | None = None
    to_state: AlertState | None = None
    note: str = ""
    tier: int | None = None


class AlertOut(BaseModel):
    id: uuid.UUID
    camera_id: str
    camera_name: str
    unit_id: str
    unit_name: str
    kind: str
    rule_id: str
    zone_id: str | None
    line_id: str | None
    message: str
    tier: int = Field(ge=1, le=4)
    raised_tier: int = Field(ge=1, le=4)
    state: AlertState
    event_count: int
    suppressed: int  # repeats absorbed during the cooldown after the alert was handled
    first_event_id: uuid.UUID
    last_event_id: uuid.UUID
    snapshot_event_id: uuid.UUID | None
    first_event_at: datetime
    last_event_at: datetime
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    dispatched_at: datetime | None
    dispatched_by: str | None
    dispatch_unit: str | None
    dispatch_unit_name: str | None
    dispatch_assignee: str | None
    dispatch_instructions: str
    due_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str
    closed_at: datetime | None
    closed_by: str | None
    close_note: str
    dismissed_at: datetime | None
    dismissed_by: str | None
    dismiss_reason: str
    escalation_level: int
    escalated_at: datetime | None
    escalated_to: str | None  # the role notified by the last escalation
    overdue: bool
    overdue_at: datetime | None
    notify_units: list[str]
    version: int


class AlertDetail(AlertOut):
    steps: list[AlertStep]


# ---- action bodies -------------------------------------------------------------------------


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class DispatchIn(BaseModel):
    """Dispatch to a unit and/or a person, with instructions and an optional deadline."""

    model_config = ConfigDict(extra="forbid")
    unit: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=64)
    instructions: str = Field(default="", max_length=1000)
    deadline_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _someone(self) -> DispatchIn:
        if not (self.unit or (self.assignee or "").strip()):
            raise ValueError("dispatch needs a unit or an assignee (派发需指定单位或人员)")
        return self


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=1000, description="how it was handled")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000, description="verification note")


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, description="why it is a false alarm")


ActionBody = AckIn | DispatchIn | ResolveIn | CloseIn | DismissIn


# ---- messages --------------------------------------------------------------------------------


class DeskMessage(BaseModel):
    """WS /api/ws/desk: `alert` messages carry the alert's newest version; `dropped` says this
    client fell behind and lost `dropped` messages (reload the list)."""

    type: Literal["alert", "dropped"]
    change: Change | None = None
    alert: AlertOut | None = None
    notify_role: str | None = None  # set on escalations: who must look now
    dropped: int | None = None


WEBHOOK_TYPES: dict[str, str] = {
    "created": "alert.created",
    "tier_raised": "alert.tier_raised",
    "escalated": "alert.escalated",
    "overdue": "alert.overdue",
    "ack": "alert.acknowledged",
    "dispatch": "alert.dispatched",
    "resolve": "alert.resolved",
    "close": "alert.closed",
    "dismiss": "alert.dismissed",
}


class WebhookPayload(BaseModel):
    """The JSON body of an outbound webhook (`X-CityEye-Delivery` repeats `id`)."""

    id: uuid.UUID
    type: str
    at: datetime
    notify_role: str | None = None
    alert: AlertOut


class AlertStats(BaseModel):
    """Figures for [since, until) in the caller's scope."""

    since: datetime
    until: datetime
    total: int
    by_kind: dict[str, int]
    by_tier: dict[int, int]
    by_state: dict[str, int]
    dismissed_by_rule: dict[str, int]
    mean_ack_s: float | None
    mean_resolve_s: float | None
    escalated: int
    overdue: int
    open_now: int
    overdue_now: int
