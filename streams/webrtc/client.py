"""A WHEP viewer in Python (aiortc), for tests, benchmarks and command-line checks.

It receives like a browser: a frame is complete when its last RTP packet (marker bit) arrives,
not when the next frame starts (aiortc's own jitter buffer waits for that), and it keeps the
raw RTP timestamp of every frame so overlays can be matched exactly. Needs ``httpx``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import av
import httpx
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RtpPacket
from pydantic import BaseModel, ValidationError

from streams.webrtc.messages import ClockMessage, StatsMessage
from streams.webrtc.overlay import OverlayFrame
from streams.webrtc.packets import RTP_MASK
from streams.webrtc.session import CHANNEL_ID, CHANNEL_LABEL


class WhepError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class MarkerJitterBuffer(JitterBuffer):
    """Completes a frame on its marker-bit packet when all of its packets are there.

    With ``decode=False`` frames are only counted (a viewer that costs the client nothing)."""

    def __init__(self, decode: bool = True) -> None:
        super().__init__(capacity=512, is_video=True)
        self._decode = decode
        self._pending: dict[int, RtpPacket] = {}
        self._start: int | None = None  # sequence number that starts the current frame
        self.first_timestamp: int | None = None
        self.frames = 0
        self.lost_frames = 0
        self.arrivals: deque[tuple[int, float]] = deque(maxlen=4096)  # (rtp ts, time.time())

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._start is None:
            self._start = seq
        self._pending[seq] = packet
        if not packet.marker:
            if len(self._pending) > 2048:
                self._pending.clear()
                self._start = None
            return False, None
        run = [self._pending.get((self._start + i) & 0xFFFF)
               for i in range(((seq - self._start) & 0xFFFF) + 1)]
        self._pending.clear()
        self._start = (seq + 1) & 0xFFFF
        if any(p is None or p.timestamp != packet.timestamp for p in run):
            self.lost_frames += 1
            return True, None  # ask for a keyframe (PLI)
        self.frames += 1
        self.arrivals.append((packet.timestamp, time.time()))
        if self.first_timestamp is None:
            self.first_timestamp = packet.timestamp
        if not self._decode:
            return False, None
        data = b"".join(p._data for p in run if p is not None)  # type: ignore[attr-defined]
        return False, JitterFrame(data=data, timestamp=packet.timestamp)

    def rtp_timestamp(self, mapped: int) -> int | None:
        """The raw RTP timestamp of a decoded frame whose pts aiortc rebased to ``mapped``."""
        if self.first_timestamp is None:
            return None
        return (self.first_timestamp + mapped) & RTP_MASK


class _OverlayEnvelope(BaseModel):
    type: Literal["overlay"]
    ticks: int


@dataclass(frozen=True)
class ReceivedOverlay:
    ticks: int
    frame: OverlayFrame


@dataclass
class ReceivedFrame:
    rtp: int | None
    received_at: float
    image: av.VideoFrame


@dataclass
class WhepViewer:
    """One viewer: ``await connect()``, ``await next_frame()``, ``await close()``."""

    base_url: str
    camera_id: str
    token: str | None
    decode: bool = True
    timeout_s: float = 20.0
    endpoint: str | None = None  # WHEP URL when it is not the CityEye camera endpoint
    location: str | None = None
    clock: ClockMessage | None = None
    stats: StatsMessage | None = None
    overlays: list[ReceivedOverlay] = field(default_factory=list)
    pc: RTCPeerConnection = field(default_factory=RTCPeerConnection)

    def __post_init__(self) -> None:
        self.buffer = MarkerJitterBuffer(decode=self.decode)
        self._track: MediaStreamTrack | None = None
        self._got_track = asyncio.Event()

    async def connect(self) -> None:
        transceiver = self.pc.addTransceiver("video", direction="recvonly")
        setattr(transceiver.receiver, "_RTCRtpReceiver__jitter_buffer", self.buffer)  # noqa: B010
        caps = RTCRtpReceiver.getCapabilities("video")
        assert caps is not None
        transceiver.setCodecPreferences(
            [c for c in caps.codecs if c.mimeType in ("video/H264", "video/rtx")]
        )
        channel = self.pc.createDataChannel(CHANNEL_LABEL, negotiated=True, id=CHANNEL_ID)
        channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await self._post(self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _post(self, offer: str) -> str:
        url = self.endpoint or f"{self.base_url}/api/cameras/{self.camera_id}/whep"
        async with httpx.AsyncClient(timeout=self.timeout_s) as http:
            headers = {**self._headers(), "Content-Type": "application/sdp"}
            r = await http.post(url, content=offer.encode(), headers=headers)
        if r.status_code != 201:
            raise WhepError(r.status_code, r.text)
        self.location = r.headers["location"]
        return r.text

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._track = track
            self._got_track.set()

    def _on_message(self, message: object) -> None:
        if not isinstance(message, str):
            return
        with contextlib.suppress(ValidationError):
            if '"type":"clock"' in message:
                self.clock = ClockMessage.model_validate_json(message)
            elif '"type":"stats"' in message:
                self.stats = StatsMessage.model_validate_json(message)
            elif '"type":"overlay"' in message:
                envelope = _OverlayEnvelope.model_validate_json(message)
                body = json.loads(message)
                body.pop("type", None)
                body.pop("ticks", None)
                frame = OverlayFrame.model_validate(body)
                self.overlays.append(ReceivedOverlay(envelope.ticks, frame))

    async def next_frame(self) -> ReceivedFrame:
        await asyncio.wait_for(self._got_track.wait(), self.timeout_s)
        assert self._track is not None
        frame = await asyncio.wait_for(self._track.recv(), self.timeout_s)
        assert isinstance(frame, av.VideoFrame)
        rtp = self.buffer.rtp_timestamp(frame.pts) if frame.pts is not None else None
        return ReceivedFrame(rtp=rtp, received_at=time.time(), image=frame)

    async def close(self, delete: bool = True) -> int | None:
        """End the session (DELETE on its location); returns the DELETE status."""
        status = None
        if delete and self.location is not None:
            async with httpx.AsyncClient(timeout=self.timeout_s) as http:
                r = await http.delete(f"{self.base_url}{self.location}", headers=self._headers())
            status = r.status_code
        with contextlib.suppress(MediaStreamError):
            await self.pc.close()
        return status
