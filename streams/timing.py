"""Timestamps: trust pts (not the header), repair missing/backward/wrapping pts, pace files."""

from __future__ import annotations

from collections import deque
from fractions import Fraction

FALLBACK_FPS = 25.0


class PtsClock:
    """Maps raw stream pts to monotonic seconds starting at ``start``.

    * missing pts: extrapolated by one frame duration;
    * one off-track pts (backward, duplicate, or a jump of more than ``jump_s``) is replaced
      by the extrapolated time; two consecutive off-track pts that agree with each other are a
      real discontinuity (wrap-around, stream restart, file loop) and the clock is rebased so
      output keeps its spacing;
    * the frame duration is the span of recent pts over their count (robust to frames that
      come out of the decoder slightly out of order), so a wrong declared rate in the header
      does not matter once pts are seen (the header is only a first guess).
    """

    def __init__(self, declared_fps: float | None = None, jump_s: float = 5.0) -> None:
        self._declared = declared_fps if declared_fps and 0 < declared_fps < 1000 else None
        self._jump = jump_s
        self._offset = 0.0
        self._start = 0.0
        self._last_out: float | None = None
        self._pending_raw: float | None = None
        self._anchored = False  # offset set by map_raw before the first frame
        self._window: deque[float] = deque(maxlen=61)  # raw pts of the current timeline
        self.repaired = 0  # frames whose pts were missing or off-track

    @property
    def last(self) -> float | None:
        return self._last_out

    def _measured_duration(self) -> float | None:
        if len(self._window) < 3:
            return None
        span = max(self._window) - min(self._window)
        return span / (len(self._window) - 1) if span > 0 else None

    def frame_duration(self) -> float:
        measured = self._measured_duration()
        return measured if measured is not None else 1.0 / (self._declared or FALLBACK_FPS)

    def measured_fps(self) -> float | None:
        measured = self._measured_duration()
        return 1.0 / measured if measured else None

    def _observe(self, raw: float) -> None:
        if self._window and abs(raw - self._window[-1]) > self._jump:
            return
        self._window.append(raw)

    def hint_rate(self, declared_fps: float | None) -> None:
        """The container/codec's declared rate: used only until pts steps are seen."""
        if declared_fps and 0 < declared_fps < 1000:
            self._declared = declared_fps

    def map_raw(self, raw_seconds: float) -> float:
        """A raw stream time (e.g. a packet's pts) on this clock's output timeline.

        Before the first frame of a connection (packets are relayed before they are
        decoded) the first raw time seen anchors the timeline at the restart point, and the
        first frame's pts then follows that anchor."""
        if self._last_out is None and not self._anchored:
            self._offset = self._start - raw_seconds
            self._anchored = True
        return raw_seconds + self._offset

    def restart(self, start: float) -> None:
        """A new connection or source: continue at ``start`` whatever its first pts is."""
        self._start = start
        self._last_out = None
        self._pending_raw = None
        self._anchored = False

    def to_seconds(self, pts: int | None, time_base: Fraction | None) -> float:
        raw = float(pts * time_base) if pts is not None and time_base is not None else None
        last = self._last_out
        if last is None:
            out = self._start
            self._window.clear()
            if raw is None:
                self.repaired += 1
            elif self._anchored:
                out = max(out, raw + self._offset)
                self._observe(raw)
            else:
                self._offset = out - raw
                self._observe(raw)
        elif raw is None:
            out = last + self.frame_duration()
            self.repaired += 1
        else:
            candidate = raw + self._offset
            self._observe(raw)
            if last < candidate <= last + self._jump:
                out = candidate
                self._pending_raw = None
            else:
                out = last + self.frame_duration()
                self.repaired += 1
                pending = self._pending_raw
                if pending is not None and 0 < raw - pending <= self._jump:
                    self._offset = out - raw  # a real discontinuity: new timeline
                    self._pending_raw = None
                    if abs(raw - self._window[-1]) > self._jump:
                        self._window.clear()
                        self._window.extend((pending, raw))
                else:
                    self._pending_raw = raw
        self._last_out = out
        return out


class Pacer:
    """Paces a file (or HLS) like a live camera: frame at pts is due at anchor + pts."""

    def __init__(self, max_lag_s: float = 1.0, max_ahead_s: float = 2.0) -> None:
        self._anchor: float | None = None
        self._max_lag = max_lag_s
        self._max_ahead = max_ahead_s

    def reset(self) -> None:
        self._anchor = None

    def delay(self, pts: float, now: float) -> float:
        """Seconds to wait before the frame at ``pts`` is shown (0 if due or late)."""
        if self._anchor is None:
            self._anchor = now - pts
            return 0.0
        wait = self._anchor + pts - now
        if wait < -self._max_lag or wait > self._max_ahead:
            # fell far behind (slow machine) or pts jumped: re-anchor instead of bursting
            self._anchor = now - pts
            return 0.0
        return max(wait, 0.0)


class RateGate:
    """Selects frames for a lower-rate stream by pts (e.g. 5 fps analysis from 30 fps)."""

    def __init__(self, fps: float) -> None:
        self._interval = 1.0 / fps
        self._next: float | None = None

    def reset(self) -> None:
        self._next = None

    def take(self, pts: float) -> bool:
        nxt = self._next
        if nxt is not None and pts < nxt - 1e-3:
            return False
        if nxt is None or pts - nxt >= self._interval:
            self._next = pts + self._interval
        else:
            self._next = nxt + self._interval
        return True
