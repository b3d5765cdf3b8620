"""Encode-once path: cameras the browser cannot take as they are (not H.264, or H.264 with
B-frames) are encoded to constrained-baseline H.264 once per camera, never once per viewer."""

from __future__ import annotations

import logging
from fractions import Fraction

import av
import av.error
from av.video.codeccontext import VideoCodecContext
from av.video.frame import PictureType

from streams.datatypes import Frame
from streams.webrtc.packets import VIDEO_CLOCK_HZ, RelayPacket, to_ticks

log = logging.getLogger(__name__)


def target_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """The encoded size: at most ``max_width`` wide, aspect kept, both sides even."""
    if width > max_width:
        height = round(height * max_width / width)
        width = max_width
    return max(2, width - width % 2), max(2, height - height % 2)


class FrameEncoder:
    """libx264 (ultrafast, zero latency, no B-frames); one instance per camera feed, used
    from that feed's thread only."""

    def __init__(self, max_width: int, bitrate: int, keyint_s: float) -> None:
        self._max_width = max_width
        self._bitrate = bitrate
        self._keyint_s = keyint_s
        self._ctx: VideoCodecContext | None = None
        self._size: tuple[int, int] | None = None
        self._last_ticks: int | None = None
        self.frames = 0

    def _open(self, size: tuple[int, int]) -> VideoCodecContext:
        ctx = av.CodecContext.create("libx264", "w")
        assert isinstance(ctx, VideoCodecContext)
        ctx.width, ctx.height = size
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = Fraction(1, VIDEO_CLOCK_HZ)
        ctx.framerate = Fraction(30, 1)
        ctx.bit_rate = self._bitrate
        keyint = max(1, round(self._keyint_s * 30))
        ctx.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "profile": "baseline",
            "x264-params": f"keyint={keyint}:min-keyint={keyint}:scenecut=0:repeat-headers=1",
        }
        ctx.open()
        log.info("encoder opened: %dx%d, %d kbit/s", size[0], size[1], self._bitrate // 1000)
        return ctx

    def encode(self, frame: Frame, keyframe: bool = False) -> list[RelayPacket]:
        size = target_size(frame.width, frame.height, self._max_width)
        if self._ctx is None or size != self._size:
            self._ctx, self._size = self._open(size), size
            keyframe = True
        ticks = to_ticks(frame.pts)
        if self._last_ticks is not None and ticks <= self._last_ticks:
            return []  # same or older frame: nothing new to send
        self._last_ticks = ticks
        picture = av.VideoFrame.from_ndarray(frame.image, format="bgr24")
        picture = picture.reformat(width=size[0], height=size[1], format="yuv420p")
        picture.pts = ticks
        picture.time_base = Fraction(1, VIDEO_CLOCK_HZ)
        picture.pict_type = PictureType.I if keyframe else PictureType.NONE
        try:
            packets = self._ctx.encode(picture)
        except av.error.FFmpegError as exc:
            log.warning("%s: encoding failed: %s", frame.camera_id, exc)
            self._ctx = None
            return []
        self.frames += 1
        return [
            RelayPacket.cut(
                int(p.pts) if p.pts is not None else ticks, bytes(p), p.is_keyframe,
                frame.captured_at,
            )
            for p in packets
            if p.size
        ]

    def close(self) -> None:
        self._ctx = None
