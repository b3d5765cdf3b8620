"""Multi-object tracking with Ultralytics' ByteTrack (`vision.bytetrack`, a batched
`ultralytics.trackers.BYTETracker`)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from vision.detections import BoolArray, Detections, FloatArray, IntArray


class TrackerConfig(BaseModel):
    """ByteTrack parameters (Ultralytics' bytetrack.yaml); `track_buffer_s` is seconds, turned
    into frames at the camera's analysis rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    track_high_thresh: float = Field(default=0.25, ge=0.0, le=1.0)
    track_low_thresh: float = Field(default=0.1, ge=0.0, le=1.0)
    new_track_thresh: float = Field(default=0.25, ge=0.0, le=1.0)
    match_thresh: float = Field(default=0.8, ge=0.0, le=1.0)
    track_buffer_s: float = Field(default=3.0, gt=0.0)
    fuse_score: bool = True

    def bytetrack_args(self, frame_rate: float) -> SimpleNamespace:
        """The arguments Ultralytics' BYTETracker reads (its bytetrack.yaml keys)."""
        return SimpleNamespace(
            tracker_type="bytetrack",
            track_high_thresh=self.track_high_thresh,
            track_low_thresh=self.track_low_thresh,
            new_track_thresh=self.new_track_thresh,
            track_buffer=max(1, round(self.track_buffer_s * frame_rate)),
            match_thresh=self.match_thresh,
            fuse_score=self.fuse_score,
        )


class _Boxes:
    """The results-like view BYTETracker reads: conf, cls, xywh, xyxy, boolean indexing."""

    def __init__(self, xyxy: FloatArray, conf: FloatArray, cls: IntArray) -> None:
        self.xyxy = xyxy
        self.conf = conf
        self.cls = cls.astype(np.float32)
        wh = xyxy[:, 2:4] - xyxy[:, 0:2]
        self.xywh = np.concatenate([xyxy[:, 0:2] + wh / 2.0, wh], axis=1)

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, mask: BoolArray) -> _Boxes:
        return _Boxes(self.xyxy[mask], self.conf[mask], self.cls[mask].astype(np.int64))


class Tracker:
    """`update(dets)` returns the detections that belong to a confirmed track this frame, with
    `tracker_id` set (boxes as detected, not Kalman-smoothed). One per camera; not thread-safe."""

    def __init__(self, cfg: TrackerConfig | None = None, frame_rate: float = 5.0) -> None:
        from vision.bytetrack import ByteTrack  # imports Ultralytics (seconds): only when used

        args = (cfg or TrackerConfig()).bytetrack_args(frame_rate)
        self._impl: Any = ByteTrack(args)  # type: ignore[no-untyped-call]

    def update(self, dets: Detections) -> Detections:
        boxes = _Boxes(dets.xyxy, dets.confidence, dets.class_id)
        out = np.asarray(self._impl.update(boxes, None), dtype=np.float64)
        if out.size == 0:
            return dets[np.zeros(len(dets), dtype=bool)].with_tracker_ids(np.zeros(0, np.int64))
        idx = out[:, 7].astype(np.int64)
        ids = out[:, 4].astype(np.int64)
        return dets[idx].with_tracker_ids(ids)

    def reset(self) -> None:
        self._impl.reset()
