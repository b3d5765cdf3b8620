"""JPEG snapshots for events: the frame with zones, lines, boxes and the event's marker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from vision.detections import Detections
from vision.geometry import Line, Zone

_GREEN, _RED, _YELLOW, _BLUE = (80, 200, 80), (40, 40, 230), (0, 210, 255), (230, 160, 40)


def _px(p: tuple[float, float], w: int, h: int) -> tuple[int, int]:
    return (round(p[0] * (w - 1)), round(p[1] * (h - 1)))


def render_snapshot(
    image: npt.NDArray[np.uint8],
    dets: Detections,
    *,
    highlight: Iterable[int] = (),
    zones: Sequence[Zone] = (),
    lines: Sequence[Line] = (),
    point: tuple[float, float] | None = None,
    quality: int = 80,
) -> bytes:
    """Draws on a copy (the frame is shared and read-only) and encodes it as JPEG."""
    canvas = np.array(image, dtype=np.uint8, copy=True)
    h, w = canvas.shape[:2]
    for z in zones:
        pts = np.array([_px(p, w, h) for p in z.polygon], dtype=np.int32)
        cv2.polylines(canvas, [pts], True, _RED if z.restricted else _YELLOW, 2)
    for ln in lines:
        cv2.arrowedLine(canvas, _px(ln.a, w, h), _px(ln.b, w, h), _BLUE, 2, tipLength=0.03)
    marked = set(highlight)
    d = dets.scaled(w, h) if (dets.width, dets.height) != (w, h) else dets
    ids = d.tracker_id if d.tracker_id is not None else np.full(len(d), -1, np.int64)
    for (x1, y1, x2, y2), tid, name in zip(d.xyxy, ids, d.class_names(), strict=True):
        color = _RED if int(tid) in marked else _GREEN
        cv2.rectangle(canvas, (int(x1), int(y1)), (int(x2), int(y2)), color, 2)
        label = name if tid < 0 else f"{name} #{int(tid)}"
        cv2.putText(canvas, label, (int(x1), max(12, int(y1) - 4)), 0, 0.45, color, 1)
    if point is not None:
        cv2.circle(canvas, _px(point, w, h), 10, _RED, 3)
    ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding of the snapshot failed")
    return bytes(buf.tobytes())
