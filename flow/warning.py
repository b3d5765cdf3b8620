"""Early warning: when an area's forecast reaches a higher tier within the horizon, an event
("预计 30 分钟后达到橙色预警") goes on the bus; it is updated when the predicted tier rises and
closed when the forecast recedes or the crowd has arrived at that tier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from events.model import Event
from flow.areas import TIER_NAMES_ZH, AreaConfig

KIND = "flow_forecast"


@dataclass(frozen=True)
class Outlook:
    """What the forecast says now: predicted counts at minutes ahead of `now`."""

    now: datetime
    observed: float
    ahead_min: tuple[int, ...]
    predicted: tuple[float, ...]
    simulated: bool = False


@dataclass
class _Open:
    event: Event
    tier: int


@dataclass
class WarningTracker:
    """One per service; `step` per area per forecast returns the events to publish."""

    horizon_min: int = 60
    _open: dict[str, _Open] = field(default_factory=dict)

    def step(self, area: AreaConfig, o: Outlook) -> list[Event]:
        now_tier = area.tier_of(o.observed)
        ahead = [(m, p) for m, p in zip(o.ahead_min, o.predicted, strict=True)
                 if 0 < m <= self.horizon_min]
        best = max((area.tier_of(p) for _, p in ahead), default=0)
        cur = self._open.get(area.id)
        if cur is not None and (now_tier >= cur.tier or best < cur.tier):
            del self._open[area.id]
            note = "已达到预警等级" if now_tier >= cur.tier else "预测回落"
            return [cur.event.model_copy(update={
                "state": "closed", "updated_at": o.now, "ended_at": o.now,
                "message": f"{cur.event.message}（{note}）"})]
        if best <= now_tier or (cur is not None and best <= cur.tier):
            return []
        first = next(m for m, p in ahead if area.tier_of(p) >= best)
        value = max(p for _, p in ahead)
        ev = self._event(area, o, best, first, value, cur.event if cur else None)
        self._open[area.id] = _Open(ev, best)
        return [ev]

    def close_all(self, now: datetime) -> list[Event]:
        """Closes every open warning (the service stops)."""
        out = [c.event.model_copy(update={"state": "closed", "updated_at": now, "ended_at": now})
               for c in self._open.values()]
        self._open.clear()
        return out

    def _event(
        self, area: AreaConfig, o: Outlook, tier: int, minutes: int, value: float,
        prev: Event | None,
    ) -> Event:
        message = f"{area.name}：预计 {minutes} 分钟后达到{TIER_NAMES_ZH[tier]}预警"
        details: dict[str, int | float | str | bool | None] = {
            "area_id": area.id, "area": area.name, "minutes_ahead": minutes,
            "predicted": round(value, 1), "observed": round(o.observed, 1),
            "threshold": round(area.thresholds()[tier - 1], 1), "capacity": area.capacity,
            "simulated": o.simulated,
        }
        return Event(
            id=prev.id if prev else uuid.uuid4(), camera_id=f"flow-{area.id}", kind=KIND,
            rule_id=f"flow_forecast:{area.id}", tier=tier,
            state="updated" if prev else "open",
            started_at=prev.started_at if prev else o.now, updated_at=o.now,
            pts=0.0, zone_id=area.id, count=round(value, 1),
            message=message, details=details,
        )


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
