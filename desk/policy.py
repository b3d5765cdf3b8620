"""Which events alert whom: the desk policy (the site file's `desk:` section) and the pure
functions that apply it: matching, grouping keys, notify targets, maintenance windows and
escalation levels."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from events.model import Event, EventKind

# A notify target: the camera's street, its parent, the district, or a unit id.
SPECIAL_TARGETS = ("camera_unit", "parent_unit", "district")
Target = str


def _check_targets(targets: list[str]) -> list[str]:
    for t in targets:
        if not t or len(t) > 64:
            raise ValueError(f"notify target {t!r}: use {', '.join(SPECIAL_TARGETS)} or a unit id")
    return targets


class AlertRule(BaseModel):
    """Events of these `kinds` (empty: all) at `min_tier` or above, on these `cameras` (empty:
    all), alert the units in `notify`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: list[EventKind] = Field(default_factory=list)
    min_tier: int = Field(default=1, ge=1, le=4)
    cameras: list[str] = Field(default_factory=list)
    notify: list[Target] = Field(default_factory=lambda: ["camera_unit", "district"], min_length=1)

    _targets = field_validator("notify")(_check_targets)

    def matches(self, event: Event) -> bool:
        return (
            (not self.kinds or event.kind in self.kinds)
            and event.tier >= self.min_tier
            and (not self.cameras or event.camera_id in self.cameras)
        )


class EscalationLevel(BaseModel):
    """When an alert is still unacknowledged `after_s` after it was raised: raise its tier by
    `raise_tier` and notify `notify_role` in the `notify` units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after_s: float = Field(gt=0)
    notify_role: Literal["commander", "admin"] = "commander"
    notify: list[Target] = Field(default_factory=lambda: ["camera_unit"], min_length=1)
    raise_tier: int = Field(default=1, ge=0, le=3)

    _targets = field_validator("notify")(_check_targets)


class MaintenanceWindow(BaseModel):
    """No alerts from these cameras between `starts_at` and `ends_at` (e.g. repairs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera_ids: list[str] = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        if self.ends_at <= self.starts_at:
            raise ValueError("a maintenance window must end after it starts")
        return self

    def covers(self, camera_id: str, at: datetime) -> bool:
        return camera_id in self.camera_ids and self.starts_at <= at < self.ends_at


def _default_escalation() -> list[EscalationLevel]:
    return [
        EscalationLevel(after_s=300, notify=["camera_unit"]),
        EscalationLevel(after_s=900, notify=["district"]),
    ]


class DeskPolicy(BaseModel):
    """Defaults: every kind at every tier alerts the camera's street and the district; repeats of
    an alert's condition within `cooldown_s` after it was handled raise no new alert; an alert
    nobody acknowledges escalates to the street's commander after 5 min and to the district's
    after 15; a dispatched alert not resolved within 30 min is flagged overdue (督办)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[AlertRule] = Field(default_factory=lambda: [AlertRule()])
    cooldown_s: float = Field(default=300.0, ge=0)
    escalation: list[EscalationLevel] = Field(default_factory=_default_escalation)
    overdue_after_s: float = Field(default=1800.0, gt=0)
    tick_s: float = Field(default=5.0, gt=0, le=60)
    timezone: str = "Asia/Shanghai"
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DeskPolicy:
        if any(b.after_s <= a.after_s for a, b in pairwise(self.escalation)):
            raise ValueError("escalation levels must have ascending after_s")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {self.timezone!r}") from exc
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def condition_key(event: Event) -> str:
    """Events of one condition (camera, rule, zone/line) group into one alert."""
    where = event.zone_id or event.line_id or ""
    return f"{event.camera_id}|{event.rule_id or event.kind}|{where}"


def notify_targets(policy: DeskPolicy, event: Event) -> list[Target] | None:
    """The targets of every rule that matches (in order, without repeats); None: no alert."""
    out: list[Target] = []
    for rule in policy.rules:
        if rule.matches(event):
            out.extend(t for t in rule.notify if t not in out)
    return out or None


def resolve_units(
    targets: list[Target], camera_unit: str, parents: dict[str, str | None]
) -> list[str]:
    """Turn targets into unit ids; `parents` maps every unit to its parent (None: district)."""
    district = next((u for u, p in parents.items() if p is None), camera_unit)
    out: list[str] = []
    for t in targets:
        if t == "camera_unit":
            unit: str | None = camera_unit
        elif t == "parent_unit":
            unit = parents.get(camera_unit) or district
        elif t == "district":
            unit = district
        else:
            unit = t if t in parents else None
        if unit is not None and unit not in out:
            out.append(unit)
    return out


def in_maintenance(
    windows: list[MaintenanceWindow], camera_id: str, at: datetime
) -> MaintenanceWindow | None:
    return next((w for w in windows if w.covers(camera_id, at)), None)


def due_escalation(
    policy: DeskPolicy, level: int, created_at: datetime, now: datetime
) -> EscalationLevel | None:
    """The next escalation level for an unacknowledged alert at `level`, if its time has come."""
    if level >= len(policy.escalation):
        return None
    step = policy.escalation[level]
    return step if now - created_at >= timedelta(seconds=step.after_s) else None
