"""From events to alerts: the policy decides which events alert whom; repeats of a condition
group into one alert with a count; a handled alert's condition cools down; maintenance
windows silence a camera."""

from __future__ import annotations

from datetime import timedelta

from auth.accounts import Principal
from db.database import Database
from desk.model import AckIn, Action, DismissIn, ResolveIn
from desk.policy import AlertRule, DeskPolicy, MaintenanceWindow, resolve_units
from desk.service import DeskService
from events.bus import InProcessBus
from tests.desk.conftest import FakeClock, make_event


async def test_repeats_of_one_condition_group_into_one_alert(desk: DeskService) -> None:
    first = make_event(snapshot=b"\xff\xd8jpeg")
    (created,) = await desk.handle([first])
    assert created.change == "created"
    assert created.alert.camera_name == "北门"
    assert created.alert.unit_name == "北街道"
    assert created.alert.notify_units == ["north", "district"]
    assert created.alert.snapshot_event_id == first.id
    later = await desk.handle([make_event(), make_event(tier=3), make_event(zone_id="other")])
    assert [c.change for c in later] == ["updated", "tier_raised", "created"]
    grouped = later[1].alert
    assert grouped.id == created.alert.id
    assert grouped.event_count == 3
    assert grouped.tier == 3
    assert grouped.raised_tier == 2
    assert later[2].alert.id != created.alert.id  # another zone is another condition


async def test_later_versions_of_one_event_are_not_counted_again(desk: DeskService) -> None:
    ev = make_event()
    await desk.handle([ev])
    same = ev.model_copy(update={"state": "updated", "tier": 4})
    (change,) = await desk.handle([same])
    assert change.change == "tier_raised"
    assert change.alert.event_count == 1
    assert change.alert.tier == 4
    closed = ev.model_copy(update={"state": "closed"})
    assert await desk.handle([closed]) == []  # nothing the desk shows changed


async def test_cooldown_after_handling(
    desk: DeskService, clock: FakeClock, users: dict[str, Principal]
) -> None:
    (c,) = await desk.handle([make_event()])
    await desk.act(c.alert.id, Action.DISMISS, DismissIn(reason="风吹树影"), users["officer"])
    clock.advance(seconds=60)
    (again,) = await desk.handle([make_event()])
    assert again.alert.id == c.alert.id  # within the 300 s cooldown: absorbed
    assert again.alert.suppressed == 1
    assert again.alert.state == "dismissed"
    (worse,) = await desk.handle([make_event(tier=4)])
    assert worse.change == "created"  # a higher tier breaks through the cooldown
    await desk.act(worse.alert.id, Action.ACK, AckIn(), users["officer"])
    await desk.act(worse.alert.id, Action.RESOLVE, ResolveIn(note="已处置"), users["officer"])
    clock.advance(seconds=301)
    (fresh,) = await desk.handle([make_event(tier=2)])
    assert fresh.change == "created"  # the cooldown is over


async def test_policy_rules_pick_kinds_tiers_and_units(
    database: Database, clock: FakeClock
) -> None:
    policy = DeskPolicy(rules=[
        AlertRule(kinds=["intrusion"], min_tier=2, notify=["camera_unit"]),
        AlertRule(min_tier=4, notify=["district", "south"]),
    ])
    desk = DeskService(database, InProcessBus(), policy, clock=clock)
    changes = await desk.handle([
        make_event(kind="loitering", tier=3, rule_id="l1"),  # no rule
        make_event(kind="intrusion", tier=1, rule_id="i1"),  # below min_tier
        make_event(kind="intrusion", tier=2, rule_id="i2"),
        make_event(kind="gathering", tier=4, rule_id="g1"),
        make_event(kind="intrusion", tier=4, rule_id="i3"),
    ])
    assert [c.alert.rule_id for c in changes] == ["i2", "g1", "i3"]
    assert [c.alert.notify_units for c in changes] == [
        ["north"], ["district", "south"], ["north", "district", "south"]
    ]
    assert desk.ignored == 2


def test_targets_resolve_to_units() -> None:
    parents: dict[str, str | None] = {"district": None, "north": "district"}
    assert resolve_units(["camera_unit", "parent_unit", "district", "nowhere"], "north",
                         parents) == ["north", "district"]


async def test_maintenance_windows_silence_a_camera(
    database: Database, clock: FakeClock, users: dict[str, Principal]
) -> None:
    from desk.maintenance import MaintenanceIn

    policy = DeskPolicy(maintenance=[MaintenanceWindow(
        camera_ids=["south-1"], starts_at=clock.now(), ends_at=clock.now() + timedelta(hours=1)
    )])
    desk = DeskService(database, InProcessBus(), policy, clock=clock)
    await desk.add_maintenance(MaintenanceIn(
        camera_id="north-1", starts_at=clock.now() + timedelta(minutes=10),
        ends_at=clock.now() + timedelta(minutes=20), reason="更换镜头",
    ), users["commander"])
    assert await desk.handle([make_event("south-1")]) == []  # the policy's window
    assert len(await desk.handle([make_event("north-1")])) == 1  # not yet in maintenance
    clock.advance(minutes=15)
    await desk.tick()  # refreshes the windows
    assert await desk.handle([make_event("north-1", rule_id="other")]) == []
    clock.advance(minutes=10)
    await desk.tick()
    assert len(await desk.handle([make_event("north-1", rule_id="other")])) == 1
    assert desk.in_maintenance == 2
