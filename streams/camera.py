"""Owner side of one camera: its decoder process, frame ring, relay fan-out and health.

A receiver thread (``cityeye-ingest-<id>``) reads the decoder's pipe, publishes frames and
packets, watches for stalls and hangs, restarts a crashed decoder with backoff, and on stop
asks the decoder to finish, then terminates/kills it if it does not within its time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from streams.datatypes import CameraHealth, CameraSource, CameraStatus, Frame, IngestSettings
from streams.messages import (
    CodecMsg,
    FinishedMsg,
    FrameMsg,
    PacketMsg,
    StatsMsg,
    StatusMsg,
    WorkerMessage,
    WorkerSpec,
)
from streams.relay import PacketFanout
from streams.ring import FrameRing
from streams.state import HealthState
from streams.worker import Backoff

log = logging.getLogger(__name__)

ANALYSIS_SLOTS = 4
VIEW_SLOTS = 3
POLL_S = 0.1
HANG_GRACE_S = 5.0  # silence beyond open/read timeouts after which a decoder counts as hung


@dataclass(frozen=True)
class _ViewRef:
    slot: int
    seq: int
    pts: float
    captured_at: float


class CameraWorker:
    def __init__(self, source: CameraSource, settings: IngestSettings) -> None:
        self.source = source
        self.settings = settings
        aw = source.analysis_width
        self.ring = FrameRing.create(
            ANALYSIS_SLOTS, aw * aw * 2 * 3, VIEW_SLOTS, settings.max_view_pixels * 3
        )
        self.fanout = PacketFanout(
            source.camera_id, settings.relay_gop_max_packets, on_demand=self._relay_demand
        )
        self.state = HealthState(source.camera_id)
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._latest_read = True
        self._view_ref: _ViewRef | None = None
        self._view: Frame | None = None
        self._stop = threading.Event()
        self._stop_deadline = 0.0
        self._closed = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._conn: Connection | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"cityeye-ingest-{source.camera_id}", daemon=True
        )

    def _relay_demand(self, active: bool) -> None:
        """Tell the decoder whether to forward encoded packets (it skips the Annex B copy and
        the pipe hop while nobody subscribed)."""
        with contextlib.suppress(RuntimeError):  # ring already closed at shutdown
            self.ring.set_relay_demand(active)

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def request_stop(self, timeout: float) -> None:
        """Ask the decoder to finish; it is killed if still running after ~60 % of timeout."""
        self._stop_deadline = time.monotonic() + max(0.2, timeout * 0.6)
        self.ring.request_stop()
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def join(self, deadline: float) -> bool:
        """Wait for the receiver thread (which reaps the process); free memory. True if done."""
        self._thread.join(max(0.0, deadline - time.monotonic()))
        done = not self._thread.is_alive()
        if done and not self._closed:
            self._closed = True
            self.fanout.close()
            with self._cond:
                self._view = None
                self._view_ref = None
                self.ring.close()
        return done

    def stop(self, timeout: float = 5.0) -> bool:
        self.request_stop(timeout)
        return self.join(time.monotonic() + timeout)

    @property
    def pid(self) -> int | None:
        """Process id of the current (or last) decoder process."""
        return self._pid

    def _spawn(self) -> None:
        snap = self.state.snapshot_counters()
        spec = WorkerSpec(
            source=self.source,
            settings=self.settings,
            ring=self.ring.layout,
            first_seq=snap.seq,
            first_pts=snap.next_pts,
            first_packet_seq=snap.packet_seq,
        )
        self.state.new_process()
        read_fd, write_fd = os.pipe()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streams.worker_main", str(write_fd)],
                stdin=subprocess.PIPE,
                pass_fds=(write_fd,),
                env=_worker_env(),
            )
        except OSError:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        assert proc.stdin is not None
        try:
            proc.stdin.write(pickle.dumps(spec))
            proc.stdin.close()
        except BrokenPipeError:
            log.warning("%s: decoder exited at start", self.source.camera_id)
        self._proc, self._conn, self._pid = proc, Connection(read_fd, writable=False), proc.pid

    # receiver thread -----------------------------------------------------------------------
    def _run(self) -> None:
        s = self.settings
        backoff = Backoff(s.backoff_initial_s, s.backoff_max_s, s.backoff_max_s)
        try:
            while True:
                finished = self._pump_until_exit()
                if self._stop.is_set() or finished:
                    break
                code = self._proc.poll() if self._proc is not None else None
                self.state.set_status(
                    CameraStatus.ERROR, f"decoder process exited unexpectedly (exit code {code})"
                )
                log.warning("%s: decoder exited (code %s); restarting", self.source.camera_id, code)
                if self._stop.wait(backoff.next_delay(True)):
                    break
                self.state.add_reconnect()
                self.ring.clear_stop()
                self._spawn()
        finally:
            self._reap()

    def _pump_until_exit(self) -> bool:
        """Handle messages until the decoder exits; True if it finished on purpose."""
        conn, proc = self._conn, self._proc
        assert conn is not None
        assert proc is not None
        finished = False
        while True:
            if self._stop.is_set() and time.monotonic() > self._stop_deadline:
                return True
            try:
                ready = conn.poll(POLL_S)
                msg: WorkerMessage | None = conn.recv() if ready else None
            except (EOFError, OSError):
                _wait(proc, 1.0)
                return finished or self._stop.is_set()
            if msg is not None:
                finished = self._handle(msg) or finished
            self._watchdog(proc)

    def _watchdog(self, proc: subprocess.Popen[bytes]) -> None:
        if self._stop.is_set():
            return
        silence = self.state.silence()
        stall = self.settings.stall_timeout_s
        if self.state.status is CameraStatus.ONLINE and self.state.frame_age() > stall:
            self.state.set_status(CameraStatus.STALLED, f"stalled: no frame for {stall:g} s")
        hang = max(self.settings.open_timeout_s, stall) + HANG_GRACE_S
        if silence > hang and proc.poll() is None:
            log.warning("%s: decoder silent for %.0f s; killing it", self.source.camera_id, silence)
            self.state.set_status(CameraStatus.ERROR, "decoder hung; restarting it")
            proc.kill()

    def _reap(self) -> None:
        proc, conn = self._proc, self._conn
        if proc is not None:
            self.ring.request_stop()
            if not _wait(proc, max(0.0, self._stop_deadline - time.monotonic())):
                proc.terminate()
                if not _wait(proc, 1.0):
                    proc.kill()
                    _wait(proc, 2.0)
        if conn is not None:
            conn.close()
        if self._stop.is_set() and self.state.status is not CameraStatus.ERROR:
            self.state.set_status(CameraStatus.OFFLINE, self.state.last_error)
        with self._cond:
            self._cond.notify_all()

    def _handle(self, msg: WorkerMessage) -> bool:
        if isinstance(msg, FrameMsg):
            self._on_frame(msg)
        elif isinstance(msg, PacketMsg):
            self.fanout.publish(self.state.packet(msg))
        elif isinstance(msg, StatsMsg):
            self.state.stats(msg)
        elif isinstance(msg, StatusMsg):
            self.state.set_status(msg.status, msg.error, worker_reconnects=msg.reconnects)
        elif isinstance(msg, CodecMsg):
            self.state.codec(msg.info)
            self.fanout.set_codec(msg.info)
        elif isinstance(msg, FinishedMsg):
            self.state.set_status(msg.status, msg.error)
            return True
        return False

    def _on_frame(self, msg: FrameMsg) -> None:
        self.state.frame_seen(msg.seq, msg.pts)
        if msg.stream == "view":
            with self._cond:
                self._view_ref = _ViewRef(msg.slot, msg.seq, msg.pts, msg.captured_at)
            return
        pixels = self.ring.read(msg.slot, msg.seq)
        if pixels is None:
            self.state.add_drops(1)
            return
        frame = Frame(self.source.camera_id, msg.seq, msg.pts, msg.captured_at, pixels)
        with self._cond:
            if not self._latest_read:
                self.state.add_drops(1)
            self._latest, self._latest_read = frame, False
            self._cond.notify_all()

    # consumers ---------------------------------------------------------------------------
    def latest_analysis(self) -> Frame | None:
        with self._cond:
            self._latest_read = True
            return self._latest

    def wait_analysis(self, after_seq: int, timeout: float) -> Frame | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest.seq <= after_seq:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(left)
            self._latest_read = True
            return self._latest

    def latest_view(self) -> Frame | None:
        with self._cond:
            if self._closed:
                return None
            self.ring.set_view_demand(time.monotonic() + self.settings.view_demand_s)
            ref, cached = self._view_ref, self._view
            if ref is None or (cached is not None and cached.seq == ref.seq):
                return cached
            pixels = self.ring.read(ref.slot, ref.seq)
            if pixels is None:
                return cached
            self._view = Frame(self.source.camera_id, ref.seq, ref.pts, ref.captured_at, pixels)
            return self._view

    def health(self) -> CameraHealth:
        return self.state.health()


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """True once the process has exited (and was reaped) within ``timeout``."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    return True


def _worker_env() -> dict[str, str]:
    """The decoder's environment: ours, plus the path that holds the streams package."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    paths = [root, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env
