"""Marker-bit RTP ingest: rtsp:// cameras (TCP and UDP) and RTP/UDP streams described by an
SDP file are read by CityEye's own RTP client; each access unit reaches the relay before it
is decoded, on the same pts clock as the decoded frames. Other codecs fall back to FFmpeg."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from streams import CameraSource, CameraStatus, EncodedPacket, Frame, IngestManager
from streams.relay import PacketSubscription

from .servers import RtspServer, ffmpeg, free_port, make_clip, running, stop_process, wait_for

Make = Callable[..., IngestManager]
MALL = "videos/mall_entrance_zayed.mp4"


def analysis_frames(manager: IngestManager, cam: str, count: int) -> list[Frame]:
    frames: list[Frame] = []
    seq = -1
    while len(frames) < count:
        frame = manager.wait_analysis(cam, seq, 20)
        assert frame is not None, manager.health(cam)
        frames.append(frame)
        seq = frame.seq
    return frames


def subscribe(manager: IngestManager, cam: str) -> tuple[PacketSubscription, EncodedPacket]:
    """Subscribe and wait for the first packet: a camera forwards packets only while somebody
    subscribed, so the first one comes at the next keyframe."""
    sub = manager.subscribe_packets(cam, 600)
    first = sub.get(20.0)
    assert first is not None, manager.health(cam)
    return sub, first


def drain(sub: PacketSubscription) -> list[EncodedPacket]:
    """What is queued now (a live stream never runs dry)."""
    out: list[EncodedPacket] = []
    for _ in range(sub.pending()):
        packet = sub.get(0.0)
        if packet is not None:
            out.append(packet)
    return out


def assert_relayed_before_decoded(packets: list[EncodedPacket], frames: list[Frame]) -> None:
    """Every analysis frame has a relayed access unit with the same pts, handed to the
    relay no later than the frame was decoded (relay first, decode after)."""
    by_pts = {round(p.pts, 4): p for p in packets if p.pts is not None}
    matched = 0
    for frame in frames:
        packet = by_pts.get(round(frame.pts, 4))
        if packet is None:
            continue  # relayed before we subscribed (the subscription starts at a keyframe)
        matched += 1
        assert packet.captured_at <= frame.captured_at, (packet.pts, frame.pts)
    assert matched >= len(frames) // 2, (sorted(by_pts)[:5], [f.pts for f in frames])


def assert_rtp_path(manager: IngestManager, cam: str, packets: list[EncodedPacket]) -> None:
    info = manager.codec_info(cam)
    assert info is not None
    assert (info.codec, info.demuxer, info.annexb) == ("h264", "rtp", True)
    assert packets[0].is_keyframe
    assert packets[0].data.startswith(b"\x00\x00\x00\x01")
    seqs = [p.seq for p in packets]
    assert seqs == sorted(seqs)


@pytest.mark.media
@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_rtsp_camera_is_relayed_on_the_marker_bit(
    make_manager: Make, media_dir: Path, transport: str
) -> None:
    server = RtspServer(media_dir / MALL).start()
    with running(server):
        manager = make_manager()
        manager.add(CameraSource("cam", server.url, transport=transport))  # type: ignore[arg-type]
        assert wait_for(lambda: manager.codec_info("cam") is not None, 20)
        sub, first = subscribe(manager, "cam")
        frames = analysis_frames(manager, "cam", 6)
        packets = [first, *drain(sub)]
        sub.close()
        assert_rtp_path(manager, "cam", packets)
        assert_relayed_before_decoded(packets, frames)
        steps = [b.pts - a.pts for a, b in itertools.pairwise(frames)]
        assert all(s == pytest.approx(0.2, abs=0.05) for s in steps), steps  # 5 fps by pts
        health = manager.health("cam")
        assert health is not None
        assert (health.status, health.width, health.height) == (CameraStatus.ONLINE, 640, 360)


def rtp_sender(clip: Path, port: int, sdp: Path) -> subprocess.Popen[bytes]:
    cmd = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
        "-i", str(clip), "-an", "-c", "copy", "-f", "rtp", "-sdp_file", str(sdp),
        f"rtp://127.0.0.1:{port}",
    ]  # fmt: skip
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)


def test_sdp_camera_over_rtp_udp(make_manager: Make, tmp_path: Path) -> None:
    clip = tmp_path / "cam.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0",
        "-g", "25", "-pix_fmt", "yuv420p", str(clip),
    )  # fmt: skip
    port = free_port() & ~1  # RTP on an even port
    sdp = tmp_path / "cam.sdp"
    sender = rtp_sender(clip, port, sdp)
    try:
        assert wait_for(lambda: sdp.exists() and "m=video" in sdp.read_text(), 20)
        manager = make_manager()
        manager.add(CameraSource("sdp", str(sdp), analysis_width=160))
        assert wait_for(lambda: manager.codec_info("sdp") is not None, 20)
        sub, first = subscribe(manager, "sdp")
        frames = analysis_frames(manager, "sdp", 6)
        packets = [first, *drain(sub)]
        sub.close()
        assert_rtp_path(manager, "sdp", packets)
        assert_relayed_before_decoded(packets, frames)
        assert {f.image.shape for f in frames} == {(120, 160, 3)}
        # no B-frames: relayed pts step one frame (1/25 s) at a time, in order
        pts = [p.pts for p in packets if p.pts is not None]
        steps = [b - a for a, b in itertools.pairwise(pts)]
        assert steps
        assert all(s == pytest.approx(0.04, abs=1e-3) for s in steps), steps[:10]
    finally:
        stop_process(sender)


@pytest.mark.media
def test_non_h264_rtsp_falls_back_to_ffmpeg(make_manager: Make, tmp_path: Path) -> None:
    clip = tmp_path / "hevc.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=0",
        "-pix_fmt", "yuv420p", "-tag:v", "hvc1", str(clip),
    )  # fmt: skip
    server = RtspServer(clip, codec="h265").start()
    with running(server):
        manager = make_manager()
        manager.add(CameraSource("hevc", server.url))
        assert len(analysis_frames(manager, "hevc", 3)) == 3
        info = manager.codec_info("hevc")
        assert info is not None
        assert (info.codec, info.demuxer) == ("hevc", "ffmpeg")
        assert manager.health("hevc").status is CameraStatus.ONLINE  # type: ignore[union-attr]


def test_sdp_of_another_codec_falls_back_to_ffmpeg(make_manager: Make, tmp_path: Path) -> None:
    clip = tmp_path / "mpeg4.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
        "-c:v", "mpeg4", "-bf", "0", str(clip),
    )  # fmt: skip
    port = free_port() & ~1
    sdp = tmp_path / "mpeg4.sdp"
    sender = rtp_sender(clip, port, sdp)
    try:
        assert wait_for(lambda: sdp.exists() and "m=video" in sdp.read_text(), 20)
        manager = make_manager()
        manager.add(CameraSource("mp4v", f"file://{sdp}"))
        assert len(analysis_frames(manager, "mp4v", 2)) == 2
        info = manager.codec_info("mp4v")
        assert info is not None
        assert (info.codec, info.demuxer) == ("mpeg4", "ffmpeg")
    finally:
        stop_process(sender)


def test_ffmpeg_path_relays_each_packet_before_decoding_it(
    make_manager: Make, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "cam.mp4", seconds=3, fps=25)
    manager = make_manager()
    manager.add(CameraSource("file", str(clip)))
    assert wait_for(lambda: manager.codec_info("file") is not None, 20)
    sub, first = subscribe(manager, "file")
    frames = analysis_frames(manager, "file", 5)
    packets = [first, *drain(sub)]
    sub.close()
    info = manager.codec_info("file")
    assert info is not None
    assert (info.codec, info.demuxer) == ("h264", "ffmpeg")
    assert_relayed_before_decoded(packets, frames)
