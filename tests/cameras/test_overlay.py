"""The vision state of a frame becomes the overlay the live page draws on that frame."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from cameras.overlay import OverlayPublisher, fan_out, overlay_from_state
from events.model import Event
from streams.webrtc.overlay import OverlayFrame
from streams.webrtc.packets import to_ticks
from vision.analytics import CameraState, ZoneCount
from vision.counting import LineCounts
from vision.detections import Detections


def state(pts: float = 2.5) -> CameraState:
    dets = Detections(
        xyxy=np.array([[64, 36, 128, 108], [600, 300, 700, 400]], dtype=np.float32),
        confidence=np.array([0.9, 0.4], dtype=np.float32),
        class_id=np.array([0, 2], dtype=np.int64),
        width=640,
        height=360,
        tracker_id=np.array([7, 9], dtype=np.int64),
    )
    now = datetime.now(UTC)
    crowd = Event(camera_id="cam", kind="overcrowding", rule_id="r1", tier=3, started_at=now,
                  updated_at=now, pts=pts, zone_id="hall", message="大厅人员过密")
    return CameraState(
        camera_id="cam", seq=5, pts=pts, captured_at=0.0, detections=dets,
        zones={"hall": ZoneCount("hall", 12.0, "detector", 12, None, {"person": 12})},
        lines={"gate": LineCounts("gate", 3, 1, {"person": 3}, {"person": 1})},
        people=ZoneCount("frame", 13.0, "detector", 13, None, {"person": 13}),
        open_events=(crowd,),
    )


def test_boxes_are_normalised_clipped_and_keep_their_tracks() -> None:
    frame = overlay_from_state(state(), heat=None)
    assert frame.pts == 2.5
    first, second = frame.boxes
    assert (first.x1, first.y1, first.x2, first.y2) == pytest.approx((0.1, 0.1, 0.2, 0.3))
    assert first.label == "person"
    assert first.track_id == 7
    assert second.x2 == 1.0  # 700 px on a 640 px frame is clipped to the edge
    assert second.label == "car"
    assert frame.zones[0].count == 12.0
    assert frame.zones[0].alert  # an open event sits on this zone
    assert (frame.lines[0].in_count, frame.lines[0].out_count) == (3, 1)
    assert frame.rules[0].tier == 3
    assert frame.rules[0].message == "大厅人员过密"
    wire = json.loads(frame.wire())
    assert wire["type"] == "overlay"
    assert wire["ticks"] == to_ticks(2.5)


def test_heatmap_rides_along_at_most_once_a_second_per_camera() -> None:
    sent: list[OverlayFrame] = []
    publisher = OverlayPublisher(sent.append, heatmap_every_s=60.0)
    publisher.heatmaps = lambda cam: np.full((4, 8), 0.5, dtype=np.float32)
    seen: list[float] = []
    on_state = fan_out(lambda st: seen.append(st.pts), publisher)
    for pts in (1.0, 1.2, 1.4):
        on_state(state(pts))
    assert seen == [1.0, 1.2, 1.4]
    assert [f.heatmap is not None for f in sent] == [True, False, False]
    heat = sent[0].heatmap
    assert heat is not None
    assert (heat.width, heat.height) == (8, 4)
    assert set(heat.cells) == {127}
