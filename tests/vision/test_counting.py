"""Detections, tracking, zone occupancy, line counting, density per zone, hybrid, heatmap."""

from __future__ import annotations

import numpy as np
import pytest

from models.protocols import DensityMap
from tests.vision.scenes import H, W, Walker, detections, move, still
from vision.counting import LineCounter, ZoneCounter
from vision.density import HybridConfig, ZoneDensity, hybrid_count
from vision.detections import Detections
from vision.geometry import Line, Zone
from vision.heatmap import HeatmapAccumulator
from vision.tracking import Tracker

DOOR = Line(id="door", name="大门", a=(0.1, 0.5), b=(0.9, 0.5), in_name="进", out_name="出")
LEFT = Zone(id="left", name="左侧", polygon=[(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])


def _dets(boxes: list[list[float]], n_conf: int = 1, n_cls: int = 1, **kw: object) -> Detections:
    return Detections(
        xyxy=np.array(boxes, np.float32).reshape(-1, 4),
        confidence=np.full(n_conf, 0.5, np.float32),
        class_id=np.zeros(n_cls, np.int64),
        width=W,
        height=H,
        **kw,  # type: ignore[arg-type]
    )


def test_detections_are_validated_and_immutable() -> None:
    d = _dets([[10, 20, 30, 60]])
    assert d.xyxy.dtype == np.float32
    assert d.class_names() == ["person"]
    with pytest.raises(ValueError, match="read-only"):
        d.xyxy[0, 0] = 1.0
    assert d.normalized_anchors()[0] == pytest.approx([20 / W, 60 / H])
    with pytest.raises(ValueError, match="differ in length"):
        _dets([[0, 0, 1, 1], [0, 0, 1, 1]], n_conf=1, n_cls=2)
    with pytest.raises(ValueError, match="x2 >= x1"):
        _dets([[30, 20, 10, 60]])
    with pytest.raises(ValueError, match="tracker_id"):
        _dets([[0, 0, 1, 1]], tracker_id=np.array([1, 2], np.int64))
    assert d.scaled(W * 2, H * 2).xyxy[0] == pytest.approx([20, 40, 60, 120])


def track(objects: list[Walker], seconds: float, fps: float = 5.0) -> list[Detections]:
    tracker = Tracker(frame_rate=fps)
    return [tracker.update(detections(objects, k / fps)) for k in range(round(seconds * fps) + 1)]


def test_tracker_keeps_ids_through_motion() -> None:
    frames = track([("person", move((0.2, 0.4), (0.5, 0.6), 0, 4)), ("car", still(0.8, 0.8))], 4)
    ids = {
        tuple(sorted(int(i) for i in f.tracker_id)) for f in frames[1:] if f.tracker_id is not None
    }
    assert ids == {(1, 2)}
    assert frames[-1].class_names().count("car") == 1


def count_line(objects: list[Walker], seconds: float) -> LineCounter:
    counter = LineCounter(DOOR)
    for k, dets in enumerate(track(objects, seconds)):
        counter.update(dets, k / 5.0)
    return counter


def test_line_counts_each_direction_per_class() -> None:
    down = ("person", move((0.3, 0.3), (0.3, 0.8), 0, 3))  # left of a->b to its right: in
    up = ("person", move((0.6, 0.8), (0.6, 0.3), 0, 3))
    car = ("car", move((0.45, 0.25), (0.45, 0.85), 0, 3))
    c = count_line([down, up, car], 4).counts()
    assert (c.in_count, c.out_count) == (2, 1)
    assert c.in_by_class == {"person": 1, "car": 1}
    assert c.out_by_class == {"person": 1}


def test_jitter_on_the_line_and_back_and_forth_do_not_inflate_counts() -> None:
    def wobble(t: float) -> tuple[float, float]:  # feet dance ±1 % around the line
        return (0.5, 0.5 + 0.01 * (1 if int(t * 5) % 2 else -1))

    assert count_line([("person", wobble)], 6).counts().in_count == 0

    def pace(t: float) -> tuple[float, float]:  # walks down, up, down, up across the line
        return (0.4, 0.52 + 0.15 * np.sin(t * 0.8))

    c = count_line([("person", pace)], 20).counts()
    assert (c.in_count, c.out_count) == (1, 1)  # once per track and direction


def test_passing_beside_the_line_is_not_a_crossing() -> None:
    beside = ("person", move((0.97, 0.3), (0.97, 0.8), 0, 3))  # x beyond the end point b
    assert count_line([beside], 4).counts().in_count == 0


def test_zone_counts_and_dwell_time() -> None:
    zc = ZoneCounter(LEFT, exit_grace_s=1.0)
    walker = ("person", move((0.2, 0.5), (0.8, 0.5), 0, 6))  # leaves the zone at t = 3
    stayer = ("person", still(0.3, 0.7))
    bus = ("bus", still(0.25, 0.95))
    occ = None
    for k, dets in enumerate(track([walker, stayer, bus], 8)):
        occ = zc.update(dets, k / 5.0)
        if k == 10:  # t = 2 s: all three inside
            assert occ.count == 3
            assert occ.by_class == {"person": 2, "bus": 1}
    assert occ is not None
    assert occ.people == 1
    assert max(occ.dwell_s.values()) == pytest.approx(8.0, abs=0.3)


def test_density_per_zone_and_the_hybrid_switch() -> None:
    dmap = DensityMap(np.full((90, 160), 100 / (90 * 160), np.float32), W, H)
    assert ZoneDensity().count(dmap, LEFT.polygon) == pytest.approx(50.0, rel=1e-3)
    cfg = HybridConfig(switch_at=25)
    sparse = hybrid_count(8, 3.0, cfg)
    assert (sparse.value, sparse.source) == (8.0, "detector")
    dense = hybrid_count(20, 140.0, cfg)
    assert (dense.value, dense.source) == (140.0, "density")
    assert hybrid_count(30, None, cfg).value == 30.0


def test_heatmap_accumulates_where_people_are_and_fades() -> None:
    hm = HeatmapAccumulator(width=10, height=10, half_life_s=10.0)
    for k in range(10):
        hm.add_points(np.array([[0.05, 0.05], [0.95, 0.95]], np.float32), t=float(k))
    snap = hm.snapshot()
    assert snap[0, 0] == pytest.approx(1.0)
    assert snap[9, 9] == pytest.approx(1.0)
    assert snap[5, 5] == 0.0
    before = hm.raw()[0, 0]
    hm.add_points(np.zeros((0, 2), np.float32), t=19.0)
    assert hm.raw()[0, 0] == pytest.approx(before / 2, rel=1e-3)
