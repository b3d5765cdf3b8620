"""Reading alerts: the filtered list, one alert with its timeline, and the statistics.
Synchronous (call through `asyncio.to_thread`). `visible` None means every unit (admins)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, select

from db.database import Database
from desk.convert import alert_out, step_out
from desk.model import ACTIVE_STATES, AlertDetail, AlertOut, AlertState, AlertStats
from desk.orm import AlertRow, AlertStepRow

_ACTIVE = [s.value for s in ACTIVE_STATES]


@dataclass(frozen=True)
class AlertQuery:
    states: Sequence[AlertState] | None = None
    tiers: Sequence[int] | None = None
    cameras: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    overdue: bool | None = None
    active: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: Literal["newest", "queue"] = "newest"
    limit: int = 200


def _scope(visible: frozenset[str] | None) -> list[ColumnElement[bool]]:
    return [] if visible is None else [AlertRow.unit_id.in_(sorted(visible))]


def _filtered(q: AlertQuery, visible: frozenset[str] | None) -> Select[AlertRow]:
    stmt = select(AlertRow).where(*_scope(visible))
    if q.states:
        stmt = stmt.where(AlertRow.state.in_([s.value for s in q.states]))
    if q.tiers:
        stmt = stmt.where(AlertRow.tier.in_(list(q.tiers)))
    if q.cameras:
        stmt = stmt.where(AlertRow.camera_id.in_(list(q.cameras)))
    if q.kinds:
        stmt = stmt.where(AlertRow.kind.in_(list(q.kinds)))
    if q.overdue is not None:
        stmt = stmt.where(AlertRow.overdue.is_(q.overdue))
    if q.active is True:
        stmt = stmt.where(AlertRow.state.in_(_ACTIVE))
    elif q.active is False:
        stmt = stmt.where(AlertRow.state.not_in(_ACTIVE))
    if q.since is not None:
        stmt = stmt.where(AlertRow.created_at >= q.since)
    if q.until is not None:
        stmt = stmt.where(AlertRow.created_at < q.until)
    if q.sort == "queue":  # most serious first, then the one waiting longest
        return stmt.order_by(AlertRow.tier.desc(), AlertRow.created_at, AlertRow.id)
    return stmt.order_by(AlertRow.created_at.desc(), AlertRow.id)


class AlertQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    def find(self, q: AlertQuery, visible: frozenset[str] | None) -> list[AlertOut]:
        with self._db.session() as s:
            return [alert_out(r) for r in s.scalars(_filtered(q, visible).limit(q.limit))]

    def get(self, alert_id: uuid.UUID, visible: frozenset[str] | None) -> AlertDetail | None:
        with self._db.session() as s:
            row = s.get(AlertRow, str(alert_id))
            if row is None or (visible is not None and row.unit_id not in visible):
                return None
            steps = s.scalars(
                select(AlertStepRow).where(AlertStepRow.alert_id == row.id)
                .order_by(AlertStepRow.at, AlertStepRow.id)
            )
            return AlertDetail(
                **alert_out(row).model_dump(), steps=[step_out(x) for x in steps]
            )

    def stats(
        self, since: datetime, until: datetime, visible: frozenset[str] | None
    ) -> AlertStats:
        q = AlertQuery(since=since, until=until, limit=100_000)
        with self._db.session() as s:
            rows = list(s.scalars(_filtered(q, visible)))
            active = [*_scope(visible), AlertRow.state.in_(_ACTIVE)]
            open_now = s.scalar(select(func.count(AlertRow.id)).where(*active)) or 0
            overdue_now = s.scalar(
                select(func.count(AlertRow.id)).where(*active, AlertRow.overdue.is_(True))
            ) or 0
        acks = [(r.acknowledged_at - r.created_at).total_seconds()
                for r in rows if r.acknowledged_at is not None]
        fixes = [(r.resolved_at - r.created_at).total_seconds()
                 for r in rows if r.resolved_at is not None]
        dismissed = Counter(r.rule_id or r.kind for r in rows if r.state == "dismissed")
        return AlertStats(
            since=since, until=until, total=len(rows),
            by_kind=dict(Counter(r.kind for r in rows)),
            by_tier=dict(Counter(r.tier for r in rows)),
            by_state=dict(Counter(r.state for r in rows)),
            dismissed_by_rule=dict(dismissed),
            mean_ack_s=fmean(acks) if acks else None,
            mean_resolve_s=fmean(fixes) if fixes else None,
            escalated=sum(1 for r in rows if r.escalation_level > 0),
            overdue=sum(1 for r in rows if r.overdue),
            open_now=open_now, overdue_now=overdue_now,
        )
