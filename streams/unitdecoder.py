"""Decoding behind the relay: a thread of the decoder process, at a lower CPU priority,
decodes the access units the RTP reader has already relayed (rtpsession.py).

The reader never waits for the decoder, and on a busy machine the kernel runs the reader
(and the server's relay) first. A decoder that falls far behind skips to the next keyframe
(counted as lost frames) instead of growing its backlog.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

import av
import av.error
from av.video.codeccontext import VideoCodecContext

from streams.datatypes import SourceError
from streams.publish import FramePublisher
from streams.timing import PtsClock

log = logging.getLogger(__name__)

TB_90K = Fraction(1, 90000)
MAX_BAD_UNITS = 100  # consecutive undecodable access units before the stream counts as corrupt
MAX_BACKLOG = 90  # units waiting to be decoded (3 s at 30 fps) before skipping ahead
NICE_STEP = 5  # how much lower than the reader the decoding thread runs


@dataclass(frozen=True)
class _Unit:
    data: bytes
    ticks: int  # unwrapped RTP timestamp, 90 kHz
    keyframe: bool


class UnitDecoder:
    """Owns thread ``cityeye-decode-<camera>``: ``put`` queues a unit, ``stop`` ends and joins
    the thread. ``error`` is set when the stream turned out undecodable."""

    def __init__(
        self, decoder: VideoCodecContext, out: FramePublisher, clock: PtsClock, camera_id: str
    ) -> None:
        self._decoder = decoder
        self._out = out
        self._clock = clock
        self._units: deque[_Unit] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._skip_to_key = False
        self._bad = 0
        self.error: SourceError | None = None
        self.skipped = 0
        self._thread = threading.Thread(
            target=self._run, name=f"cityeye-decode-{camera_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def put(self, data: bytes, ticks: int, keyframe: bool) -> None:
        with self._cond:
            if len(self._units) >= MAX_BACKLOG:
                self.skipped += len(self._units)
                self._units.clear()
                self._skip_to_key = True
            if self._skip_to_key and not keyframe:
                self.skipped += 1
                return
            self._skip_to_key = False
            self._units.append(_Unit(data, ticks, keyframe))
            self._cond.notify()

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stopping = True
            self._units.clear()
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # a lower priority is a wish, not a must
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE_STEP)
        while True:
            with self._cond:
                while not self._units and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                unit = self._units.popleft()
            if not self._decode(unit):
                return

    def _decode(self, unit: _Unit) -> bool:
        packet = av.Packet(unit.data)
        packet.pts = unit.ticks
        packet.time_base = TB_90K
        try:
            frames = self._decoder.decode(packet)
            self._bad = 0
        except av.error.FFmpegError:
            frames = []
            self._bad += 1
            if self._bad >= MAX_BAD_UNITS:
                self.error = SourceError("stream is corrupt: undecodable")
                return False
        for frame in frames:
            pts = self._clock.to_seconds(frame.pts, TB_90K)
            self._out.on_frame(frame, pts)
        return True
