"""Retention planning, timeline arithmetic, dts from pts, parameter sets (pure functions)."""

from __future__ import annotations

import itertools
from pathlib import Path

from recording.annexb import parameter_sets, split_nals
from recording.retention import keep_free, plan_retention
from recording.settings import Policy
from recording.store import NewSegment, RecordingStore, Segment
from recording.timeline import bucket_counts, coverage
from recording.writer import DtsClock
from tests.recording.helpers import clip_packets

DAY = 86_400.0


def seg(i: int, start: float, end: float, size: int = 100, closed: bool = True) -> Segment:
    return Segment(i, "cam", f"cam/{i}.mp4", start, end, size, 320, 240, "h264", closed)


def policy(days: float | None, gb: float | None) -> Policy:
    return Policy(camera_id="cam", enabled=True, retain_days=days, retain_gb=gb, segment_s=60,
                  clip_pre_s=10, clip_post_s=10)


def test_retention_by_days_deletes_only_segments_older_than_the_horizon() -> None:
    now = 100 * DAY
    segs = [seg(3, now - 1 * DAY, now - 1 * DAY + 60), seg(1, now - 9 * DAY, now - 9 * DAY + 60),
            seg(2, now - 8 * DAY, now - 8 * DAY + 60)]
    doomed = plan_retention(segs, policy(7, None), now)
    assert [s.id for s in doomed] == [1, 2]  # oldest first


def test_retention_by_size_deletes_oldest_first_until_it_fits() -> None:
    segs = [seg(i, i * 60.0, i * 60.0 + 60, size=400_000_000) for i in range(5)]
    doomed = plan_retention(segs, policy(None, 1.0), 10_000)  # 2 GB held, 1 GB allowed
    assert [s.id for s in doomed] == [0, 1, 2]


def test_retention_never_deletes_the_open_segment() -> None:
    segs = [seg(0, 0, 60, size=10**10, closed=False), seg(1, 60, 120, size=10**10)]
    assert [s.id for s in plan_retention(segs, policy(0.0001, 0.001), 10 * DAY)] == [1]


def test_days_and_size_together() -> None:
    now = 30 * DAY
    segs = [seg(0, 0, 60, 10), seg(1, now - 60, now - 30, 600_000_000),
            seg(2, now - 30, now, 600_000_000)]
    assert [s.id for s in plan_retention(segs, policy(7, 1.0), now)] == [0, 1]


def test_coverage_merges_touching_segments_and_clips_to_the_window() -> None:
    segs = [seg(1, 0, 10), seg(2, 10.5, 20), seg(3, 50, 70)]
    assert coverage(segs, 5, 60) == [(5, 20), (50, 60)]


def test_bucket_counts() -> None:
    assert bucket_counts([0, 1, 9.99, 10, 5], 0, 10, 2) == [2, 2]  # 10 is outside


def test_dts_rises_and_never_passes_pts_with_b_frames() -> None:
    clock = DtsClock(2)
    pts = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8]
    dts = [clock.next(p, 1) for p in pts]
    assert all(b > a for a, b in itertools.pairwise(dts))
    assert all(d <= p for d, p in zip(dts, pts, strict=True))


def test_parameter_sets_of_a_keyframe(tmp_path: Path) -> None:
    packets = clip_packets(tmp_path, "c", seconds=1)
    key = packets[0]
    assert key.is_keyframe
    params = parameter_sets(key.data)
    assert params is not None
    assert params.sps[0] & 0x1F == 7
    assert params.pps[0] & 0x1F == 8
    assert parameter_sets(packets[1].data) is None
    assert [n[0] & 0x1F for n in split_nals(params.extradata)] == [7, 8]


def test_a_full_disk_deletes_the_oldest_finished_segments_of_any_camera(
    store: RecordingStore,
) -> None:
    for i, cam in enumerate(["b", "a", "b", "a"]):
        path = store.root / f"{cam}/{i}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
        store.add_segment(NewSegment(cam, f"{cam}/{i}.mp4", i * 60.0, i * 60.0 + 60, 10, 1, 1,
                                     "h264", closed=i < 3))
    free = {"bytes": 0}

    def fake_free(_: RecordingStore) -> int:
        return free["bytes"] + 25 * (4 - len(store.segments("a") + store.segments("b")))

    assert keep_free(store, 50, fake_free) == 2
    assert [s.path for s in store.segments("a") + store.segments("b")] == ["a/3.mp4", "b/2.mp4"]
    assert keep_free(store, 10_000, fake_free) == 1  # never the open one
    assert [s.path for s in store.segments("a")] == ["a/3.mp4"]
