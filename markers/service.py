"""MarkerService: every marker change goes through here — it writes the row, then tells the
camera's WebSocket clients (`feed`). It also turns events from the bus into AI markers.

The write methods are synchronous (the routers run them in worker threads); the bus consumer
is one owned task that runs them with `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from auth.accounts import Principal, Role
from cameras.access import Forbidden, NotFound, camera_row, visible_camera_ids
from db.database import Database
from events.bus import EventBus, Subscription
from events.model import KIND_NAMES_ZH, Event
from markers.feed import MarkerFeed
from markers.orm import MarkerRow
from markers.ratelimit import RateLimiter
from markers.schemas import Marker, MarkerIn, MarkerOp, MarkerPatch, sanitise
from markers.store import (
    MarkerQuery,
    find,
    live_row,
    to_markers,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarkerSettings:
    rate_limit: int = 10  # markers per user per window
    rate_window_s: float = 10.0
    feed_queue: int = 256  # per WebSocket client
    bus_queue: int = 4096
    drain_s: float = 5.0


class RateLimited(Exception):
    def __init__(self, retry_after: float, limit: int, window_s: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"发送太快：每 {window_s:g} 秒最多 {limit} 条弹幕，请在 {self.retry_after} 秒后再试 /"
            f" too many markers: at most {limit} per {window_s:g} s; try again in"
            f" {self.retry_after} s"
        )


def ai_text(event: Event) -> str:
    name = KIND_NAMES_ZH.get(event.kind, event.kind)
    return sanitise(f"{name}：{event.message}" if event.message.strip() else name)


class MarkerService:
    def __init__(
        self,
        database: Database,
        bus: EventBus,
        settings: MarkerSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self._bus = bus
        self.settings = settings or MarkerSettings()
        self._clock = clock
        self.limiter = RateLimiter(self.settings.rate_limit, self.settings.rate_window_s)
        self.feed = MarkerFeed()
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self.ai_created = 0
        self.ai_updated = 0
        self.failed = 0

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("MarkerService already started")
        self.feed.bind(asyncio.get_running_loop())
        self._sub = self._bus.subscribe(self.settings.bus_queue)
        self._task = asyncio.create_task(self._consume(self._sub), name="marker-events")

    async def stop(self) -> None:
        """Handle what the bus already queued (within `drain_s`), end the task, close feeds."""
        if self._task is not None and self._sub is not None:
            self._sub.close()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self.settings.drain_s)
            except TimeoutError:
                log.warning("marker service did not drain within %.1f s: cancelled",
                            self.settings.drain_s)
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        self._task = None
        self.feed.close_all()
        self.feed.bind(None)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _consume(self, sub: Subscription) -> None:
        while (event := await sub.get()) is not None:
            try:
                await asyncio.to_thread(self.apply_event, event)
            except SQLAlchemyError as exc:
                self.failed += 1
                log.error("could not make a marker for event %s: %s", event.id, exc)

    # --- helpers -------------------------------------------------------------------------
    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _publish(self, op: MarkerOp, marker: Marker) -> None:
        self.feed.publish_threadsafe(op, marker)

    def _visible_row(self, session: Session, user: Principal, marker_id: int) -> MarkerRow:
        row = live_row(session, marker_id)
        admin = user.role == Role.ADMIN
        if row is not None and not admin:
            allowed = visible_camera_ids(session, user)
            if (allowed is not None and row.camera_id not in allowed) or row.hidden:
                row = None
        if row is None:
            raise NotFound(f"弹幕 {marker_id} 不存在 / marker {marker_id} does not exist")
        return row

    def _one(self, session: Session, row: MarkerRow) -> Marker:
        session.flush()
        return to_markers(session, [row])[0]

    # --- reading -------------------------------------------------------------------------
    def list(self, user: Principal, q: MarkerQuery) -> list[Marker]:
        admin = user.role == Role.ADMIN
        with self._db.session() as session:
            if not admin:
                if q.camera_ids is not None:
                    for cid in q.camera_ids:
                        camera_row(session, user, cid)
                else:
                    allowed = visible_camera_ids(session, user) or set()
                    q = replace(q, camera_ids=sorted(allowed))
                q = replace(q, include_hidden=False)
            return find(session, q)

    def get(self, user: Principal, marker_id: int) -> Marker:
        with self._db.session() as session:
            return self._one(session, self._visible_row(session, user, marker_id))

    # --- writing -------------------------------------------------------------------------
    def create(self, user: Principal, body: MarkerIn, *, rate_limited: bool = True) -> Marker:
        """A user's marker. NotFound/Forbidden for the camera, RateLimited when too fast."""
        with self._db.session() as session:
            camera_row(session, user, body.camera_id)
            if rate_limited:
                wait = self.limiter.hit(user.username)
                if wait is not None:
                    raise RateLimited(wait, self.limiter.limit, self.limiter.window_s)
            now = self._now()
            row = MarkerRow(
                camera_id=body.camera_id, ts=body.ts if body.ts is not None else now.timestamp(),
                x=body.x, y=body.y, text=body.text, kind=body.kind, tier=body.tier,
                author_username=user.username, created_at=now, updated_at=now, hidden=False,
            )
            session.add(row)
            marker = self._one(session, row)
        self._publish("created", marker)
        return marker

    def update(self, user: Principal, marker_id: int, patch: MarkerPatch) -> Marker:
        fields = patch.model_fields_set
        if not fields:
            raise ValueError("nothing to change: send text, x and y, tier, or hidden")
        with self._db.session() as session:
            row = self._visible_row(session, user, marker_id)
            if patch.edits_content and row.author_username != user.username:
                raise Forbidden("只有作者可以修改弹幕内容 / only the author may edit a marker's"
                                " text, point or tier")
            if "hidden" in fields and user.role != Role.ADMIN:
                raise Forbidden("只有管理员可以隐藏弹幕 / only admins may hide or show markers")
            for name in ("text", "x", "y", "tier", "hidden"):
                if name in fields:
                    setattr(row, name, getattr(patch, name))
            row.updated_at = self._now()
            marker = self._one(session, row)
        self._publish("updated", marker)
        return marker

    def delete(self, user: Principal, marker_id: int) -> Marker:
        """Soft delete: the row stays with `deleted_at`; it no longer appears anywhere."""
        with self._db.session() as session:
            row = self._visible_row(session, user, marker_id)
            if row.author_username != user.username and user.role != Role.ADMIN:
                raise Forbidden("只有作者或管理员可以删除弹幕 / only the author or an admin may"
                                " delete a marker")
            row.deleted_at = row.updated_at = self._now()
            marker = self._one(session, row)
        self._publish("deleted", marker)
        return marker

    def apply_event(self, event: Event) -> Marker | None:
        """Create the AI marker of an event (once per event id) or raise its tier."""
        if event.state == "closed":
            return None
        op: MarkerOp
        try:
            with self._db.session() as session:
                row = session.scalar(select(MarkerRow).where(MarkerRow.event_id == str(event.id)))
                now = self._now()
                if row is None:
                    row = MarkerRow(
                        camera_id=event.camera_id, ts=event.started_at.timestamp(),
                        x=event.point[0] if event.point else None,
                        y=event.point[1] if event.point else None,
                        text=ai_text(event), kind="ai", tier=event.tier, author_username=None,
                        rule=event.kind, event_id=str(event.id), created_at=now,
                        updated_at=now, hidden=False,
                    )
                    session.add(row)
                    op = "created"
                elif row.deleted_at is None and event.tier > (row.tier or 0):
                    row.tier, row.text, row.updated_at = event.tier, ai_text(event), now
                    op = "updated"
                else:
                    return None
                marker = self._one(session, row)
        except IntegrityError:  # another writer made it first: one marker per event
            log.info("AI marker for event %s already exists", event.id)
            return None
        if op == "created":
            self.ai_created += 1
        else:
            self.ai_updated += 1
        self._publish(op, marker)
        return marker

    def add_issue(self, user: Principal, camera_id: str, text: str) -> Marker:
        """A patrol tour's "issue" marker (tier 2, now, no point); not rate limited."""
        body = MarkerIn(camera_id=camera_id, text=text, kind="issue", tier=2)
        return self.create(user, body, rate_limited=False)

    def remove_issue(self, user: Principal, marker_id: int) -> None:
        """Undo a patrol issue marker (the item was re-marked normal); gone already is fine."""
        with contextlib.suppress(NotFound, Forbidden):
            self.delete(user, marker_id)
