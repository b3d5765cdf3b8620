"""Fan-out of desk messages to WebSocket clients, scoped by unit. Each client has a bounded
queue: a slow client loses its oldest messages (counted), never holding up the desk."""

from __future__ import annotations

from desk.model import DeskMessage
from events.wsfeed import ClientQueue


class FeedSubscription(ClientQueue):
    """A desk client: only alerts of its units (None: every unit)."""

    def __init__(self, feed: DeskFeed, units: frozenset[str] | None, maxsize: int) -> None:
        super().__init__(maxsize, on_close=lambda: feed.remove(self))
        self.units = units

    def offer(self, unit_id: str, text: str) -> None:
        if self.units is None or unit_id in self.units:
            self.put(text)


class DeskFeed:
    """Use on the event loop only (the service publishes from there)."""

    def __init__(self) -> None:
        self._subs: list[FeedSubscription] = []

    def subscribe(self, units: frozenset[str] | None, maxsize: int = 512) -> FeedSubscription:
        sub = FeedSubscription(self, units, maxsize)
        self._subs.append(sub)
        return sub

    def remove(self, sub: FeedSubscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, message: DeskMessage) -> None:
        if message.alert is None or not self._subs:
            return
        text = message.model_dump_json()
        for sub in list(self._subs):
            sub.offer(message.alert.unit_id, text)

    def close_all(self) -> None:
        for sub in list(self._subs):
            sub.close()
