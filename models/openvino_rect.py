"""Rectangular inputs for square YOLO detection exports in OpenVINO IR.

An Ultralytics detection export with a static 640×640 input spends 44 % of its work on the grey
bars around a 16:9 frame. Ultralytics itself feeds PyTorch models the smallest rectangle that
holds the frame (640×384 for 16:9); a static export cannot take it because a few values in its
graph were frozen for the square at export time: the anchor grid and stride table of the
detection head, and the reshapes of the attention block and the head, which spell out the
feature-map sizes (20×20, 400, 8400). `reshape_rect` recomputes exactly those for another input
size; everything else (weights, quantisation, layers) is the export's own. It refuses (with
`RectUnsupported`) any graph that does not look exactly like that, and the caller then keeps
the square.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

STRIDES = (8, 16, 32)


class RectUnsupported(ValueError):
    """The export cannot be given a rectangular input (the caller keeps its square)."""


def rect_shape(height: int, width: int, imgsz: int, stride: int = 32) -> tuple[int, int]:
    """The input Ultralytics uses for a `height`×`width` frame at `imgsz` with rect inference:
    the frame scaled so its longer side is `imgsz`, each side rounded up to a multiple of
    `stride`."""
    r = min(imgsz / height, imgsz / width)
    new_h, new_w = max(round(height * r), 1), max(round(width * r), 1)
    return math.ceil(new_h / stride) * stride, math.ceil(new_w / stride) * stride


def anchor_grid(
    height: int, width: int, strides: tuple[int, ...] = STRIDES
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Ultralytics' make_anchors for an input of `height`×`width`: anchor centres (1×2×N, in
    cells) and the stride of each anchor (1×1×N), levels in order, rows outer, columns inner."""
    points, stride_of = [], []
    for s in strides:
        gh, gw = height // s, width // s
        ys, xs = np.meshgrid(np.arange(gh) + 0.5, np.arange(gw) + 0.5, indexing="ij")
        points.append(np.stack([xs.ravel(), ys.ravel()]))
        stride_of.append(np.full(gh * gw, s))
    anchors = np.concatenate(points, axis=1)[None].astype(np.float32)
    return anchors, np.concatenate(stride_of)[None, None].astype(np.float32)


def _constant(node: Any) -> npt.NDArray[Any] | None:
    return node.get_data() if node.get_type_name() == "Constant" else None


def _replace_constant(ops: Any, old: Any, value: npt.NDArray[Any]) -> None:
    new = ops.constant(value)
    for target in list(old.output(0).get_target_inputs()):
        target.replace_source_output(new.output(0))


def _new_reshape_target(
    shape: list[int], old: list[tuple[int, int]], new: list[tuple[int, int]]
) -> list[int] | None:
    """A reshape target spelling old feature-map sizes, spelt for the new ones (None: none)."""
    total_old, total_new = sum(h * w for h, w in old), sum(h * w for h, w in new)
    if len(shape) >= 2 and (shape[-2], shape[-1]) in old:
        return [*shape[:-2], *new[old.index((shape[-2], shape[-1]))]]
    flat_old = [h * w for h, w in old]
    if shape and shape[-1] in flat_old:
        h, w = new[flat_old.index(shape[-1])]
        return [*shape[:-1], h * w]
    if shape and shape[-1] == total_old:
        return [*shape[:-1], total_new]
    return None


def reshape_rect(model: Any, height: int, width: int) -> Any:
    """`model` (an openvino.Model read from a static square export, changed in place) made to
    take a 1×3×`height`×`width` input. Raises RectUnsupported when it cannot be done safely."""
    from openvino import PartialShape
    from openvino import opset13 as ops

    if height % STRIDES[-1] or width % STRIDES[-1]:
        raise RectUnsupported(f"{width}×{height} is not a multiple of {STRIDES[-1]}")
    shape = model.input().get_partial_shape()
    if shape.is_dynamic or len(shape) != 4:
        raise RectUnsupported("the export's input is not a static N×3×H×W")
    old_h, old_w = int(shape[2].get_length()), int(shape[3].get_length())
    if (old_h, old_w) == (height, width):
        return model
    old_levels = [(old_h // s, old_w // s) for s in STRIDES]
    new_levels = [(height // s, width // s) for s in STRIDES]
    old_anchors, old_strides = anchor_grid(old_h, old_w)
    new_anchors, new_strides = anchor_grid(height, width)
    found = {"anchors": [], "strides": []}  # type: dict[str, list[Any]]
    reshapes: list[tuple[Any, list[int]]] = []
    for op in model.get_ordered_ops():
        kind = op.get_type_name()
        if kind == "Constant" and tuple(op.get_output_shape(0)) in (
            old_anchors.shape,
            old_strides.shape,
        ):
            data = op.get_data()
            if data.shape == old_anchors.shape and np.array_equal(data, old_anchors):
                found["anchors"].append(op)
            elif data.shape == old_strides.shape and np.array_equal(data, old_strides):
                found["strides"].append(op)
        elif kind == "Reshape" and (target := _constant(op.input_value(1).get_node())) is not None:
            new_target = _new_reshape_target([int(v) for v in target], old_levels, new_levels)
            if new_target is not None:
                reshapes.append((op, new_target))
    if len(found["anchors"]) != 1 or len(found["strides"]) != 1:
        raise RectUnsupported("the detection head's anchor grid was not found")
    _replace_constant(ops, found["anchors"][0], new_anchors)
    _replace_constant(ops, found["strides"][0], new_strides)
    for op, new_target in reshapes:
        target = ops.constant(np.array(new_target, dtype=np.int64))
        op.input(1).replace_source_output(target.output(0))
    try:  # set the input and propagate (model.reshape would check the old shapes first)
        model.get_parameters()[0].set_partial_shape(PartialShape([1, 3, height, width]))
        model.validate_nodes_and_infer_types()
    except RuntimeError as exc:
        raise RectUnsupported(f"the export does not take {width}×{height}: {exc}") from exc
    out = model.output().get_partial_shape()
    anchors = new_anchors.shape[-1]
    if out.is_dynamic or int(out[len(out) - 1].get_length()) != anchors:
        raise RectUnsupported(f"the reshaped export gives {out}, not {anchors} anchors")
    return model
