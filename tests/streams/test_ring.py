import numpy as np
import pytest

from streams.datatypes import Frame
from streams.ring import FrameRing, FrameTooLarge


def test_round_trip_and_overwrite_detection() -> None:
    ring = FrameRing.create(2, 8 * 4 * 3, 1, 16 * 8 * 3)
    other = FrameRing.attach(ring.layout)
    try:
        img = np.arange(4 * 8 * 3, dtype=np.uint8).reshape(4, 8, 3)
        slot = other.write("analysis", 7, img)
        copy = ring.read(slot, 7)
        assert copy is not None
        assert np.array_equal(copy, img)
        other.write("analysis", 8, img)
        other.write("analysis", 9, img)  # laps slot of seq 7
        assert ring.read(slot, 7) is None
        with pytest.raises(FrameTooLarge):
            other.write("analysis", 10, np.zeros((40, 40, 3), np.uint8))
        ring.request_stop()
        assert other.stop_requested()
    finally:
        other.close()
        ring.close()


def test_frames_are_read_only() -> None:
    frame = Frame("cam", 1, 0.0, 0.0, np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="read-only"):
        frame.image[0, 0, 0] = 1
