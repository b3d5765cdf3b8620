"""Typed, tunable rule configuration (per camera). Every rule has thresholds, a minimum
duration, a hold time before it clears, a cooldown, an update interval and an optional
schedule, so each can be tuned against false alarms."""

from __future__ import annotations

from datetime import datetime, time
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vision.detections import VEHICLE_CLASSES


class Schedule(BaseModel):
    """Active on `days` (0 = Monday) between `start` and `end` local time; end < start wraps
    past midnight (22:00–06:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: list[int] = Field(default_factory=lambda: list(range(7)))
    start: time = time(0, 0)
    end: time = time(23, 59, 59)
    timezone: str = "Asia/Shanghai"

    @model_validator(mode="after")
    def _check(self) -> Schedule:
        if not self.days or any(d < 0 or d > 6 for d in self.days):
            raise ValueError("schedule days are 0 (Monday) to 6 (Sunday), at least one")
        ZoneInfo(self.timezone)  # raises for an unknown zone
        return self

    def active(self, ts: float) -> bool:
        local = datetime.fromtimestamp(ts, ZoneInfo(self.timezone))
        now = local.time()
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= now <= self.end
        if now >= self.start:  # evening part of an overnight window
            return local.weekday() in self.days
        return now <= self.end and (local.weekday() - 1) % 7 in self.days


class RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(default=None, max_length=64)
    enabled: bool = True
    min_duration_s: float = Field(default=0.0, ge=0.0)  # condition must hold this long to open
    clear_after_s: float = Field(default=3.0, ge=0.0)  # ... and be gone this long to close
    cooldown_s: float = Field(default=30.0, ge=0.0)  # no new event for the same subject after
    update_interval_s: float = Field(default=10.0, ge=0.0)  # at most one update per interval
    schedule: Schedule | None = None


class Tiered(BaseModel):
    """`thresholds` (ascending) map to `tiers` (default base_tier, base_tier + 1, ...; 1–4 =
    蓝/黄/橙/红). Once a level is reached it holds until the value drops below
    threshold × (1 − hysteresis)."""

    thresholds: list[float] = Field(min_length=1, max_length=4)
    tiers: list[int] | None = None
    base_tier: int = Field(default=1, ge=1, le=4)
    hysteresis: float = Field(default=0.2, ge=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check_levels(self) -> Tiered:
        th = self.thresholds
        if any(b <= a for a, b in pairwise(th)):
            raise ValueError(f"thresholds must be strictly ascending, got {th}")
        if any(v <= 0 for v in th):
            raise ValueError("thresholds must be positive")
        if self.tiers is not None:
            if len(self.tiers) != len(th):
                raise ValueError("tiers must have one entry per threshold")
            if any(t < 1 or t > 4 for t in self.tiers) or self.tiers != sorted(self.tiers):
                raise ValueError("tiers are 1–4 (蓝/黄/橙/红) in ascending order")
        return self

    def tier_of_level(self, level: int) -> int:
        if self.tiers is not None:
            return self.tiers[level - 1]
        return min(4, self.base_tier + level - 1)


class OvercrowdingRule(RuleBase, Tiered):
    zone: str | None = None  # None: the whole frame
    metric: Literal["count", "density"] = "count"  # density: people per m², needs area_m2
    area_m2: float | None = Field(default=None, gt=0.0)
    thresholds: list[float] = Field(default_factory=lambda: [20.0, 40.0, 60.0, 80.0])
    min_duration_s: float = Field(default=3.0, ge=0.0)

    @model_validator(mode="after")
    def _density_needs_area(self) -> OvercrowdingRule:
        if self.metric == "density" and self.area_m2 is None:
            raise ValueError("metric 'density' (people per m²) needs the zone's area_m2")
        return self


class IntrusionRule(RuleBase):
    zone: str
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    tier: int = Field(default=3, ge=1, le=4)
    min_duration_s: float = Field(default=0.4, ge=0.0)


class LineCrossingRule(RuleBase, Tiered):
    """Surge: crossings per minute (averaged over `window_s`) in `direction` at or above the
    thresholds. thresholds [1] with a short window is a tripwire."""

    line: str
    direction: Literal["in", "out", "both"] = "both"
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    window_s: float = Field(default=60.0, gt=0.0)
    thresholds: list[float] = Field(default_factory=lambda: [30.0, 60.0])


class LoiteringRule(RuleBase, Tiered):
    """Dwell in the zone over thresholds (seconds)."""

    zone: str
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    thresholds: list[float] = Field(default_factory=lambda: [60.0])
    base_tier: int = Field(default=2, ge=1, le=4)
    hysteresis: float = 0.0


class GatheringRule(RuleBase, Tiered):
    """mode "rate": the zone's count rose by at least thresholds[0] people per minute over
    `window_s`; mode "cluster": at least thresholds[0] people within `radius` (fraction of the
    frame's width) of one another for min_duration_s."""

    mode: Literal["rate", "cluster"] = "rate"
    zone: str | None = None
    window_s: float = Field(default=60.0, gt=0.0)
    min_rise: float = Field(default=5.0, ge=0.0)
    radius: float = Field(default=0.08, gt=0.0, le=1.0)
    thresholds: list[float] = Field(default_factory=lambda: [10.0])
    base_tier: int = Field(default=2, ge=1, le=4)
    min_duration_s: float = Field(default=10.0, ge=0.0)


class VehicleFlowRule(RuleBase, Tiered):
    """Vehicles crossing the line per minute (over `window_s`) at congestion thresholds."""

    line: str
    direction: Literal["in", "out", "both"] = "both"
    classes: list[str] = Field(default_factory=lambda: list(VEHICLE_CLASSES), min_length=1)
    window_s: float = Field(default=60.0, gt=0.0)
    thresholds: list[float] = Field(default_factory=lambda: [30.0, 45.0, 60.0])


class RulesConfig(BaseModel):
    """The rules of one camera. Restricted zones get an intrusion rule for people unless one is
    configured for them (`auto_intrusion`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    overcrowding: list[OvercrowdingRule] = Field(default_factory=list)
    intrusion: list[IntrusionRule] = Field(default_factory=list)
    line_crossing: list[LineCrossingRule] = Field(default_factory=list)
    loitering: list[LoiteringRule] = Field(default_factory=list)
    gathering: list[GatheringRule] = Field(default_factory=list)
    vehicle_flow: list[VehicleFlowRule] = Field(default_factory=list)
    auto_intrusion: bool = True

    def zone_refs(self) -> list[str]:
        rules: list[OvercrowdingRule | IntrusionRule | LoiteringRule | GatheringRule] = [
            *self.overcrowding,
            *self.intrusion,
            *self.loitering,
            *self.gathering,
        ]
        return [r.zone for r in rules if r.zone is not None]

    def line_refs(self) -> list[str]:
        return [r.line for r in self.line_crossing] + [r.line for r in self.vehicle_flow]
