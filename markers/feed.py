"""Fan-out of marker changes to the WebSocket clients watching a camera.

Each client has a bounded queue (a slow client loses its oldest messages, counted, and never
holds up the others). `publish_threadsafe` may be called from any thread: the fan-out runs on
the event loop given to `bind`. Hidden markers reach admins only; other clients are told the
marker was deleted.
"""

from __future__ import annotations

import asyncio
import logging

from events.wsfeed import ClientQueue
from markers.schemas import Marker, MarkerMessage, MarkerOp

log = logging.getLogger(__name__)


class FeedSubscription(ClientQueue):
    """A client watching one camera (admins also see hidden markers)."""

    def __init__(self, feed: MarkerFeed, camera_id: str, admin: bool, maxsize: int) -> None:
        super().__init__(maxsize, on_close=lambda: feed.remove(self))
        self.camera_id = camera_id
        self.admin = admin


def _views(op: MarkerOp, marker: Marker) -> tuple[str | None, str | None]:
    """(what admins get, what everyone else gets) as JSON text; None: nothing."""
    admin = MarkerMessage(op=op, marker=marker).model_dump_json()
    if not marker.hidden:
        return admin, admin
    if op == "created":
        return admin, None
    return admin, MarkerMessage(op="deleted", marker=marker).model_dump_json()


class MarkerFeed:
    """Subscribe and publish on the event loop; `publish_threadsafe` from anywhere."""

    def __init__(self) -> None:
        self._subs: dict[str, list[FeedSubscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._loop = loop

    def subscribe(self, camera_id: str, admin: bool, maxsize: int = 256) -> FeedSubscription:
        sub = FeedSubscription(self, camera_id, admin, maxsize)
        self._subs.setdefault(camera_id, []).append(sub)
        return sub

    def remove(self, sub: FeedSubscription) -> None:
        subs = self._subs.get(sub.camera_id, [])
        if sub in subs:
            subs.remove(sub)
        if not subs:
            self._subs.pop(sub.camera_id, None)

    def watchers(self, camera_id: str) -> int:
        return len(self._subs.get(camera_id, []))

    def publish(self, op: MarkerOp, marker: Marker) -> None:
        """On the event loop: queue the change for every client of the marker's camera."""
        subs = list(self._subs.get(marker.camera_id, []))
        if not subs:
            return
        admin_text, public_text = _views(op, marker)
        for sub in subs:
            text = admin_text if sub.admin else public_text
            if text is not None:
                sub.put(text)

    def publish_threadsafe(self, op: MarkerOp, marker: Marker) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            log.debug("marker %d %s while the feed is not running: nobody to tell", marker.id, op)
            return
        try:
            loop.call_soon_threadsafe(self.publish, op, marker)
        except RuntimeError:  # the loop closed between the check and the call
            log.debug("marker %d %s after the loop closed", marker.id, op)

    def close_all(self) -> None:
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.close()
