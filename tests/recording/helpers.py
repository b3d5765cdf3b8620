"""Encoded packets from generated clips, a packet source built on the real relay fan-out,
and small waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import av

from streams import CameraHealth, EncodedPacket, PacketSubscription, StreamCodecInfo
from streams.relay import PacketFanout
from tests.media import make_clip

T = TypeVar("T")


def annexb_packets(clip: Path, camera_id: str = "cam") -> list[EncodedPacket]:
    """The clip's packets as the relay carries them (Annex B, SPS/PPS before keyframes),
    captured_at = 1000 s + pts."""
    out: list[EncodedPacket] = []
    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        bsf = av.BitStreamFilterContext(f"{stream.codec_context.name}_mp4toannexb",
                                        in_stream=stream)
        for p in c.demux(stream):
            if not p.size or p.pts is None or p.time_base is None:
                continue
            pts, key = float(p.pts * p.time_base), p.is_keyframe
            for q in bsf.filter(p):
                out.append(EncodedPacket(camera_id, len(out), bytes(q), pts, key, 1000.0 + pts))
    return out


def clip_packets(tmp: Path, name: str, **kw: int | float | bool) -> list[EncodedPacket]:
    return annexb_packets(make_clip(tmp / f"{name}.mp4", **kw))  # type: ignore[arg-type]


class FanoutSource:
    """`subscribe_packets` / `codec_info` / `healths` over a real `PacketFanout`."""

    def __init__(self, camera_id: str = "cam", codec: str = "h264") -> None:
        self.camera_id = camera_id
        self.fanout = PacketFanout(camera_id, 600)
        self.fanout.set_codec(StreamCodecInfo(codec, 0, 0, b"", True, "rtp"))

    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription:
        if camera_id != self.camera_id:
            raise KeyError(camera_id)
        return self.fanout.subscribe(max_packets)

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None:
        return self.fanout.codec

    def healths(self) -> list[CameraHealth]:
        return []

    def publish(self, packets: list[EncodedPacket], shift: float = 0.0) -> None:
        for p in packets:
            self.fanout.publish(EncodedPacket(p.camera_id, p.seq, p.data,
                                              None if p.pts is None else p.pts + shift,
                                              p.is_keyframe, p.captured_at + shift))


def wait_for(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def decode_frames(path: Path) -> tuple[int, int, int, str]:
    """(frames decoded, width, height, codec tag) of an MP4 file."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        tag = stream.codec_tag
        frames = list(c.decode(stream))
    return len(frames), frames[0].width if frames else 0, frames[0].height if frames else 0, tag
