"""LiveService: owns the per-camera feeds, the WHEP sessions and the MJPEG fallback feeds.

    live = LiveService(ingest, LiveSettings(...), on_end=audit_hook)   # inside the server loop
    session, answer_sdp = await live.open_session(camera_id, offer_sdp, username)
    await live.close_session(session_id)
    live.publish_overlay(OverlayFrame(...))      # any thread (the analytics workers)
    await live.aclose()                          # closes every peer connection and feed

Everything except ``publish_overlay`` and ``snapshot`` runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, replace

from streams.datatypes import CameraStatus
from streams.webrtc.feed import CameraFeed, FeedStats, PacketSource
from streams.webrtc.ice import HostAddresses
from streams.webrtc.messages import LiveStatus
from streams.webrtc.mjpeg import MjpegFeed, MjpegSubscription
from streams.webrtc.overlay import OverlayFrame
from streams.webrtc.sdp import BadOffer, check_offer
from streams.webrtc.session import SessionHook, SessionInfo, Transport, WhepSession
from streams.webrtc.settings import LiveSettings

log = logging.getLogger(__name__)

JANITOR_INTERVAL_S = 1.0
FEED_LINGER_S = 3.0  # a feed without viewers stays up this long (quick reconnects)


class CameraUnavailable(Exception):
    """The camera cannot be watched now (offline, erroring, not started); str() says why."""


class TooManySessions(Exception):
    pass


@dataclass(frozen=True)
class CameraLive:
    """Scrape-time view of one camera's live relay (for metrics)."""

    camera_id: str
    feed: FeedStats | None
    mjpeg_viewers: int
    mjpeg_pictures: int


@dataclass
class _Mjpeg:
    feed: MjpegFeed
    idle_since: float | None = None


class LiveService:
    def __init__(
        self, source: PacketSource, settings: LiveSettings, on_end: SessionHook | None = None
    ) -> None:
        self._source = source
        self.settings = settings
        self._on_end = on_end
        self._hosts = HostAddresses(settings.ice_hosts)
        self._hosts.install()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._feeds: dict[str, CameraFeed] = {}
        self._idle: dict[str, float] = {}
        self._mjpeg: dict[str, _Mjpeg] = {}
        self._sessions: dict[str, WhepSession] = {}
        self._fallback: dict[str, SessionInfo] = {}
        self._ended: list[SessionInfo] = []
        self._janitor: asyncio.Task[None] | None = None
        self._closed = False
        self.sessions_opened = 0

    # availability -----------------------------------------------------------------------------
    def check_available(self, camera_id: str) -> None:
        health = self._source.health(camera_id)
        if health is None:
            raise CameraUnavailable(f"camera {camera_id} is not running (disabled or starting)")
        if health.status is not CameraStatus.ONLINE:
            why = health.last_error or "no pictures yet"
            raise CameraUnavailable(f"camera {camera_id} is {health.status.value}: {why}")

    def status(self, camera_id: str) -> LiveStatus:
        health = self._source.health(camera_id)
        feed = self._feeds.get(camera_id)
        mjpeg = self._mjpeg.get(camera_id)
        webrtc = feed.viewers() if feed else 0
        fallback = mjpeg.feed.viewers() if mjpeg else 0
        return LiveStatus(
            camera_id=camera_id,
            camera_status=health.status.value if health else "offline",
            last_error=health.last_error if health else None,
            mode=feed.mode.value if feed else "idle",
            viewers=webrtc + fallback,
            webrtc_viewers=webrtc,
            mjpeg_viewers=fallback,
            fps_in=health.fps_in if health else 0.0,
            codec=health.codec if health else None,
            width=health.width if health else None,
            height=health.height if health else None,
        )

    # WHEP sessions ----------------------------------------------------------------------------
    def _bind(self) -> asyncio.AbstractEventLoop:
        if self._closed:
            raise CameraUnavailable("the server is shutting down")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._janitor = asyncio.create_task(self._sweep(), name="live-janitor")
        return self._loop

    def _feed(self, camera_id: str) -> CameraFeed:
        feed = self._feeds.get(camera_id)
        if feed is None:
            feed = CameraFeed(camera_id, self._source, self.settings, self._bind())
            self._feeds[camera_id] = feed
            feed.start()
        self._idle.pop(camera_id, None)
        return feed

    def _new_info(self, camera_id: str, username: str, transport: Transport) -> SessionInfo:
        return SessionInfo(uuid.uuid4().hex, camera_id, username, transport, time.time())

    async def open_session(
        self, camera_id: str, offer: str, username: str
    ) -> tuple[SessionInfo, str]:
        """Answer a WHEP offer. Raises BadOffer, CameraUnavailable or TooManySessions."""
        check_offer(offer)
        self.check_available(camera_id)
        if len(self._sessions) + len(self._fallback) >= self.settings.max_sessions:
            raise TooManySessions(f"the server already has {self.settings.max_sessions} viewers")
        feed = self._feed(camera_id)
        info = self._new_info(camera_id, username, "webrtc")
        session = WhepSession(info, feed, self.settings, lambda: self.status(camera_id),
                              self._session_closed)
        self._sessions[info.session_id] = session
        try:
            answer = await session.negotiate(offer)
        except BadOffer:
            await session.aclose("bad offer")
            raise
        session.start()
        self.sessions_opened += 1
        log.info("live %s: %s watches %s (WebRTC)", info.session_id, username, camera_id)
        return info, answer

    def session(self, session_id: str) -> WhepSession | None:
        return self._sessions.get(session_id)

    async def close_session(self, session_id: str, reason: str = "closed by the viewer") -> bool:
        session = self._sessions.get(session_id)
        if session is None:
            return False
        await session.aclose(reason)
        return True

    async def _session_closed(self, session: WhepSession) -> None:
        self._sessions.pop(session.session_id, None)
        feed = self._feeds.get(session.info.camera_id)
        if feed is not None and feed.viewers() == 0:
            self._idle.setdefault(session.info.camera_id, time.monotonic())
        ended = replace(session.info, ended_at=time.time(), reason=session.reason)
        log.info("live %s ended: %s", session.session_id, session.reason)
        if self._on_end is not None and session.reason != "bad offer":
            await self._on_end(ended)

    # MJPEG fallback ---------------------------------------------------------------------------
    def open_mjpeg(self, camera_id: str, username: str) -> tuple[SessionInfo, MjpegSubscription]:
        self.check_available(camera_id)
        if len(self._sessions) + len(self._fallback) >= self.settings.max_sessions:
            raise TooManySessions(f"the server already has {self.settings.max_sessions} viewers")
        loop = self._bind()
        entry = self._mjpeg.get(camera_id)
        if entry is None:
            entry = _Mjpeg(MjpegFeed(camera_id, self._source, self.settings, loop))
            self._mjpeg[camera_id] = entry
            entry.feed.start()
        entry.idle_since = None
        info = self._new_info(camera_id, username, "mjpeg")
        self._fallback[info.session_id] = info
        self.sessions_opened += 1
        return info, entry.feed.subscribe()

    def close_mjpeg(self, info: SessionInfo, sub: MjpegSubscription, reason: str) -> None:
        """Synchronous (called from a streaming response's cleanup); the janitor records the
        end and stops the camera's encoder once it has no viewers."""
        entry = self._mjpeg.get(info.camera_id)
        if entry is not None:
            entry.feed.unsubscribe(sub)
            if entry.feed.viewers() == 0:
                entry.idle_since = time.monotonic()
        if self._fallback.pop(info.session_id, None) is not None:
            self._ended.append(replace(info, ended_at=time.time(), reason=reason))

    # overlays ---------------------------------------------------------------------------------
    def publish_overlay(self, frame: OverlayFrame) -> None:
        """Send an overlay to the camera's viewers. Thread-safe and quick: the JSON is built
        here, delivery happens on the event loop."""
        loop = self._loop
        if loop is None or self._closed:
            return
        text = frame.wire()
        try:
            loop.call_soon_threadsafe(self._deliver, frame.camera_id, text)
        except RuntimeError:  # loop closed
            return

    def _deliver(self, camera_id: str, text: str) -> None:
        for session in self._sessions.values():
            if session.info.camera_id == camera_id:
                session.send(text)
        entry = self._mjpeg.get(camera_id)
        if entry is not None:
            entry.feed.overlay(text)

    # housekeeping -----------------------------------------------------------------------------
    async def _sweep(self) -> None:
        while not self._closed:
            await asyncio.sleep(JANITOR_INTERVAL_S)
            await self._sweep_once()

    async def _sweep_once(self, force: bool = False) -> None:
        now = time.monotonic()
        for cam, since in list(self._idle.items()):
            feed = self._feeds.get(cam)
            if feed is None or feed.viewers() > 0:
                self._idle.pop(cam, None)
            elif force or now - since >= FEED_LINGER_S:
                self._idle.pop(cam, None)
                self._feeds.pop(cam, None)
                await feed.aclose()
        for cam, entry in list(self._mjpeg.items()):
            if entry.feed.viewers() == 0 and (
                force or (entry.idle_since is not None and now - entry.idle_since >= FEED_LINGER_S)
            ):
                self._mjpeg.pop(cam, None)
                await entry.feed.aclose()
        ended, self._ended = self._ended, []
        for info in ended:
            if self._on_end is not None:
                await self._on_end(info)

    async def aclose(self) -> None:
        """Close every peer connection, MJPEG stream and feed; restore aioice."""
        self._closed = True
        for session in list(self._sessions.values()):
            await session.aclose("server shutting down")
        if self._janitor is not None:
            self._janitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._janitor
        for info in list(self._fallback.values()):
            self._ended.append(replace(info, ended_at=time.time(), reason="server shutting down"))
        self._fallback.clear()
        for entry in list(self._mjpeg.values()):
            await entry.feed.aclose()
        self._mjpeg.clear()
        for feed in list(self._feeds.values()):
            await feed.aclose()
        self._feeds.clear()
        await self._sweep_once(force=True)
        self._hosts.uninstall()

    # observation ------------------------------------------------------------------------------
    def snapshot(self) -> list[CameraLive]:
        feeds = dict(self._feeds)
        mjpeg = dict(self._mjpeg)
        out = []
        for cam in sorted(set(feeds) | set(mjpeg)):
            feed, entry = feeds.get(cam), mjpeg.get(cam)
            out.append(CameraLive(
                camera_id=cam,
                feed=feed.stats() if feed else None,
                mjpeg_viewers=entry.feed.viewers() if entry else 0,
                mjpeg_pictures=entry.feed.pictures_encoded if entry else 0,
            ))
        return out

    def feed_stats(self, camera_id: str) -> FeedStats | None:
        feed = self._feeds.get(camera_id)
        return feed.stats() if feed else None

    def session_count(self) -> int:
        return len(self._sessions) + len(self._fallback)
