"""Ultralytics YOLO detector: any format Ultralytics loads (.pt, *_openvino_model/, .onnx,
.engine), cpu or cuda, optional half precision, only the classes of interest."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from models.config import UltralyticsConfig
from models.protocols import Image, ModelLoadError
from vision.detections import Detections

log = logging.getLogger(__name__)

# What Ultralytics raises for missing, corrupt or unsupported weights (TypeError: not a
# checkpoint; ImportError: the runtime of an exported format is not installed).
_LOAD_ERRORS = (OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError, ImportError)


def _task_for(model: str) -> str | None:
    # Exported formats carry no task in a form Ultralytics can always infer: say it.
    return None if model.endswith((".pt", ".yaml")) else "detect"


class UltralyticsDetector:
    def __init__(self, cfg: UltralyticsConfig, model: str) -> None:
        """`model`: the resolved weights (a path, or a bare official name to download)."""
        try:
            from ultralytics.models import YOLO
        except ImportError as exc:  # the optional "vision" extra is not installed
            raise ModelLoadError(
                "ultralytics is not installed: pip install 'cityeye[vision]'"
            ) from exc
        # Ultralytics logs model loading at INFO on stdout; keep stdout for the caller's output.
        logging.getLogger("ultralytics").setLevel(logging.WARNING)
        self._cfg = cfg
        self.model_name = model
        try:
            self._yolo: Any = YOLO(model, task=_task_for(model))
            all_names: dict[int, str] = {int(k): str(v) for k, v in self._yolo.names.items()}
        except _LOAD_ERRORS as exc:
            raise ModelLoadError(f"cannot load {model}: {exc}") from exc
        by_name = {v: k for k, v in all_names.items()}
        missing = [c for c in cfg.classes if c not in by_name]
        if missing:
            raise ModelLoadError(f"{model} does not know the classes {missing}")
        self._class_ids = sorted(by_name[c] for c in cfg.classes)
        self._names = {cid: all_names[cid] for cid in self._class_ids}
        self._lock = threading.Lock()
        log.info("loaded detector %s on %s (classes %s)", model, cfg.device, list(cfg.classes))

    @property
    def names(self) -> dict[int, str]:
        return dict(self._names)

    def warmup(self, width: int = 640, height: int = 360) -> None:
        self.detect_batch([np.zeros((height, width, 3), np.uint8)])

    def detect_batch(self, images: Sequence[Image]) -> list[Detections]:
        if not images:
            return []
        cfg = self._cfg
        with self._lock:
            results = self._yolo.predict(
                list(images),
                imgsz=cfg.imgsz,
                conf=cfg.conf,
                iou=cfg.iou,
                classes=self._class_ids,
                device=cfg.device,
                quantize=16 if cfg.half else None,  # "half" is deprecated in Ultralytics 8.4
                verbose=False,
            )
        out: list[Detections] = []
        for img, r in zip(images, results, strict=True):
            boxes = r.boxes
            out.append(
                Detections(
                    xyxy=boxes.xyxy.cpu().numpy(),
                    confidence=boxes.conf.cpu().numpy(),
                    class_id=boxes.cls.cpu().numpy().astype(np.int64),
                    width=int(img.shape[1]),
                    height=int(img.shape[0]),
                    names=self._names,
                )
            )
        return out
