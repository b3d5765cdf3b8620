"""Scripted back-ends for tests: deterministic outputs, no weights, no runtime."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from models.config import FakeConfig
from models.protocols import DensityMap, Image
from vision.detections import COCO_NAMES, Detections

_IDS = {name: cid for cid, name in COCO_NAMES.items()}


class FakeDetector:
    """Call k returns the scripted boxes `frames[k % len(frames)]` for every image of the batch
    (pixel coordinates, clipped to the image); no frames scripted: no boxes."""

    def __init__(self, cfg: FakeConfig) -> None:
        self._cfg = cfg
        self._calls = 0
        self._lock = threading.Lock()
        self.batches: list[int] = []  # batch sizes seen, for tests of the batching worker

    @property
    def names(self) -> dict[int, str]:
        return dict(COCO_NAMES)

    def detect_batch(self, images: Sequence[Image]) -> list[Detections]:
        with self._lock:
            k = self._calls
            self._calls += 1
            self.batches.append(len(images))
        out: list[Detections] = []
        for img in images:
            h, w = int(img.shape[0]), int(img.shape[1])
            boxes = self._cfg.frames[k % len(self._cfg.frames)] if self._cfg.frames else []
            if not boxes:
                out.append(Detections.empty(w, h))
                continue
            xyxy = np.array([b.xyxy for b in boxes], dtype=np.float32)
            xyxy = np.clip(xyxy, 0, [w, h, w, h]).astype(np.float32)
            out.append(
                Detections(
                    xyxy=xyxy,
                    confidence=np.array([b.confidence for b in boxes], np.float32),
                    class_id=np.array([_IDS.get(b.class_name, 0) for b in boxes], np.int64),
                    width=w,
                    height=h,
                )
            )
        return out


class FakeDensity:
    """Call k returns a uniform density map (1/4 resolution) summing to `density_counts[k % n]`."""

    def __init__(self, cfg: FakeConfig) -> None:
        self._cfg = cfg
        self._calls = 0
        self._lock = threading.Lock()

    def estimate(self, image: Image) -> DensityMap:
        with self._lock:
            k = self._calls
            self._calls += 1
        h, w = int(image.shape[0]), int(image.shape[1])
        counts = self._cfg.density_counts
        total = counts[k % len(counts)] if counts else 0.0
        shape = (max(1, h // 4), max(1, w // 4))
        density = np.full(shape, total / (shape[0] * shape[1]), dtype=np.float32)
        return DensityMap(density=density, image_width=w, image_height=h)
