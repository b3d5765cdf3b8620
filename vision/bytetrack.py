"""Ultralytics' ByteTrack (`ultralytics.trackers.BYTETracker`) with its per-track numpy calls
batched.

The association logic, thresholds and track life cycle are Ultralytics'; `ByteTrack` only
replaces per-track numpy work with array operations, through the hooks BYTETracker offers its
subclasses (`track_class`, `init_track`, `multi_predict`, `get_dists`, `_apply_matches`).
Profiled on the shared clips, the stock tracker spent most of its time in one Kalman correction
per matched track (a 4×4 solve and small matrix products, ~40 µs each), in recomputing each
track's box from its state every time an IoU matrix read it, and in converting each detection's
box on its own. Here the matched tracks of an association stage are corrected in one batched
solve, the prediction is done as slice additions, a track's box is computed once per state and
the detections' corners all at once: about 60 % of the stock tracker's CPU. The outputs and
track life cycles are the stock tracker's, to the bit (`tests/vision/test_tracking.py` replays a
clip's detections through both).

Imported lazily by `vision.tracking.Tracker`: importing Ultralytics takes seconds (torch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ultralytics.trackers.basetrack import BaseTrack, TrackState
from ultralytics.trackers.byte_tracker import BYTETracker, STrack
from ultralytics.trackers.utils import matching
from ultralytics.trackers.utils.stracks import parse_bboxes
from ultralytics.utils.metrics import bbox_ioa

from vision.detections import FloatArray, IntArray


class _Track(STrack):
    """STrack whose `xyxy` is computed once per state (every STrack method replaces `mean`, none
    changes it in place) and, for an active track, in plain floats rather than four numpy ops."""

    _box_of: Any = None
    _box: FloatArray

    @classmethod
    def from_detection(cls, tlwh: FloatArray, score: Any, class_id: Any, idx: Any) -> _Track:
        """STrack.__init__ for an axis-aligned box whose float32 tlwh is already computed (there,
        `xywh2ltwh` on each box alone took a quarter of the tracker's time)."""
        t = cls.__new__(cls)
        BaseTrack.__init__(t)  # type: ignore[no-untyped-call]
        t._tlwh = tlwh
        t.kalman_filter = None
        t.mean, t.covariance = None, None
        t.is_activated = False
        t.score = score
        t.tracklet_len = 0
        t.cls = class_id
        t.idx = idx
        t.angle = None
        return t

    @property
    def xyxy(self) -> FloatArray:
        state = self.mean if self.mean is not None else self._tlwh
        if self._box_of is not state:
            self._box = super().xyxy if self.mean is None else _state_box(self.mean)
            self._box_of = state
        return self._box.copy()


def _xyah(tlwh: FloatArray) -> FloatArray:
    """(N, 4) top-left, width, height → centre x, centre y, aspect w/h, height, as
    STrack.tlwh_to_xyah does for one box."""
    out = np.array(tlwh, dtype=np.float32, copy=True)
    out[:, :2] += out[:, 2:] / 2
    out[:, 2] /= out[:, 3]
    return out


class ByteTrack(BYTETracker):
    """Ultralytics' BYTETracker with batched Kalman corrections and per-state boxes."""

    track_class = _Track

    def multi_predict(self, tracks: list[STrack]) -> None:
        """STrack.multi_predict (KalmanFilterXYAH.multi_predict, a lost track's height velocity
        zeroed first) with the constant-velocity motion as slice additions: its motion matrix is
        the identity plus ones, so the products reduce to exactly these sums."""
        if not tracks:
            return
        states: list[Any] = [t.mean for t in tracks]  # typed None by STrack: set once active
        covariances: list[Any] = [t.covariance for t in tracks]
        mean = np.stack(states)
        mean[[t.state != TrackState.Tracked for t in tracks], 7] = 0
        cov = np.stack(covariances)
        kf = self.kalman_filter
        h = mean[:, 3]
        std = np.stack(
            [kf._std_weight_position * h] * 2
            + [np.full_like(h, 1e-2), kf._std_weight_position * h]
            + [kf._std_weight_velocity * h] * 2
            + [np.full_like(h, 1e-5), kf._std_weight_velocity * h],
            axis=1,
        )
        mean[:, :4] += mean[:, 4:]
        cov[:, :4, :] += cov[:, 4:, :]
        cov[:, :, :4] += cov[:, :, 4:]
        idx = np.arange(8)
        cov[:, idx, idx] += np.square(std)
        for t, m, c in zip(tracks, mean, cov, strict=True):
            t.mean, t.covariance = m, c

    def init_track(self, results: Any, img: Any = None) -> list[STrack]:
        """BYTETracker.init_track (one track per detection, `idx` its row) with the boxes'
        top-left corners computed for all detections at once."""
        if len(results) == 0:
            return []
        xywh = parse_bboxes(results)  # float64 x, y, w, h, row, as BYTETracker reads them
        tlwh = xywh[:, :4].copy()
        tlwh[:, :2] -= tlwh[:, 2:] / 2  # ultralytics.utils.ops.xywh2ltwh
        tlwh = tlwh.astype(np.float32)
        return [
            _Track.from_detection(b, s, c, i)
            for b, s, c, i in zip(tlwh, results.conf, results.cls, xywh[:, 4], strict=True)
        ]

    def get_dists(self, tracks: list[STrack], detections: list[STrack]) -> FloatArray:
        """BYTETracker.get_dists (IoU cost, fused with detection scores) with the boxes stacked
        from the tracks' states in one go rather than read track by track."""
        if not tracks or not detections or any(t.mean is None for t in tracks):
            stock: FloatArray = super().get_dists(tracks, detections)
            return stock
        boxes = np.ascontiguousarray(_state_boxes(tracks), dtype=np.float32)
        dists: FloatArray = 1 - bbox_ioa(boxes, _detection_boxes(detections), iou=True)
        if self.args.fuse_score:
            dists = matching.fuse_score(dists, detections)
        return dists

    def _apply_matches(
        self,
        matches: list[list[int]] | IntArray,
        pool: list[STrack],
        detections: list[STrack],
        activated: list[STrack],
        refind: list[STrack],
    ) -> None:
        """BYTETracker._apply_match for every pair, with the Kalman corrections done as one batch
        (KalmanFilterXYAH.update on stacked arrays); the bookkeeping is STrack.update's and
        STrack.re_activate's (new_id=False)."""
        if len(matches) == 0:
            return
        tracks = [pool[int(i)] for i, _ in matches]
        dets = [detections[int(j)] for _, j in matches]
        states: list[Any] = [t.mean for t in tracks]  # typed None by STrack: set once active
        covariances: list[Any] = [t.covariance for t in tracks]
        means, covs = _kalman_update(
            np.stack(states),
            np.stack(covariances),
            _xyah(np.stack([d._tlwh for d in dets])),
            self.kalman_filter._std_weight_position,
        )
        for track, det, mean, cov in zip(tracks, dets, means, covs, strict=True):
            was_tracked = track.state == TrackState.Tracked
            track.mean, track.covariance = mean, cov
            track.tracklet_len = track.tracklet_len + 1 if was_tracked else 0
            track.state = TrackState.Tracked
            track.is_activated = True
            track.frame_id = self.frame_id
            track.score, track.cls, track.idx = det.score, det.cls, det.idx
            (activated if was_tracked else refind).append(track)


def _state_boxes(tracks: list[Any]) -> FloatArray:
    """(N, 4) x1 y1 x2 y2 of active tracks from their Kalman means (x, y, a, h, ...), with the
    operations in STrack.tlwh and STrack.xyxy's order, so the floats are the same."""
    m = np.stack([t.mean[:4] for t in tracks])
    w = m[:, 2] * m[:, 3]
    x1 = m[:, 0] - w / 2
    y1 = m[:, 1] - m[:, 3] / 2
    return np.stack([x1, y1, w + x1, m[:, 3] + y1], axis=1)


def _state_box(mean: FloatArray) -> FloatArray:
    """`_state_boxes` for one track, in Python floats (numpy calls cost more on 4 numbers)."""
    x, y, a, h = mean[:4].tolist()
    w = a * h
    x1 = x - w / 2
    y1 = y - h / 2
    return np.array([x1, y1, w + x1, h + y1])


def _detection_boxes(detections: list[Any]) -> FloatArray:
    """(M, 4) x1 y1 x2 y2 of not yet active tracks (detections) from their float32 tlwh."""
    b = np.stack([d._tlwh for d in detections])
    b[:, 2:] += b[:, :2]
    return b


def _kalman_update(
    mean: FloatArray, cov: FloatArray, measurement: FloatArray, std_weight_position: float
) -> tuple[FloatArray, FloatArray]:
    """KalmanFilterXYAH.update for N states at once: mean (N, 8), cov (N, 8, 8), measurement
    (N, 4) as (x, y, a, h)."""
    std = std_weight_position * mean[:, 3]
    r = np.zeros((len(mean), 4, 4))
    r[:, 0, 0] = r[:, 1, 1] = r[:, 3, 3] = np.square(std)
    r[:, 2, 2] = np.square(1e-1)  # KalmanFilterXYAH.project's aspect-ratio noise
    projected_cov = cov[:, :4, :4] + r
    gain = np.linalg.solve(projected_cov, cov[:, :, :4].transpose(0, 2, 1)).transpose(0, 2, 1)
    innovation = measurement - mean[:, :4]
    new_mean = mean + np.einsum("nj,nij->ni", innovation, gain)
    new_cov = cov - gain @ (projected_cov @ gain.transpose(0, 2, 1))
    return new_mean, new_cov
