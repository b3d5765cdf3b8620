"""HTTP fallback for networks where WebRTC cannot connect: MJPEG over one HTTP response.

One JPEG encoder thread per camera (``cityeye-mjpeg-<camera>``), shared by all of that
camera's fallback viewers and running only while it has viewers. Every picture carries its
pts ticks, and overlays are interleaved in the same stream, so the page matches them exactly.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from streams.webrtc.feed import PacketSource
from streams.webrtc.packets import to_ticks
from streams.webrtc.settings import LiveSettings

log = logging.getLogger(__name__)

MAX_PENDING_OVERLAYS = 16


@dataclass(frozen=True)
class JpegPicture:
    ticks: int
    pts: float
    captured_at: float
    width: int
    height: int
    jpeg: bytes


class MjpegSubscription:
    """A fallback viewer's pending items (event loop only): the newest picture wins; overlays
    queue (bounded) and come out first."""

    def __init__(self) -> None:
        self._picture: JpegPicture | None = None
        self._overlays: deque[str] = deque(maxlen=MAX_PENDING_OVERLAYS)
        self._ready = asyncio.Event()
        self.closed = False
        self.pictures = 0

    def put_picture(self, picture: JpegPicture) -> None:
        self._picture = picture
        self._ready.set()

    def put_overlay(self, text: str) -> None:
        self._overlays.append(text)
        self._ready.set()

    async def next(self) -> JpegPicture | str | None:
        """The next overlay or picture; None once closed (callers bound the wait)."""
        while not self._overlays and self._picture is None and not self.closed:
            self._ready.clear()
            await self._ready.wait()
        if self._overlays:
            return self._overlays.popleft()
        picture, self._picture = self._picture, None
        if picture is not None:
            self.pictures += 1
        return picture

    def close(self) -> None:
        self.closed = True
        self._ready.set()


def encode_jpeg(image: npt.NDArray[np.uint8], max_width: int, quality: int) -> bytes | None:
    height, width = image.shape[:2]
    if width > max_width:
        size = (max_width, max(2, round(height * max_width / width)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes() if ok else None


class MjpegFeed:
    def __init__(
        self,
        camera_id: str,
        source: PacketSource,
        settings: LiveSettings,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.camera_id = camera_id
        self._source = source
        self._settings = settings
        self._loop = loop
        self._stop = threading.Event()
        self._subs: list[MjpegSubscription] = []
        self.pictures_encoded = 0
        self._thread = threading.Thread(
            target=self._run, name=f"cityeye-mjpeg-{camera_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    async def aclose(self) -> None:
        self._stop.set()
        for sub in self._subs:
            sub.close()
        self._subs.clear()
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join, self._settings.feed_stop_timeout_s)

    def subscribe(self) -> MjpegSubscription:
        sub = MjpegSubscription()
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: MjpegSubscription) -> None:
        sub.close()
        if sub in self._subs:
            self._subs.remove(sub)

    def viewers(self) -> int:
        return len(self._subs)

    def overlay(self, text: str) -> None:
        for sub in self._subs:
            sub.put_overlay(text)

    def _dispatch(self, picture: JpegPicture) -> None:
        for sub in self._subs:
            sub.put_picture(picture)

    def _run(self) -> None:
        s = self._settings
        interval = 1.0 / s.mjpeg_fps
        last_seq = -1
        next_due = time.monotonic()
        while not self._stop.is_set():
            wait = next_due - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                break
            frame = self._source.latest_view(self.camera_id)
            if frame is None or frame.seq == last_seq:
                next_due = time.monotonic() + 0.01
                continue
            last_seq = frame.seq
            next_due = max(next_due + interval, time.monotonic() + interval / 2)
            jpeg = encode_jpeg(frame.image, s.mjpeg_max_width, s.mjpeg_quality)
            if jpeg is None:
                continue
            self.pictures_encoded += 1
            picture = JpegPicture(to_ticks(frame.pts), frame.pts, frame.captured_at,
                                  frame.width, frame.height, jpeg)
            try:
                self._loop.call_soon_threadsafe(self._dispatch, picture)
            except RuntimeError:  # loop closed: server going away
                break
