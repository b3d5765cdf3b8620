"""Prometheus view of ingest health (register ``IngestCollector(manager)`` once)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from streams.datatypes import CameraStatus
from streams.manager import IngestManager


class IngestCollector(Collector):
    """Collects per-camera metrics from the manager at scrape time (no background work)."""

    def __init__(self, manager: IngestManager) -> None:
        self._manager = manager

    def collect(self) -> Iterator[Metric]:
        healths = self._manager.healths()
        fps_in = GaugeMetricFamily(
            "cityeye_camera_fps_in", "Packets per second received", labels=["camera"]
        )
        fps_dec = GaugeMetricFamily(
            "cityeye_camera_fps_decoded", "Frames per second decoded", labels=["camera"]
        )
        frames = CounterMetricFamily(
            "cityeye_camera_frames_decoded", "Frames decoded", labels=["camera"]
        )
        drops = CounterMetricFamily(
            "cityeye_camera_drops", "Frames dropped (replaced before read)", labels=["camera"]
        )
        reconnects = CounterMetricFamily(
            "cityeye_camera_reconnects", "Reconnect attempts", labels=["camera"]
        )
        bytes_in = CounterMetricFamily(
            "cityeye_camera_bytes_in", "Encoded bytes received", labels=["camera"]
        )
        status = GaugeMetricFamily(
            "cityeye_camera_status",
            "1 for the camera's current status",
            labels=["camera", "status"],
        )
        for h in healths:
            cam = [h.camera_id]
            fps_in.add_metric(cam, h.fps_in)
            fps_dec.add_metric(cam, h.fps_decoded)
            frames.add_metric(cam, h.frames_decoded)
            drops.add_metric(cam, h.drops)
            reconnects.add_metric(cam, h.reconnects)
            bytes_in.add_metric(cam, h.bytes_in)
            for s in CameraStatus:
                status.add_metric([h.camera_id, s.value], 1.0 if s is h.status else 0.0)
        yield from (fps_in, fps_dec, frames, drops, reconnects, bytes_in, status)
