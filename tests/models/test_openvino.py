"""The OpenVINO runtime path: the same boxes as Ultralytics' own predict on the shared INT8
export, batches equal to single frames, and the rectangular input finding the same objects."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from models import ModelLoadError, UltralyticsConfig, build_detector
from models.openvino_backend import OpenVinoDetector, letterbox
from models.openvino_rect import RectUnsupported, anchor_grid, rect_shape, reshape_rect
from models.ultralytics_backend import UltralyticsDetector
from vision.clip import ClipReader
from vision.detections import Detections

EXPORT = "yolo11n_int8_openvino_model"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ((360, 640), (384, 640)),  # 16:9 analysis frames
        ((1080, 1920), (384, 640)),
        ((480, 640), (480, 640)),  # 4:3
        ((640, 480), (640, 480)),  # portrait
        ((100, 1000), (64, 640)),
    ],
)
def test_rect_input_is_the_smallest_multiple_of_32_that_holds_the_frame(
    frame: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert rect_shape(*frame, imgsz=640) == expected


def test_letterbox_matches_ultralytics() -> None:
    from ultralytics.data.augment import LetterBox

    rng = np.random.default_rng(1)
    img = rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    ours, lb = letterbox(img, 640, 640)
    theirs = LetterBox((640, 640), auto=False)(image=img)
    assert isinstance(theirs, np.ndarray)
    assert np.array_equal(ours, theirs)
    assert (lb.pad_x, lb.pad_y) == (0, 140)
    rect, _ = letterbox(img, *rect_shape(1080, 1920, 640), imgsz=640)
    theirs = LetterBox((640, 640), auto=True, stride=32)(image=img)
    assert isinstance(theirs, np.ndarray)
    assert np.array_equal(rect, theirs)


def test_anchor_grid_is_ultralytics_make_anchors() -> None:
    import torch
    from ultralytics.utils.tal import make_anchors

    feats = [torch.zeros(1, 1, 384 // s, 640 // s) for s in (8, 16, 32)]
    points, strides = make_anchors(feats, torch.tensor([8, 16, 32]), 0.5)  # type: ignore[no-untyped-call]
    anchors, stride_of = anchor_grid(384, 640)
    assert np.array_equal(anchors[0], points.numpy().T)
    assert np.array_equal(stride_of[0, 0], strides.numpy()[:, 0])


def test_reshape_rect_refuses_what_it_cannot_do(models_dir: Path) -> None:
    import openvino as ov

    model = ov.Core().read_model(next((models_dir / EXPORT).glob("*.xml")))
    with pytest.raises(RectUnsupported, match="multiple of 32"):
        reshape_rect(model, 360, 640)
    reshape_rect(model, 384, 640)
    assert list(model.output().get_shape()) == [1, 84, 5040]  # 48×80 + 24×40 + 12×20 anchors

    from openvino import Model
    from openvino import opset13 as ops

    x = ops.parameter([1, 3, 64, 64], np.float32)
    plain = Model([ops.relu(x)], [x])  # no detection head to recompute
    with pytest.raises(RectUnsupported, match="anchor grid"):
        reshape_rect(plain, 32, 64)


@pytest.mark.media
def test_an_export_that_cannot_go_rectangular_keeps_its_square(
    ultralytics_env: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.openvino_backend as backend

    def refuse(model: object, height: int, width: int) -> object:
        raise RectUnsupported("not this one")

    monkeypatch.setattr(backend, "reshape_rect", refuse)
    det = build_detector(UltralyticsConfig(), models_dir)
    assert isinstance(det, OpenVinoDetector)
    assert det.input_size(360, 640) == (640, 640)
    (found,) = det.detect_batch([np.zeros((360, 640, 3), np.uint8)])
    assert found.width == 640


@pytest.fixture(scope="module")
def frames(media_dir: Path) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for clip in ("pedestrians_street_yas-sim.mp4", "traffic_highway_mihailrc.mp4"):
        with ClipReader(media_dir / "videos" / clip, "c", fps=None, width=640) as reader:
            for k, f in enumerate(reader):
                if k in (0, 12):
                    out.append(np.array(f.image))
                if k >= 12:
                    break
    return out


def _same(a: Detections, b: Detections) -> None:
    assert np.array_equal(a.class_id, b.class_id)
    np.testing.assert_allclose(a.xyxy, b.xyxy, atol=1e-3)
    np.testing.assert_allclose(a.confidence, b.confidence, atol=1e-5)


@pytest.mark.media
def test_square_input_gives_ultralytics_boxes(
    ultralytics_env: Path, models_dir: Path, frames: list[np.ndarray]
) -> None:
    ours = build_detector(UltralyticsConfig(rect=False), models_dir)
    theirs = build_detector(UltralyticsConfig(runtime="ultralytics"), models_dir)
    assert isinstance(ours, OpenVinoDetector)
    assert isinstance(theirs, UltralyticsDetector)
    batch = ours.detect_batch(frames)  # the frames side by side on the throughput requests
    for frame, got in zip(frames, batch, strict=True):
        (expected,) = theirs.detect_batch([frame])
        assert len(expected.xyxy) > 0
        _same(got, expected)
        _same(ours.detect_batch([frame])[0], expected)  # a single frame: the latency request


@pytest.mark.media
def test_batches_queued_behind_running_ones_give_the_same_boxes(
    ultralytics_env: Path, models_dir: Path, frames: list[np.ndarray]
) -> None:
    det = build_detector(UltralyticsConfig(), models_dir)
    assert isinstance(det, OpenVinoDetector)
    alone = [det.detect_batch([f])[0] for f in frames]  # nothing else running: latency request
    # As the batching worker does under load: lone frames and a batch submitted one behind
    # another before any is collected (the later frames run on throughput streams).
    queued = [det.submit_batch([f]) for f in frames]
    batch = det.submit_batch(frames)
    for expected, pending in zip(alone, queued, strict=True):
        (got,) = pending.result()
        _same(got, expected)
        assert pending.result() == [got]  # collected once, then kept
    for expected, got in zip(alone, batch.result(), strict=True):
        _same(got, expected)
    assert any(len(d.xyxy) > 0 for d in alone)


@pytest.mark.media
def test_a_batch_that_fails_to_decode_leaves_the_detector_usable(
    ultralytics_env: Path,
    models_dir: Path,
    frames: list[np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    det = build_detector(UltralyticsConfig(), models_dir)
    assert isinstance(det, OpenVinoDetector)
    expected = det.detect_batch(frames)

    def broken(*args: object) -> Detections:
        raise RuntimeError("decoding failed")

    with monkeypatch.context() as m:
        m.setattr(det, "_result", broken)
        pending = det.submit_batch(frames)
        with pytest.raises(RuntimeError, match="decoding failed"):
            pending.result()
    with pytest.raises(RuntimeError, match="decoding failed"):
        pending.result()  # the same error again: its requests are not collected twice
    for a, b in zip(det.detect_batch(frames), expected, strict=True):
        _same(a, b)  # the requests went back to their pools, stopped and reusable


@pytest.mark.media
def test_rect_input_finds_the_same_objects(
    ultralytics_env: Path, models_dir: Path, frames: list[np.ndarray]
) -> None:
    square = build_detector(UltralyticsConfig(rect=False, conf=0.25), models_dir)
    rect = build_detector(UltralyticsConfig(conf=0.25), models_dir)
    assert isinstance(rect, OpenVinoDetector)
    assert rect.input_size(360, 640) == (384, 640)
    for a, b in zip(square.detect_batch(frames), rect.detect_batch(frames), strict=True):
        assert abs(len(a.xyxy) - len(b.xyxy)) <= max(2, len(a.xyxy) // 8)
        if len(a.xyxy) == 0:
            continue
        best = _iou(a.xyxy, b.xyxy).max(axis=1)
        assert np.median(best) > 0.9  # the same people and vehicles, boxes within a pixel or two
        assert b.width == 640
        assert b.height == 360


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(b) == 0:
        return np.zeros((len(a), 1))
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return np.asarray(inter / (area_a[:, None] + area_b[None] - inter))


def test_runtime_openvino_needs_an_openvino_export(ultralytics_env: Path, tmp_path: Path) -> None:
    weights = tmp_path / "custom.pt"
    weights.write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="needs an OpenVINO export"):
        build_detector(UltralyticsConfig(model=str(weights), runtime="openvino"), None)


@pytest.mark.media
def test_bus_is_found_at_any_frame_size(ultralytics_env: Path, models_dir: Path) -> None:
    import ultralytics

    bus = cv2.imread(str(Path(ultralytics.__file__).parent / "assets" / "bus.jpg"))
    assert bus is not None
    det = build_detector(UltralyticsConfig(), models_dir)
    wide = np.full((810, 1440, 3), 114, np.uint8)  # landscape: the picture between grey bars
    wide[:, 315:1125] = cv2.resize(bus, (810, 810))
    exact = np.ascontiguousarray(cv2.resize(bus, (480, 640)))  # already the network's size
    images = [np.asarray(img, np.uint8) for img in (bus, cv2.resize(bus, (320, 427)), wide, exact)]
    for img in images:
        img.flags.writeable = False  # as ingest publishes frames
    for img, in_batch in zip(images, det.detect_batch(images), strict=True):
        (found,) = det.detect_batch([img])
        _same(in_batch, found)  # a batch of differently shaped frames: each at its own size
        assert "bus" in found.class_names()
        assert found.xyxy[:, [0, 2]].max() <= img.shape[1]
        assert found.xyxy[:, [1, 3]].max() <= img.shape[0]
