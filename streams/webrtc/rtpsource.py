"""A relay PacketSource fed by native RTP (rtsp:// or an .sdp file), access units completed on
the marker bit. The benchmark uses it to show the relay without FFmpeg's demuxer delay; it is
also the reference for marker-bit ingest (see README)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from streams.datatypes import CameraHealth, CameraStatus, EncodedPacket, Frame, StreamCodecInfo
from streams.relay import PacketFanout, PacketSubscription
from streams.rtpin import H264Depacketizer, RtpClock, RtpInputError, UdpRtpInput, parse_sdp
from streams.rtsp import RtspInput

log = logging.getLogger(__name__)

RETRY_S = 1.0


class RtpPacketSource:
    """One camera; ``start()`` runs its reader thread (``cityeye-rtp-<camera>``), ``close()``
    stops it (closing the socket interrupts a blocked read) and joins it."""

    def __init__(self, camera_id: str, url: str, timeout_s: float = 5.0) -> None:
        self.camera_id = camera_id
        self.url = url
        self._timeout = timeout_s
        self.fanout = PacketFanout(camera_id, 600)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._input: RtspInput | UdpRtpInput | None = None
        self._status = CameraStatus.CONNECTING
        self._error: str | None = None
        self._units = 0
        self._since = time.time()
        self._thread = threading.Thread(target=self._run, name=f"cityeye-rtp-{camera_id}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            source = self._input
        if source is not None:
            source.close()
        self._thread.join(timeout)
        self.fanout.close()

    def _open(self) -> tuple[RtspInput | UdpRtpInput, H264Depacketizer]:
        if self.url.startswith("rtsp://"):
            rtsp = RtspInput(self.url, self._timeout)
            try:
                sdp = rtsp.open()
            except RtpInputError:
                rtsp.close()
                raise
            return rtsp, H264Depacketizer(sdp.payload_type, sdp.parameter_sets)
        sdp = parse_sdp(Path(self.url.removeprefix("file://")).read_text(encoding="utf-8"))
        return UdpRtpInput(sdp, self._timeout), H264Depacketizer(sdp.payload_type,
                                                                  sdp.parameter_sets)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                source, depack = self._open()
            except (RtpInputError, OSError) as exc:
                self._set(CameraStatus.OFFLINE, str(exc))
                self._stop.wait(RETRY_S)
                continue
            with self._lock:
                self._input = source
            try:
                self._pump(source, depack)
            except (RtpInputError, OSError) as exc:
                if not self._stop.is_set():
                    self._set(CameraStatus.OFFLINE, str(exc))
                    self._stop.wait(RETRY_S)
            finally:
                with self._lock:
                    self._input = None
                source.close()

    def _pump(self, source: RtspInput | UdpRtpInput, depack: H264Depacketizer) -> None:
        first: int | None = None
        clock = RtpClock()
        for packet in source.packets():
            if self._stop.is_set():
                return
            for unit in depack.feed(packet):
                ticks = clock.ticks(unit.timestamp)
                if first is None:
                    first = ticks
                    self.fanout.set_codec(StreamCodecInfo("h264", 0, 0, b"", True))
                    self._set(CameraStatus.ONLINE, None)
                self._units += 1
                self.fanout.publish(EncodedPacket(self.camera_id, self._units, unit.data,
                                                  (ticks - first) / 90000, unit.keyframe,
                                                  unit.received_at))

    def _set(self, status: CameraStatus, error: str | None) -> None:
        if status is not self._status:
            self._status, self._since = status, time.time()
        self._error = error or self._error

    # PacketSource -------------------------------------------------------------------------
    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription:
        return self.fanout.subscribe(max_packets)

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None:
        return self.fanout.codec

    def latest_view(self, camera_id: str) -> Frame | None:
        return None  # packets only: nothing is decoded on this path

    def health(self, camera_id: str) -> CameraHealth | None:
        return CameraHealth(self.camera_id, self._status, self._error, 0.0, 0.0, self._units, 0,
                            0, 0, None, None, "h264", self._since)
