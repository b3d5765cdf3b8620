"""Persistence of flow series (`flow_points`): bulk writes, downsampling and retention.

Synchronous; async callers go through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, select

from db.database import Database
from flow.metrics import Point, aggregation
from flow.orm import FlowPointRow

CHUNK = 5000


@dataclass(frozen=True)
class Series:
    scope: str
    metric: str
    step_s: int
    t: list[datetime]
    values: list[float]
    simulated: bool


def _row(p: Point) -> dict[str, object]:
    return {"scope": p.scope, "metric": p.metric, "step_s": p.step_s, "t": p.t,
            "value": p.value, "simulated": p.simulated}


class FlowStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def url(self) -> str:
        """The database's URL (another process may open it: flow/seeding.py)."""
        return self._db.url

    def insert(self, points: Sequence[Point]) -> int:
        """Bulk insert of new points (no row with the same key may exist)."""
        with self._db.session() as s:
            for i in range(0, len(points), CHUNK):
                s.execute(insert(FlowPointRow), [_row(p) for p in points[i:i + CHUNK]])
        return len(points)

    def replace(self, points: Sequence[Point]) -> None:
        """Insert or overwrite points (live minutes, roll-ups)."""
        keys: dict[tuple[int, datetime], set[str]] = defaultdict(set)
        for p in points:
            keys[(p.step_s, p.t)].add(p.scope)
        with self._db.session() as s:
            for (step, t), scopes in keys.items():
                s.execute(delete(FlowPointRow).where(
                    FlowPointRow.step_s == step, FlowPointRow.t == t,
                    FlowPointRow.scope.in_(sorted(scopes)),
                ))
            if points:
                s.execute(insert(FlowPointRow), [_row(p) for p in points])

    def rollup(self, from_step: int, to_step: int, start: datetime) -> int:
        """Downsample the finer points of [start, start + to_step) into one coarser point per
        scope and metric (mean for counts, max for levels, sum for flows)."""
        end = start + timedelta(seconds=to_step)
        with self._db.session() as s:
            rows = s.execute(select(
                FlowPointRow.scope, FlowPointRow.metric, FlowPointRow.value,
                FlowPointRow.simulated,
            ).where(FlowPointRow.step_s == from_step, FlowPointRow.t >= start,
                    FlowPointRow.t < end)).all()
        groups: dict[tuple[str, str], list[float]] = defaultdict(list)
        sim: dict[tuple[str, str], bool] = {}
        for scope, metric, value, simulated in rows:
            groups[(scope, metric)].append(float(value))
            sim[(scope, metric)] = bool(simulated)
        n = to_step // from_step
        out = []
        for (scope, metric), vals in groups.items():
            agg = aggregation(metric)
            v = max(vals) if agg == "max" else sum(vals) / n if agg == "mean" else sum(vals)
            out.append(Point(scope, metric, to_step, start, v, sim[(scope, metric)]))
        self.replace(out)
        return len(out)

    def series(
        self, scope: str, metric: str, step_s: int, since: datetime, until: datetime
    ) -> Series:
        with self._db.session() as s:
            rows = s.execute(
                select(FlowPointRow.t, FlowPointRow.value, FlowPointRow.simulated)
                .where(FlowPointRow.scope == scope, FlowPointRow.metric == metric,
                       FlowPointRow.step_s == step_s, FlowPointRow.t >= since,
                       FlowPointRow.t < until)
                .order_by(FlowPointRow.t)
            ).all()
        return Series(scope, metric, step_s, [r[0] for r in rows], [float(r[1]) for r in rows],
                      any(bool(r[2]) for r in rows))

    def totals(
        self, scopes: Iterable[str], step_s: int, since: datetime, until: datetime,
        prefix: str = "",
    ) -> dict[tuple[str, str], float]:
        """Sum of each (scope, metric) over [since, until)."""
        with self._db.session() as s:
            q = (select(FlowPointRow.scope, FlowPointRow.metric, func.sum(FlowPointRow.value))
                 .where(FlowPointRow.scope.in_(list(scopes)), FlowPointRow.step_s == step_s,
                        FlowPointRow.t >= since, FlowPointRow.t < until)
                 .group_by(FlowPointRow.scope, FlowPointRow.metric))
            if prefix:
                q = q.where(FlowPointRow.metric.startswith(prefix))
            return {(r[0], r[1]): float(r[2] or 0.0) for r in s.execute(q).all()}

    def latest(self, scope: str, metric: str, step_s: int) -> tuple[datetime, float] | None:
        with self._db.session() as s:
            row = s.execute(
                select(FlowPointRow.t, FlowPointRow.value)
                .where(FlowPointRow.scope == scope, FlowPointRow.metric == metric,
                       FlowPointRow.step_s == step_s)
                .order_by(FlowPointRow.t.desc()).limit(1)
            ).first()
        return None if row is None else (row[0], float(row[1]))

    def purge(self, now: datetime, keep_days: dict[int, int]) -> int:
        """Retention: delete points older than `keep_days[step_s]` days."""
        removed = 0
        with self._db.session() as s:
            for step, days in keep_days.items():
                res = s.execute(delete(FlowPointRow).where(and_(
                    FlowPointRow.step_s == step, FlowPointRow.t < now - timedelta(days=days))))
                removed += int(getattr(res, "rowcount", 0) or 0)
        return removed

    def delete_scopes(self, scopes: Iterable[str]) -> None:
        with self._db.session() as s:
            s.execute(delete(FlowPointRow).where(FlowPointRow.scope.in_(list(scopes))))
