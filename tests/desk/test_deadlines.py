"""Escalation (nobody acknowledged in time: tier up, the commander is notified) and overdue
supervision (dispatched, not resolved by the deadline: 督办), driven by a controllable clock;
and the service's own tasks: the bus consumer and the deadline loop, started and stopped."""

from __future__ import annotations

import asyncio

from auth.accounts import Principal
from db.database import Database
from desk.model import AckIn, Action, DispatchIn, ResolveIn
from desk.policy import DeskPolicy
from desk.queries import AlertQuery
from desk.service import DeskService
from events.bus import InProcessBus
from tests.desk.conftest import FakeClock, make_event


async def test_unacknowledged_alerts_escalate_level_by_level(
    desk: DeskService, clock: FakeClock, users: dict[str, Principal]
) -> None:
    (c,) = await desk.handle([make_event(tier=2)])
    watcher = desk.feed.subscribe(None)
    clock.advance(minutes=4, seconds=59)
    assert await desk.tick() == []
    clock.advance(seconds=1)
    (up,) = await desk.tick()
    assert up.change == "escalated"
    assert up.notify_role == "commander"
    assert up.alert.tier == 3
    assert up.alert.escalation_level == 1
    assert up.alert.escalated_to == "commander"
    assert '"notify_role":"commander"' in (await watcher.get() or "")
    clock.advance(minutes=10)
    (up2,) = await desk.tick()
    assert up2.alert.tier == 4
    assert up2.alert.escalation_level == 2
    clock.advance(hours=1)
    assert await desk.tick() == []  # no level left
    detail = desk.queries.get(c.alert.id, None)
    assert detail is not None
    notes = [s.note for s in detail.steps if s.kind == "escalated"]
    assert notes == ["5 分钟未确认，升级至北街道指挥员", "15 分钟未确认，升级至长宁区指挥员"]


async def test_acknowledged_alerts_do_not_escalate(
    desk: DeskService, clock: FakeClock, users: dict[str, Principal]
) -> None:
    (c,) = await desk.handle([make_event()])
    clock.advance(minutes=2)
    await desk.act(c.alert.id, Action.ACK, AckIn(), users["north-patroller"])
    clock.advance(hours=1)
    assert await desk.tick() == []


async def test_a_late_server_catches_up_every_level_at_once(
    desk: DeskService, clock: FakeClock
) -> None:
    await desk.handle([make_event(tier=1)])
    clock.advance(minutes=20)
    (up,) = await desk.tick()
    assert up.alert.escalation_level == 2
    assert up.alert.tier == 3


async def test_dispatched_but_unresolved_becomes_overdue(
    desk: DeskService, clock: FakeClock, users: dict[str, Principal]
) -> None:
    (a,) = await desk.handle([make_event(rule_id="a")])
    (b,) = await desk.handle([make_event(rule_id="b")])
    officer = users["officer"]
    await desk.act(a.alert.id, Action.DISPATCH, DispatchIn(unit="north"), officer)
    await desk.act(b.alert.id, Action.DISPATCH,
                   DispatchIn(assignee="李师傅", deadline_minutes=10), officer)
    clock.advance(minutes=10)
    (late,) = await desk.tick()
    assert late.change == "overdue"
    assert late.alert.id == b.alert.id
    assert late.alert.overdue
    clock.advance(minutes=20)
    (late2,) = await desk.tick()
    assert late2.alert.id == a.alert.id  # the default 30 min
    assert await desk.tick() == []  # flagged once
    overdue = desk.queries.find(AlertQuery(overdue=True, active=True), None)
    assert {x.id for x in overdue} == {a.alert.id, b.alert.id}
    await desk.act(a.alert.id, Action.RESOLVE, ResolveIn(note="已清理"), officer)
    still = desk.queries.find(AlertQuery(overdue=True, active=True), None)
    assert [x.id for x in still] == [b.alert.id]  # the 督办 view keeps what is not done
    stats = desk.queries.stats(clock.now().replace(hour=0), clock.now().replace(hour=23), None)
    assert stats.overdue == 2
    assert stats.overdue_now == 1


async def test_the_service_consumes_the_bus_and_stops_cleanly(
    database: Database, clock: FakeClock
) -> None:
    bus = InProcessBus()
    await bus.start()
    desk = DeskService(database, bus, DeskPolicy(tick_s=0.05), clock=clock)
    await desk.start()
    watcher = desk.feed.subscribe(frozenset({"north"}))
    bus.publish_threadsafe(make_event("south-1"))  # not the watcher's street
    bus.publish_threadsafe(make_event("north-1"))
    async with asyncio.timeout(10):
        text = await watcher.get()
    assert text is not None
    assert '"camera_id":"north-1"' in text
    clock.advance(minutes=6)  # the deadline loop escalates on its own
    async with asyncio.timeout(10):
        text = await watcher.get()
    assert text is not None
    assert '"change":"escalated"' in text
    await desk.stop(wait_s=5)
    assert bus.subscribers == 0
    async with asyncio.timeout(1):
        assert await watcher.get() is None  # the feed closed
    await bus.stop()
