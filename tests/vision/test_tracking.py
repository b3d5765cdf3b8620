"""`vision.bytetrack.ByteTrack` (Ultralytics' BYTETracker with its per-track numpy work batched)
gives exactly what the stock BYTETracker gives."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from models import UltralyticsConfig, build_detector
from vision.bytetrack import ByteTrack, _kalman_update
from vision.clip import ClipReader
from vision.detections import Detections
from vision.tracking import TrackerConfig, _Boxes


def _args(track_buffer: int) -> SimpleNamespace:
    """CityEye's default ByteTrack settings, keeping lost tracks `track_buffer` frames."""
    return TrackerConfig(track_buffer_s=track_buffer).bytetrack_args(frame_rate=1.0)


def test_the_batched_kalman_correction_is_ultralytics_one_by_one() -> None:
    from ultralytics.trackers.utils.kalman_filter import KalmanFilterXYAH

    kf = KalmanFilterXYAH()  # type: ignore[no-untyped-call]
    rng = np.random.default_rng(3)
    states = []
    for _ in range(7):
        box = np.array([rng.uniform(0, 640), rng.uniform(0, 360), rng.uniform(0.3, 2), 80.0])
        mean, cov = kf.initiate(box)
        mean, cov = kf.predict(mean + rng.normal(0, 2, 8), cov)
        states.append((mean, cov, box + rng.normal(0, 3, 4)))
    means, covs = _kalman_update(
        np.stack([s[0] for s in states]),
        np.stack([s[1] for s in states]),
        np.stack([s[2] for s in states]),
        kf._std_weight_position,
    )
    for (mean, cov, meas), m, c in zip(states, means, covs, strict=True):
        want_mean, want_cov = kf.update(mean, cov, meas)
        np.testing.assert_allclose(m, want_mean, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(c, want_cov, rtol=1e-12, atol=1e-9)


def _life(tracks: list[Any]) -> list[tuple[Any, ...]]:
    """What the tracker keeps of each track besides its Kalman state."""
    return [
        (t.track_id, t.state, t.is_activated, t.tracklet_len, t.frame_id, t.start_frame, t.idx)
        for t in tracks
    ]


@pytest.fixture(scope="module")
def street_detections(
    ultralytics_env: Path, models_dir: Path, media_dir: Path
) -> list[Detections]:
    """Detections of every frame of the busy street clip (96 frames, 25 fps, ~27 people a
    frame): tracks start, cross, get occluded and come back, so every association stage and
    re-activation is exercised."""
    det = build_detector(UltralyticsConfig(), models_dir)
    clip = media_dir / "videos" / "pedestrians_street_amirhossein.mp4"
    out: list[Detections] = []
    with ClipReader(clip, "street", fps=None, width=640) as reader:
        for f in reader:
            out.extend(det.detect_batch([f.image]))
    assert len(out) == 96, f"{clip} gave {len(out)} frames, 96 expected"
    return out


@pytest.mark.media
@pytest.mark.parametrize("track_buffer", [5, 90])
def test_bytetrack_gives_the_stock_tracker_results_frame_by_frame(
    street_detections: list[Detections], track_buffer: int
) -> None:
    from ultralytics.trackers import BYTETracker

    stock = BYTETracker(_args(track_buffer))  # type: ignore[no-untyped-call]
    ours = ByteTrack(_args(track_buffer))  # type: ignore[no-untyped-call]
    refound = 0
    for k, d in enumerate(street_detections):
        want = stock.update(_Boxes(d.xyxy, d.confidence, d.class_id), None)
        got = ours.update(_Boxes(d.xyxy, d.confidence, d.class_id), None)
        assert got.shape == want.shape, f"frame {k}"
        assert np.array_equal(got, want), f"frame {k}: {got} != {want}"
        refound += sum(
            t.tracklet_len == 0 and t.frame_id > t.start_frame for t in stock.tracked_stracks
        )
        for pool in ("tracked_stracks", "lost_stracks", "removed_stracks"):
            assert _life(getattr(ours, pool)) == _life(getattr(stock, pool)), f"frame {k}: {pool}"
    assert refound > 0, "no lost track was found again: the clip no longer tests re-activation"


def _frame(rows: list[tuple[float, float, float, float, float]]) -> Detections:
    arr = np.array(rows, np.float32).reshape(-1, 5)
    return Detections(
        xyxy=arr[:, :4],
        confidence=arr[:, 4],
        class_id=np.zeros(len(arr), np.int64),
        width=640,
        height=360,
    )


def test_bytetrack_matches_the_stock_tracker_on_empty_weak_and_degenerate_frames() -> None:
    """Frames the clip may not have: none at all, only low-confidence boxes (second stage
    alone), a zero-width box, tracks lost and found again after a gap."""
    from ultralytics.trackers import BYTETracker

    rng = np.random.default_rng(7)
    frames: list[Detections] = []
    for k in range(60):
        if k in (10, 11, 30):
            frames.append(_frame([]))
            continue
        rows: list[tuple[float, float, float, float, float]] = []
        for i in range(6):
            if (k + i) % 9 == 0:  # each walker drops out now and then
                continue
            x, y = 40.0 + 90 * i + 3 * k, 80 + 20 * float(np.sin(k / 5 + i))
            conf = 0.18 if k in (20, 21) else float(rng.uniform(0.3, 0.95))
            rows.append((x, y, x + 30, y + 80, conf))
        if k == 40:
            rows.append((300, 100, 300, 180, 0.9))  # zero width: dropped by both
        frames.append(_frame(rows))
    stock = BYTETracker(_args(15))  # type: ignore[no-untyped-call]
    ours = ByteTrack(_args(15))  # type: ignore[no-untyped-call]
    for k, d in enumerate(frames):
        want = stock.update(_Boxes(d.xyxy, d.confidence, d.class_id), None)
        got = ours.update(_Boxes(d.xyxy, d.confidence, d.class_id), None)
        assert np.array_equal(got, want), f"frame {k}"
        for pool in ("tracked_stracks", "lost_stracks", "removed_stracks"):
            assert _life(getattr(ours, pool)) == _life(getattr(stock, pool)), f"frame {k}: {pool}"
    assert max(t.track_id for t in stock.tracked_stracks) >= 6
