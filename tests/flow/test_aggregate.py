"""Per-minute aggregation from synthetic observations is exact."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from flow.aggregate import CrossingObs, Member, MinuteAggregator, Observation
from flow.areas import AreaConfig, LineRef, ZoneRef
from flow.live import bucket_points, observation
from flow.metrics import Point
from vision.analytics import CameraState, ZoneCount
from vision.counting import Crossing
from vision.detections import Detections
from vision.geometry import Zone

T0 = 1_800_000_000.0 - 1_800_000_000.0 % 60  # the start of a minute


def _values(points: list[Point]) -> dict[tuple[str, str], float]:
    return {(p.scope, p.metric): p.value for p in points}


def test_zone_counts_and_line_flows_are_exact_per_minute() -> None:
    agg = MinuteAggregator()
    counts = [3.0, 5.0, 4.0, 8.0]  # mean 5 in the first minute
    for i, c in enumerate(counts):
        agg.observe(Observation("cam", T0 + 10 * i, {"gate": c, "hall": 2.0}))
    agg.observe(Observation("cam", T0 + 45, {}, crossings=(
        CrossingObs("l1", "in", "person"), CrossingObs("l1", "in", "person"),
        CrossingObs("l1", "out", "person"))))
    agg.observe(Observation("cam", T0 + 70, {"gate": 1.0}))  # next minute
    done = agg.close(T0 + 60 + 3.5)
    assert [b.start for b in done] == [datetime.fromtimestamp(T0, UTC)]
    area = AreaConfig(id="a", name="甲", capacity=10, zones=[ZoneRef(camera="cam", zone="gate"),
                      ZoneRef(camera="cam", zone="hall")],
                      lines=[LineRef(camera="cam", line="l1")])
    v = _values(bucket_points(done[0], [area]))
    assert v[("zone:cam/gate", "count")] == 5.0
    assert v[("area:a", "count")] == 7.0  # 5 + 2
    assert v[("area:a", "level")] == 2.0  # 7 of 10: 黄色 (0.5, 0.7)
    assert v[("area:a", "in")] == 2.0
    assert v[("area:a", "out")] == 1.0
    inverted = area.model_copy(update={"lines": [LineRef(camera="cam", line="l1", invert=True)]})
    v = _values(bucket_points(done[0], [inverted]))
    assert v[("area:a", "in")] == 1.0
    assert v[("area:a", "out")] == 2.0


def test_dwell_modes_and_origin_destination_from_anonymous_tracks() -> None:
    agg = MinuteAggregator(exit_grace_s=2.0, od_window_s=30.0)
    # Track 1 (a person) stays in "gate" for 8 s, then walks into "hall"; track 2 (a bicycle)
    # crosses "gate" in 1 s; track 3 (a car) stays in "hall" for 90 s.
    seen = [(T0 + k, Member("gate", 1, "person")) for k in range(9)]
    seen += [(T0 + k, Member("gate", 2, "bicycle")) for k in (1, 2)]
    seen += [(T0 + k, Member("hall", 1, "person")) for k in range(12, 20)]
    seen += [(T0 + k, Member("hall", 3, "car")) for k in range(0, 91)]
    for t, m in sorted(seen, key=lambda x: x[0]):
        agg.observe(Observation("cam", t, {}, members=(m,)))
    done = agg.close(T0 + 180)
    v: dict[tuple[str, str], float] = {}
    areas = [
        AreaConfig(id="a", name="甲", capacity=100, zones=[ZoneRef(camera="cam", zone="gate")]),
        AreaConfig(id="b", name="乙", capacity=100, zones=[ZoneRef(camera="cam", zone="hall")]),
    ]
    for b in done:
        for key, value in _values(bucket_points(b, areas)).items():
            v[key] = v.get(key, 0.0) + value
    assert v[("zone:cam/gate", "mode_pedestrian")] == 1.0
    assert v[("zone:cam/gate", "mode_bicycle")] == 1.0
    assert v[("zone:cam/hall", "mode_vehicle")] == 1.0
    assert v[("zone:cam/gate", "dwell_lt1")] == 2.0  # 8 s and 1 s
    assert v[("zone:cam/hall", "dwell_1_5")] == 1.0  # the car: 90 s
    assert v[("zone:cam/hall", "dwell_lt1")] == 1.0  # the person: 7 s
    assert v[("zone:cam/gate", "od:hall")] == 1.0
    assert v[("area:a", "od:b")] == 1.0
    assert ("area:b", "od:a") not in v


def test_late_observations_are_counted_not_merged() -> None:
    agg = MinuteAggregator()
    agg.observe(Observation("cam", T0 + 5, {"z": 1.0}))
    assert len(agg.close(T0 + 64)) == 1
    agg.observe(Observation("cam", T0 + 30, {"z": 9.0}))
    assert agg.late == 1


def test_observation_from_camera_state_finds_tracks_in_zones() -> None:
    dets = Detections(
        xyxy=np.array([[10, 10, 20, 40], [70, 10, 80, 40]], dtype=np.float32),
        confidence=np.array([0.9, 0.8], dtype=np.float32),
        class_id=np.array([0, 1], dtype=np.int64),
        names={0: "person", 1: "bicycle"}, width=100, height=50,
        tracker_id=np.array([4, 9], dtype=np.int64),
    )
    left = Zone(id="left", name="左", polygon=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
    zc = ZoneCount("left", 1.0, "detector", 1, None, {"person": 1})
    state = CameraState(
        camera_id="cam", seq=1, pts=0.0, captured_at=T0, detections=dets, zones={"left": zc},
        lines={}, people=zc, open_events=(),
        crossings=(Crossing("l1", 9, "bicycle", "in", T0, (0.75, 0.8)),),
    )
    obs = observation(state, [left])
    assert obs.members == (Member("left", 4, "person"),)
    assert obs.zone_counts == {"left": 1.0}
    assert obs.crossings == (CrossingObs("l1", "in", "bicycle"),)
