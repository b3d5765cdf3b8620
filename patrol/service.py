"""Patrol tours: CRUD scoped by unit, runs with per-camera marker summaries, item checks
("issue" makes a marker through the MarkerService, so watchers see it live), saved reports.

Methods are synchronous (routers run them in worker threads) and open their own sessions:
a marker is written in its own transaction, never while this one holds the write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.accounts import Principal, Role
from cameras.access import Forbidden, NotFound
from cameras.orm import CameraRow
from db.database import Database
from markers.service import MarkerService
from markers.store import summarise
from patrol.orm import TourRow, TourRunItemRow, TourRunRow
from patrol.schemas import (
    ItemMark,
    ItemStatus,
    ItemSummary,
    Tour,
    TourIn,
    TourPatch,
    TourRun,
    TourRunItem,
)

DEFAULT_WINDOW = timedelta(hours=24)
ISSUE_TEXT = "巡查发现问题"
MAX_RUNS = 100


class Conflict(Exception):
    """Not possible in the run's state (e.g. already finished)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _cameras(session: Session, ids: Iterable[str]) -> dict[str, CameraRow]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {r.id: r for r in session.scalars(select(CameraRow).where(CameraRow.id.in_(wanted)))}


def _may_see(user: Principal, cameras: Iterable[CameraRow]) -> bool:
    return user.role == Role.ADMIN or all(user.can_see_unit(c.unit_id) for c in cameras)


def _tour_out(row: TourRow) -> Tour:
    return Tour(id=row.id, name=row.name, camera_ids=list(row.camera_ids), dwell_s=row.dwell_s,
                created_by=row.created_by, created_at=row.created_at, updated_at=row.updated_at)


class PatrolService:
    def __init__(
        self, database: Database, markers: MarkerService, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._db = database
        self._markers = markers
        self._now = clock

    # --- tours ---------------------------------------------------------------------------
    def _check_cameras(self, session: Session, user: Principal, ids: Sequence[str]) -> None:
        """ValueError naming every camera that does not exist or the user cannot see."""
        found = _cameras(session, ids)
        bad = [c for c in ids if c not in found or not _may_see(user, [found[c]])]
        if bad:
            raise ValueError(f"未知的摄像机 / unknown cameras (or outside your units):"
                             f" {', '.join(bad)}")

    def _tour(self, session: Session, user: Principal, tour_id: int) -> TourRow:
        row = session.get(TourRow, tour_id)
        if row is None or row.deleted_at is not None or not _may_see(
            user, _cameras(session, row.camera_ids).values()
        ):
            raise NotFound(f"轮巡 {tour_id} 不存在 / tour {tour_id} does not exist")
        return row

    @staticmethod
    def _may_edit(user: Principal, owner: str, what: str) -> None:
        if user.role != Role.ADMIN and user.username != owner:
            raise Forbidden(f"只有创建者或管理员可以修改 / only {owner} (who made this {what}) or"
                            f" an admin may change it")

    def list_tours(self, user: Principal) -> list[Tour]:
        with self._db.session() as session:
            rows = session.scalars(select(TourRow).where(TourRow.deleted_at.is_(None))
                                   .order_by(TourRow.id))
            cams = {c.id: c for c in session.scalars(select(CameraRow))}
            return [_tour_out(r) for r in rows
                    if _may_see(user, [cams[c] for c in r.camera_ids if c in cams])]

    def get_tour(self, user: Principal, tour_id: int) -> Tour:
        with self._db.session() as session:
            return _tour_out(self._tour(session, user, tour_id))

    def create_tour(self, user: Principal, body: TourIn) -> Tour:
        with self._db.session() as session:
            self._check_cameras(session, user, body.camera_ids)
            now = self._now()
            row = TourRow(name=body.name, camera_ids=body.camera_ids, dwell_s=body.dwell_s,
                          created_by=user.username, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            return _tour_out(row)

    def update_tour(self, user: Principal, tour_id: int, body: TourPatch) -> Tour:
        with self._db.session() as session:
            row = self._tour(session, user, tour_id)
            self._may_edit(user, row.created_by, "tour")
            if body.camera_ids is not None:
                self._check_cameras(session, user, body.camera_ids)
                row.camera_ids = body.camera_ids
            if body.name is not None:
                row.name = body.name
            if body.dwell_s is not None:
                row.dwell_s = body.dwell_s
            row.updated_at = self._now()
            session.flush()
            return _tour_out(row)

    def delete_tour(self, user: Principal, tour_id: int) -> None:
        """Soft delete: its runs and reports stay readable."""
        with self._db.session() as session:
            row = self._tour(session, user, tour_id)
            self._may_edit(user, row.created_by, "tour")
            row.deleted_at = self._now()

    # --- runs ----------------------------------------------------------------------------
    def _run(self, session: Session, user: Principal, run_id: int) -> TourRunRow:
        run = session.get(TourRunRow, run_id)
        if run is not None:
            items = self._items(session, run.id)
            if not _may_see(user, _cameras(session, (i.camera_id for i in items)).values()):
                run = None
        if run is None:
            raise NotFound(f"轮巡记录 {run_id} 不存在 / tour run {run_id} does not exist")
        return run

    @staticmethod
    def _items(session: Session, run_id: int) -> list[TourRunItemRow]:
        return list(session.scalars(select(TourRunItemRow).where(TourRunItemRow.run_id == run_id)
                                    .order_by(TourRunItemRow.position)))

    def _summary(self, session: Session, run: TourRunRow, camera_id: str) -> ItemSummary:
        since = run.since or run.started_at - DEFAULT_WINDOW
        s = summarise(session, camera_id, since, run.finished_at)
        return ItemSummary(markers=s.markers, by_tier=s.by_tier, latest=s.latest)

    def _run_out(self, session: Session, run: TourRunRow) -> TourRun:
        items = []
        for it in self._items(session, run.id):
            summary = (ItemSummary.model_validate(it.summary) if it.summary is not None
                       else self._summary(session, run, it.camera_id))
            items.append(TourRunItem(
                camera_id=it.camera_id, camera_name=it.camera_name,
                status=cast(ItemStatus, it.status),
                note=it.note, marker_id=it.marker_id, checked_at=it.checked_at, summary=summary,
            ))
        return TourRun(id=run.id, tour_id=run.tour_id, tour_name=run.tour_name,
                       started_by=run.started_by, started_at=run.started_at,
                       finished_at=run.finished_at, since=run.since, items=items)

    def start_run(self, user: Principal, tour_id: int) -> TourRun:
        """A new run over the tour's cameras (removed cameras are left out); its summaries
        cover the markers added since the previous finished run of the tour."""
        with self._db.session() as session:
            tour = self._tour(session, user, tour_id)
            cams = _cameras(session, tour.camera_ids)
            present = [c for c in tour.camera_ids if c in cams]
            if not present:
                raise ValueError(f"tour {tour_id} has no existing cameras left: edit it first")
            since = session.scalar(
                select(TourRunRow.finished_at)
                .where(TourRunRow.tour_id == tour.id, TourRunRow.finished_at.is_not(None))
                .order_by(TourRunRow.finished_at.desc()).limit(1))
            run = TourRunRow(tour_id=tour.id, tour_name=tour.name, started_by=user.username,
                             started_at=self._now(), since=since)
            session.add(run)
            session.flush()
            for pos, cid in enumerate(present):
                session.add(TourRunItemRow(run_id=run.id, position=pos, camera_id=cid,
                                           camera_name=cams[cid].name, status="pending", note=""))
            session.flush()
            return self._run_out(session, run)

    def get_run(self, user: Principal, run_id: int) -> TourRun:
        with self._db.session() as session:
            return self._run_out(session, self._run(session, user, run_id))

    def list_runs(self, user: Principal, tour_id: int) -> list[TourRun]:
        """The tour's runs, newest first (at most 100)."""
        with self._db.session() as session:
            tour = self._tour(session, user, tour_id)
            runs = session.scalars(select(TourRunRow).where(TourRunRow.tour_id == tour.id)
                                   .order_by(TourRunRow.id.desc()).limit(MAX_RUNS))
            return [self._run_out(session, r) for r in runs]

    def _open_item(
        self, session: Session, user: Principal, run_id: int, camera_id: str
    ) -> tuple[TourRunRow, TourRunItemRow]:
        run = self._run(session, user, run_id)
        self._may_edit(user, run.started_by, "run")
        if run.finished_at is not None:
            raise Conflict(f"轮巡已结束 / tour run {run_id} is finished: start a new run")
        item = next((i for i in self._items(session, run.id) if i.camera_id == camera_id), None)
        if item is None:
            raise NotFound(f"摄像机 {camera_id!r} 不在此轮巡中 / camera {camera_id!r} is not in"
                           f" tour run {run_id}")
        return run, item

    def mark_item(self, user: Principal, run_id: int, camera_id: str, body: ItemMark) -> TourRun:
        """Mark a camera normal or issue; "issue" makes a marker (tier 2), and re-marking an
        issue as normal deletes the marker it made."""
        with self._db.session() as session:  # read and check only: no write lock held
            _, item = self._open_item(session, user, run_id, camera_id)
            old_marker = item.marker_id
        marker_id = old_marker
        if body.status == "issue" and old_marker is None:
            marker_id = self._markers.add_issue(user, camera_id, body.note or ISSUE_TEXT).id
        elif body.status == "normal" and old_marker is not None:
            self._markers.remove_issue(user, old_marker)
            marker_id = None
        with self._db.session() as session:
            run, item = self._open_item(session, user, run_id, camera_id)
            item.status, item.note, item.marker_id = body.status, body.note, marker_id
            item.checked_at = self._now()
            session.flush()
            return self._run_out(session, run)

    def finish(self, user: Principal, run_id: int) -> TourRun:
        """Close the run and freeze each camera's summary: the saved report."""
        with self._db.session() as session:
            run = self._run(session, user, run_id)
            self._may_edit(user, run.started_by, "run")
            if run.finished_at is not None:
                raise Conflict(f"轮巡已结束 / tour run {run_id} is already finished")
            run.finished_at = self._now()
            for item in self._items(session, run.id):
                item.summary = self._summary(session, run, item.camera_id).model_dump(mode="json")
            session.flush()
            return self._run_out(session, run)
