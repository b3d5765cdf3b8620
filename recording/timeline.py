"""Timeline of a camera: recorded coverage and per-bucket counts of events and markers."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from events.store import EventRow
from recording.store import Segment

log = logging.getLogger(__name__)
JOIN_GAP_S = 2.0  # recordings closer than this read as one stretch


def coverage(
    segments: Sequence[Segment], since: float, until: float
) -> list[tuple[float, float]]:
    """Merged [start, end] stretches of recording, clipped to [since, until]."""
    spans: list[list[float]] = []
    for s in sorted(segments, key=lambda x: x.start):
        a, b = max(s.start, since), min(s.end, until)
        if b <= a:
            continue
        if spans and a - spans[-1][1] <= JOIN_GAP_S:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def bucket_counts(times: Iterable[float], since: float, until: float, buckets: int) -> list[int]:
    counts = [0] * buckets
    width = (until - since) / buckets
    for t in times:
        if since <= t < until:
            counts[min(buckets - 1, int((t - since) / width))] += 1
    return counts


def event_times(session: Session, camera_id: str, since: float, until: float) -> list[float]:
    rows = session.scalars(
        select(EventRow.started_at).where(
            EventRow.camera_id == camera_id,
            EventRow.started_at >= datetime.fromtimestamp(since, UTC),
            EventRow.started_at < datetime.fromtimestamp(until, UTC),
        )
    )
    return [r.timestamp() for r in rows]


def marker_counts(
    session: Session, camera_id: str, since: float, until: float, buckets: int
) -> list[int]:
    """Markers per bucket: helper M's `markers.store.count_markers` when it exists, else a
    plain count on the `markers` table; zeros when neither is there yet."""
    try:
        module: Any = importlib.import_module("markers.store")
        helper = getattr(module, "count_markers", None)
    except ImportError:
        helper = None
    if helper is not None:
        try:
            result = helper(session, camera_id, since, until, buckets)
            counts = [int(c) for c in result]
            if len(counts) == buckets:
                return counts
        except (TypeError, ValueError, SQLAlchemyError) as exc:
            log.warning("markers.store.count_markers failed (%s): plain count", exc)
    try:
        with session.begin_nested():
            rows = session.execute(
                text("SELECT ts FROM markers WHERE camera_id = :cam AND ts >= :a AND ts < :b"
                     " AND deleted_at IS NULL"),
                {"cam": camera_id, "a": since, "b": until},
            )
            times = [float(r[0]) for r in rows]
    except SQLAlchemyError:
        return [0] * buckets  # no markers table yet
    return bucket_counts(times, since, until, buckets)
