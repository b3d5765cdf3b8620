"""`CameraRecorder`: one thread per camera turning its relay packets into segments."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import av

from recording.annexb import RECORDED_CODECS, ParameterSets, keyframe_size, parameter_sets
from recording.store import NewSegment, RecordingStore
from recording.writer import Reordered, SegmentSpec, SegmentWriter
from streams import EncodedPacket, PacketSubscription, StreamCodecInfo

log = logging.getLogger(__name__)
POLL_S = 0.5
QUEUE_PACKETS = 900  # ~30 s at 30 fps: the recorder never waits on the disk for long
MAX_REORDER_DEPTH = 16
MAX_GOP_PACKETS = 600  # the open GOP kept for a restart (~20 s at 30 fps); longer: not kept
# A segment cut just before a keyframe that opens the next one ends where that one starts
# (its capture time) when this is within MEET_S of its own media end: capture times jitter
# (packets read in bursts, a looped file reopened), and a media end left holes of a frame or
# two between segments, where nothing was "recorded". A bigger difference is a real pause.
MEET_S = 0.5


class PacketSource(Protocol):
    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription: ...

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None: ...


class CameraRecorder:
    """Owned by `RecordingService`; `start()` runs the thread, `stop(timeout)` ends the open
    segment (its row closed) and joins. `segment_s` may change while running."""

    def __init__(
        self, camera_id: str, source: PacketSource, store: RecordingStore, segment_s: float,
        idle_close_s: float = 10.0, gap_s: float = 5.0, progress_s: float = 3.0,
    ) -> None:
        self.camera_id = camera_id
        self.segment_s = segment_s
        self._source, self._store = source, store
        self._idle_close_s, self._gap_s, self._progress_s = idle_close_s, gap_s, progress_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._writer: SegmentWriter | None = None
        self._segment_id: int | None = None
        self._last_captured = 0.0
        self._last_pts: float | None = None
        self._last_progress = 0.0
        self._last_packet_wall = 0.0
        self._reorder_depth = 0
        # The open segment's current GOP, from its keyframe (None: longer than MAX_GOP_PACKETS):
        # a segment that learns of B-frames in its first GOP restarts from that keyframe.
        self._gop: list[EncodedPacket] | None = []
        self._sizes: dict[ParameterSets, tuple[int, int]] = {}
        self._warned: set[str] = set()
        self.segments_written = 0
        self.packets = 0
        self.skipped = 0  # packets not recorded while waiting for a keyframe
        self.last_error: str | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"recorder {self.camera_id} already started")
        self._thread = threading.Thread(target=self._run, name=f"rec-{self.camera_id}",
                                        daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self, timeout: float) -> bool:
        """Ask the thread to finish its segment and end; True when it ended in time."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        alive = self._thread.is_alive()
        if alive:
            log.error("recorder %s did not stop within %.1f s", self.camera_id, timeout)
        return not alive

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def open_segment_id(self) -> int | None:
        return self._segment_id

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    sub = self._source.subscribe_packets(self.camera_id, QUEUE_PACKETS)
                except KeyError:  # not (yet / any more) in ingest
                    self._stop.wait(1.0)
                    continue
                try:
                    self._consume(sub)
                finally:
                    sub.close()
                    self._finish()
                if not self._stop.is_set():
                    self._stop.wait(POLL_S)  # camera replaced: subscribe again
        except Exception as exc:  # a recorder must never die silently
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("recorder %s failed", self.camera_id)
            self._finish()

    def _consume(self, sub: PacketSubscription) -> None:
        while not self._stop.is_set():
            packet = sub.get(POLL_S)
            if packet is None:
                if sub.closed:
                    return
                idle = time.monotonic() - self._last_packet_wall
                if self._writer is not None and idle > self._idle_close_s:
                    log.info("recorder %s: no packets for %.0f s, segment closed",
                             self.camera_id, idle)
                    self._finish()
                continue
            self._last_packet_wall = time.monotonic()
            self._on_packet(packet, sub.codec)

    # --- packets ------------------------------------------------------------------------
    def _on_packet(self, packet: EncodedPacket, codec: StreamCodecInfo | None) -> None:
        if not packet.data:
            return
        if codec is None or codec.codec not in RECORDED_CODECS or not codec.annexb:
            name = "unknown" if codec is None else codec.codec
            if name not in self._warned:
                self._warned.add(name)
                self.last_error = f"codec {name} is not recorded (H.264 and H.265 only)"
                log.warning("recorder %s: %s", self.camera_id, self.last_error)
            self._finish()
            return
        writer = self._writer
        if writer is not None and (
            codec.codec != writer.spec.params.codec or self._must_cut(packet, writer)
        ):
            self._finish(meets=packet.captured_at if packet.is_keyframe else None)
        if self._writer is None:
            if not packet.is_keyframe:
                self.skipped += 1
                return
            self._open(packet, codec)
            if self._writer is None:
                return
        self._write(packet, codec)

    def _must_cut(self, packet: EncodedPacket, writer: SegmentWriter) -> bool:
        """Close before this packet: a gap in capture time, pts going back across a keyframe,
        or at a keyframe `segment_s` of media past the segment's first packet or bringing
        other parameter sets (size)."""
        if packet.captured_at - self._last_captured > self._gap_s:
            return True
        if not packet.is_keyframe:
            return False
        if packet.pts is not None and self._last_pts is not None and packet.pts < self._last_pts:
            return True
        params = parameter_sets(packet.data, writer.spec.params.codec)
        if params is not None and params != writer.spec.params:
            return True
        return writer.media_s(packet) >= self.segment_s

    def _open(self, packet: EncodedPacket, codec: StreamCodecInfo) -> None:
        params = parameter_sets(packet.data, codec.codec)
        if params is None:
            self.skipped += 1
            return
        size = self._sizes.get(params)
        if size is None:
            size = keyframe_size(packet.data, codec.codec) or (codec.width, codec.height)
            self._sizes = {params: size}
        if size[0] <= 0 or size[1] <= 0:
            self.skipped += 1
            return
        path = self._path(packet.captured_at)
        spec = SegmentSpec(
            path=self._store.root / path, start=packet.captured_at,
            first_pts=packet.pts if packet.pts is not None else 0.0, params=params,
            width=size[0], height=size[1], reorder_depth=self._reorder_depth,
        )
        try:
            self._writer = SegmentWriter(spec)
        except (av.error.FFmpegError, OSError) as exc:
            self.last_error = f"cannot open {spec.path}: {exc}"
            log.error("recorder %s: %s", self.camera_id, self.last_error)
            self._stop.wait(1.0)
            return
        self._segment_id = self._store.add_segment(NewSegment(
            camera_id=self.camera_id, path=path, start=spec.start, end=spec.start, bytes=0,
            width=size[0], height=size[1], codec=params.codec, closed=False,
        ))
        self._last_progress = time.monotonic()

    def _path(self, start: float) -> str:
        when = datetime.fromtimestamp(start, tz=UTC)
        folder = Path(self.camera_id) / when.strftime("%Y%m%d")
        seq = self.segments_written
        while True:
            rel = folder / f"{when.strftime('%H%M%S')}-{seq:04d}.mp4"
            if not (self._store.root / rel).exists():
                return rel.as_posix()
            seq += 1

    def _write(self, packet: EncodedPacket, codec: StreamCodecInfo) -> None:
        writer = self._writer
        assert writer is not None
        try:
            writer.write(packet)
        except Reordered as exc:
            depth = min(MAX_REORDER_DEPTH, max(2, self._reorder_depth * 2))
            grew, self._reorder_depth = depth > self._reorder_depth, depth
            gop = self._gop
            if grew and gop and writer.packets == len(gop):
                # Only this GOP is in the segment (B-frames found as a recording starts):
                # record it again, from its keyframe, with the larger dts delay. No gap.
                log.info("recorder %s: B-frames (%s); segment restarted with dts delay %d",
                         self.camera_id, exc, depth)
                self._restart([*gop, packet], codec)
                return
            log.info("recorder %s: B-frames (%s); next segment with dts delay %d",
                     self.camera_id, exc, depth)
            self._finish()
            return
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            self.last_error = f"writing {writer.spec.path}: {exc}"
            log.error("recorder %s: %s", self.camera_id, self.last_error)
            self._finish()
            return
        self.packets += 1
        if packet.is_keyframe:
            self._gop = [packet]
        elif self._gop is not None and len(self._gop) < MAX_GOP_PACKETS:
            self._gop.append(packet)
        else:
            self._gop = None
        self._last_captured = packet.captured_at
        if packet.pts is not None:
            self._last_pts = packet.pts
        now = time.monotonic()
        if now - self._last_progress >= self._progress_s and self._segment_id is not None:
            self._last_progress = now
            self._store.update_segment(self._segment_id, writer.end, writer.size(), False)

    def _restart(self, packets: list[EncodedPacket], codec: StreamCodecInfo) -> None:
        """Drop the open segment (it holds only `packets`' GOP) and record `packets` into a new
        one with the current dts delay (which may grow again, up to MAX_REORDER_DEPTH)."""
        writer = self._writer
        if writer is not None:
            self.packets -= writer.packets
        self._finish(discard=True)
        self._open(packets[0], codec)
        for p in packets:
            if self._writer is None:
                return
            self._write(p, codec)

    def _finish(self, discard: bool = False, meets: float | None = None) -> None:
        """Close the open segment and its row (a segment with no packet, or `discard`, is
        removed). `meets`: where the next segment starts, this one's end when within MEET_S."""
        writer, seg_id = self._writer, self._segment_id
        self._writer = self._segment_id = None
        self._last_pts = None
        self._gop = []
        if writer is None:
            return
        writer.close()
        if seg_id is None:
            return
        if writer.packets == 0 or discard:
            self._store.delete_segment(seg_id)
            writer.spec.path.unlink(missing_ok=True)
            return
        end = writer.end
        if meets is not None and abs(meets - end) <= MEET_S:
            end = meets
        self._store.update_segment(seg_id, end, writer.size(), True)
        self.segments_written += 1
