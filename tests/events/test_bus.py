"""The in-process bus: fan-out, thread-safe publish, bounded queues that drop the oldest."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from events.bus import InProcessBus
from events.model import Event


def make_event(camera: str = "cam-1", kind: str = "intrusion", **kw: object) -> Event:
    now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    return Event.model_validate(
        {
            "camera_id": camera,
            "kind": kind,
            "tier": 2,
            "started_at": now,
            "updated_at": now,
            "pts": 1.5,
            **kw,
        }
    )


async def test_every_subscriber_gets_every_event_in_order() -> None:
    bus = InProcessBus()
    await bus.start()
    a, b = bus.subscribe(), bus.subscribe()
    events = [make_event(count=float(i)) for i in range(3)]
    for ev in events:
        await bus.publish(ev)
    async with asyncio.timeout(5):
        got_a = [await a.get() for _ in range(3)]
        got_b = [await b.get() for _ in range(3)]
    assert got_a == events
    assert got_b == events
    await bus.stop()
    assert await a.get() is None  # stopping ends every subscription


async def test_a_slow_subscriber_loses_the_oldest_and_it_is_counted() -> None:
    bus = InProcessBus()
    await bus.start()
    slow = bus.subscribe(maxsize=2)
    for i in range(5):
        await bus.publish(make_event(count=float(i)))
    assert slow.dropped == 3
    async with asyncio.timeout(5):
        kept = [(await slow.get()) for _ in range(2)]
    assert [e.count for e in kept if e is not None] == [3.0, 4.0]
    await bus.stop()


async def test_publish_from_a_worker_thread_arrives_on_the_loop() -> None:
    bus = InProcessBus()
    await bus.start()
    with bus.subscribe() as sub:
        ev = make_event()
        t = threading.Thread(target=bus.publish_threadsafe, args=(ev,))
        t.start()
        t.join(timeout=5)
        async with asyncio.timeout(5):
            assert await sub.get() == ev
    assert bus.subscribers == 0  # leaving the `with` unsubscribes
    await bus.stop()
    bus.publish_threadsafe(make_event())  # after stop: counted as lost, never raises
    assert bus.lost == 1


def test_event_json_leaves_the_snapshot_out_and_checks_its_fields() -> None:
    ev = make_event(snapshot=b"\xff\xd8jpeg", point=(0.5, 0.25), message="区域「闸口」有人闯入")
    data = ev.model_dump(mode="json")
    assert "snapshot" not in data
    assert data["point"] == [0.5, 0.25]
    assert ev.tier_name == "黄色"
    with pytest.raises(ValueError, match="normalised"):
        make_event(point=(1.5, 0.2))
    with pytest.raises(ValueError, match="tier"):
        make_event(tier=5)
    with pytest.raises(ValueError, match="time zone"):
        make_event(started_at=datetime(2026, 1, 1))
