"""Marker-bit RTP input: depacketising, SDP, an RTSP session with Digest auth, and the relay
PacketSource built on them (access units out on the packet that completes them)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiortc.codecs.h264 import H264Encoder

from streams.datatypes import EncodedPacket
from streams.rtpin import H264Depacketizer, NotH264Error, RtpClock, RtpInputError, parse_sdp
from streams.rtsp import RtspInput
from streams.webrtc.rtpsource import RtpPacketSource

SPS = b"\x67" + b"\x42" * 12
PPS = b"\x68\xce\x3c\x80"
IDR = b"\x65" + bytes(range(256)) * 12  # ~3 kB: split into FU-A fragments
P = b"\x41" + b"\x9a" * 200


def rtp(frames: list[list[bytes]], seq0: int = 100, frame0: int = 0) -> Iterator[bytes]:
    seq = seq0
    for i, nals in enumerate(frames, start=frame0):
        payloads = H264Encoder._packetize(nals)
        for k, payload in enumerate(payloads):
            marker = 0x80 if k == len(payloads) - 1 else 0
            yield struct.pack("!BBHII", 0x80, marker | 96, seq & 0xFFFF, i * 3000, 1) + payload
            seq += 1


def test_units_complete_on_the_marker_bit() -> None:
    depack = H264Depacketizer(96)
    packets = list(rtp([[SPS, PPS, IDR], [P], [P]]))
    out = [depack.push(p) for p in packets]
    units = [u for u in out if u is not None]
    assert len(units) == 3
    # each unit comes out on its own last packet, not when the next one starts
    first_done = next(i for i, u in enumerate(out) if u is not None)
    assert first_done == len(list(rtp([[SPS, PPS, IDR]]))) - 1
    start = b"\x00\x00\x00\x01"
    assert units[0].data == start + SPS + start + PPS + start + IDR
    assert units[0].keyframe
    assert not units[1].keyframe
    assert [u.timestamp for u in units] == [0, 3000, 6000]


def test_a_lost_packet_drops_frames_until_the_next_keyframe() -> None:
    depack = H264Depacketizer(96)
    packets = list(rtp([[SPS, PPS, IDR], [P], [P], [SPS, PPS, IDR], [P]]))
    del packets[2]  # a middle fragment of the first keyframe
    units = [u for p in packets if (u := depack.push(p)) is not None]
    assert [u.timestamp for u in units] == [9000, 12000]
    assert depack.dropped == 3


def test_reordered_packets_are_put_back_in_order() -> None:
    depack = H264Depacketizer(96)
    packets = list(rtp([[SPS, PPS, IDR], [P], [P]]))
    order = [0, 2, 1, 3, 5, 4]  # swaps inside the keyframe and between the P frames
    assert sorted(order) == list(range(len(packets)))
    units = [u for i in order for u in depack.feed(packets[i])]
    assert [u.timestamp for u in units] == [0, 3000, 6000]
    assert depack.dropped == 0
    assert depack.lost == 0
    start = b"\x00\x00\x00\x01"
    assert units[0].data == start + SPS + start + PPS + start + IDR


def test_a_unit_completes_on_its_marker_even_when_packets_of_the_next_are_early() -> None:
    depack = H264Depacketizer(96)
    packets = list(rtp([[SPS, PPS, IDR], [P]]))
    *key, p1 = packets
    out = [depack.feed(p) for p in key[:-1]]
    assert out == [[]] * (len(key) - 1)
    assert [u.timestamp for u in depack.feed(key[-1])] == [0]  # on the marker bit, at once
    assert [u.timestamp for u in depack.feed(p1)] == [3000]


def test_duplicates_are_ignored_and_a_lost_marker_ends_the_unit() -> None:
    depack = H264Depacketizer(96, reorder=1)
    big_p = b"\x41" + bytes(range(256)) * 12  # split into FU-A fragments too
    n_key = len(list(rtp([[SPS, PPS, IDR]])))
    n_big = len(list(rtp([[big_p]])))
    packets = list(rtp([[SPS, PPS, IDR], [big_p], [P], [SPS, PPS, IDR], [P]]))
    units = [u for p in packets[:n_key] for u in depack.feed(p)]
    assert [u.timestamp for u in units] == [0]
    assert depack.feed(packets[1]) == []  # a late duplicate
    assert depack.late == 1
    del packets[n_key + n_big - 1]  # the big P frame's last (marker) packet
    # that frame must end (not be glued to the next one), and P frames wait for the next
    # keyframe after a loss
    rest = [u for p in packets[n_key:] for u in depack.feed(p)]
    assert [u.timestamp for u in rest] == [9000, 12000]
    assert depack.lost == 1


def test_a_gap_beyond_the_reorder_window_is_a_loss() -> None:
    depack = H264Depacketizer(96, reorder=2)
    packets = list(rtp([[SPS, PPS, IDR], [P], [P], [P], [SPS, PPS, IDR], [P]]))
    n_key = len(list(rtp([[SPS, PPS, IDR]])))
    del packets[n_key]  # the first P frame
    units = [u for p in packets for u in depack.feed(p)]
    assert [u.timestamp for u in units] == [0, 12000, 15000]
    assert depack.lost == 1


def test_rtp_timestamps_unwrap_past_32_bits() -> None:
    clock = RtpClock()
    near = (1 << 32) - 3000
    assert [clock.ticks(t) for t in (near, 0, 3000)] == [near, 1 << 32, (1 << 32) + 3000]
    assert clock.ticks(near + 1500) == near + 1500  # a late one from before the wrap


def test_sdp_describes_the_video_stream() -> None:
    text = ("v=0\r\nc=IN IP4 239.1.2.3/16\r\nm=audio 5000 RTP/AVP 0\r\n"
            "m=video 5004 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n"
            "a=fmtp:97 packetization-mode=1;sprop-parameter-sets=Z0IAH+kCwA==,aM48gA==\r\n"
            "a=control:trackID=1\r\n")
    sdp = parse_sdp(text, base_url="rtsp://cam/live")
    assert (sdp.payload_type, sdp.port, sdp.address) == (97, 5004, "239.1.2.3")
    assert sdp.control == "rtsp://cam/live/trackID=1"
    assert sdp.parameter_sets.startswith(b"\x00\x00\x00\x01\x67")
    with pytest.raises(RtpInputError, match="no video"):
        parse_sdp("v=0\r\nm=audio 5000 RTP/AVP 0\r\n")
    with pytest.raises(NotH264Error, match=r"not H\.264"):
        parse_sdp("v=0\r\nm=video 5000 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\n")


class TinyRtspServer:
    """Enough RTSP to test the client: Digest auth, SETUP interleaved, PLAY, then RTP."""

    def __init__(self, packets: list[bytes]) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.packets = packets
        self.methods: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)

    def serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn, contextlib.suppress(OSError):
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                method = lines[0].split()[0]
                cseq = next(ln.split(":")[1].strip() for ln in lines if ln.startswith("CSeq"))
                authed = any(ln.startswith("Authorization: Digest") for ln in lines)
                self.methods.append(method + ("+auth" if authed else ""))
                if not authed:
                    conn.sendall(f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: '
                                 f'Digest realm="cam", nonce="n1"\r\n\r\n'.encode())
                    continue
                body = ""
                extra = ""
                if method == "DESCRIBE":
                    body = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                    extra = "Content-Type: application/sdp\r\n"
                if method == "SETUP":
                    extra = "Session: 77;timeout=60\r\n"
                conn.sendall(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}"
                             f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
                if method == "PLAY":
                    for p in self.packets:
                        conn.sendall(b"$\x00" + struct.pack("!H", len(p)) + p)
                        conn.sendall(b"$\x01\x00\x04abcd")  # RTCP on channel 1: skipped


def test_rtsp_session_with_digest_auth_delivers_rtp() -> None:
    packets = list(rtp([[SPS, PPS, IDR], [P]]))
    server = TinyRtspServer(packets)
    client = RtspInput(f"rtsp://user:pa%3Ass@127.0.0.1:{server.port}/live", timeout_s=5)
    try:
        sdp = client.open()
        assert sdp.payload_type == 96
        got = []
        for p in client.packets():
            got.append(p)
            if len(got) == len(packets):
                break
        assert got == packets
    finally:
        client.close()
        server.close()
    assert server.methods[:3] == ["OPTIONS", "OPTIONS+auth", "DESCRIBE+auth"]
    assert "PLAY+auth" in server.methods


def test_rtp_source_from_an_sdp_file_feeds_the_relay(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sdp = tmp_path / "cam.sdp"
    sdp.write_text(f"v=0\r\nc=IN IP4 127.0.0.1\r\nm=video {port} RTP/AVP 96\r\n"
                   "a=rtpmap:96 H264/90000\r\n")
    source = RtpPacketSource("cam", str(sdp), timeout_s=2)
    source.start()
    sub = source.subscribe_packets("cam", 50)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        deadline = time.monotonic() + 10
        got: list[EncodedPacket] = []
        batch, seq = 0, 100
        while len(got) < 3 and time.monotonic() < deadline:
            packets = list(rtp([[SPS, PPS, IDR], [P], [P]], seq, 3 * batch))
            seq += len(packets)  # sequence numbers run on across batches
            for p in packets:  # until the source's socket is up, these are lost: send again
                sender.sendto(p, ("127.0.0.1", port))
            batch += 1
            while (packet := sub.get(0.2)) is not None:
                got.append(packet)
        assert [p.is_keyframe for p in got[:3]] == [True, False, False]
        assert got[1].pts is not None
        assert got[1].pts - (got[0].pts or 0) == pytest.approx(3000 / 90000)
        health = source.health("cam")
        assert health is not None
        assert health.status.value == "online"
    finally:
        sender.close()
        source.close(timeout=5)
    assert not any(t.name == "cityeye-rtp-cam" for t in threading.enumerate())
