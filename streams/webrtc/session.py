"""One WHEP viewer: a peer connection that sends the camera's feed, plus a data channel that
carries overlays, clock and stats. Owned by the LiveService; its watcher task ends it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.exceptions import InvalidStateError
from pydantic import ValidationError

from streams.webrtc.feed import CameraFeed
from streams.webrtc.messages import ClockMessage, LiveStatus, Ping, PongMessage, StatsMessage
from streams.webrtc.sdp import BadOffer, answer_has_h264
from streams.webrtc.sender import LeanSender
from streams.webrtc.settings import LiveSettings
from streams.webrtc.track import RelayTrack

log = logging.getLogger(__name__)

CHANNEL_LABEL = "cityeye"
CHANNEL_ID = 0  # negotiated out of band: the page creates the same channel (id 0)
Transport = Literal["webrtc", "mjpeg"]


@dataclass(frozen=True)
class SessionInfo:
    """Who watched which camera, from when to when (the audit row)."""

    session_id: str
    camera_id: str
    username: str
    transport: Transport
    started_at: float
    ended_at: float | None = None
    reason: str = ""


SessionHook = Callable[[SessionInfo], Awaitable[None]]


@dataclass
class Reference:
    """The newest frame sent: lets the page turn an RTP timestamp into a capture time."""

    ticks: int = 0
    captured_at: float = 0.0


def rtc_configuration(settings: LiveSettings) -> RTCConfiguration:
    servers = [RTCIceServer(urls=url) for url in settings.ice_servers]
    return RTCConfiguration(iceServers=servers)


class WhepSession:
    def __init__(
        self,
        info: SessionInfo,
        feed: CameraFeed,
        settings: LiveSettings,
        status: Callable[[], LiveStatus],
        on_closed: Callable[[WhepSession], Awaitable[None]],
    ) -> None:
        self.info = info
        self._feed = feed
        self._settings = settings
        self._status = status
        self._on_closed = on_closed
        self.pc = RTCPeerConnection(rtc_configuration(settings))
        self._queue = feed.add_viewer()
        self._ref = Reference()
        self.track = RelayTrack(self._queue, self._frame_sent)
        self.channel: RTCDataChannel | None = None
        self._connected = asyncio.Event()
        self._ended = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._clock_sent: int | None = None
        self.reason = ""
        self.pc.on("connectionstatechange", self._state_changed)

    @property
    def session_id(self) -> str:
        return self.info.session_id

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    # negotiation ------------------------------------------------------------------------------
    async def negotiate(self, offer: str) -> str:
        """Answer the offer (ICE candidates gathered, no trickle); raises BadOffer."""
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        except (ValueError, KeyError, IndexError) as exc:
            raise BadOffer(f"cannot use the SDP offer: {exc}") from exc
        video = [t for t in self.pc.getTransceivers() if t.kind == "video"]
        if not video:
            raise BadOffer("the offer has no video section")
        h264 = [
            c for c in RTCRtpSender.getCapabilities("video").codecs
            if c.mimeType in ("video/H264", "video/rtx")
        ]
        video[0].setCodecPreferences(h264)
        sender = LeanSender.adopt(self.pc.addTrack(self.track), self.track, self.track.origin)
        # a PLI from the viewer reaches the camera's shared encoder (encode mode only)
        setattr(sender, "_send_keyframe", self._feed.request_keyframe)  # noqa: B010
        if "m=application" in offer:
            self.channel = self.pc.createDataChannel(CHANNEL_LABEL, negotiated=True, id=CHANNEL_ID)
            self.channel.on("message", self._on_message)
        answer = await self.pc.createAnswer()
        await self.pc.setLocalDescription(answer)
        sdp = self.pc.localDescription.sdp
        if not answer_has_h264(sdp):
            raise BadOffer("no H.264 profile in common (offer packetization-mode=1, 42e01f)")
        return sdp

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the watcher task (owned here; awaited by ``aclose``, and a failure is logged
        even when the session ends by itself)."""
        self._task = asyncio.create_task(self._watch(), name=f"whep-{self.session_id}")
        self._task.add_done_callback(_log_failure)

    def end(self, reason: str) -> None:
        if not self._ended.is_set():
            self.reason = reason
            self._ended.set()

    async def aclose(self, reason: str) -> None:
        self.end(reason)
        if self._task is not None:
            await self._task
        else:
            await self._teardown()

    def _state_changed(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            self._connected.set()
        elif state in ("failed", "closed"):
            self.end(f"connection {state}")

    async def _watch(self) -> None:
        try:
            connect = asyncio.ensure_future(self._connected.wait())
            ended = asyncio.ensure_future(self._ended.wait())
            try:
                await asyncio.wait(
                    {connect, ended},
                    timeout=self._settings.connect_timeout_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                connect.cancel()
                ended.cancel()
            if not self._connected.is_set():
                self.end(f"did not connect within {self._settings.connect_timeout_s:g} s")
            while not self._ended.is_set():
                self._send_periodic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ended.wait(), self._settings.stats_interval_s)
        finally:
            await self._teardown()

    async def _teardown(self) -> None:
        self._feed.remove_viewer(self._queue)
        self.track.stop()
        await self.pc.close()
        await self._on_closed(self)

    # data channel -----------------------------------------------------------------------------
    def _frame_sent(self, ticks: int, captured_at: float) -> None:
        self._ref.ticks, self._ref.captured_at = ticks, captured_at
        if self._clock_sent is None and self.track.origin.value is not None:
            self._send_clock()

    def send(self, text: str) -> None:
        channel = self.channel
        if channel is None or channel.readyState != "open":
            return
        try:
            channel.send(text)
        except (InvalidStateError, ConnectionError) as exc:  # closing meanwhile
            log.debug("live %s: data channel send failed: %s", self.session_id, exc)

    def _send_clock(self) -> None:
        origin = self.track.origin.value
        if origin is None or not self._ref.ticks:
            return
        self._clock_sent = origin
        clock = ClockMessage(
            origin=origin, ticks=self._ref.ticks, captured_at=self._ref.captured_at,
            server_time=time.time(),
        )
        self.send(clock.model_dump_json())

    def _send_periodic(self) -> None:
        self._send_clock()
        stats = StatsMessage(
            session_id=self.session_id, frames_sent=self.track.frames_sent,
            skipped=self._queue.skipped, live=self._status(),
        )
        self.send(stats.model_dump_json())

    def _on_message(self, message: object) -> None:
        if not isinstance(message, str):
            return
        try:
            ping = Ping.model_validate_json(message)
        except ValidationError:
            return
        pong = PongMessage(id=ping.id, t=ping.t, server_time=time.time())
        self.send(pong.model_dump_json())


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("live session task %s failed", task.get_name(), exc_info=task.exception())
