"""Geo math with synthetic cameras of known pose: frames, projection, calibration, PTZ,
field-of-view coverage and label declutter."""

from __future__ import annotations

import numpy as np
import pytest

from geo.calibration import CalibrationError, PointPair, fit_homography, fit_pose, image_to_ground
from geo.coverage import fov_polygon, point_in_polygon, rank
from geo.declutter import Box, declutter
from geo.enu import ZHONGSHAN_PARK, Origin
from geo.pinhole import Pose, angles_from_rotation, ground_point, project
from geo.ptz import PtzState, digital_crop, from_view, mechanical_pose, to_view

ORIGIN = Origin(*ZHONGSHAN_PARK)
HIGH = Pose(east=0.0, north=-200.0, up=60.0, yaw=10.0, pitch=12.0, roll=1.5, hfov=60.0,
            width=1920, height=1080)


@pytest.mark.parametrize(("lat", "lon", "east", "north"), [
    (31.2197, 121.4187, 0.0, 0.0),
    (31.2287, 121.4187, 0.0, 998.0),   # 0.009° north ≈ 998 m
    (31.2197, 121.4292, 999.0, 0.0),   # 0.0105° east at 31.2° ≈ 999 m
])
def test_lat_lon_to_enu_and_back(lat: float, lon: float, east: float, north: float) -> None:
    e, n, _ = ORIGIN.to_enu(lat, lon)
    assert e == pytest.approx(east, abs=2.0)
    assert n == pytest.approx(north, abs=2.0)
    back = ORIGIN.to_lla(e, n)
    assert back[0] == pytest.approx(lat, abs=1e-9)
    assert back[1] == pytest.approx(lon, abs=1e-9)


@pytest.mark.parametrize("pose", [
    HIGH,
    Pose(30.0, 40.0, 8.0, 245.0, 25.0, 0.0, 90.0, 1280, 720),
    Pose(-50.0, 10.0, 4.0, 90.0, 5.0, -3.0, 45.0, 640, 480),
])
def test_rotation_round_trips_through_angles(pose: Pose) -> None:
    yaw, pitch, roll = angles_from_rotation(pose.rotation())
    assert (yaw, pitch, roll) == pytest.approx((pose.yaw % 360, pose.pitch, pose.roll), abs=1e-9)


def test_ground_unprojection_round_trips_below_one_pixel() -> None:
    for u, v in [(100.0, 900.0), (960.0, 540.0), (1800.0, 1000.0)]:
        g = ground_point(HIGH, u, v)
        assert g is not None
        assert g[2] == pytest.approx(0.0, abs=1e-9)
        px, front = project(HIGH, g.reshape(1, 3))
        assert front[0]
        assert np.linalg.norm(px[0] - [u, v]) < 1.0


def test_points_behind_the_camera_are_marked() -> None:
    _, front = project(HIGH, np.array([[0.0, -400.0, 0.0], [0.0, 100.0, 0.0]]))
    assert front.tolist() == [False, True]


def _pairs(pose: Pose, world: np.ndarray, noise: float = 0.0) -> list[PointPair]:
    px, _ = project(pose, world)
    rng = np.random.default_rng(7)
    px = px + rng.normal(0.0, noise, px.shape) if noise else px
    return [PointPair(float(u), float(v), *map(float, w)) for (u, v), w in zip(px, world,
                                                                                strict=True)]


GROUND = np.array([[-60, 0, 0], [60, 10, 0], [-30, 150, 0], [50, 200, 0], [0, 80, 0],
                   [20, 40, 0], [-45, 100, 0], [35, 120, 0]], dtype=float)


def test_homography_from_noisy_points_maps_the_ground_within_a_few_pixels() -> None:
    fit = fit_homography(_pairs(HIGH, GROUND, noise=1.0), HIGH.width, HIGH.height)
    assert fit.rms_px < 3.0
    assert fit.inliers >= 6
    px, _ = project(HIGH, np.array([[10.0, 60.0, 0.0]]))
    g = image_to_ground(fit.matrix, float(px[0, 0]), float(px[0, 1]))
    assert g is not None
    assert np.hypot(g[0] - 10.0, g[1] - 60.0) < 1.5


def test_homography_drops_an_outlier() -> None:
    pairs = _pairs(HIGH, GROUND)
    pairs[3] = PointPair(pairs[3].u + 300, pairs[3].v, pairs[3].east, pairs[3].north)
    fit = fit_homography(pairs, HIGH.width, HIGH.height)
    assert fit.inliers == len(pairs) - 1
    assert fit.rms_px < 1.0


def test_pose_from_points_projects_building_tops_below_one_pixel() -> None:
    world = np.vstack([GROUND, [[-20, 120, 45.0], [40, 160, 80.0]]])
    fit = fit_pose(_pairs(HIGH, world), HIGH.width, HIGH.height)  # field of view fitted
    assert fit.rms_px < 1.0
    assert fit.pose.hfov == pytest.approx(HIGH.hfov, abs=0.5)
    top = np.array([[5.0, 140.0, 70.0]])
    want, _ = project(HIGH, top)
    got, _ = project(fit.pose, top)
    assert np.linalg.norm(want - got) < 1.0


@pytest.mark.parametrize(("pairs", "message"), [
    ([PointPair(1, 1, 0, 0)] * 3, "at least 4"),
    ([PointPair(i * 10, i * 10, i, i * 2) for i in range(5)], "one line"),
    ([PointPair(10, 10, 0, 0), PointPair(5000, 10, 9, 0), PointPair(10, 500, 0, 9),
      PointPair(500, 500, 9, 9)], "outside"),
])
def test_degenerate_input_is_refused_with_a_clear_message(
        pairs: list[PointPair], message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        fit_homography(pairs, 1920, 1080)
    with pytest.raises(CalibrationError, match=message):
        fit_pose(pairs, 1920, 1080, hfov=60.0)


def test_mechanical_ptz_moves_labels_as_the_model_says() -> None:
    base = Pose(0, 0, 20, 0.0, 10.0, 0.0, 60.0, 1920, 1080)
    target = np.array([[0.0, 100.0, 20 - 100 * np.tan(np.radians(10))]])  # on the optical axis
    px, _ = project(base, target)
    assert px[0] == pytest.approx([960, 540], abs=1e-6)
    level = Pose(0, 0, 20, 0.0, 0.0, 0.0, 60.0, 1920, 1080)
    ahead = np.array([[0.0, 100.0, 20.0]])
    panned, _ = project(mechanical_pose(level, PtzState(pan=10.0)), ahead)
    # panning right moves what was straight ahead to the left, by fx·tan(pan)
    assert panned[0, 0] == pytest.approx(960 - level.fx * np.tan(np.radians(10)), abs=1e-6)
    tilted, _ = project(mechanical_pose(level, PtzState(tilt=5.0)), ahead)
    assert tilted[0, 1] == pytest.approx(540 - level.fx * np.tan(np.radians(5)), abs=1e-6)
    zoomed_pose = mechanical_pose(base, PtzState(zoom=2.0))
    off = np.array([[10.0, 100.0, target[0, 2]]])
    a, _ = project(base, off)
    b, _ = project(zoomed_pose, off)
    assert b[0, 0] - 960 == pytest.approx(2 * (a[0, 0] - 960), rel=1e-6)


def test_digital_ptz_crop_moves_and_scales_labels() -> None:
    crop = digital_crop(1920, 1080, PtzState(pan=0.75, tilt=0.5, zoom=2.0))
    assert (crop.x, crop.y, crop.w, crop.h) == (960.0, 270.0, 960.0, 540.0)
    view = to_view(np.array([[1440.0, 540.0], [1000.0, 300.0]]), crop, 1920, 1080)
    assert view.tolist() == [[960.0, 540.0], [80.0, 60.0]]
    assert from_view(80.0, 60.0, crop, 1920, 1080) == (1000.0, 300.0)
    edge = digital_crop(1920, 1080, PtzState(pan=1.0, tilt=1.0, zoom=4.0))
    assert (edge.x + edge.w, edge.y + edge.h) == (1920.0, 1080.0)


def test_fov_polygon_and_coverage_ranking() -> None:
    near = Pose(0, 0, 6, 0.0, 15.0, 0.0, 70.0, 1280, 720)
    far = Pose(0, -60, 6, 0.0, 5.0, 0.0, 70.0, 1280, 720)
    aside = Pose(40, 0, 6, 270.0, 15.0, 0.0, 70.0, 1280, 720)
    poly = fov_polygon(near, 80.0)
    assert point_in_polygon(0.0, 20.0, poly)
    assert not point_in_polygon(0.0, -5.0, poly)
    assert not point_in_polygon(0.0, 120.0, poly)
    cams = {"near": (near, 80.0), "far": (far, 150.0), "aside": (aside, 80.0),
            "short": (near, 10.0)}
    ranked = rank(cams, np.array([0.0, 20.0, 0.0]))
    assert [s.camera_id for s in ranked] == ["near", "far", "aside"]
    assert [s.camera_id for s in rank(cams, np.array([0.0, 20.0, 0.0]), exclude="near")] == [
        "far", "aside"]


def test_declutter_keeps_important_labels_and_drops_overlaps() -> None:
    boxes = [Box("mall", 100, 100, 80, 20, 0.0), Box("gate", 120, 105, 60, 20, 1.0),
             Box("road", 300, 100, 60, 20, 2.0), Box("cam", 130, 200, 30, 20, 0.5)]
    assert declutter(boxes) == {"mall", "road", "cam"}
