"""Files played as live cameras: pacing, loop, analysis/view outputs, timestamps, resizes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from streams import CameraSource, CameraStatus, Frame, IngestManager

from .servers import ffmpeg, make_clip, wait_for

Make = Callable[..., IngestManager]


def collect(manager: IngestManager, cam: str, count: int, timeout: float = 20.0) -> list[Frame]:
    frames: list[Frame] = []
    seq = -1
    for _ in range(count * 10):
        frame = manager.wait_analysis(cam, seq, timeout)
        if frame is None:
            break
        frames.append(frame)
        seq = frame.seq
        if len(frames) >= count:
            break
    return frames


def assert_live_timing(frames: list[Frame], interval: float) -> None:
    """pts advance by the analysis interval and frames arrive when their pts say."""
    pts = [f.pts for f in frames]
    steps = [b - a for a, b in itertools.pairwise(pts)]
    assert all(s > 0 for s in steps), pts
    assert sum(steps) / len(steps) == pytest.approx(interval, rel=0.2)
    wall = frames[-1].captured_at - frames[0].captured_at
    assert wall == pytest.approx(pts[-1] - pts[0], abs=max(0.5, 0.25 * wall))


def test_file_camera_plays_at_native_rate_with_both_outputs(
    make_manager: Make, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "cam.mp4", seconds=4, fps=25, size="640x480")
    manager = make_manager()
    manager.add(CameraSource("cam", str(clip), analysis_width=320, analysis_fps=5))
    frames = collect(manager, "cam", 8)
    assert len(frames) == 8
    assert {f.image.shape for f in frames} == {(240, 320, 3)}
    assert [f.seq for f in frames] == sorted({f.seq for f in frames})
    assert_live_timing(frames, 0.2)
    assert wait_for(lambda: manager.latest_view("cam") is not None, 10)
    view = manager.latest_view("cam")
    assert view is not None
    assert view.image.shape == (480, 640, 3)
    assert not view.image.flags.writeable
    health = manager.health("cam")
    assert health is not None
    assert health.status is CameraStatus.ONLINE
    assert (health.width, health.height, health.codec) == (640, 480, "h264")
    assert wait_for(lambda: manager.health("cam").fps_decoded > 15, 5)  # type: ignore[union-attr]


def test_looped_file_keeps_pts_and_seq_monotonic(make_manager: Make, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "short.mp4", seconds=1, fps=25)
    manager = make_manager()
    manager.add(CameraSource("loop", str(clip), analysis_fps=10))
    frames = collect(manager, "loop", 25)  # 2.5 s: crosses the loop point twice
    assert len(frames) == 25
    assert all(b.seq > a.seq and b.pts > a.pts for a, b in itertools.pairwise(frames))
    assert_live_timing(frames, 0.1)
    health = manager.health("loop")
    assert health is not None
    assert health.status is CameraStatus.ONLINE
    assert health.reconnects == 0


def test_play_once_file_goes_offline_at_its_end(make_manager: Make, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "once.mp4", seconds=1, fps=25)
    manager = make_manager()
    manager.add(CameraSource("once", str(clip), loop=False))

    def ended() -> bool:
        h = manager.health("once")
        return h is not None and h.status is CameraStatus.OFFLINE and h.frames_decoded == 25

    assert wait_for(ended, 15)
    health = manager.health("once")
    assert health is not None
    assert health.last_error == "end of file (loop is off)"


def test_broken_timestamps_still_give_frames_at_the_right_times(
    make_manager: Make, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "src.mp4", seconds=6, fps=25)
    # MPEG-TS starting 2 s before the 33-bit pts wrap, with frames 30..32 given pts 20 s off
    jumpy = tmp_path / "jumpy.ts"
    ffmpeg(
        "-i", str(clip), "-c", "copy",
        "-bsf:v", "setts=pts=if(between(N\\,30\\,32)\\,PTS+1800000\\,PTS)",
        "-output_ts_offset", str(2**33 / 90000 - 2.0), "-f", "mpegts", str(jumpy),
    )  # fmt: skip
    # raw H.264: no pts at all (the demuxer declares 25 fps, the stream is 10 fps)
    raw = make_clip(tmp_path / "raw.h264", seconds=4, fps=10, extra=("-f", "h264"))
    manager = make_manager()
    manager.add(CameraSource("jumpy", str(jumpy), analysis_fps=5))
    manager.add(CameraSource("raw", str(raw), analysis_fps=5))
    for cam in ("jumpy", "raw"):
        frames = collect(manager, cam, 15)
        assert len(frames) == 15, cam
        assert_live_timing(frames, 0.2)


def test_wrong_declared_frame_rate_is_ignored(make_manager: Make, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "src.mp4", seconds=3, fps=25)
    # the same frames with pts 0.1 s apart (10 fps) while the H.264 header still says 25 fps
    slow = tmp_path / "slow.mkv"
    ffmpeg("-i", str(clip), "-c", "copy", "-bsf:v", "setts=ts=TS*5/2", str(slow))
    manager = make_manager()
    manager.add(CameraSource("slow", str(slow), analysis_fps=5))
    frames = collect(manager, "slow", 10)
    assert len(frames) == 10
    assert_live_timing(frames, 0.2)
    assert wait_for(lambda: 8 < manager.health("slow").fps_decoded < 12, 5)  # type: ignore[union-attr]


def test_resolution_change_mid_stream(make_manager: Make, tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a.ts", seconds=1.5, fps=25, size="320x240")
    b = make_clip(tmp_path / "b.ts", seconds=1.5, fps=25, size="480x360")
    both = tmp_path / "both.ts"
    both.write_bytes(a.read_bytes() + b.read_bytes())
    manager = make_manager()
    manager.add(CameraSource("resize", str(both), analysis_width=640, analysis_fps=10))
    frames = collect(manager, "resize", 40)
    shapes = [f.image.shape for f in frames]
    assert (240, 320, 3) in shapes
    assert (360, 480, 3) in shapes
    assert all(b.pts > a.pts for a, b in itertools.pairwise(frames))
    health = manager.health("resize")
    assert health is not None
    assert health.status is CameraStatus.ONLINE


def test_relay_gets_annexb_packets_from_a_keyframe(make_manager: Make, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "relay.mp4", seconds=2, fps=25, gop=10)
    manager = make_manager()
    manager.add(CameraSource("relay", str(clip)))
    assert wait_for(lambda: manager.codec_info("relay") is not None, 10)
    sub = manager.subscribe_packets("relay", max_packets=100)
    first = sub.get(10.0)
    assert first is not None
    assert first.is_keyframe
    assert first.data.startswith((b"\x00\x00\x00\x01", b"\x00\x00\x01"))
    info = sub.codec
    assert info is not None
    assert info.codec == "h264"
    assert info.annexb
    seqs = [first.seq]
    while len(seqs) < 15 and (p := sub.get(5.0)) is not None:
        seqs.append(p.seq)
    assert seqs == list(range(seqs[0], seqs[0] + 15))
    sub.close()


def test_packets_are_forwarded_only_while_subscribed(make_manager: Make, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "demand.mp4", seconds=2, fps=25, gop=10)
    manager = make_manager()
    manager.add(CameraSource("demand", str(clip)))
    worker = manager._get("demand")
    assert worker is not None
    assert wait_for(lambda: manager.codec_info("demand") is not None, 10)
    assert not worker.ring.relay_demand()
    assert worker.fanout.subscribers() == 0
    sub = manager.subscribe_packets("demand", max_packets=100)
    assert worker.ring.relay_demand()
    first = sub.get(10.0)  # the decoder's cached GOP: no wait for the next keyframe
    assert first is not None
    assert first.is_keyframe
    sub.close()
    assert not worker.ring.relay_demand()
