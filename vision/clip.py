"""Reading a clip for offline analysis: one owned decoder thread, a bounded queue of frames
resized to the analysis width and thinned to the analysis rate (by pts)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipFrame:
    camera_id: str
    seq: int
    pts: float
    captured_at: float
    image: npt.NDArray[np.uint8] = field(repr=False)


@dataclass(frozen=True)
class _End:
    error: str | None = None


def resize_to_width(image: npt.NDArray[np.uint8], width: int | None) -> npt.NDArray[np.uint8]:
    h, w = image.shape[:2]
    if width is None or width >= w:
        return image
    height = max(2, round(h * width / w / 2) * 2)
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))


class ClipReader:
    """Iterate `ClipFrame`s of `source` (file path or URL PyAV opens). `fps` None or 0: every
    frame. `t0`: wall-clock time of pts 0 (captured_at = t0 + pts). Use as a context manager
    (or call `close()`): the decoder thread is stopped and joined."""

    def __init__(
        self,
        source: str | Path,
        camera_id: str = "clip",
        fps: float | None = None,
        width: int | None = 640,
        t0: float = 0.0,
        queue_size: int = 16,
    ) -> None:
        self._source = str(source)
        self._camera_id = camera_id
        self._fps = fps or None
        self._width = width
        self._t0 = t0
        self._q: queue.Queue[ClipFrame | _End] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.decoded = 0
        self.error: str | None = None

    def __enter__(self) -> ClipReader:
        self._thread = threading.Thread(target=self._decode, name="clip-decoder", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        while True:  # unblock a decoder waiting on a full queue
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("clip decoder did not stop within %.1f s", timeout)
            self._thread = None

    def __iter__(self) -> Iterator[ClipFrame]:
        while True:
            item = self._q.get()
            if isinstance(item, _End):
                self.error = item.error
                return
            yield item

    def _put(self, item: ClipFrame | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _decode(self) -> None:
        import av

        error: str | None = None
        try:
            with av.open(self._source) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                self._read(container, stream)
        except (av.error.FFmpegError, OSError) as exc:
            error = f"cannot decode {self._source}: {exc}"
            log.error("%s", error)
        self._put(_End(error))

    def _read(self, container: Any, stream: Any) -> None:
        next_t = 0.0
        seq = 0
        base: float | None = None
        for frame in container.decode(stream):
            if self._stop.is_set():
                return
            self.decoded += 1
            t = float(frame.time) if frame.time is not None else self.decoded / 30.0
            base = t if base is None else base
            t -= base
            if self._fps is not None and t + 1e-6 < next_t:
                continue
            if self._fps is not None:
                next_t += 1.0 / self._fps
                while next_t <= t:
                    next_t += 1.0 / self._fps
            img = resize_to_width(frame.to_ndarray(format="bgr24"), self._width)
            img.flags.writeable = False
            seq += 1
            item = ClipFrame(self._camera_id, seq, t, self._t0 + t, img)
            if not self._put(item):
                return
