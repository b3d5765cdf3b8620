"""Reading and writing `markers` rows: queries, JSON conversion, timeline counts, summaries.

Functions take a SQLAlchemy session; callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, cast, func, select
from sqlalchemy.orm import Session

from auth.orm import UserRow
from markers.orm import MarkerRow
from markers.schemas import Author, Marker, MarkerKind

MAX_LIMIT = 1000


@dataclass(frozen=True)
class MarkerQuery:
    camera_ids: list[str] | None = None  # None: every camera
    since: float | None = None
    until: float | None = None
    kinds: list[str] | None = None
    author: str | None = None
    tiers: list[int] | None = None
    include_hidden: bool = False
    limit: int = 500


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    names = {u for u in usernames if u}
    if not names:
        return {}
    rows = session.execute(select(UserRow.username, UserRow.display_name)
                           .where(UserRow.username.in_(names))).all()
    return {u: d for u, d in rows}


def to_marker(row: MarkerRow, names: dict[str, str]) -> Marker:
    author = None
    if row.author_username is not None:
        name = row.author_username
        author = Author(username=name, display_name=names.get(name, name))
    kind: MarkerKind = row.kind  # type: ignore[assignment]  # the column only holds these
    return Marker(
        id=row.id, camera_id=row.camera_id, ts=row.ts, x=row.x, y=row.y, text=row.text,
        kind=kind, tier=row.tier, author=author, rule=row.rule, event_id=row.event_id,
        created_at=row.created_at, updated_at=row.updated_at, hidden=row.hidden,
    )


def to_markers(session: Session, rows: Sequence[MarkerRow]) -> list[Marker]:
    names = display_names(session, (r.author_username for r in rows))
    return [to_marker(r, names) for r in rows]


def live_row(session: Session, marker_id: int) -> MarkerRow | None:
    row = session.get(MarkerRow, marker_id)
    return None if row is None or row.deleted_at is not None else row


def _filtered(q: MarkerQuery) -> Select[MarkerRow]:
    stmt = select(MarkerRow).where(MarkerRow.deleted_at.is_(None))
    if q.camera_ids is not None:
        stmt = stmt.where(MarkerRow.camera_id.in_(q.camera_ids))
    if q.since is not None:
        stmt = stmt.where(MarkerRow.ts >= q.since)
    if q.until is not None:
        stmt = stmt.where(MarkerRow.ts <= q.until)
    if q.kinds:
        stmt = stmt.where(MarkerRow.kind.in_(q.kinds))
    if q.author is not None:
        stmt = stmt.where(MarkerRow.author_username == q.author)
    if q.tiers:
        stmt = stmt.where(MarkerRow.tier.in_(q.tiers))
    if not q.include_hidden:
        stmt = stmt.where(MarkerRow.hidden.is_(False))
    return stmt


def find(session: Session, q: MarkerQuery) -> list[Marker]:
    """Markers matching `q`, ordered by ts (the latest `limit` of them)."""
    stmt = _filtered(q).order_by(MarkerRow.ts.desc(), MarkerRow.id.desc()).limit(q.limit)
    rows = list(session.scalars(stmt))
    rows.reverse()
    return to_markers(session, rows)


def count_markers(
    session: Session, camera_id: str, since: float, until: float, buckets: int
) -> list[int]:
    """Visible markers of a camera per equal slice of [since, until) (epoch seconds), for the
    recording timeline. Soft-deleted and hidden markers do not count."""
    if buckets < 1 or until <= since:
        return [0] * max(buckets, 0)
    width = (until - since) / buckets
    index = cast((MarkerRow.ts - since) / width, Integer)  # ts >= since: truncation = floor
    stmt = (
        select(index, func.count())
        .where(MarkerRow.camera_id == camera_id, MarkerRow.ts >= since, MarkerRow.ts < until,
               MarkerRow.deleted_at.is_(None), MarkerRow.hidden.is_(False))
        .group_by(index)
    )
    out = [0] * buckets
    for i, n in session.execute(stmt).all():
        out[min(max(int(i), 0), buckets - 1)] += int(n)
    return out


@dataclass(frozen=True)
class Summary:
    markers: int
    by_tier: dict[str, int]
    latest: list[Marker]


def summarise(
    session: Session, camera_id: str, since: datetime, until: datetime | None, latest: int = 5
) -> Summary:
    """Visible markers added to a camera in [since, until) (by when they were added): how
    many, how many per tier ("none" for markers without one), and the newest few."""
    where = [MarkerRow.camera_id == camera_id, MarkerRow.created_at >= since,
             MarkerRow.deleted_at.is_(None), MarkerRow.hidden.is_(False)]
    if until is not None:
        where.append(MarkerRow.created_at < until)
    tiers = session.execute(select(MarkerRow.tier, func.count()).where(*where)
                            .group_by(MarkerRow.tier)).all()
    by_tier = {str(t): 0 for t in range(1, 5)}
    for t, n in tiers:
        key = "none" if t is None else str(t)
        by_tier[key] = by_tier.get(key, 0) + int(n)
    rows = list(session.scalars(select(MarkerRow).where(*where)
                                .order_by(MarkerRow.created_at.desc(), MarkerRow.id.desc())
                                .limit(latest)))
    return Summary(markers=sum(by_tier.values()), by_tier=by_tier,
                   latest=to_markers(session, rows))
