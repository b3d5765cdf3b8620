"""Database access for segments, policies and clips (synchronous: call from threads)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select

from db.base import utcnow
from db.database import Database
from recording.orm import ClipRow, PolicyRow, SegmentRow
from recording.settings import Policy, RecordingSettings


@dataclass(frozen=True)
class Segment:
    id: int
    camera_id: str
    path: str  # relative to the recordings root
    start: float
    end: float
    bytes: int
    width: int
    height: int
    codec: str
    closed: bool

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


def _segment(row: SegmentRow) -> Segment:
    return Segment(id=row.id, camera_id=row.camera_id, path=row.path, start=row.start,
                   end=row.end, bytes=row.bytes, width=row.width, height=row.height,
                   codec=row.codec, closed=row.closed)


@dataclass(frozen=True)
class NewSegment:
    camera_id: str
    path: str
    start: float
    end: float
    bytes: int
    width: int
    height: int
    codec: str
    closed: bool


@dataclass(frozen=True)
class Clip:
    event_id: str
    camera_id: str
    status: str  # pending | ready | failed
    path: str | None
    start: float
    end: float
    bytes: int
    error: str | None


class RecordingStore:
    def __init__(self, database: Database, settings: RecordingSettings) -> None:
        self._db = database
        self._settings = settings

    @property
    def root(self) -> Path:
        return self._settings.root

    # --- segments -----------------------------------------------------------------------
    def add_segment(self, new: NewSegment) -> int:
        with self._db.session() as s:
            row = SegmentRow(**new.__dict__)
            s.add(row)
            s.flush()
            return row.id

    def update_segment(self, segment_id: int, end: float, size: int, closed: bool) -> None:
        with self._db.session() as s:
            row = s.get(SegmentRow, segment_id)
            if row is not None:
                row.end, row.bytes, row.closed = end, size, closed

    def delete_segment(self, segment_id: int) -> None:
        with self._db.session() as s:
            s.execute(delete(SegmentRow).where(SegmentRow.id == segment_id))

    def segment(self, segment_id: int) -> Segment | None:
        with self._db.session() as s:
            row = s.get(SegmentRow, segment_id)
            return None if row is None else _segment(row)

    def segments(
        self, camera_id: str, since: float | None = None, until: float | None = None
    ) -> list[Segment]:
        """Segments of a camera overlapping [since, until], ordered by start."""
        stmt = select(SegmentRow).where(SegmentRow.camera_id == camera_id)
        if since is not None:
            stmt = stmt.where(SegmentRow.end >= since)
        if until is not None:
            stmt = stmt.where(SegmentRow.start <= until)
        with self._db.session() as s:
            return [_segment(r) for r in s.scalars(stmt.order_by(SegmentRow.start, SegmentRow.id))]

    def open_segments(self) -> list[Segment]:
        with self._db.session() as s:
            rows = s.scalars(select(SegmentRow).where(SegmentRow.closed.is_(False)))
            return [_segment(r) for r in rows]

    def known_paths(self) -> set[str]:
        with self._db.session() as s:
            return set(s.scalars(select(SegmentRow.path)))

    def recorded_cameras(self) -> list[str]:
        with self._db.session() as s:
            return list(s.scalars(select(SegmentRow.camera_id).distinct()))

    def usage(self, camera_id: str) -> tuple[int, int]:
        """(segments, bytes) of a camera."""
        with self._db.session() as s:
            n, total = s.execute(
                select(func.count(SegmentRow.id), func.coalesce(func.sum(SegmentRow.bytes), 0))
                .where(SegmentRow.camera_id == camera_id)
            ).one()
            return int(n), int(total)

    # --- policies -----------------------------------------------------------------------
    def policy(self, camera_id: str) -> Policy:
        with self._db.session() as s:
            row = s.get(PolicyRow, camera_id)
            if row is None:
                return Policy.default(camera_id, self._settings)
            return Policy(
                camera_id=camera_id, enabled=row.enabled, retain_days=row.retain_days,
                retain_gb=row.retain_gb, segment_s=row.segment_s, clip_pre_s=row.clip_pre_s,
                clip_post_s=row.clip_post_s, custom=True, updated_by=row.updated_by,
                updated_at=row.updated_at.timestamp(),
            )

    def policies(self, camera_ids: list[str]) -> dict[str, Policy]:
        with self._db.session() as s:
            rows = {r.camera_id: r for r in s.scalars(select(PolicyRow))}
        out = {}
        for cam in camera_ids:
            row = rows.get(cam)
            out[cam] = Policy.default(cam, self._settings) if row is None else Policy(
                camera_id=cam, enabled=row.enabled, retain_days=row.retain_days,
                retain_gb=row.retain_gb, segment_s=row.segment_s, clip_pre_s=row.clip_pre_s,
                clip_post_s=row.clip_post_s, custom=True, updated_by=row.updated_by,
                updated_at=row.updated_at.timestamp(),
            )
        return out

    def set_policy(self, policy: Policy, username: str) -> Policy:
        with self._db.session() as s:
            row = s.get(PolicyRow, policy.camera_id)
            if row is None:
                row = PolicyRow(camera_id=policy.camera_id)
                s.add(row)
            row.enabled, row.retain_days, row.retain_gb = (
                policy.enabled, policy.retain_days, policy.retain_gb)
            row.segment_s, row.clip_pre_s, row.clip_post_s = (
                policy.segment_s, policy.clip_pre_s, policy.clip_post_s)
            row.updated_by, row.updated_at = username, utcnow()
        return self.policy(policy.camera_id)

    # --- clips --------------------------------------------------------------------------
    def put_clip(self, clip: Clip) -> None:
        with self._db.session() as s:
            row = s.get(ClipRow, clip.event_id)
            if row is None:
                row = ClipRow(event_id=clip.event_id, created_at=utcnow())
                s.add(row)
            row.camera_id, row.status, row.path = clip.camera_id, clip.status, clip.path
            row.start, row.end, row.bytes, row.error = clip.start, clip.end, clip.bytes, clip.error

    def fail_pending_clips(self, reason: str) -> int:
        """Mark clips left `pending` by a stopped server as failed."""
        with self._db.session() as s:
            rows = list(s.scalars(select(ClipRow).where(ClipRow.status == "pending")))
            for row in rows:
                row.status, row.error = "failed", reason
            return len(rows)

    def oldest_closed(self, limit: int) -> list[Segment]:
        """The oldest finished segments of every camera."""
        with self._db.session() as s:
            rows = s.scalars(select(SegmentRow).where(SegmentRow.closed.is_(True))
                             .order_by(SegmentRow.start).limit(limit))
            return [_segment(r) for r in rows]

    def clip(self, event_id: str) -> Clip | None:
        with self._db.session() as s:
            row = s.get(ClipRow, event_id)
            return None if row is None else _clip(row)

    def expired_clips(self, before: float, limit: int) -> list[Clip]:
        """Ready clips that ended before `before`, oldest first."""
        with self._db.session() as s:
            rows = s.scalars(select(ClipRow)
                             .where(ClipRow.status == "ready", ClipRow.end < before)
                             .order_by(ClipRow.end, ClipRow.event_id).limit(limit))
            return [_clip(r) for r in rows]

    def oldest_clips(self, limit: int) -> list[Clip]:
        """The ready clips of every camera, oldest end first."""
        with self._db.session() as s:
            rows = s.scalars(select(ClipRow).where(ClipRow.status == "ready")
                             .order_by(ClipRow.end, ClipRow.event_id).limit(limit))
            return [_clip(r) for r in rows]

    def expire_clip(self, event_id: str, reason: str) -> None:
        """A clip whose file was deleted: the row stays, `failed` with the reason."""
        with self._db.session() as s:
            row = s.get(ClipRow, event_id)
            if row is not None:
                row.status, row.error, row.path, row.bytes = "failed", reason, None, 0


def _clip(row: ClipRow) -> Clip:
    return Clip(event_id=row.event_id, camera_id=row.camera_id, status=row.status,
                path=row.path, start=row.start, end=row.end, bytes=row.bytes, error=row.error)
