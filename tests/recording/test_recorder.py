"""CameraRecorder on the real relay fan-out: segments cut on keyframes, late first packet,
size change, B-frames, crash repair and reindexing; every recorder thread is stopped."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from recording.annexb import parameter_sets
from recording.cut import CutError, cut
from recording.mp4file import complete_length
from recording.recorder import CameraRecorder
from recording.service import reindex
from recording.store import NewSegment, RecordingStore, Segment
from recording.writer import SegmentSpec, SegmentWriter
from streams import EncodedPacket
from tests.recording.helpers import (
    FanoutSource,
    annexb_packets,
    clip_packets,
    decode_frames,
    wait_for,
)


@pytest.fixture
def source() -> FanoutSource:
    return FanoutSource("cam")


@pytest.fixture
def recorder(source: FanoutSource, store: RecordingStore) -> Iterator[CameraRecorder]:
    rec = CameraRecorder("cam", source, store, segment_s=2, idle_close_s=2.0)
    rec.start()
    yield rec
    assert rec.stop(5.0), "the recorder thread did not stop"
    assert not rec.alive


def closed_segments(store: RecordingStore, n: int) -> list[Segment]:
    return wait_for(lambda: [s for s in store.segments("cam") if s.closed]
                    if len([s for s in store.segments("cam") if s.closed]) >= n else None,
                    30, f"{n} closed segments")


def boxes(path: Path) -> list[bytes]:
    data, out, i = path.read_bytes(), [], 0
    while i + 8 <= len(data):
        out.append(data[i + 4:i + 8])
        i += int.from_bytes(data[i:i + 4], "big")
    return out


def test_segments_are_cut_on_keyframes_and_play(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    source.publish(clip_packets(tmp_path, "a", seconds=6))
    segs = closed_segments(store, 3)  # the idle timeout closes the last one
    assert segs[0].start == pytest.approx(1000.0)
    assert [round(s.duration) for s in segs] == [2, 2, 2]
    for a, b in itertools.pairwise(segs):
        assert b.start == pytest.approx(a.end, abs=0.05)  # no gap, no overlap
    for s in segs:
        path = store.root / s.path
        frames, width, height, tag = decode_frames(path)
        assert (frames, width, height, tag) == (50, 320, 240, "avc1")
        assert s.bytes == path.stat().st_size
        assert {b"moov", b"moof", b"mdat"} <= set(boxes(path))  # fragmented MP4
        assert s.path.startswith("cam/19700101/0016")


def test_segments_meet_when_capture_times_jitter(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    """Capture times jitter around the media clock (packets read in bursts) and a looped file
    reopens late: each segment starts at its first packet's capture time and the one before
    ends there, so no moment between them is unrecorded. A pause longer than MEET_S stays a
    hole."""
    clip = clip_packets(tmp_path, "a", seconds=6)  # a keyframe each second, 25 fps
    jitter = (0.0, -0.12, 0.09)

    def play(captured_from: float) -> list[EncodedPacket]:
        return [EncodedPacket(p.camera_id, p.seq, p.data, p.pts, p.is_keyframe,
                              captured_from + (p.pts or 0.0) + jitter[i % 3])
                for i, p in enumerate(clip)]

    for begin in (1000.0, 1006.07, 1013.0):  # pts start again at 0 on each loop
        source.publish(play(begin))
    segs = closed_segments(store, 9)
    # cut every 2 s of media, at the keyframes 0, 50 and 100 of each loop (jitter 0, +.09, -.12)
    assert [round(s.start - 1000, 2) for s in segs] == [
        0, 2.09, 3.88, 6.07, 8.16, 9.95, 13.0, 15.09, 16.88]
    for a, b in itertools.pairwise(segs[:6]):
        assert a.end == b.start  # no hole, no overlap
    assert segs[5].end == pytest.approx(segs[5].start + 2.0)  # 1.05 s before the next: a pause
    assert segs[8].end == pytest.approx(segs[8].start + 2.0)  # the last one: its media
    assert sum(decode_frames(store.root / s.path)[0] for s in segs) == 3 * len(clip)


def test_first_packet_late_and_mid_gop(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    packets = clip_packets(tmp_path, "a", seconds=4)
    wait_for(lambda: source.fanout.subscribers() > 0, 10, "the recorder to subscribe")
    source.publish(packets[5:])  # joins mid-GOP: recording starts at the next keyframe
    segs = closed_segments(store, 1)
    assert segs[0].start == pytest.approx(1001.0)


def test_size_change_starts_a_new_segment(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    source.publish(clip_packets(tmp_path, "a", seconds=1))
    source.publish(clip_packets(tmp_path, "b", seconds=1, width=160, height=120), shift=1.0)
    segs = closed_segments(store, 2)
    assert [(s.width, s.height) for s in segs] == [(320, 240), (160, 120)]
    assert [decode_frames(store.root / s.path)[1:3] for s in segs] == [(320, 240), (160, 120)]


def b_frame_clip(path: Path, seconds: int = 4, fps: int = 25) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "g": str(fps), "bf": "2",
                          "x264-params": "b-adapt=0:scenecut=0"}
        for i in range(seconds * fps):
            img = np.full((120, 160, 3), (i * 9) % 255, dtype=np.uint8)
            img[40:80, (i * 3) % 120:(i * 3) % 120 + 40] = 255
            for p in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return path


def test_b_frames_are_recorded_with_a_dts_delay(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    packets = annexb_packets(b_frame_clip(tmp_path / "b.mp4"))
    assert any(b.pts is not None and a.pts is not None and b.pts < a.pts
               for a, b in itertools.pairwise(packets)), "clip has no B-frames"
    source.publish(packets)

    def recorded_frames() -> int | None:
        if store.open_segments():
            return None
        frames = sum(decode_frames(store.root / s.path)[0] for s in store.segments("cam"))
        return frames if frames >= 100 else None

    # The first GOP shows the B-frames: its segment restarts from the keyframe with a dts
    # delay, so every frame is recorded, from the first one.
    assert wait_for(recorded_frames, 30, "all 100 frames recorded") == 100
    assert store.segments("cam")[0].start == packets[0].captured_at
    assert recorder.skipped == 0


def test_h265_cameras_are_recorded_and_cut_too(tmp_path: Path, store: RecordingStore) -> None:
    source = FanoutSource("cam", codec="hevc")
    rec = CameraRecorder("cam", source, store, segment_s=2, idle_close_s=2.0)
    rec.start()
    try:
        source.publish(clip_packets(tmp_path, "h", seconds=5, hevc=True))

        def recorded() -> list[Segment] | None:
            segs = store.segments("cam")
            done = all(x.closed for x in segs) and sum(x.end - x.start for x in segs) > 4.9
            return segs if done else None

        segs = wait_for(recorded, 30, "5 s of H.265 segments")
    finally:
        assert rec.stop(10)
    assert rec.last_error is None
    assert {s.codec for s in segs} == {"hevc"}
    decoded = [decode_frames(store.root / s.path) for s in segs]
    assert sum(d[0] for d in decoded) == 125  # every frame, 5 s at 25 fps
    assert {d[1:] for d in decoded} == {(320, 240, "hev1")}
    dest = tmp_path / "clip.mp4"
    result = cut(store.root, segs, 1001.5, 1003.5, dest)
    frames, width, _, tag = decode_frames(dest)
    assert (width, tag) == (320, "hev1")
    assert result.start == pytest.approx(1001.0)  # the keyframe before
    assert frames == round((result.end - result.start) * 25)


def test_a_segment_cut_by_a_crash_is_repaired_and_reindexed(
    tmp_path: Path, store: RecordingStore
) -> None:
    packets = clip_packets(tmp_path, "a", seconds=3)
    params = parameter_sets(packets[0].data)
    assert params is not None
    rel = "cam/19700101/001640-0000.mp4"
    writer = SegmentWriter(SegmentSpec(store.root / rel, 1000.0, 0.0, params, 320, 240))
    for p in packets:
        writer.write(p)
    writer.close()
    full = (store.root / rel).read_bytes()
    seg_id = store.add_segment(NewSegment("cam", rel, 1000.0, 1000.0, 0, 320, 240, "h264", False))
    (store.root / rel).write_bytes(full[: int(len(full) * 0.8)])  # the crash
    orphan = "cam/19700101/001700-0003.mp4"
    shutil.copyfile(store.root / rel, store.root / orphan)  # a file the DB lost
    closed, added = reindex(store)
    assert (closed, added) == (1, 1)
    segs = store.segments("cam")
    assert next(s.id for s in segs) == seg_id
    assert all(s.closed for s in segs)
    for s in segs:
        path = store.root / s.path
        assert complete_length(path) == path.stat().st_size
        frames = decode_frames(path)[0]
        assert 25 <= frames < 75  # whole GOPs up to the cut
        assert s.start == pytest.approx(1000.0)  # from the file's own metadata
        assert s.end == pytest.approx(1000.0 + frames / 25, abs=0.05)
    assert reindex(store) == (0, 0)


def test_a_clip_across_segments_starts_at_the_keyframe_before(
    tmp_path: Path, source: FanoutSource, store: RecordingStore, recorder: CameraRecorder
) -> None:
    source.publish(clip_packets(tmp_path, "a", seconds=6))
    segs = closed_segments(store, 3)
    res = cut(store.root, segs, 1001.5, 1004.5, tmp_path / "clip.mp4")
    assert res.start == pytest.approx(1001.0)  # the keyframe at or before t0
    assert res.end == pytest.approx(1004.54, abs=0.05)
    frames, width, _, tag = decode_frames(tmp_path / "clip.mp4")
    assert frames == res.packets == round((res.end - res.start) * 25)
    assert (width, tag) == (320, "avc1")
    with pytest.raises(CutError, match="nothing was recorded"):
        cut(store.root, segs, 2000, 2010, tmp_path / "none.mp4")
