"""Bounded fan-out of a camera's encoded packets (H.264/HEVC, Annex B) for the live relay.

The camera forwards packets only while somebody subscribed (`on_demand` tells it; the decoder
then sends its cached current GOP first). A subscriber starts at the last keyframe (so a
decoder can start at once), reads at its own pace, and never makes the camera wait: when its
queue is full the backlog is dropped (and counted) and it resumes at the next keyframe, so what
it gets is always decodable.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from streams.datatypes import EncodedPacket, StreamCodecInfo


class PacketSubscription:
    def __init__(self, fanout: PacketFanout, max_packets: int) -> None:
        self._fanout = fanout
        self._max = max_packets
        self._queue: deque[EncodedPacket] = deque()
        self._cond = threading.Condition()
        self._waiting_keyframe = False
        self._closed = False
        self.dropped = 0

    @property
    def codec(self) -> StreamCodecInfo | None:
        return self._fanout.codec

    @property
    def closed(self) -> bool:
        return self._closed

    def _offer(self, packet: EncodedPacket) -> None:
        with self._cond:
            if self._closed:
                return
            if self._waiting_keyframe and not packet.is_keyframe:
                self.dropped += 1
                return
            self._waiting_keyframe = False
            if len(self._queue) >= self._max:
                self.dropped += len(self._queue) + 1
                self._queue.clear()
                if not packet.is_keyframe:
                    self._waiting_keyframe = True
                    return
            self._queue.append(packet)
            self._cond.notify_all()

    def get(self, timeout: float) -> EncodedPacket | None:
        """The next packet, or None after ``timeout`` seconds or once closed."""
        with self._cond:
            if not self._queue and not self._closed:
                self._cond.wait(timeout)
            return self._queue.popleft() if self._queue else None

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()
        self._fanout.unsubscribe(self)


class PacketFanout:
    """Keeps the current GOP (bounded) and hands packets to every subscriber."""

    def __init__(
        self,
        camera_id: str,
        gop_max_packets: int,
        on_demand: Callable[[bool], None] | None = None,
    ) -> None:
        self.camera_id = camera_id
        self._on_demand = on_demand
        self._gop: deque[EncodedPacket] = deque(maxlen=gop_max_packets)
        self._subs: list[PacketSubscription] = []
        self._lock = threading.Lock()
        self.codec: StreamCodecInfo | None = None

    def set_codec(self, info: StreamCodecInfo) -> None:
        with self._lock:
            if self.codec is not None and info.codec != self.codec.codec:
                self._gop.clear()
            self.codec = info

    def publish(self, packet: EncodedPacket) -> None:
        with self._lock:
            if packet.is_keyframe:
                self._gop.clear()
            if self._gop or packet.is_keyframe:
                self._gop.append(packet)
            subs = list(self._subs)
        for sub in subs:
            sub._offer(packet)

    def subscribe(self, max_packets: int = 300) -> PacketSubscription:
        if max_packets < 1:
            raise ValueError("max_packets must be at least 1")
        sub = PacketSubscription(self, max_packets)
        with self._lock:
            if self._gop and len(self._gop) <= max_packets:
                for packet in self._gop:
                    sub._offer(packet)
            else:
                sub._waiting_keyframe = True  # no GOP yet or longer than the queue
            self._subs.append(sub)
            if len(self._subs) == 1 and self._on_demand is not None:
                self._on_demand(True)
        return sub

    def unsubscribe(self, sub: PacketSubscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
                if not self._subs:
                    # nobody reads: the camera stops forwarding, and the cached GOP would go
                    # stale, so the next subscriber starts at a fresh keyframe
                    self._gop.clear()
                    if self._on_demand is not None:
                        self._on_demand(False)

    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def close(self) -> None:
        with self._lock:
            subs = list(self._subs)
            self._gop.clear()
        for sub in subs:
            sub.close()
