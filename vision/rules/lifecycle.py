"""Turns per-frame conditions into few events: a persistent condition opens one event, updates
it at most once per `update_interval_s` (at once when its tier rises), and closes it after the
condition has been gone for `clear_after_s`; the same subject then rests for `cooldown_s`."""

from __future__ import annotations

from dataclasses import dataclass

from events.model import Event, utc_from_timestamp
from vision.rules.config import RuleBase
from vision.rules.facts import Condition


@dataclass(frozen=True)
class Emission:
    event: Event
    wants_snapshot: bool  # a new snapshot is worth taking (opened, or the tier rose)


@dataclass
class _Incident:
    pending_since: float | None = None
    event: Event | None = None
    inactive_since: float | None = None
    last_published: float = 0.0
    peak: float | None = None


class Lifecycle:
    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._incidents: dict[str, _Incident] = {}
        self._cooldown_until: dict[str, float] = {}

    @property
    def open_events(self) -> list[Event]:
        return [i.event for i in self._incidents.values() if i.event is not None]

    def step(self, rule: RuleBase, cond: Condition, t: float, pts: float) -> Emission | None:
        inc = self._incidents.get(cond.key)
        if inc is None:
            if not cond.active:
                return None
            inc = self._incidents[cond.key] = _Incident()
        if inc.event is None:
            return self._maybe_open(rule, cond, inc, t, pts)
        if cond.active:
            inc.inactive_since = None
            return self._maybe_update(rule, cond, inc, t, pts)
        if inc.inactive_since is None:
            inc.inactive_since = t
        if t - inc.inactive_since >= rule.clear_after_s:
            return self._close(cond.key, rule, inc, t, pts)
        return None

    def _maybe_open(
        self, rule: RuleBase, cond: Condition, inc: _Incident, t: float, pts: float
    ) -> Emission | None:
        if not cond.active:
            del self._incidents[cond.key]
            return None
        if inc.pending_since is None:
            inc.pending_since = t
        if t - inc.pending_since < rule.min_duration_s:
            return None
        if t < self._cooldown_until.get(cond.key, float("-inf")):
            return None
        start = utc_from_timestamp(inc.pending_since)
        inc.event = Event(
            camera_id=self.camera_id,
            kind=cond.kind,
            rule_id=cond.rule_id,
            tier=cond.tier,
            state="open",
            started_at=start,
            updated_at=utc_from_timestamp(t),
            pts=pts,
            zone_id=cond.zone_id,
            line_id=cond.line_id,
            track_ids=list(cond.track_ids),
            count=cond.count,
            point=cond.point,
            message=cond.message,
            details=dict(cond.details),
        )
        inc.last_published = t
        inc.peak = cond.count
        return Emission(inc.event, wants_snapshot=True)

    def _maybe_update(
        self, rule: RuleBase, cond: Condition, inc: _Incident, t: float, pts: float
    ) -> Emission | None:
        ev = inc.event
        assert ev is not None
        if cond.count is not None:
            inc.peak = cond.count if inc.peak is None else max(inc.peak, cond.count)
        tracks = sorted(set(ev.track_ids) | set(cond.track_ids))
        rose = cond.tier > ev.tier
        changed = cond.tier != ev.tier or cond.count != ev.count or tracks != ev.track_ids
        if not rose and not (changed and t - inc.last_published >= rule.update_interval_s):
            return None
        details = {**cond.details, "peak": inc.peak}
        inc.event = ev.model_copy(
            update={
                "state": "updated",
                "tier": cond.tier,
                "updated_at": utc_from_timestamp(t),
                "pts": pts,
                "track_ids": tracks,
                "count": cond.count,
                "point": cond.point or ev.point,
                "message": cond.message,
                "details": details,
                "snapshot": None,
            }
        )
        inc.last_published = t
        return Emission(inc.event, wants_snapshot=rose)

    def _close(self, key: str, rule: RuleBase, inc: _Incident, t: float, pts: float) -> Emission:
        ev = inc.event
        ended = inc.inactive_since
        if ev is None or ended is None:
            raise RuntimeError(f"incident {key} closed before it opened")
        del self._incidents[key]
        self._cooldown_until[key] = t + rule.cooldown_s
        closed = ev.model_copy(
            update={
                "state": "closed",
                "updated_at": utc_from_timestamp(t),
                "ended_at": utc_from_timestamp(ended),
                "pts": pts,
                "details": {**ev.details, "peak": inc.peak},
                "snapshot": None,
            }
        )
        return Emission(closed, wants_snapshot=False)

    def close_all(self, t: float, pts: float) -> list[Emission]:
        """Closes every open event now (the camera stops or its rules change)."""
        out: list[Emission] = []
        for key, inc in list(self._incidents.items()):
            if inc.event is None:
                del self._incidents[key]
                continue
            if inc.inactive_since is None:
                inc.inactive_since = t
            out.append(self._close(key, _NO_COOLDOWN, inc, t, pts))
        return out


_NO_COOLDOWN = RuleBase(cooldown_s=0.0)
