"""The relay's building blocks without a network: fan-out, backlog, timelines, SDP checks."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from fractions import Fraction

import aioice.ice
import av
import numpy as np
import pytest
from aiortc.codecs.h264 import H264Encoder

from streams.datatypes import (
    CameraHealth,
    CameraStatus,
    EncodedPacket,
    Frame,
    StreamCodecInfo,
)
from streams.relay import PacketFanout, PacketSubscription
from streams.webrtc.feed import CameraFeed, FeedMode, ReorderDetector, Timeline
from streams.webrtc.ice import HostAddresses
from streams.webrtc.overlay import OverlayBox, OverlayFrame
from streams.webrtc.packets import QueueClosed, RelayPacket, ViewerQueue, to_ticks
from streams.webrtc.sdp import BadOffer, check_offer
from streams.webrtc.settings import LiveSettings


def pkt(ticks: int, key: bool = False) -> RelayPacket:
    return RelayPacket(ticks=ticks, data=b"\x00\x00\x00\x01\x65", keyframe=key, captured_at=0.0)


async def test_slow_viewer_skips_to_the_next_keyframe() -> None:
    q = ViewerQueue(max_packets=3)
    q.offer(pkt(1))  # no keyframe yet: skipped
    for t, key in ((2, True), (3, False), (4, False), (5, False), (6, False), (7, True)):
        q.offer(pkt(t, key))
    # 2,3,4 queued; 5 overflowed -> backlog dropped, wait for a keyframe; 6 skipped; 7 kept
    assert [(await q.get()).ticks for _ in range(q.pending())] == [7]
    assert q.skipped == 1 + 3 + 1 + 1
    q.close()
    with pytest.raises(QueueClosed):
        await asyncio.wait_for(q.get(), 1.0)


def test_timeline_stays_increasing_across_a_loop() -> None:
    tl = Timeline()
    out = [tl.place(t) for t in (0, 3000, 6000, 9000)]
    # the file loops: the first packets of the next loop come with old pts, then true ones
    out += [tl.place(t) for t in (0, 3000)]
    out += [tl.place(t) for t in (18000, 21000)]
    assert out[:4] == [0, 3000, 6000, 9000]
    assert all(b > a for a, b in itertools.pairwise(out))
    assert out[-2:] == [18000, 21000]  # back on the true timeline: overlays match again


def test_b_frames_are_spotted_but_a_single_jump_is_not() -> None:
    steady = ReorderDetector()
    assert not any(steady.reordered(t) for t in [0, 3000, 6000, 0, 3000, 6000])
    bframes = ReorderDetector()
    decode_order = [0, 9000, 3000, 6000, 18000, 12000, 15000, 27000, 21000, 24000]
    assert any(bframes.reordered(t) for t in decode_order)


class FakeIngest:
    """One camera's packets through the real PacketFanout, counting subscriptions."""

    def __init__(self, codec: str = "h264") -> None:
        self.fanout = PacketFanout("cam", 600)
        self.fanout.set_codec(StreamCodecInfo(codec, 64, 48, b"", codec == "h264"))
        self.subscriptions = 0
        self.view_calls = 0
        self.seq = 0

    def subscribe_packets(self, camera_id: str, max_packets: int = 300) -> PacketSubscription:
        self.subscriptions += 1
        return self.fanout.subscribe(max_packets)

    def codec_info(self, camera_id: str) -> StreamCodecInfo | None:
        return self.fanout.codec

    def latest_view(self, camera_id: str) -> Frame | None:
        self.view_calls += 1
        self.seq += 1
        image = np.full((48, 64, 3), self.seq % 255, dtype=np.uint8)
        return Frame("cam", self.seq, self.seq / 25, time.time(), image)

    def health(self, camera_id: str) -> CameraHealth | None:
        return CameraHealth("cam", CameraStatus.ONLINE, None, 25, 25, 1, 0, 0, 1, 64, 48, "h264",
                            0.0)

    def publish(self, i: int) -> None:
        self.fanout.publish(EncodedPacket("cam", i, b"\x00\x00\x00\x01\x65" + bytes([i % 256]),
                                          i / 25, i % 25 == 0, time.time()))


async def wait_until(check: object, within_s: float = 10.0) -> None:
    assert callable(check)
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_four_viewers_share_one_subscription() -> None:
    ingest = FakeIngest()
    feed = CameraFeed("cam", ingest, LiveSettings(), asyncio.get_running_loop())
    feed.start()
    try:
        queues = [feed.add_viewer() for _ in range(4)]
        await wait_until(lambda: ingest.fanout.subscribers() == 1)
        for i in range(50):
            ingest.publish(i)
        await wait_until(lambda: all(q.pending() == 50 for q in queues))
        got = [[(await q.get()).ticks for _ in range(50)] for q in queues]
        assert got[0] == [to_ticks(i / 25) for i in range(50)]
        assert got[1:] == [got[0]] * 3
        stats = feed.stats()
        assert (stats.mode, stats.viewers, stats.source_subscriptions) == (
            FeedMode.PASSTHROUGH, 4, 1)
        assert stats.packets_in == 50  # each packet read once, not once per viewer
        assert ingest.subscriptions == 1
        assert stats.encoders_started == 0
    finally:
        await feed.aclose()
    assert not feed.running
    assert ingest.fanout.subscribers() == 0


async def test_a_late_viewer_starts_with_the_current_gop_squeezed() -> None:
    ingest = FakeIngest()
    feed = CameraFeed("cam", ingest, LiveSettings(), asyncio.get_running_loop())
    first = feed.add_viewer()
    feed.start()
    try:
        await wait_until(lambda: ingest.fanout.subscribers() == 1)
        for i in range(30):  # keyframes at 0 and 25
            ingest.publish(i)
        await wait_until(lambda: first.pending() == 30)
        late = feed.add_viewer()
        burst = [(await late.get()) for _ in range(late.pending())]
        assert burst[0].keyframe
        assert len(burst) == 5
        assert burst[-1].ticks == to_ticks(29 / 25)  # the live frame keeps its true time
        assert [b.ticks for b in burst[:-1]] == [burst[-1].ticks - n for n in (4, 3, 2, 1)]
    finally:
        await feed.aclose()


async def test_other_codecs_are_encoded_once_for_all_viewers() -> None:
    ingest = FakeIngest(codec="mpeg4")
    feed = CameraFeed("cam", ingest, LiveSettings(), asyncio.get_running_loop())
    queues = [feed.add_viewer() for _ in range(3)]
    feed.start()
    try:
        await wait_until(lambda: all(q.pending() >= 5 for q in queues))
        firsts = [await q.get() for q in queues]
        assert all(f.keyframe for f in firsts)
        assert len({f.data for f in firsts}) == 1  # the same encoded bytes for everyone
        stats = feed.stats()
        assert stats.mode is FeedMode.ENCODE
        assert stats.encoders_started == 1
        assert stats.source_subscriptions == 0
        assert stats.frames_encoded <= ingest.seq  # one encode per source frame
    finally:
        await feed.aclose()
    assert not any(t.name == "cityeye-live-cam" for t in threading.enumerate())


OFFER_OK = """v=0
o=- 1 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
m=video 9 UDP/TLS/RTP/SAVPF 102
c=IN IP4 0.0.0.0
a=mid:0
a=recvonly
a=rtcp-mux
a=ice-ufrag:abcd
a=ice-pwd:abcdefghijklmnopqrstuvwx
a=fingerprint:sha-256 {FP}
a=setup:actpass
a=rtpmap:102 H264/90000
a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
""".replace("{FP}", ":".join(["AB"] * 32))


@pytest.mark.parametrize(
    ("offer", "why"),
    [
        ("", "empty"),
        ("hello", "v=0"),
        ("v=0\r\nthis is not sdp at all", "no video"),
        (OFFER_OK.replace("H264", "VP8"), "no H.264"),
        (OFFER_OK.replace("a=ice-ufrag:abcd\n", ""), "ICE credentials"),
    ],
)
def test_unusable_offers_are_refused_with_a_reason(offer: str, why: str) -> None:
    with pytest.raises(BadOffer, match=why):
        check_offer(offer)


def test_a_good_offer_passes() -> None:
    check_offer(OFFER_OK)


def test_overlay_wire_format_carries_ticks() -> None:
    frame = OverlayFrame(camera_id="c", pts=2.0, boxes=[
        OverlayBox(x1=0.1, y1=0.2, x2=0.3, y2=0.4, label="person", score=0.9, track_id=7)])
    text = frame.wire()
    assert text.startswith('{"type":"overlay","ticks":180000,')
    with pytest.raises(ValueError, match="x1 <= x2"):
        OverlayBox(x1=0.5, y1=0.2, x2=0.3, y2=0.4, label="car", score=0.5)


def test_ice_hosts_are_installed_and_restored() -> None:
    original = aioice.ice.get_host_addresses
    hosts = HostAddresses(("127.0.0.1",))
    hosts.install()
    try:
        assert aioice.ice.get_host_addresses(True, False) == ["127.0.0.1"]
        assert aioice.ice.get_host_addresses(False, True) == []
    finally:
        hosts.uninstall()
    assert aioice.ice.get_host_addresses is original
    with pytest.raises(ValueError, match="not an IP address"):
        HostAddresses(("localhost",))


def test_payloads_cut_once_match_what_aiortc_would_send() -> None:
    rng = np.random.default_rng(3)
    sps, pps = b"\x00\x00\x00\x01\x67" + bytes(12), b"\x00\x00\x00\x01\x68" + bytes(4)
    idr = b"\x00\x00\x01\x65" + rng.integers(1, 255, 5000, dtype=np.uint8).tobytes()
    data = sps + pps + idr  # small NALs go in a STAP-A, the big one in FU-As
    item = RelayPacket.cut(4500, data, True, 0.0)
    packet = av.Packet(data)
    packet.pts, packet.time_base = 4500, Fraction(1, 90000)
    expected, ts = H264Encoder().pack(packet)
    assert list(item.payloads) == expected
    assert ts == 4500
    assert len(expected) > 3
