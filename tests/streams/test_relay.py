import threading

from streams.datatypes import EncodedPacket
from streams.publish import GopCache
from streams.relay import PacketFanout


def pkt(seq: int, key: bool = False) -> EncodedPacket:
    return EncodedPacket("cam", seq, b"\x00\x00\x00\x01" + bytes([seq % 256]), seq / 30, key, 0.0)


def drain(sub: object) -> list[int]:
    out = []
    while (p := sub.get(0.01)) is not None:  # type: ignore[attr-defined]
        out.append(p.seq)
    return out


def test_late_subscriber_starts_at_the_last_keyframe() -> None:
    fan = PacketFanout("cam", 100)
    for i in range(10):
        fan.publish(pkt(i, key=i in (0, 6)))
    sub = fan.subscribe(50)
    fan.publish(pkt(10))
    assert drain(sub) == [6, 7, 8, 9, 10]
    sub.close()
    assert fan.subscribers() == 0


def test_slow_subscriber_drops_and_resumes_at_a_keyframe() -> None:
    fan = PacketFanout("cam", 100)
    fan.publish(pkt(0, key=True))
    sub = fan.subscribe(4)
    for i in range(1, 9):
        fan.publish(pkt(i, key=i == 7))
    got = drain(sub)
    assert got[0] == 7  # never a half GOP
    assert sub.dropped > 0
    assert sub.pending() == 0


def test_get_wakes_up_on_publish_and_on_close() -> None:
    fan = PacketFanout("cam", 10)
    sub = fan.subscribe()
    threading.Timer(0.05, fan.publish, args=(pkt(0, key=True),)).start()
    first = sub.get(5.0)
    assert first is not None
    assert first.is_keyframe
    threading.Timer(0.05, fan.close).start()
    assert sub.get(5.0) is None
    assert sub.closed


def test_demand_follows_the_subscribers_and_a_stale_gop_is_never_replayed() -> None:
    calls: list[bool] = []
    fan = PacketFanout("cam", 100, on_demand=calls.append)
    first = fan.subscribe(50)
    second = fan.subscribe(50)
    assert calls == [True]  # only the first subscriber switches forwarding on
    fan.publish(pkt(0, key=True))
    fan.publish(pkt(1))
    first.close()
    assert calls == [True]
    second.close()
    assert calls == [True, False]
    # forwarding was off in between: a new subscriber must wait for a fresh keyframe
    late = fan.subscribe(50)
    assert calls == [True, False, True]
    fan.publish(pkt(5))
    fan.publish(pkt(6, key=True))
    assert drain(late) == [6]
    late.close()


def test_gop_cache_relays_nothing_idle_then_the_whole_gop_then_each_packet() -> None:
    gop: GopCache[int] = GopCache(limit=10)
    assert gop.push(0, keyframe=False, demand=False) == []  # before any keyframe
    assert gop.push(1, keyframe=True, demand=False) == []
    assert gop.push(2, keyframe=False, demand=False) == []
    assert gop.push(3, keyframe=False, demand=True) == [1, 2, 3]  # first subscriber: the GOP
    assert gop.push(4, keyframe=False, demand=True) == [4]
    assert gop.push(5, keyframe=True, demand=False) == []
    assert gop.push(6, keyframe=False, demand=True) == [5, 6]


def test_gop_cache_gives_up_on_an_over_long_gop() -> None:
    gop: GopCache[int] = GopCache(limit=3)
    for i in range(5):
        gop.push(i, keyframe=i == 0, demand=False)
    assert gop.push(5, keyframe=False, demand=True) == [5]  # the subscriber waits for a key
