"""Label declutter: keep the most important labels and drop those that would overlap them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    key: str
    u: float  # anchor (label centre-bottom), pixels
    v: float
    w: float
    h: float
    priority: float  # lower is more important (e.g. a category rank plus distance)

    def rect(self) -> tuple[float, float, float, float]:
        return self.u - self.w / 2.0, self.v - self.h, self.u + self.w / 2.0, self.v


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def declutter(boxes: list[Box]) -> set[str]:
    """Keys of the labels to show: greedy by priority, skipping any that overlaps a kept one."""
    kept: list[tuple[float, float, float, float]] = []
    shown: set[str] = set()
    for box in sorted(boxes, key=lambda b: (b.priority, b.key)):
        r = box.rect()
        if any(_overlap(r, k) for k in kept):
            continue
        kept.append(r)
        shown.add(box.key)
    return shown


def label_size(text: str, font_px: float = 14.0) -> tuple[float, float]:
    """An estimate of a label's box: CJK characters are about twice as wide as Latin ones."""
    units = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)
    return units * font_px + 16.0, font_px + 10.0
