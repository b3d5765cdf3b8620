"""Crowd-flow areas: camera zones and lines grouped into a place with a capacity and tiers.

The four demo areas of the 中山公园商圈 are defined here; a site can map live camera zones
into its own areas (`FlowSettings.areas`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

TIER_NAMES_ZH = {1: "蓝色", 2: "黄色", 3: "橙色", 4: "红色"}
TIER_NAMES_EN = {1: "blue", 2: "yellow", 3: "orange", 4: "red"}


class ZoneRef(BaseModel):
    """A zone of a camera that belongs to an area."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera: str = Field(min_length=1, max_length=64)
    zone: str = Field(min_length=1, max_length=64)


class LineRef(BaseModel):
    """A counting line whose "in" direction enters the area (`invert`: its "out" does)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera: str = Field(min_length=1, max_length=64)
    line: str = Field(min_length=1, max_length=64)
    invert: bool = False


class AreaConfig(BaseModel):
    """One place: its capacity (people), tier thresholds as fractions of capacity for
    蓝/黄/橙/红 (IV to I), the camera zones and lines that measure it, and its outline on the
    site plan (0–100 × 0–60 plan units)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")
    name: str = Field(min_length=1, max_length=64)
    name_en: str = Field(default="", max_length=64)
    capacity: int = Field(gt=0)
    tiers: tuple[float, float, float, float] = (0.5, 0.7, 0.85, 1.0)
    zones: list[ZoneRef] = Field(default_factory=list)
    lines: list[LineRef] = Field(default_factory=list)
    plan: list[tuple[float, float]] = Field(default_factory=list)
    simulated: bool = False

    @model_validator(mode="after")
    def _ascending(self) -> AreaConfig:
        if list(self.tiers) != sorted(self.tiers) or self.tiers[0] <= 0:
            raise ValueError(f"area {self.id}: tiers must be positive and ascending")
        return self

    def thresholds(self) -> list[float]:
        """People at which tiers 1..4 start."""
        return [self.capacity * f for f in self.tiers]

    def tier_of(self, count: float) -> int:
        """0 (below 蓝色) to 4 (红色)."""
        return sum(1 for th in self.thresholds() if count >= th)


class FlowSettings(BaseModel):
    """What the flow service does. `simulate`: fill the simulated demo areas with
    `sim_days` of per-minute history at first start and keep them ticking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    areas: list[AreaConfig] = Field(default_factory=lambda: list(DEMO_AREAS))
    simulate: bool = True
    sim_days: int = Field(default=35, ge=8, le=120)
    retention_minute_days: int = Field(default=2, ge=1)
    retention_quarter_days: int = Field(default=60, ge=8)
    retention_hour_days: int = Field(default=400, ge=30)
    forecast_every_s: float = Field(default=300.0, gt=0)
    warn_horizon_min: int = Field(default=60, ge=15, le=120)
    queue_size: int = Field(default=2000, ge=10)

    @model_validator(mode="after")
    def _unique(self) -> FlowSettings:
        ids = [a.id for a in self.areas]
        if len(ids) != len(set(ids)):
            raise ValueError("flow areas: each area id must be unique")
        return self


DEMO_AREAS: tuple[AreaConfig, ...] = (
    AreaConfig(
        id="longzhimeng", name="龙之梦购物中心", name_en="Cloud Nine Mall", capacity=12000,
        plan=[(44, 6), (70, 6), (70, 26), (44, 26)], simulated=True,
    ),
    AreaConfig(
        id="raffles", name="来福士广场", name_en="Raffles City Changning", capacity=9000,
        plan=[(49, 36), (75, 36), (75, 57), (49, 57)], simulated=True,
    ),
    AreaConfig(
        id="zhaofeng", name="兆丰广场", name_en="Zhaofeng Plaza", capacity=5000,
        plan=[(6, 8), (30, 8), (30, 26), (6, 26)], simulated=True,
    ),
    AreaConfig(
        id="metro", name="中山公园地铁站", name_en="Zhongshan Park Metro", capacity=6000,
        plan=[(38.5, 34), (47.5, 34), (47.5, 44), (38.5, 44)], simulated=True,
    ),
)
