import threading

from streams.datatypes import EncodedPacket
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
