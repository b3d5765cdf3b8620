"""Per-camera shared-memory frame ring between a decoder process and the server process.

Layout: a control block (stop flag, view-demand deadline, relay demand), one header per slot
(seq, width, height, nbytes) and the slot pixels. A writer marks a slot's seq -1, writes the
pixels, then stores the new seq (a seqlock); a reader copies the pixels and accepts the copy
only if the slot still holds the seq it was told about, so no reader ever sees a torn frame.
Slots are reused round-robin: memory is bounded by construction.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Literal

import numpy as np
import numpy.typing as npt

StreamName = Literal["analysis", "view"]

_CTL_FLOATS = 4  # [0] stop flag, [1] view demand deadline (time.monotonic), [2] relay demand
_HDR_FIELDS = 4  # seq, width, height, nbytes


@dataclass(frozen=True)
class RingLayout:
    name: str
    analysis_slots: int
    analysis_capacity: int  # bytes per analysis slot
    view_slots: int
    view_capacity: int  # bytes per view slot

    @property
    def slots(self) -> int:
        return self.analysis_slots + self.view_slots

    @property
    def header_bytes(self) -> int:
        return _CTL_FLOATS * 8 + self.slots * _HDR_FIELDS * 8

    @property
    def size(self) -> int:
        data = self.analysis_slots * self.analysis_capacity + self.view_slots * self.view_capacity
        return self.header_bytes + data

    def slot_range(self, stream: StreamName) -> tuple[int, int]:
        if stream == "analysis":
            return 0, self.analysis_slots
        return self.analysis_slots, self.slots

    def capacity(self, stream: StreamName) -> int:
        return self.analysis_capacity if stream == "analysis" else self.view_capacity

    def offset(self, slot: int) -> int:
        base = self.header_bytes
        if slot < self.analysis_slots:
            return base + slot * self.analysis_capacity
        rest = slot - self.analysis_slots
        return base + self.analysis_slots * self.analysis_capacity + rest * self.view_capacity


class FrameTooLarge(ValueError):
    pass


class FrameRing:
    """Owner side creates (and finally unlinks) the memory; the decoder attaches to it."""

    def __init__(
        self,
        buf: memoryview | mmap.mmap,
        layout: RingLayout,
        owner: bool,
        shm: shared_memory.SharedMemory | None = None,
    ) -> None:
        self._shm = shm
        self._mmap = buf if isinstance(buf, mmap.mmap) else None
        self.layout = layout
        self._owner = owner
        self._ctl: npt.NDArray[np.float64] | None = np.ndarray(
            (_CTL_FLOATS,), dtype=np.float64, buffer=buf, offset=0
        )
        self._hdr: npt.NDArray[np.int64] | None = np.ndarray(
            (layout.slots, _HDR_FIELDS), dtype=np.int64, buffer=buf, offset=_CTL_FLOATS * 8
        )
        self._data: npt.NDArray[np.uint8] | None = np.ndarray(
            (layout.size,), dtype=np.uint8, buffer=buf
        )
        self._next = {"analysis": 0, "view": 0}
        if owner:
            self._ctl[:] = 0.0
            self._hdr[:, 0] = -1

    @classmethod
    def create(
        cls, analysis_slots: int, analysis_capacity: int, view_slots: int, view_capacity: int
    ) -> FrameRing:
        probe = RingLayout("", analysis_slots, analysis_capacity, view_slots, view_capacity)
        shm = shared_memory.SharedMemory(create=True, size=probe.size)
        layout = RingLayout(shm.name, analysis_slots, analysis_capacity, view_slots, view_capacity)
        assert shm.buf is not None
        return cls(shm.buf, layout, owner=True, shm=shm)

    @classmethod
    def attach(cls, layout: RingLayout) -> FrameRing:
        """Map the owner's ring (decoder side). Opened by path so that this process does not
        register the memory with a resource tracker of its own (which would unlink it)."""
        fd = os.open(f"/dev/shm/{layout.name.lstrip('/')}", os.O_RDWR)
        try:
            mapped = mmap.mmap(fd, layout.size)
        finally:
            os.close(fd)
        return cls(mapped, layout, owner=False)

    # control block -------------------------------------------------------------------------
    def _control(self) -> npt.NDArray[np.float64]:
        if self._ctl is None:
            raise RuntimeError("frame ring is closed")
        return self._ctl

    def request_stop(self) -> None:
        self._control()[0] = 1.0

    def clear_stop(self) -> None:
        self._control()[0] = 0.0

    def stop_requested(self) -> bool:
        return bool(self._control()[0] != 0.0)

    def set_view_demand(self, until_monotonic: float) -> None:
        self._control()[1] = until_monotonic

    def view_demand(self) -> float:
        return float(self._control()[1])

    def set_relay_demand(self, active: bool) -> None:
        """Whether the decoder forwards encoded packets (someone subscribed to them)."""
        self._control()[2] = 1.0 if active else 0.0

    def relay_demand(self) -> bool:
        return bool(self._control()[2] != 0.0)

    # frames ----------------------------------------------------------------------------------
    def write(self, stream: StreamName, seq: int, image: npt.NDArray[np.uint8]) -> int:
        """Copy a HxWx3 image into the next slot of ``stream``; return the slot index."""
        hdr, data = self._hdr, self._data
        if hdr is None or data is None:
            raise RuntimeError("frame ring is closed")
        nbytes = int(image.nbytes)
        if nbytes > self.layout.capacity(stream):
            raise FrameTooLarge(f"{image.shape[1]}x{image.shape[0]} frame exceeds the ring slot")
        first, end = self.layout.slot_range(stream)
        slot = first + self._next[stream] % (end - first)
        self._next[stream] += 1
        start = self.layout.offset(slot)
        hdr[slot, 0] = -1
        data[start : start + nbytes] = image.reshape(-1)
        hdr[slot, 1:] = (image.shape[1], image.shape[0], nbytes)
        hdr[slot, 0] = seq
        return slot

    def read(self, slot: int, seq: int) -> npt.NDArray[np.uint8] | None:
        """A private copy of the slot if it still holds frame ``seq`` (None if overwritten)."""
        hdr, data = self._hdr, self._data
        if hdr is None or data is None or hdr[slot, 0] != seq:
            return None
        width, height, nbytes = (int(v) for v in hdr[slot, 1:])
        start = self.layout.offset(slot)
        pixels = data[start : start + nbytes].copy()
        if hdr[slot, 0] != seq:
            return None  # the writer lapped us while copying: refuse the torn copy
        return pixels.reshape(height, width, 3)

    def close(self) -> None:
        """Drop this process's mapping (and the memory itself when called by the owner)."""
        if self._data is None:
            return
        self._ctl = self._hdr = self._data = None
        if self._mmap is not None:
            self._mmap.close()
        if self._shm is not None:
            self._shm.close()
            if self._owner:
                with contextlib.suppress(FileNotFoundError):
                    self._shm.unlink()
