"""Training data for the density network: head points of ShanghaiTech A/B and Mall, Gaussian
density targets integrated over stride-8 cells, and augmented crops.

Targets: each head is a 2-D Gaussian integrated exactly over the output cells (erf differences,
separable), so a crop's target sums to the heads inside it. Sigma: geometry-adaptive in dense
scenes (0.3 × the mean distance to the 3 nearest heads, clipped), fixed in sparse ones.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from scipy.special import erf

from models.crowdnet import STRIDE

Dataset = Literal["A", "B", "Mall"]
F32 = npt.NDArray[np.float32]
SIGMA_FIXED: dict[Dataset, float] = {"A": 4.0, "B": 8.0, "Mall": 5.0}
SIGMA_RANGE: dict[Dataset, tuple[float, float]] = {"A": (1.5, 15.0), "B": (3.0, 15.0)}


@dataclass(frozen=True, eq=False)
class CrowdSample:
    dataset: Dataset
    path: Path
    points: F32  # N×2 (x, y) pixels
    sigmas: F32  # N

    @property
    def count(self) -> int:
        return int(self.points.shape[0])


def adaptive_sigmas(points: F32, dataset: Dataset) -> F32:
    if dataset not in SIGMA_RANGE or len(points) < 4:
        return np.full(len(points), SIGMA_FIXED[dataset], dtype=np.float32)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(points).query(points, k=4)
    lo, hi = SIGMA_RANGE[dataset]
    sig: F32 = np.clip(0.3 * dist[:, 1:].mean(axis=1), lo, hi).astype(np.float32)
    return sig


def _num(p: Path) -> int:
    m = re.search(r"(\d+)", p.stem)
    return int(m.group(1)) if m else 0


def _shtech(root: Path, dataset: Dataset) -> list[CrowdSample]:
    from scipy.io import loadmat

    out: list[CrowdSample] = []
    for img in sorted((root / "images").glob("IMG_*.jpg"), key=_num):
        gt = root / "ground-truth" / f"GT_{img.stem}.mat"
        if not gt.is_file():
            continue
        info = loadmat(str(gt))["image_info"][0, 0][0, 0]
        pts = np.asarray(info["location"], dtype=np.float32).reshape(-1, 2)
        out.append(CrowdSample(dataset, img, pts, adaptive_sigmas(pts, dataset)))
    return out


def _mall(root: Path) -> list[CrowdSample]:
    from scipy.io import loadmat

    gt = loadmat(str(root / "mall_gt.mat"))
    out: list[CrowdSample] = []
    for img in sorted((root / "frames").glob("seq_*.jpg"), key=_num):
        k = _num(img) - 1
        loc = gt["frame"][0][k][0][0]["loc"]
        pts = np.asarray(loc, dtype=np.float32).reshape(-1, 2)
        out.append(CrowdSample("Mall", img, pts, adaptive_sigmas(pts, "Mall")))
    return out


def load_crowd(data: Path) -> dict[Dataset, list[CrowdSample]]:
    """The datasets present under `data` (ShanghaiTech_A, ShanghaiTech_B, Mall), by name."""
    found: dict[Dataset, list[CrowdSample]] = {}
    shtech: tuple[tuple[Dataset, str], ...] = (("A", "ShanghaiTech_A"), ("B", "ShanghaiTech_B"))
    for name, sub in shtech:
        if (data / sub / "images").is_dir():
            found[name] = _shtech(data / sub, name)
    if (data / "Mall" / "mall_gt.mat").is_file():
        found["Mall"] = _mall(data / "Mall")
    if not found:
        raise FileNotFoundError(f"no ShanghaiTech_A/B or Mall data under {data}")
    return found


def density_target(points: F32, sigmas: F32, h: int, w: int, stride: int = STRIDE) -> F32:
    """People per stride×stride cell of an h×w image (h, w multiples of stride)."""
    hc, wc = h // stride, w // stride
    if len(points) == 0:
        return np.zeros((hc, wc), dtype=np.float32)
    s = np.sqrt(2.0) * sigmas[:, None].astype(np.float64)
    ex = np.arange(wc + 1, dtype=np.float64) * stride
    ey = np.arange(hc + 1, dtype=np.float64) * stride
    cx = 0.5 * erf((ex[None, :] - points[:, :1]) / s)
    cy = 0.5 * erf((ey[None, :] - points[:, 1:2]) / s)
    wx, wy = np.diff(cx, axis=1), np.diff(cy, axis=1)
    out: F32 = (wy.T @ wx).astype(np.float32)
    return out


def read_bgr(path: Path) -> npt.NDArray[np.uint8]:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot read image {path}")
    return np.asarray(img, dtype=np.uint8)


@dataclass(frozen=True)
class CropSpec:
    size: int = 256
    scale_min: float = 0.75
    scale_max: float = 1.3
    flip: bool = True
    # Probability that a crop also gets a random contrast/brightness change and, a quarter of
    # those, a grey version (ShanghaiTech A holds grey photographs among colour ones). 0: off,
    # and then no random numbers are drawn for it, so runs without it reproduce exactly.
    photometric: float = 0.0


def random_crop(
    image: npt.NDArray[np.uint8], sample: CrowdSample, spec: CropSpec, rng: random.Random
) -> tuple[npt.NDArray[np.uint8], F32]:
    """A size×size crop at a random scale (window size/scale of the original), maybe flipped,
    and its stride-8 target."""
    h, w = image.shape[:2]
    scale = math.exp(rng.uniform(math.log(spec.scale_min), math.log(spec.scale_max)))
    win = spec.size / scale
    x0 = rng.uniform(0.0, max(0.0, w - win))
    y0 = rng.uniform(0.0, max(0.0, h - win))
    mat = np.array([[scale, 0.0, -x0 * scale], [0.0, scale, -y0 * scale]], dtype=np.float64)
    flip = spec.flip and rng.random() < 0.5
    if flip:
        mat[0] = [-scale, 0.0, (x0 + win) * scale]
    crop = cv2.warpAffine(
        image, mat, (spec.size, spec.size), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(114, 114, 114),
    )
    pts = sample.points.astype(np.float64) @ mat[:, :2].T + mat[:, 2]
    keep = (pts[:, 0] >= 0) & (pts[:, 0] < spec.size) & (pts[:, 1] >= 0) & (pts[:, 1] < spec.size)
    target = density_target(
        pts[keep].astype(np.float32), sample.sigmas[keep] * scale, spec.size, spec.size
    )
    out = np.asarray(crop, dtype=np.uint8)
    if spec.photometric > 0 and rng.random() < spec.photometric:
        out = photometric_jitter(out, rng)
    return out, target


def photometric_jitter(crop: npt.NDArray[np.uint8], rng: random.Random) -> npt.NDArray[np.uint8]:
    """Contrast ×0.7-1.3 about the crop's mean, brightness ±20 levels, and with probability
    1/4 the grey version (kept as three channels)."""
    img = crop.astype(np.float32)
    if rng.random() < 0.25:
        grey = img @ np.array([0.114, 0.587, 0.299], dtype=np.float32)  # BGR weights
        img = np.repeat(grey[:, :, None], 3, axis=2)
    mean = float(img.mean())
    img = (img - mean) * rng.uniform(0.7, 1.3) + mean + rng.uniform(-20.0, 20.0)
    return np.asarray(np.clip(img + 0.5, 0, 255), dtype=np.uint8)


def split_holdout(
    samples: Sequence[CrowdSample], fraction: float
) -> tuple[list[CrowdSample], list[CrowdSample]]:
    """The last `fraction` of each dataset (by file number) is held out for validation."""
    n_val = max(1, round(len(samples) * fraction)) if fraction > 0 else 0
    cut = len(samples) - n_val
    return list(samples[:cut]), list(samples[cut:])
