"""Prometheus view of the live relay (register ``LiveCollector(service)`` once)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from streams.webrtc.service import LiveService


class LiveCollector(Collector):
    def __init__(self, service: LiveService) -> None:
        self._service = service

    def collect(self) -> Iterator[Metric]:
        viewers = GaugeMetricFamily(
            "cityeye_live_viewers", "Live viewers per camera", labels=["camera", "transport"]
        )
        subs = CounterMetricFamily(
            "cityeye_live_source_subscriptions",
            "Ingest packet subscriptions the relay opened for a camera (one per feed)",
            labels=["camera"],
        )
        encoders = CounterMetricFamily(
            "cityeye_live_encoders_started", "Encoders opened for a camera (0: passthrough)",
            labels=["camera"],
        )
        packets = CounterMetricFamily(
            "cityeye_live_packets_in", "Access units relayed from a camera", labels=["camera"]
        )
        skips = CounterMetricFamily(
            "cityeye_live_viewer_skips", "Packets viewers skipped after falling behind",
            labels=["camera"],
        )
        jpegs = CounterMetricFamily(
            "cityeye_live_mjpeg_pictures", "JPEG pictures encoded for the HTTP fallback",
            labels=["camera"],
        )
        sessions = CounterMetricFamily(
            "cityeye_live_sessions_opened", "Live sessions opened since start"
        )
        for cam in self._service.snapshot():
            label = [cam.camera_id]
            feed = cam.feed
            viewers.add_metric([cam.camera_id, "webrtc"], feed.viewers if feed else 0)
            viewers.add_metric([cam.camera_id, "mjpeg"], cam.mjpeg_viewers)
            jpegs.add_metric(label, cam.mjpeg_pictures)
            if feed is not None:
                subs.add_metric(label, feed.source_subscriptions)
                encoders.add_metric(label, feed.encoders_started)
                packets.add_metric(label, feed.packets_in)
                skips.add_metric(label, feed.viewer_skips)
        sessions.add_metric([], self._service.sessions_opened)
        yield from (viewers, subs, encoders, packets, skips, jpegs, sessions)
