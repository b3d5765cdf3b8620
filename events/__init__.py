"""Events: the typed `Event` value, the publish/subscribe bus, the store and the API router."""

from events.model import EVENT_KINDS, Event, EventKind, EventState

__all__ = ["EVENT_KINDS", "Event", "EventKind", "EventState"]
