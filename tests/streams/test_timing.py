import itertools
from fractions import Fraction

import pytest

from streams.timing import Pacer, PtsClock, RateGate

TB = Fraction(1, 90000)
STEP = 3000  # 30 fps in 90 kHz ticks


def feed(clock: PtsClock, raws: list[int | None]) -> list[float]:
    return [clock.to_seconds(r, TB) for r in raws]


def test_pts_are_seconds_from_the_first_frame() -> None:
    out = feed(PtsClock(), [90000 + i * STEP for i in range(5)])
    assert out == pytest.approx([i / 30 for i in range(5)])


def test_missing_pts_are_filled_at_the_frame_rate() -> None:
    raws: list[int | None] = [0, STEP, 2 * STEP, None, None, 5 * STEP, 6 * STEP]
    out = feed(PtsClock(), raws)
    assert out == pytest.approx([i / 30 for i in range(7)])


def test_one_backward_pts_does_not_break_the_timeline() -> None:
    raws: list[int | None] = [i * STEP for i in range(6)]
    raws += [STEP] + [i * STEP for i in range(7, 10)]
    out = feed(PtsClock(), raws)
    assert all(b > a for a, b in itertools.pairwise(out))
    assert out[-1] == pytest.approx(9 / 30)


def test_wrap_around_keeps_spacing() -> None:
    wrap = 2**33
    raws: list[int | None] = [wrap - 3 * STEP + i * STEP for i in range(3)]
    raws += [i * STEP for i in range(5)]  # the 33-bit counter wrapped
    out = feed(PtsClock(), raws)
    steps = [b - a for a, b in itertools.pairwise(out)]
    assert steps == pytest.approx([1 / 30] * 7)


def test_declared_rate_is_only_a_first_guess() -> None:
    clock = PtsClock(declared_fps=60.0)
    feed(clock, [i * 9000 for i in range(10)])  # pts say 10 fps
    assert clock.measured_fps() == pytest.approx(10.0)
    assert clock.frame_duration() == pytest.approx(0.1)


def test_restart_continues_after_the_last_frame() -> None:
    clock = PtsClock()
    feed(clock, [i * STEP for i in range(3)])
    clock.restart(clock.last + clock.frame_duration())  # type: ignore[operator]
    out = feed(clock, [777777, 777777 + STEP])
    assert out == pytest.approx([3 / 30, 4 / 30])


def test_rate_gate_picks_five_of_thirty() -> None:
    gate = RateGate(5.0)
    taken = [i for i in range(60) if gate.take(i / 29.97)]
    assert len(taken) == 10
    assert all(5 <= b - a <= 7 for a, b in itertools.pairwise(taken))


def test_pacer_waits_for_pts_and_never_bursts_after_a_lag() -> None:
    pacer = Pacer(max_lag_s=1.0)
    assert pacer.delay(0.0, now=100.0) == 0.0
    assert pacer.delay(0.5, now=100.1) == pytest.approx(0.4)
    assert pacer.delay(1.0, now=105.0) == 0.0  # 4 s late: re-anchored
    assert pacer.delay(1.1, now=105.0) == pytest.approx(0.1)


def test_packets_relayed_before_the_first_frame_share_its_clock() -> None:
    clock = PtsClock()
    clock.restart(10.0)
    # the first access unit goes to the relay before it is decoded
    assert clock.map_raw(90000 / 90000) == pytest.approx(10.0)
    assert clock.map_raw((90000 + STEP) / 90000) == pytest.approx(10.0 + 1 / 30)
    assert feed(clock, [90000, 90000 + STEP]) == pytest.approx([10.0, 10.0 + 1 / 30])
    # a reconnect re-anchors at the new start, whatever the new stream's timestamps are
    clock.restart(20.0)
    assert clock.map_raw(5.0) == pytest.approx(20.0)
    assert feed(clock, [450000, 450000 + STEP]) == pytest.approx([20.0, 20.0 + 1 / 30])
