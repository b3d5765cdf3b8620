"""The lean RTP send loop: byte-identical headers to aiortc's, and real H.264 frames through
two real aiortc peers on loopback (decoded by the receiver, spaced by the relay's ticks, NACK
retransmission, outbound stats)."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator
from fractions import Fraction
from typing import Any

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.clock import datetime_to_ntp
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, RtpPacket, wrap_rtx

from streams.webrtc.ice import HostAddresses
from streams.webrtc.packets import RTP_MASK, RelayPacket
from streams.webrtc.sender import HeaderTemplate, LeanSender, RtpClock, abs_send_time, ntp_time

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


def ext_map(*uris: str) -> HeaderExtensionsMap:
    m = HeaderExtensionsMap()
    m.configure(RTCRtpParameters(headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=i + 1, uri=u) for i, u in enumerate(uris)
    ]))
    return m


@pytest.mark.parametrize(("uris", "mid"), [
    ((MID, ABS), "0"),
    ((MID, ABS), "video12"),  # a longer MID moves abs-send-time and changes the padding
    ((ABS,), None),
    ((MID,), "1"),
    ((), None),
])
def test_header_template_matches_aiortc_serialize(uris: tuple[str, ...], mid: str | None) -> None:
    m = ext_map(*uris)
    template = HeaderTemplate(m, 102, 0xDEADBEEF, mid)
    payload = b"\x7c\x85" + bytes(range(200))
    for seq, ts, marker, ast in ((0, 0, False, 0), (65535, RTP_MASK, True, 0xFFFFFF),
                                 (1234, 90000 * 7, True, 0x12345)):
        packet = RtpPacket(payload_type=102, sequence_number=seq, timestamp=ts, ssrc=0xDEADBEEF,
                           marker=int(marker), payload=payload)
        packet.extensions = HeaderExtensions(mid=mid, abs_send_time=ast)
        assert template.render(seq, ts, marker, ast) + payload == packet.serialize(m)
        # a retransmission on the RTX stream (RFC 4588), as aiortc's wrap_rtx builds it
        rtx = wrap_rtx(packet, payload_type=103, sequence_number=77, ssrc=0x1234)
        head = template.variant(103, 0x1234).render(77, ts, marker, ast)
        assert head + seq.to_bytes(2, "big") + payload == rtx.serialize(m)


def test_clock_helpers_agree_with_aiortc_clock() -> None:
    when = datetime.datetime(2026, 11, 21, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    ntp = datetime_to_ntp(when)
    unix = when.timestamp()
    assert abs(ntp_time(unix) - ntp) < (1 << 32) // 100_000  # within 10 µs
    assert abs(abs_send_time(unix) - ((ntp >> 14) & 0xFFFFFF)) <= 1


def h264_stream(n: int) -> list[RelayPacket]:
    """n frames of 320×240 H.264 (baseline, keyframe every 10), as the relay hands them over."""
    out: list[RelayPacket] = []
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = 320, 240, "yuv420p"
    enc.time_base = Fraction(1, 30)
    enc.options = {"profile": "baseline", "tune": "zerolatency", "g": "10", "bf": "0"}
    rng = np.random.default_rng(0)
    for i in range(n):
        img = (rng.integers(0, 255, (240, 320, 3)) // 64 * 64).astype(np.uint8)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        for p in enc.encode(frame):
            out.append(RelayPacket.cut(3000 * int(p.pts or 0), bytes(p), p.is_keyframe, 0.0))
    return out


class ListTrack(MediaStreamTrack):
    """A relay track over a fixed list of access units, one every 1/30 s."""

    kind = "video"

    def __init__(self, items: list[RelayPacket]) -> None:
        super().__init__()
        self._items = list(items)

    async def next_packet(self) -> RelayPacket:
        if not self._items:
            self.stop()
            raise MediaStreamError
        await asyncio.sleep(1 / 30)
        return self._items.pop(0)

    async def recv(self) -> av.Packet[Any]:
        raise AssertionError("LeanSender reads next_packet, never recv")


@pytest.fixture
async def loopback() -> AsyncIterator[None]:
    hosts = HostAddresses(("127.0.0.1",))
    hosts.install()
    try:
        yield
    finally:
        hosts.uninstall()


async def test_frames_arrive_decoded_with_the_senders_rtp_clock(loopback: None) -> None:
    items = h264_stream(40)
    viewer, server = RTCPeerConnection(), RTCPeerConnection()
    got: list[av.VideoFrame] = []
    done = asyncio.Event()
    readers: list[asyncio.Future[None]] = []

    @viewer.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        async def read() -> None:
            try:
                while len(got) < 30:
                    got.append(await track.recv())  # type: ignore[arg-type]
            except MediaStreamError:
                pass
            done.set()

        readers.append(asyncio.ensure_future(read()))

    try:
        h264 = [c for c in RTCRtpSender.getCapabilities("video").codecs
                if c.mimeType in ("video/H264", "video/rtx")]
        viewer.addTransceiver("video", direction="recvonly").setCodecPreferences(h264)
        await viewer.setLocalDescription(await viewer.createOffer())
        await server.setRemoteDescription(viewer.localDescription)
        clock = RtpClock()
        track = ListTrack(items)
        sender = LeanSender.adopt(server.addTrack(track), track, clock)
        await server.setLocalDescription(await server.createAnswer())
        await viewer.setRemoteDescription(RTCSessionDescription(
            sdp=server.localDescription.sdp, type="answer"))
        await asyncio.wait_for(done.wait(), 30)
        assert len(got) == 30
        assert got[0].width == 320
        assert got[0].height == 240
        assert clock.value is not None
        # aiortc's receiver gives frames their RTP timestamp less the first one it saw: the
        # frames' spacing is the relay's ticks (the origin itself: test_whep's overlay test)
        assert {f.pts for f in got} <= {i.ticks - items[0].ticks for i in items}
        assert len({f.pts for f in got}) == 30

        # a NACKed packet still in the history goes out again; one never sent does not
        dtls = sender.transport
        before = dtls._RTCDtlsTransport__tx_packets  # type: ignore[attr-defined]
        first = next(iter(sender._history.values())).seq
        await sender._retransmit(first)
        assert dtls._RTCDtlsTransport__tx_packets == before + 1  # type: ignore[attr-defined]
        await sender._retransmit((first + 3000) & 0xFFFF)
        assert dtls._RTCDtlsTransport__tx_packets == before + 1  # type: ignore[attr-defined]
        stats = await server.getStats()
        out = [s for s in stats.values() if s.type == "outbound-rtp"]
        assert out
        assert out[0].packetsSent >= 30
        assert out[0].bytesSent > 0
    finally:
        await viewer.close()
        await server.close()
