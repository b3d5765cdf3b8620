"""The webhook logs in the database: outbound deliveries (written by the alert store in the
same transaction as the change; attempted by the sender) and inbound delivery ids (replay
guard). Synchronous; call through `asyncio.to_thread`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from db.database import Database
from desk.orm import DeliveryRow, InboundRow
from desk.signing import WebhookRejected


class DeliveryOut(BaseModel):
    id: str
    event_type: str
    alert_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class InboundOut(BaseModel):
    delivery_id: str
    received_at: datetime
    alert_id: str | None
    action: str | None
    actor: str
    status_code: int
    detail: str


@dataclass(frozen=True)
class Pending:
    id: str
    event_type: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt; `retry_at` None with `ok` False means give up."""

    ok: bool
    status_code: int | None
    error: str
    retry_at: datetime | None


def _fields(model: type[BaseModel], row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in model.model_fields}


class Outbox:
    def __init__(self, database: Database) -> None:
        self._db = database

    def due(self, now: datetime, exclude: set[str], limit: int = 100) -> list[Pending]:
        with self._db.session() as s:
            rows = s.scalars(
                select(DeliveryRow)
                .where(DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= now)
                .order_by(DeliveryRow.next_attempt_at, DeliveryRow.created_at)
                .limit(limit + len(exclude))
            )
            out = [Pending(r.id, r.event_type, r.body.encode(), r.attempts)
                   for r in rows if r.id not in exclude]
        return out[:limit]

    def get(self, delivery_id: str) -> Pending | None:
        with self._db.session() as s:
            r = s.get(DeliveryRow, delivery_id)
            if r is None or r.status != "pending":
                return None
            return Pending(r.id, r.event_type, r.body.encode(), r.attempts)

    def record(self, delivery_id: str, result: Attempt, now: datetime) -> None:
        with self._db.session() as s:
            r = s.get(DeliveryRow, delivery_id)
            if r is None:
                return
            r.attempts += 1
            r.last_attempt_at = now
            r.last_status_code = result.status_code
            r.last_error = result.error[:500]
            r.next_attempt_at = result.retry_at
            if result.ok:
                r.status, r.delivered_at = "delivered", now
            elif result.retry_at is None:
                r.status = "failed"

    def deliveries(self, limit: int, status: str | None = None) -> list[DeliveryOut]:
        with self._db.session() as s:
            stmt = select(DeliveryRow).order_by(DeliveryRow.created_at.desc()).limit(limit)
            if status:
                stmt = stmt.where(DeliveryRow.status == status)
            return [DeliveryOut.model_validate(_fields(DeliveryOut, r)) for r in s.scalars(stmt)]

    # ---- inbound ------------------------------------------------------------------------
    def claim(self, delivery_id: str, actor: str, now: datetime) -> None:
        """Record an authenticated delivery id; WebhookRejected(409) when seen before."""
        try:
            with self._db.session() as s:
                seen = s.get(InboundRow, delivery_id)
                if seen is not None:
                    at = seen.received_at.isoformat(timespec="seconds")
                    raise WebhookRejected(
                        409, f"delivery {delivery_id} was already received at {at}: replay refused"
                    )
                s.add(InboundRow(delivery_id=delivery_id, received_at=now, actor=actor,
                                 status_code=0, detail="processing"))
        except IntegrityError as exc:  # another worker claimed it at the same moment
            raise WebhookRejected(409, f"delivery {delivery_id} is a replay") from exc

    def finish(
        self, delivery_id: str, alert_id: str | None, action: str | None, status: int, detail: str
    ) -> None:
        with self._db.session() as s:
            r = s.get(InboundRow, delivery_id)
            if r is not None:
                r.alert_id, r.action = alert_id, action
                r.status_code, r.detail = status, detail[:500]

    def inbound(self, limit: int) -> list[InboundOut]:
        with self._db.session() as s:
            stmt = select(InboundRow).order_by(InboundRow.received_at.desc()).limit(limit)
            return [InboundOut.model_validate(_fields(InboundOut, r)) for r in s.scalars(stmt)]

    def prune_inbound(self, now: datetime, keep: timedelta) -> int:
        """Forget delivery ids older than `keep` (their timestamps are refused anyway)."""
        with self._db.session() as s:
            result = s.execute(delete(InboundRow).where(InboundRow.received_at < now - keep))
            return int(getattr(result, "rowcount", 0) or 0)
