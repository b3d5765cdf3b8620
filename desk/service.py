"""DeskService: the desk's running part. It subscribes to the event bus (one owned task turns
events into alerts by the policy), runs the deadline checks (one owned task calling `tick()`:
escalation, overdue), applies lifecycle actions, pushes every change to the desk WebSocket
feed and hands outbound webhooks to the sender. Database work runs in threads, one write at a
time (an asyncio lock), never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from datetime import timedelta

import httpx
from sqlalchemy.exc import SQLAlchemyError

from auth.accounts import Principal, Role
from db.database import Database
from desk.clock import Clock, SystemClock
from desk.convert import Actor, AlertChange
from desk.feed import DeskFeed
from desk.inbound import InboundAny, action_of
from desk.lifecycle import IllegalTransition, check_role
from desk.maintenance import MaintenanceIn, MaintenanceOut, MaintenanceStore
from desk.model import Action, ActionBody, AlertOut, DeskMessage
from desk.outbox import Outbox
from desk.policy import DeskPolicy, MaintenanceWindow, in_maintenance, notify_targets
from desk.queries import AlertQueries
from desk.sender import WebhookSender, WebhookSettings
from desk.store import AlertNotFound, AlertStore, BadRequest, Routed
from events.bus import EventBus, Subscription
from events.model import Event

log = logging.getLogger(__name__)
SEEN_MAX = 50_000  # event ids remembered to tell a new event from a later version of one
INBOUND_KEEP = timedelta(days=7)


def scope(user: Principal) -> frozenset[str] | None:
    """Units whose alerts the user sees; None: all (admins)."""
    return None if user.role == Role.ADMIN else user.visible_units


class DeskService:
    def __init__(
        self, database: Database, bus: EventBus, policy: DeskPolicy, *,
        clock: Clock | None = None, webhooks: WebhookSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None, queue_size: int = 10_000,
        batch_max: int = 256,
    ) -> None:
        self.policy = policy
        self.clock: Clock = clock or SystemClock()
        self.webhooks = webhooks or WebhookSettings()
        self.store = AlertStore(database, outbox=self.webhooks.url is not None)
        self.queries = AlertQueries(database)
        self.maintenance = MaintenanceStore(database)
        self.outbox = Outbox(database)
        self.sender = (
            WebhookSender(self.webhooks, self.outbox, self.clock, transport)
            if self.webhooks.url else None
        )
        self.feed = DeskFeed()
        self._bus = bus
        self._queue_size = queue_size
        self._batch_max = batch_max
        self._lock = asyncio.Lock()
        self._seen: OrderedDict[uuid.UUID, str] = OrderedDict()
        self._windows: list[MaintenanceWindow] = []
        self._sub: Subscription | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.ignored = 0  # events no policy rule matched
        self.in_maintenance = 0  # events suppressed by a maintenance window
        self.failures = 0  # database errors while handling events or ticks

    # ---- lifecycle of the service -------------------------------------------------------
    async def start(self) -> None:
        if self._consumer is not None:
            raise RuntimeError("DeskService already started")
        await self._refresh_windows()
        self._sub = self._bus.subscribe(self._queue_size)
        self._consumer = asyncio.create_task(self._consume(self._sub), name="desk-events")
        self._ticker = asyncio.create_task(self._tick_loop(), name="desk-deadlines")
        if self.sender is not None:
            await self.sender.start()

    async def stop(self, wait_s: float = 5.0) -> None:
        """Drain queued events (within `wait_s`), stop the deadline task and the sender."""
        if self._sub is not None:
            self._sub.close()
        self._stopping.set()
        for task in (self._consumer, self._ticker):
            if task is None:
                continue
            try:
                await asyncio.wait_for(asyncio.shield(task), wait_s)
            except TimeoutError:
                log.warning("%s did not stop within %.1f s: cancelled", task.get_name(), wait_s)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._consumer = self._ticker = None
        if self.sender is not None:
            await self.sender.stop(wait_s)
        self.feed.close_all()

    async def _consume(self, sub: Subscription) -> None:
        while (first := await sub.get()) is not None:
            batch = [first]
            while sub.pending() and len(batch) < self._batch_max:
                nxt = await sub.get()  # returns at once: the queue is not empty
                if nxt is not None:
                    batch.append(nxt)
            try:
                await self.handle(batch)
            except SQLAlchemyError as exc:
                self.failures += 1
                log.error("desk could not handle %d events: %s", len(batch), exc)

    async def _tick_loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.policy.tick_s)
            if self._stopping.is_set():
                return
            try:
                await self.tick()
            except SQLAlchemyError as exc:
                self.failures += 1
                log.error("desk deadline check failed: %s", exc)

    # ---- the work -----------------------------------------------------------------------
    async def handle(self, events: Sequence[Event]) -> list[AlertChange]:
        """Turn events into alert changes by the policy (the consumer task calls this)."""
        now = self.clock.now()
        windows = [*self.policy.maintenance, *self._windows]
        routed = []
        for ev in events:
            targets = notify_targets(self.policy, ev)
            if targets is None:
                self.ignored += 1
            elif ev.id not in self._seen and in_maintenance(windows, ev.camera_id, now):
                self.in_maintenance += 1
            else:
                routed.append(Routed(ev, targets))
        if not routed:
            return []
        async with self._lock:
            changes = await asyncio.to_thread(
                self.store.ingest, routed, self.policy, now, self._seen
            )
            while len(self._seen) > SEEN_MAX:
                self._seen.popitem(last=False)
        self._publish(changes)
        return changes

    async def tick(self) -> list[AlertChange]:
        """Escalate unacknowledged alerts, flag overdue ones, refresh maintenance windows."""
        now = self.clock.now()
        async with self._lock:
            changes = await asyncio.to_thread(self.store.check_deadlines, self.policy, now)
            await asyncio.to_thread(self.outbox.prune_inbound, now, INBOUND_KEEP)
        await self._refresh_windows()
        self._publish(changes)
        return changes

    async def act(
        self, alert_id: uuid.UUID, action: Action, body: ActionBody, user: Principal
    ) -> AlertOut:
        """A user's action: NotAllowed (403), AlertNotFound (404), IllegalTransition (409),
        BadRequest (422)."""
        check_role(user.role, action)
        actor = Actor(user.username, user.display_name or user.username)
        async with self._lock:
            change = await asyncio.to_thread(
                self.store.act, alert_id, action, body, actor, scope(user), self.policy,
                self.clock.now(),
            )
        self._publish([change])
        return change.alert

    async def platform_act(self, delivery_id: str, status: InboundAny) -> AlertOut:
        """A status change from the dispatch platform, after its signature was verified.
        WebhookRejected(409) for a replayed delivery id; the action's own errors otherwise."""
        actor = Actor(f"platform:{status.actor}", f"城运平台·{status.actor}", platform=True)
        action = action_of(status)
        async with self._lock:
            await asyncio.to_thread(self.outbox.claim, delivery_id, actor.username,
                                    self.clock.now())
            try:
                change = await asyncio.to_thread(
                    self.store.act, status.alert_id, action, status, actor, None, self.policy,
                    self.clock.now(),
                )
            except (AlertNotFound, IllegalTransition, BadRequest) as exc:
                await asyncio.to_thread(self.outbox.finish, delivery_id, str(status.alert_id),
                                        action.value, status_of(exc), str(exc))
                raise
            await asyncio.to_thread(self.outbox.finish, delivery_id, str(status.alert_id),
                                    action.value, 200, "ok")
        self._publish([change])
        return change.alert

    async def add_maintenance(self, body: MaintenanceIn, user: Principal) -> MaintenanceOut:
        out = await asyncio.to_thread(
            self.maintenance.add, body, user.username, scope(user), self.clock.now()
        )
        await self._refresh_windows()
        return out

    async def remove_maintenance(self, window_id: int, user: Principal) -> bool:
        removed = await asyncio.to_thread(self.maintenance.remove, window_id, scope(user))
        await self._refresh_windows()
        return removed

    async def _refresh_windows(self) -> None:
        self._windows = await asyncio.to_thread(
            self.maintenance.active_windows, self.clock.now()
        )

    def _publish(self, changes: Sequence[AlertChange]) -> None:
        for c in changes:
            self.feed.publish(DeskMessage(
                type="alert", change=c.change, alert=c.alert, notify_role=c.notify_role
            ))
            if self.sender is not None and c.delivery_id is not None:
                self.sender.notify(c.delivery_id)


def status_of(exc: AlertNotFound | IllegalTransition | BadRequest) -> int:
    """The HTTP status of a refused action."""
    if isinstance(exc, AlertNotFound):
        return 404
    if isinstance(exc, IllegalTransition):
        return 409
    return 422
