"""`Detections`: one validated, columnar, immutable value for a frame's boxes.

Pixel coordinates of the frame the detector saw (`width` x `height`); helpers give normalised
(0–1) coordinates so zones and lines drawn on one resolution apply to any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The classes of interest of a street camera, by their COCO ids (Ultralytics' numbering).
COCO_NAMES: dict[int, str] = {
    0: "person",
    1: "bicycle",
    2: "car",
    3: "motorcycle",
    5: "bus",
    7: "truck",
}
CLASS_NAMES_ZH: dict[str, str] = {
    "person": "行人",
    "bicycle": "自行车",
    "car": "汽车",
    "motorcycle": "摩托车",
    "bus": "公交车",
    "truck": "货车",
}
VEHICLE_CLASSES: tuple[str, ...] = ("bicycle", "car", "motorcycle", "bus", "truck")


def _readonly(a: npt.NDArray[np.generic]) -> None:
    a.flags.writeable = False


@dataclass(frozen=True, eq=False)
class Detections:
    """Boxes of one frame: `xyxy` (N×4 float32 pixels), `confidence` (N float32), `class_id`
    (N int64), `tracker_id` (N int64, or None before tracking), `names` (class id -> name)."""

    xyxy: FloatArray
    confidence: FloatArray
    class_id: IntArray
    width: int
    height: int
    tracker_id: IntArray | None = None
    names: dict[int, str] = field(default_factory=lambda: dict(COCO_NAMES))

    def __post_init__(self) -> None:
        xyxy = np.ascontiguousarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(xyxy)
        conf = np.ascontiguousarray(self.confidence, dtype=np.float32).reshape(-1)
        cls = np.ascontiguousarray(self.class_id, dtype=np.int64).reshape(-1)
        if len(conf) != n or len(cls) != n:
            raise ValueError(
                f"Detections columns differ in length: xyxy {n}, confidence {len(conf)},"
                f" class_id {len(cls)}"
            )
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"frame size must be positive, got {self.width}x{self.height}")
        if n and not np.all(np.isfinite(xyxy)):
            raise ValueError("Detections.xyxy contains NaN or infinite values")
        if n and np.any(xyxy[:, 2:] < xyxy[:, :2]):
            raise ValueError("Detections.xyxy boxes must have x2 >= x1 and y2 >= y1")
        tid: IntArray | None = None
        if self.tracker_id is not None:
            tid = np.ascontiguousarray(self.tracker_id, dtype=np.int64).reshape(-1)
            if len(tid) != n:
                raise ValueError(f"Detections.tracker_id has {len(tid)} entries for {n} boxes")
            _readonly(tid)
        for a in (xyxy, conf, cls):
            _readonly(a)
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "class_id", cls)
        object.__setattr__(self, "tracker_id", tid)

    @classmethod
    def empty(cls, width: int, height: int, names: dict[int, str] | None = None) -> Detections:
        return cls(
            xyxy=np.zeros((0, 4), np.float32),
            confidence=np.zeros(0, np.float32),
            class_id=np.zeros(0, np.int64),
            width=width,
            height=height,
            names=dict(COCO_NAMES) if names is None else names,
        )

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: BoolArray | IntArray | slice) -> Detections:
        """A subset (boolean mask, index array or slice); never a view that can be written."""
        return Detections(
            xyxy=self.xyxy[index].copy(),
            confidence=self.confidence[index].copy(),
            class_id=self.class_id[index].copy(),
            width=self.width,
            height=self.height,
            tracker_id=None if self.tracker_id is None else self.tracker_id[index].copy(),
            names=self.names,
        )

    def with_tracker_ids(self, tracker_id: IntArray) -> Detections:
        return Detections(
            xyxy=self.xyxy,
            confidence=self.confidence,
            class_id=self.class_id,
            width=self.width,
            height=self.height,
            tracker_id=tracker_id,
            names=self.names,
        )

    def class_names(self) -> list[str]:
        return [self.names.get(c, str(c)) for c in self.class_id.tolist()]

    def class_ids_for(self, names: Sequence[str]) -> set[int]:
        wanted = set(names)
        return {cid for cid, name in self.names.items() if name in wanted}

    def of_classes(self, names: Sequence[str]) -> Detections:
        ids = np.array(sorted(self.class_ids_for(names)), dtype=np.int64)
        return self[np.isin(self.class_id, ids)]

    def anchors(self, anchor: str = "bottom_center") -> FloatArray:
        """N×2 pixel points: "bottom_center" (feet, for people on the ground) or "center"."""
        x = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2.0
        if anchor == "center":
            y = (self.xyxy[:, 1] + self.xyxy[:, 3]) / 2.0
        elif anchor == "bottom_center":
            y = self.xyxy[:, 3]
        else:
            raise ValueError(f"unknown anchor {anchor!r}: use 'bottom_center' or 'center'")
        return np.stack([x, y], axis=1).astype(np.float32)

    def normalized_anchors(self, anchor: str = "bottom_center") -> FloatArray:
        scale = np.array([self.width, self.height], dtype=np.float32)
        return (self.anchors(anchor) / scale).astype(np.float32)

    def normalized_xyxy(self) -> FloatArray:
        scale = np.array([self.width, self.height, self.width, self.height], dtype=np.float32)
        return (self.xyxy / scale).astype(np.float32)

    def scaled(self, width: int, height: int) -> Detections:
        """The same boxes in another resolution of the same frame."""
        sx, sy = width / self.width, height / self.height
        xyxy = self.xyxy * np.array([sx, sy, sx, sy], dtype=np.float32)
        return Detections(
            xyxy=xyxy,
            confidence=self.confidence,
            class_id=self.class_id,
            width=width,
            height=height,
            tracker_id=self.tracker_id,
            names=self.names,
        )
