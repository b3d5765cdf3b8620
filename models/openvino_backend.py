"""Ultralytics YOLO detection exports in OpenVINO IR (`*_openvino_model/`), run on the OpenVINO
runtime directly on CPU: Ultralytics' letterbox and NMS, reproduced, around the compiled network.

Why not `YOLO(dir).predict(...)`: per call Ultralytics sets up a data source, converts through
torch, builds Results objects and runs a batch one image after another on one synchronous
request. Here a lone frame runs on a LATENCY-compiled network (all cores on one image); the
frames of a batch, and frames queued behind a running one, run on a THROUGHPUT-compiled one, a
request each, all started at once (`submit_batch`): the runtime works through them on its
streams while the caller decodes earlier results. Same weights, same boxes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import yaml

from models.config import UltralyticsConfig
from models.openvino_rect import RectUnsupported, rect_shape, reshape_rect
from models.protocols import Image, ModelLoadError
from vision.detections import Detections

log = logging.getLogger(__name__)

PAD_VALUE = 114  # Ultralytics' letterbox grey
MAX_NMS = 30000  # boxes fed to NMS at most (Ultralytics' default)
MAX_WH = 7680  # per-class offset that keeps class-aware NMS apart (Ultralytics' default)
MAX_DET = 300
WAIT_MS = 30_000  # an inference that takes longer than this has hung: fail the batch
MAX_SIZES = 4  # input sizes (frame shapes) kept compiled at once
USUAL_FRAME = (360, 640)  # height, width of a 16:9 analysis frame


@dataclass(frozen=True)
class Letterbox:
    """How a frame was fitted into the network's input: scaled by (gain_x, gain_y), then
    shifted by (pad_x, pad_y) pixels."""

    gain_x: float
    gain_y: float
    pad_x: int
    pad_y: int


def letterbox(
    img: Image, height: int, width: int, imgsz: int | None = None
) -> tuple[Image, Letterbox]:
    """Ultralytics' LetterBox (centred, scaling up allowed, grey 114 borders) as uint8 BGR: the
    frame scaled to fit `height`×`width` (or, given `imgsz`, so its longer side is `imgsz`, as
    in rect inference), then padded to `height`×`width`."""
    h, w = img.shape[:2]
    r = min(imgsz / h, imgsz / w) if imgsz else min(height / h, width / w)
    new_w, new_h = max(round(w * r), 1), max(round(h * r), 1)
    if (new_w, new_h) != (w, h):
        img = np.asarray(cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_LINEAR))
    dw, dh = (width - new_w) / 2, (height - new_h) / 2
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    if top or bottom or left or right:
        img = np.asarray(
            cv2.copyMakeBorder(
                img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(PAD_VALUE,) * 3
            )
        )
    return img, Letterbox(new_w / w, new_h / h, left, top)


def with_input_conversion(model: Any) -> Any:
    """`model` taking the letterboxed frame as it is (uint8 1×H×W×3 BGR) and doing Ultralytics'
    conversion itself (RGB, float, ÷255, channels first), inside the compiled network: no
    3 MB float copy per frame on the Python side, and the work runs on the runtime's threads."""
    from openvino import Layout, Type
    from openvino.preprocess import ColorFormat, PrePostProcessor

    ppp = PrePostProcessor(model)
    tensor = ppp.input().tensor()
    tensor.set_element_type(Type.u8).set_layout(Layout("NHWC")).set_color_format(ColorFormat.BGR)
    ppp.input().model().set_layout(Layout("NCHW"))
    steps = ppp.input().preprocess()
    steps.convert_element_type(Type.f32).convert_color(ColorFormat.RGB).scale(255.0)
    return ppp.build()


def decode(
    pred: npt.NDArray[np.float32],
    conf: float,
    iou: float,
    class_ids: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """One image's raw output (4 + classes) × anchors -> kept boxes (xyxy in the network's
    input pixels), confidences and class ids, as Ultralytics' non_max_suppression does it: the
    best class per anchor over confidence `conf`, only `class_ids`, class-aware NMS at `iou`."""
    import torch
    import torchvision

    scores = pred[4:]
    best = scores.max(axis=0)
    cand = np.flatnonzero(best > conf)
    cls = scores[:, cand].argmax(axis=0).astype(np.int64)
    keep = np.isin(cls, class_ids)
    cand, cls, confs = cand[keep], cls[keep], best[cand[keep]]
    if len(cand) > MAX_NMS:
        top = np.argsort(-confs, kind="stable")[:MAX_NMS]
        cand, cls, confs = cand[top], cls[top], confs[top]
    cx, cy, bw, bh = pred[:4, cand]
    xyxy = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
    xyxy = xyxy.astype(np.float32, copy=False)
    if len(cand) == 0:
        return xyxy.reshape(0, 4), confs.astype(np.float32), cls
    offset = torch.from_numpy(xyxy + (cls.astype(np.float32) * MAX_WH)[:, None])
    kept = torchvision.ops.nms(offset, torch.from_numpy(confs), iou)[:MAX_DET].numpy()
    return xyxy[kept], confs[kept].astype(np.float32), cls[kept]


def unletterbox(
    xyxy: npt.NDArray[np.float32], lb: Letterbox, width: int, height: int
) -> npt.NDArray[np.float32]:
    """Boxes in the network's input pixels -> the frame's pixels (clipped to the frame)."""
    out = xyxy.copy()
    out[:, [0, 2]] = np.clip((out[:, [0, 2]] - lb.pad_x) / lb.gain_x, 0, width)
    out[:, [1, 3]] = np.clip((out[:, [1, 3]] - lb.pad_y) / lb.gain_y, 0, height)
    return out


def _read_metadata(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "metadata.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelLoadError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} is not an Ultralytics export's metadata")
    return data


def is_openvino_export(weights: str) -> bool:
    p = Path(weights)
    return p.is_dir() and any(p.glob("*.xml")) and (p / "metadata.yaml").is_file()


class _Net:
    """The export compiled for one input size twice: LATENCY (all cores on one frame, for
    single frames) and THROUGHPUT (one stream per core group, for the frames of a batch side by
    side). Requests come from per-model pools that grow to what is in flight at once (the
    batching worker queues at most `WorkerSettings.in_flight` batches)."""

    def __init__(self, core: Any, model: Any) -> None:
        _, h, w, _ = model.input().get_shape()  # N×H×W×C: see with_input_conversion
        self.height, self.width = int(h), int(w)
        self.latency = core.compile_model(model, "CPU", {"PERFORMANCE_HINT": "LATENCY"})
        self.throughput = core.compile_model(model, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
        self.streams = max(1, int(self.throughput.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        self._free: dict[bool, list[Any]] = {True: [], False: []}

    def take(self, single: bool) -> Any:
        """A free request of the LATENCY (`single`) or THROUGHPUT model."""
        free = self._free[single]
        if free:
            return free.pop()
        return (self.latency if single else self.throughput).create_infer_request()

    def give_back(self, single: bool, request: Any) -> None:
        self._free[single].append(request)


@dataclass(frozen=True)
class _InFlight:
    net: _Net
    single: bool
    request: Any
    box: Letterbox
    blob: npt.NDArray[np.uint8]  # the request reads it (shared input) until collected


class PendingDetections:
    """A batch started on the runtime; `result()` waits for it and decodes, in input order.
    Until then the runtime works on it without this thread (nor the interpreter lock)."""

    def __init__(self, collect: Callable[[], list[Detections]]) -> None:
        self._collect = collect
        self._out: list[Detections] | None = None
        self._error: Exception | None = None

    def result(self) -> list[Detections]:
        """The detections, in input order; collected once (the requests then go back to their
        pool), so a second call gives the same list, or raises the same error."""
        if self._error is not None:
            raise self._error
        if self._out is None:
            try:
                self._out = self._collect()
            except Exception as exc:
                self._error = exc
                raise
        return self._out


class OpenVinoDetector:
    def __init__(self, cfg: UltralyticsConfig, model_dir: str) -> None:
        try:
            import openvino as ov
        except ImportError as exc:
            raise ModelLoadError("openvino is not installed: pip install openvino") from exc
        self._cfg = cfg
        self.model_name = model_dir
        root = Path(model_dir)
        meta = _read_metadata(root)
        if meta.get("task", "detect") != "detect" or (meta.get("args") or {}).get("nms"):
            raise ModelLoadError(
                f"{model_dir} is not a plain detection export (task detect, nms off)"
            )
        all_names = {int(k): str(v) for k, v in (meta.get("names") or {}).items()}
        by_name = {v: k for k, v in all_names.items()}
        missing = [c for c in cfg.classes if c not in by_name]
        if missing:
            raise ModelLoadError(f"{model_dir} does not know the classes {missing}")
        self._class_ids = np.array(sorted(by_name[c] for c in cfg.classes), dtype=np.int64)
        self._names = {int(c): all_names[int(c)] for c in self._class_ids}
        self._core = ov.Core()
        self._xml = next(root.glob("*.xml"), None)
        if self._xml is None:
            raise ModelLoadError(f"{model_dir} holds no OpenVINO model (.xml)")
        self._rect = cfg.rect
        self._nets: dict[tuple[int, int], _Net] = {}
        self._lock = threading.Lock()
        self._running = 0  # frames submitted and not yet collected
        # Compiled now for the usual 16:9 analysis frame (other shapes on first sight), so that
        # a broken export fails here, as a load error.
        net = self._net(self.input_size(*USUAL_FRAME))
        log.info(
            "loaded detector %s on the OpenVINO CPU runtime (%d parallel requests, %s input)",
            model_dir,
            net.streams,
            "rectangular" if self._rect else "square",
        )

    @property
    def names(self) -> dict[int, str]:
        return dict(self._names)

    def input_size(self, height: int, width: int) -> tuple[int, int]:
        """The network input (height, width) a frame of this size is fed at."""
        if not self._rect:
            return self._cfg.imgsz, self._cfg.imgsz
        return rect_shape(height, width, self._cfg.imgsz)

    def _read(self, size: tuple[int, int]) -> Any:
        model = self._core.read_model(self._xml)
        if model.input().get_partial_shape().is_dynamic:
            model.reshape([1, 3, *size])
        elif tuple(model.input().get_shape()[2:]) != size:
            reshape_rect(model, *size)
        return with_input_conversion(model)

    def _net(self, size: tuple[int, int]) -> _Net:
        net = self._nets.get(size)
        if net is not None:
            return net
        try:
            net = _Net(self._core, self._read(size))
        except RectUnsupported as exc:
            if not self._rect:
                raise ModelLoadError(f"cannot feed {self.model_name} {size}: {exc}") from exc
            log.info("%s keeps its square input: %s", self.model_name, exc)
            self._rect = False
            return self._net((self._cfg.imgsz, self._cfg.imgsz))
        except RuntimeError as exc:
            raise ModelLoadError(f"cannot load {self.model_name} with OpenVINO: {exc}") from exc
        if len(self._nets) >= MAX_SIZES:  # cameras of many shapes: forget the oldest size
            self._nets.pop(next(iter(self._nets)))
        self._nets[size] = net
        return net

    def detect_batch(self, images: Sequence[Image]) -> list[Detections]:
        return self.submit_batch(images).result()

    def submit_batch(self, images: Sequence[Image]) -> PendingDetections:
        """Starts `images` on the runtime and returns at once: the caller decodes the previous
        batch (or prepares the next) while these run, so the runtime never waits for Python."""
        flights: list[_InFlight] = []
        with self._lock:
            # A lone frame with nothing else running gets all cores (LATENCY: lowest delay);
            # behind a running batch it takes a stream of its own, as a batch's frames do.
            single = len(images) == 1 and self._running == 0
        try:
            for img in images:
                net, lb, blob = self._prepare(img)
                with self._lock:
                    req = net.take(single)
                    self._running += 1
                flights.append(_InFlight(net, single, req, lb, blob))
                req.start_async({0: blob}, share_inputs=True)
        except BaseException:
            self._release(flights, cancel=True)
            raise
        return PendingDetections(functools.partial(self._collect_all, list(images), flights))

    def _collect_all(self, images: Sequence[Image], flights: list[_InFlight]) -> list[Detections]:
        out: list[Detections] = []
        try:
            for img, item in zip(images, flights, strict=True):
                if not item.request.wait_for(WAIT_MS):
                    raise RuntimeError(
                        f"OpenVINO inference did not finish within {WAIT_MS / 1000:.0f} s"
                    )
                pred = item.request.get_output_tensor(0).data[0]
                out.append(self._result(img, item.box, pred))
        finally:
            self._release(flights, cancel=len(out) < len(flights))
        return out

    def _release(self, flights: list[_InFlight], cancel: bool) -> None:
        """Returns the requests to their pools; after a failure stops what still runs first."""
        for item in flights:
            if cancel:
                item.request.cancel()
                # A cancelled request's wait raises "Infer Request was canceled": as asked.
                with contextlib.suppress(RuntimeError):
                    item.request.wait_for(WAIT_MS)
        with self._lock:
            for item in flights:
                item.net.give_back(item.single, item.request)
            self._running -= len(flights)

    def _prepare(self, img: Image) -> tuple[_Net, Letterbox, npt.NDArray[np.uint8]]:
        h, w = img.shape[:2]
        with self._lock:
            net = self._net(self.input_size(h, w))
        boxed, lb = letterbox(img, net.height, net.width, self._cfg.imgsz)
        return net, lb, np.ascontiguousarray(boxed)[None]

    def _result(self, img: Image, lb: Letterbox, pred: npt.NDArray[np.float32]) -> Detections:
        xyxy, conf, cls = decode(pred, self._cfg.conf, self._cfg.iou, self._class_ids)
        h, w = img.shape[:2]
        return Detections(
            xyxy=unletterbox(xyxy, lb, w, h),
            confidence=conf,
            class_id=cls,
            width=int(w),
            height=int(h),
            names=self._names,
        )
