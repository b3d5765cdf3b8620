"""Decoder process: open -> decode -> on failure back off and reconnect, until told to stop.

Runs in its own process (one per camera) so a source blocked inside FFmpeg, or a decoder
that crashes on broken input, can always be stopped or restarted by its owner (camera.py).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from multiprocessing.connection import Connection

from streams.datatypes import CameraStatus, SourceError
from streams.messages import FinishedMsg, StatusMsg, WorkerMessage, WorkerSpec
from streams.publish import Counters, End, PublishTarget, SessionEnd
from streams.ring import FrameRing
from streams.rtpsession import Fallback, RtpSession, open_rtp, wants_rtp
from streams.session import Session
from streams.sources import SourceKind, SourceLocation, classify, open_input
from streams.timing import PtsClock, RateGate

log = logging.getLogger(__name__)


class Backoff:
    """Exponential backoff with jitter; non-transient errors wait the long error delay."""

    def __init__(self, initial: float, maximum: float, error_delay: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self.error_delay = error_delay
        self.attempt = 0

    def reset(self) -> None:
        self.attempt = 0

    def next_delay(self, transient: bool) -> float:
        if not transient:
            return float(max(self.error_delay, self.maximum)) * random.uniform(0.8, 1.0)
        base = min(self.maximum, self.initial * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return base * random.uniform(0.5, 1.0)


def decoder_main(spec: WorkerSpec, conn: Connection) -> None:
    """Decode ``spec.source`` until the owner sets the ring's stop flag (or goes away)."""
    ring = FrameRing.attach(spec.ring)
    try:
        Decoder(spec, ring, conn).run()
    except (BrokenPipeError, EOFError, ConnectionResetError):
        pass  # owner went away: nothing left to report to
    finally:
        ring.close()
        conn.close()


class Decoder:
    def __init__(self, spec: WorkerSpec, ring: FrameRing, conn: Connection) -> None:
        self.spec = spec
        self.source = spec.source
        self.settings = spec.settings
        self.ring = ring
        self.conn = conn
        self._send_lock = threading.Lock()
        self.counters = Counters(seq=spec.first_seq, packet_seq=spec.first_packet_seq)
        self.clock = PtsClock()
        self.clock.restart(spec.first_pts)
        self.gate = RateGate(spec.source.analysis_fps)
        s = spec.settings
        self.backoff = Backoff(s.backoff_initial_s, s.backoff_max_s, s.error_backoff_s)
        self.reconnects = 0
        self.fallback: str | None = None  # why this camera uses FFmpeg's RTSP/RTP demuxer
        self.target = PublishTarget(
            camera_id=spec.source.camera_id,
            analysis_width=spec.source.analysis_width,
            settings=spec.settings,
            gate=self.gate,
            clock=self.clock,
            ring=ring,
            counters=self.counters,
            send=self.send,
            reconnects=lambda: self.reconnects,
        )

    def send(self, msg: WorkerMessage) -> None:
        with self._send_lock:  # the RTP path sends from its reader and decoding threads
            self.conn.send(msg)

    def status(self, status: CameraStatus, error: str | None = None) -> None:
        self.send(StatusMsg(status, error, self.reconnects))

    def run(self) -> None:
        try:
            loc = classify(self.source.url)
        except SourceError as exc:
            self.send(FinishedMsg(CameraStatus.ERROR, exc.message))
            return
        while not self.ring.stop_requested():
            end = self._connect_and_decode(loc)
            if end.reason is End.STOP or self.ring.stop_requested():
                return
            if end.frames:
                self.backoff.reset()
            if end.reason is End.EOF and loc.kind is SourceKind.FILE:
                if not self.source.loop:
                    self.send(FinishedMsg(CameraStatus.OFFLINE, "end of file (loop is off)"))
                    return
                if end.frames:
                    continue  # loop the file at once; pts continue (PtsClock.restart)
                end = SessionEnd(End.ERROR, SourceError("file has no decodable video frames"))
            if not self._wait_before_retry(loc, end):
                return

    def _connect_and_decode(self, loc: SourceLocation) -> SessionEnd:
        self.status(CameraStatus.CONNECTING)
        if self.fallback is None and wants_rtp(loc):
            end = self._rtp(loc)
            if end is not None:
                return end
        try:
            container = open_input(
                loc,
                transport=self.source.transport,
                timeout_s=self.settings.open_timeout_s,
                read_timeout_s=self.settings.stall_timeout_s,
                hwaccel=self.source.hwaccel,
            )
        except SourceError as exc:
            return SessionEnd(End.ERROR, exc)
        self._restart_clock()
        try:
            return Session(container, loc, self.target).run()
        finally:
            container.close()

    def _rtp(self, loc: SourceLocation) -> SessionEnd | None:
        """Marker-bit RTP ingest; None when this stream needs FFmpeg's demuxer instead."""
        try:
            source, sdp = open_rtp(loc, self.source.transport, self.settings.open_timeout_s)
        except SourceError as exc:
            return SessionEnd(End.ERROR, exc)
        except Fallback as exc:
            self.fallback = str(exc)
            log.warning("%s: using FFmpeg's demuxer: %s", self.source.camera_id, exc)
            return None
        self._restart_clock()
        session = RtpSession(source, sdp, loc, self.target, self.source.hwaccel)
        try:
            return session.run()
        finally:
            session.close()

    def _restart_clock(self) -> None:
        last = self.clock.last
        if last is not None:
            self.clock.restart(last + self.clock.frame_duration())
        self.gate.reset()

    def _wait_before_retry(self, loc: SourceLocation, end: SessionEnd) -> bool:
        """Report why the stream ended, back off; False when the decoder should finish."""
        err = end.error
        if end.reason is End.EOF:
            message, transient = f"stream from {loc.where} ended", True
        elif err is not None:
            message, transient = err.message, err.transient
        else:
            message, transient = "stream failed", True
        if not transient and loc.kind is SourceKind.FILE:
            self.send(FinishedMsg(CameraStatus.ERROR, message))
            return False
        if end.reason is End.STALL:
            status = CameraStatus.STALLED
        else:
            status = CameraStatus.OFFLINE if transient else CameraStatus.ERROR
        self.status(status, message)
        log.info("%s: %s; retrying", self.source.camera_id, message)
        delay = self.backoff.next_delay(transient)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            if self.ring.stop_requested():
                return False
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        self.reconnects += 1
        return True
