"""Small real video clips generated at test time with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_clip(
    path: Path, *, seconds: float = 2.0, fps: int = 25, width: int = 320, height: int = 240,
    hevc: bool = False,
) -> Path:
    """An H.264 (`hevc`: H.265) clip of a square moving over a gradient (every frame differs),
    one keyframe a second, no B-frames."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx265" if hevc else "libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        if hevc:
            stream.options = {"preset": "ultrafast", "x265-params": (
                f"keyint={fps}:min-keyint={fps}:scenecut=0:bframes=0:log-level=error")}
        else:
            stream.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(fps)}
        base = np.tile(np.linspace(0, 255, width, dtype=np.uint8), (height, 1))
        for i in range(int(seconds * fps)):
            img = np.dstack([base, np.roll(base, i * 4, axis=1), base[:, ::-1]]).copy()
            x = (i * 7) % max(1, width - 40)
            img[height // 3 : height // 3 + 40, x : x + 40] = (255, 255, 255)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
