"""Server-side PNG export: the board's elements drawn over a video frame (Pillow)."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from annotate.schemas import Element

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Pt = tuple[float, float]


@lru_cache(maxsize=16)
def _font(size: int) -> Font:
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _points(e: Element, w: int, h: int) -> list[Pt]:
    p = e.points
    return [(p[i] * w, p[i + 1] * h) for i in range(0, len(p) - 1, 2)]


def _bezier(a: Pt, c: Pt, b: Pt, steps: int = 24) -> list[Pt]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        out.append(((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
                    (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1]))
    return out


def _head(draw: ImageDraw.ImageDraw, tip: Pt, tail: Pt, color: str, width: float) -> None:
    angle = math.atan2(tip[1] - tail[1], tip[0] - tail[0])
    size = 4 * width + 8
    left = (tip[0] - size * math.cos(angle - 0.45), tip[1] - size * math.sin(angle - 0.45))
    right = (tip[0] - size * math.cos(angle + 0.45), tip[1] - size * math.sin(angle + 0.45))
    draw.polygon([tip, left, right], fill=color)


def _arrow(draw: ImageDraw.ImageDraw, e: Element, pts: list[Pt], lw: int) -> None:
    if len(pts) < 2:
        return
    path = _bezier(pts[0], pts[1], pts[2]) if e.curved and len(pts) >= 3 else pts
    draw.line(path, fill=e.color, width=lw, joint="curve")
    if e.heads in ("end", "both"):
        _head(draw, path[-1], path[-2], e.color, lw)
    if e.heads == "both":
        _head(draw, path[0], path[1], e.color, lw)


def draw_element(draw: ImageDraw.ImageDraw, e: Element, w: int, h: int) -> None:
    pts = _points(e, w, h)
    lw = max(1, round(e.width * max(w, h) / 1000))
    if not pts:
        return
    if e.type == "arrow":
        _arrow(draw, e, pts, lw)
    elif e.type in ("rect", "ellipse") and len(pts) >= 2:
        box = (min(pts[0][0], pts[1][0]), min(pts[0][1], pts[1][1]),
               max(pts[0][0], pts[1][0]), max(pts[0][1], pts[1][1]))
        if e.type == "rect":
            draw.rectangle(box, outline=e.color, width=lw)
        else:
            draw.ellipse(box, outline=e.color, width=lw)
    elif e.type == "polygon" and len(pts) >= 3:
        draw.polygon(pts, outline=e.color, width=lw)
    elif e.type == "freehand" and len(pts) >= 2:
        draw.line(pts, fill=e.color, width=lw, joint="curve")
    elif e.type == "pin":
        x, y = pts[0]
        r = 3 * lw + 4
        draw.ellipse((x - r, y - 2 * r, x + r, y), fill=e.color)
        draw.line([(x, y - r), (x, y)], fill=e.color, width=max(1, lw // 2))
        if e.text:
            draw.text((x + r + 2, y - 2 * r), e.text, fill=e.color,
                      font=_font(round(e.font_size * h / 540)))
    elif e.type == "text":
        draw.text(pts[0], e.text, fill=e.color, font=_font(max(8, round(e.font_size * h / 540))))


def render_png(frame_rgb: Image.Image, elements: list[Element]) -> bytes:
    """Draw on a copy of the frame and encode it as PNG (CPU: call in a thread)."""
    image = frame_rgb.convert("RGB").copy()
    draw = ImageDraw.Draw(image)
    w, h = image.size
    for e in elements:
        draw_element(draw, e, w, h)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def blank_frame(width: int = 1280, height: int = 720) -> Image.Image:
    return Image.new("RGB", (width, height), (32, 32, 32))
