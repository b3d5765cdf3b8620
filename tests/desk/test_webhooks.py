"""Outbound webhooks to a real local receiver: signed, retried with backoff after failures,
logged; and the signature check that guards the inbound endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from auth.accounts import Principal
from db.database import Database
from desk.model import Action, DispatchIn
from desk.policy import DeskPolicy
from desk.sender import WebhookSettings, webhook_settings
from desk.service import DeskService
from desk.signing import DELIVERY, SIGNATURE, TIMESTAMP, WebhookRejected, sign, verify
from events.bus import InProcessBus
from tests.desk.conftest import make_event
from tests.desk.receiver import Received, Receiver, run_receiver

SECRET = "test-webhook-secret-0123456789"


def settings(url: str, **kw: float) -> WebhookSettings:
    return WebhookSettings(url=url, secret=SecretStr(SECRET), backoff_initial_s=0.05,
                           backoff_max_s=0.2, rescan_s=0.2, **kw)


async def eventually(check: Callable[[], bool], limit_s: float = 20) -> None:
    async with asyncio.timeout(limit_s):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)


async def wait_for(receiver: Receiver, n: int) -> list[Received]:
    await eventually(lambda: len(receiver.received()) >= n)
    return receiver.received()


async def test_delivery_retries_until_the_receiver_accepts(
    database: Database, users: dict[str, Principal]
) -> None:
    with run_receiver(SECRET.encode(), fail_first=2) as receiver:
        desk = DeskService(database, InProcessBus(), DeskPolicy(), webhooks=settings(receiver.url))
        await desk.start()
        try:
            (c,) = await desk.handle([make_event()])
            got = await wait_for(receiver, 3)
            await desk.act(c.alert.id, Action.DISPATCH, DispatchIn(unit="north"),
                           users["officer"])
            got = await wait_for(receiver, 4)
        finally:
            await desk.stop()
    assert [g.answered for g in got] == [503, 503, 200, 200]
    assert all(g.signature_ok for g in got)
    assert len({g.delivery for g in got[:3]}) == 1  # the same delivery, retried
    assert [g.event for g in got] == ["alert.created"] * 3 + ["alert.dispatched"]
    payload = json.loads(got[0].body)
    assert payload["type"] == "alert.created"
    assert payload["alert"]["id"] == str(c.alert.id)
    assert payload["id"] == got[0].delivery
    log = {d.event_type: d for d in desk.outbox.deliveries(10)}
    created = log["alert.created"]
    assert created.status == "delivered"
    assert created.attempts == 3
    assert created.last_status_code == 200
    assert log["alert.dispatched"].attempts == 1


async def test_gives_up_after_max_attempts_and_logs_the_error(database: Database) -> None:
    with run_receiver(SECRET.encode(), fail_first=100) as receiver:
        desk = DeskService(database, InProcessBus(), DeskPolicy(),
                           webhooks=settings(receiver.url, max_attempts=3))
        await desk.start()
        try:
            await desk.handle([make_event()])
            await wait_for(receiver, 3)
            await eventually(lambda: desk.outbox.deliveries(1)[0].status == "failed")
        finally:
            await desk.stop()
    (d,) = desk.outbox.deliveries(10)
    assert d.attempts == 3
    assert d.last_status_code == 503
    assert d.last_error.startswith("HTTP 503")
    assert len(receiver.received()) == 3


def test_settings_refuse_an_unsigned_url() -> None:
    with pytest.raises(ValueError, match="CITYEYE_DESK_WEBHOOK_SECRET is not"):
        webhook_settings("https://dispatch.example/hook", None)
    with pytest.raises(ValueError, match="at least 16"):
        webhook_settings(None, SecretStr("short"))
    assert webhook_settings("", None).url is None


def test_verify_checks_signature_freshness_and_presence() -> None:
    now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    body = b'{"x": 1}'
    ts = str(int(now.timestamp()))
    good = {SIGNATURE: sign(b"k" * 16, ts, body), TIMESTAMP: ts, DELIVERY: "delivery-0001"}
    assert verify(b"k" * 16, good, body, now, 300) == "delivery-0001"
    cases = {
        "unsigned": {TIMESTAMP: ts, DELIVERY: "delivery-0001"},
        "does not match": {**good, SIGNATURE: sign(b"x" * 16, ts, body)},
        "away from our clock": {**good, TIMESTAMP: str(int(now.timestamp()) - 301)},
        "8–64 characters": {**good, DELIVERY: "x"},
    }
    for reason, headers in cases.items():
        with pytest.raises(WebhookRejected, match=reason) as info:
            verify(b"k" * 16, headers, body, now, 300)
        assert info.value.status == 401
    with pytest.raises(WebhookRejected, match="does not match"):
        verify(b"k" * 16, good, body + b" ", now + timedelta(seconds=10), 300)
