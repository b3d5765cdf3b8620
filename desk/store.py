"""Writes to the alert tables: events in (grouping, cooldown, new alerts), lifecycle actions,
escalation and overdue. Synchronous: the service calls it through `asyncio.to_thread`, one
call at a time. Each write bumps the alert's `version` and, when webhooks are on, adds the
outbound delivery in the same transaction (an outbox: nothing is lost if the process dies)."""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.orm import UnitRow
from cameras.orm import CameraRow
from db.database import Database
from desk.convert import SYSTEM, Actor, AlertChange, alert_out
from desk.lifecycle import next_state
from desk.model import (
    ACTIVE_STATES,
    WEBHOOK_TYPES,
    AckIn,
    Action,
    ActionBody,
    AlertState,
    Change,
    CloseIn,
    DismissIn,
    DispatchIn,
    ResolveIn,
    StepKind,
    WebhookPayload,
)
from desk.orm import AlertRow, AlertStepRow, DeliveryRow
from desk.policy import DeskPolicy, condition_key, due_escalation, resolve_units
from events.model import KIND_NAMES_ZH, TIER_NAMES_ZH, Event

ROLE_NAMES_ZH = {"commander": "指挥员", "admin": "管理员"}


class AlertNotFound(Exception):
    """No such alert, or it lies outside the caller's units."""


class BadRequest(Exception):
    """The action's data does not fit (e.g. an unknown unit)."""


@dataclass(frozen=True)
class Routed:
    """An event the policy lets through, with the notify targets of the matching rules."""

    event: Event
    targets: list[str]


class AlertStore:
    def __init__(self, database: Database, outbox: bool = False) -> None:
        self._db = database
        self._outbox = outbox

    # ---- helpers ------------------------------------------------------------------------
    def _step(
        self, s: Session, row: AlertRow, at: datetime, kind: StepKind, actor: Actor, *,
        before: AlertState | None = None, note: str = "", tier: int | None = None,
    ) -> None:
        s.add(AlertStepRow(
            alert_id=row.id, at=at, kind=kind, actor=actor.username, actor_name=actor.display_name,
            from_state=before.value if before else None,
            to_state=row.state if before else None, note=note, tier=tier,
        ))

    def _done(
        self, s: Session, row: AlertRow, now: datetime, change: Change, *,
        notify_role: str | None = None, by_platform: bool = False,
    ) -> AlertChange:
        row.version += 1
        row.updated_at = now
        s.flush()
        out = alert_out(row)
        delivery_id = None
        if self._outbox and change in WEBHOOK_TYPES and not by_platform:
            payload = WebhookPayload(
                id=uuid.uuid4(), type=WEBHOOK_TYPES[change], at=now, notify_role=notify_role,
                alert=out,
            )
            s.add(DeliveryRow(
                id=str(payload.id), event_type=payload.type, alert_id=row.id,
                body=payload.model_dump_json(), status="pending", attempts=0, last_error="",
                created_at=now, next_attempt_at=now,
            ))
            delivery_id = str(payload.id)
        return AlertChange(out, change, notify_role, by_platform, delivery_id)

    @staticmethod
    def _units(s: Session) -> dict[str, UnitRow]:
        return {u.id: u for u in s.scalars(select(UnitRow))}

    # ---- events in ----------------------------------------------------------------------
    def ingest(
        self, batch: Sequence[Routed], policy: DeskPolicy, now: datetime,
        seen: MutableMapping[uuid.UUID, str],
    ) -> list[AlertChange]:
        """Group, count, suppress or raise alerts for a batch of events (one transaction).
        `seen` maps event ids already counted to their alert (the caller bounds it)."""
        out: list[AlertChange] = []
        with self._db.session() as s:
            units: dict[str, UnitRow] | None = None
            for item in batch:
                ev = item.event
                known = seen.get(ev.id)
                if known is not None:
                    change = self._event_version(s, known, ev, now)
                else:
                    last = s.scalars(
                        select(AlertRow).where(AlertRow.condition_key == condition_key(ev))
                        .order_by(AlertRow.created_at.desc()).limit(1)
                    ).first()
                    if last is not None and (
                        last.state in ACTIVE_STATES or self._cooling(last, ev, policy, now)
                    ):
                        change = self._repeat(s, last, ev, now)
                    else:
                        units = units if units is not None else self._units(s)
                        change = self._create(s, item, now, units)
                    seen[ev.id] = str(change.alert.id)
                if change is not None:
                    out.append(change)
        return out

    @staticmethod
    def _cooling(last: AlertRow, ev: Event, policy: DeskPolicy, now: datetime) -> bool:
        handled = last.resolved_at or last.dismissed_at or last.closed_at
        return (
            handled is not None
            and now - handled < timedelta(seconds=policy.cooldown_s)
            and ev.tier <= last.tier
        )

    def _raise_tier(self, s: Session, row: AlertRow, ev: Event, now: datetime) -> bool:
        if ev.tier <= row.tier or row.state not in ACTIVE_STATES:
            return False
        row.tier = ev.tier
        self._step(s, row, now, "tier_raised", SYSTEM, tier=ev.tier,
                   note=f"升为{TIER_NAMES_ZH[ev.tier]}：{ev.message}")
        return True

    def _event_version(
        self, s: Session, alert_id: str, ev: Event, now: datetime
    ) -> AlertChange | None:
        """A later version (updated / closed) of an event already counted."""
        row = s.get(AlertRow, alert_id)
        if row is None:
            return None
        raised = self._raise_tier(s, row, ev, now)
        snap = ev.snapshot is not None and row.snapshot_event_id is None
        if snap:
            row.snapshot_event_id = str(ev.id)
        if not (raised or snap):
            return None
        return self._done(s, row, now, "tier_raised" if raised else "updated")

    def _repeat(self, s: Session, row: AlertRow, ev: Event, now: datetime) -> AlertChange:
        """Another event of the alert's condition: counted (or suppressed after handling)."""
        if row.state in ACTIVE_STATES:
            row.event_count += 1
        else:
            row.suppressed += 1
        row.last_event_id = str(ev.id)
        row.last_event_at = max(row.last_event_at, ev.updated_at)
        if ev.snapshot is not None and row.snapshot_event_id is None:
            row.snapshot_event_id = str(ev.id)
        raised = self._raise_tier(s, row, ev, now)
        return self._done(s, row, now, "tier_raised" if raised else "updated")

    def _create(
        self, s: Session, item: Routed, now: datetime, units: dict[str, UnitRow]
    ) -> AlertChange:
        ev = item.event
        camera = s.get(CameraRow, ev.camera_id)
        district = next((u.id for u in units.values() if u.parent_id is None), "")
        unit_id = camera.unit_id if camera is not None else district
        parents = {u.id: u.parent_id for u in units.values()}
        unit = units.get(unit_id)
        message = ev.message or KIND_NAMES_ZH.get(ev.kind, ev.kind)
        row = AlertRow(
            id=str(uuid.uuid4()), condition_key=condition_key(ev), camera_id=ev.camera_id,
            camera_name=camera.name if camera is not None else ev.camera_id,
            unit_id=unit_id, unit_name=unit.name if unit else unit_id, kind=ev.kind,
            rule_id=ev.rule_id, zone_id=ev.zone_id, line_id=ev.line_id, message=message,
            tier=ev.tier, raised_tier=ev.tier, state=AlertState.NEW.value, event_count=1,
            suppressed=0, first_event_id=str(ev.id), last_event_id=str(ev.id),
            snapshot_event_id=str(ev.id) if ev.snapshot is not None else None,
            first_event_at=ev.started_at, last_event_at=ev.updated_at, created_at=now,
            updated_at=now, dispatch_instructions="", resolution_note="", close_note="",
            dismiss_reason="", escalation_level=0, overdue=False,
            notify_units=resolve_units(item.targets, unit_id, parents), version=0,
        )
        s.add(row)
        self._step(s, row, now, "created", SYSTEM, tier=ev.tier,
                   note=f"{TIER_NAMES_ZH[ev.tier]}告警：{message}")
        return self._done(s, row, now, "created")

    # ---- actions ------------------------------------------------------------------------
    def act(
        self, alert_id: uuid.UUID, action: Action, body: ActionBody, actor: Actor,
        visible: frozenset[str] | None, policy: DeskPolicy, now: datetime,
    ) -> AlertChange:
        """Apply one lifecycle action; IllegalTransition (409), AlertNotFound, BadRequest."""
        with self._db.session() as s:
            row = s.get(AlertRow, str(alert_id))
            if row is None or (visible is not None and row.unit_id not in visible):
                raise AlertNotFound(f"no alert {alert_id}")
            before = AlertState(row.state)
            after = next_state(before, action)
            note = self._apply(s, row, action, body, actor, policy, now)
            row.state = after.value
            self._step(s, row, now, action.value, actor, before=before, note=note)
            return self._done(s, row, now, action.value, by_platform=actor.platform)

    def _apply(
        self, s: Session, row: AlertRow, action: Action, body: ActionBody, actor: Actor,
        policy: DeskPolicy, now: datetime,
    ) -> str:
        who = actor.display_name
        if action in (Action.ACK, Action.DISPATCH) and row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = now, who
        if isinstance(body, AckIn):
            return body.note
        if isinstance(body, DispatchIn):
            return self._dispatch(s, row, body, who, policy, now)
        if isinstance(body, ResolveIn):
            row.resolved_at, row.resolved_by, row.resolution_note = now, who, body.note
            return body.note
        if isinstance(body, CloseIn):
            row.closed_at, row.closed_by, row.close_note = now, who, body.note
            return body.note
        assert isinstance(body, DismissIn)
        row.dismissed_at, row.dismissed_by, row.dismiss_reason = now, who, body.reason
        return body.reason

    @staticmethod
    def _dispatch(
        s: Session, row: AlertRow, body: DispatchIn, who: str, policy: DeskPolicy, now: datetime
    ) -> str:
        unit_name = None
        if body.unit:
            unit = s.get(UnitRow, body.unit)
            if unit is None:
                known = ", ".join(s.scalars(select(UnitRow.id)))
                raise BadRequest(f"unit {body.unit!r} does not exist; known units: {known}")
            unit_name = unit.name
        minutes = body.deadline_minutes or max(1, round(policy.overdue_after_s / 60))
        row.dispatched_at, row.dispatched_by = now, who
        row.dispatch_unit, row.dispatch_unit_name = body.unit, unit_name
        row.dispatch_assignee = (body.assignee or "").strip() or None
        row.dispatch_instructions = body.instructions
        row.due_at = now + timedelta(minutes=minutes)
        to = " ".join(x for x in (unit_name, row.dispatch_assignee) if x)
        text = f"派发至 {to}，限 {minutes} 分钟内处置"
        return f"{text}：{body.instructions}" if body.instructions else text

    # ---- deadlines ----------------------------------------------------------------------
    def check_deadlines(self, policy: DeskPolicy, now: datetime) -> list[AlertChange]:
        """Escalate unacknowledged alerts and flag dispatched ones past their deadline."""
        out: list[AlertChange] = []
        with self._db.session() as s:
            pending = s.scalars(select(AlertRow).where(
                AlertRow.state == AlertState.NEW.value,
                AlertRow.escalation_level < len(policy.escalation),
            )).all()
            units: dict[str, UnitRow] | None = None
            for row in pending:
                if due_escalation(policy, row.escalation_level, row.created_at, now) is None:
                    continue
                units = units if units is not None else self._units(s)
                out.append(self._escalate(s, row, policy, now, units))
            late = s.scalars(select(AlertRow).where(
                AlertRow.state == AlertState.DISPATCHED.value,
                AlertRow.overdue.is_(False),
                AlertRow.due_at <= now,
            )).all()
            for row in late:
                row.overdue, row.overdue_at = True, now
                assert row.due_at is not None
                late_min = max(0, round((now - row.due_at).total_seconds() / 60))
                self._step(s, row, now, "overdue", SYSTEM,
                           note=f"派发后未在期限内处置（超期 {late_min} 分钟），列入督办")
                out.append(self._done(s, row, now, "overdue"))
        return out

    def _escalate(
        self, s: Session, row: AlertRow, policy: DeskPolicy, now: datetime,
        units: dict[str, UnitRow],
    ) -> AlertChange:
        parents = {u.id: u.parent_id for u in units.values()}
        role = "commander"
        notes = []
        while (level := due_escalation(policy, row.escalation_level, row.created_at, now)):
            row.escalation_level += 1
            row.tier = min(4, row.tier + level.raise_tier)
            role = level.notify_role
            added = resolve_units(level.notify, row.unit_id, parents)
            row.notify_units = list(dict.fromkeys([*row.notify_units, *added]))
            names = "、".join(units[u].name if u in units else u for u in added)
            notes.append(f"{round(level.after_s / 60)} 分钟未确认，升级至{names}"
                         f"{ROLE_NAMES_ZH.get(role, role)}")
        row.escalated_at, row.escalated_to = now, role
        self._step(s, row, now, "escalated", SYSTEM, tier=row.tier, note="；".join(notes))
        return self._done(s, row, now, "escalated", notify_role=role)
