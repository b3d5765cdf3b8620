"""Training crops for the density network: the target of a crop counts the heads inside it,
and the photometric jitter changes pixels only (never the target), draws no random numbers
when it is off (older commands reproduce exactly), and its grey version has equal channels."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from models.density_data import CropSpec, CrowdSample, photometric_jitter, random_crop
from models.density_train import build_parser


def _scene() -> tuple[np.ndarray, CrowdSample]:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(300, 400, 3), dtype=np.uint8)
    image[:, :, 2] = 40  # a colour image: the channels differ
    points = np.array([[50.0, 60.0], [200.0, 150.0], [210.0, 155.0], [390.0, 290.0]], np.float32)
    return image, CrowdSample("B", Path("IMG_1.jpg"), points, np.full(4, 4.0, np.float32))


def test_a_crop_of_the_whole_scene_keeps_every_head() -> None:
    image, sample = _scene()
    spec = CropSpec(size=512, scale_min=1.0, scale_max=1.0, flip=False)
    crop, target = random_crop(image, sample, spec, random.Random(1))
    assert crop.shape == (512, 512, 3)
    assert target.sum() == pytest.approx(4.0, abs=0.05)


def test_jitter_off_draws_nothing_and_on_changes_pixels_only() -> None:
    image, sample = _scene()
    plain = CropSpec(size=128)
    rng_a, rng_b = random.Random(7), random.Random(7)
    crop_a, target_a = random_crop(image, sample, plain, rng_a)
    crop_b, _ = random_crop(image, sample, CropSpec(size=128, photometric=0.0), rng_b)
    assert np.array_equal(crop_a, crop_b)
    assert rng_a.random() == rng_b.random()

    jittered = CropSpec(size=128, photometric=1.0)
    crop_c, target_c = random_crop(image, sample, jittered, random.Random(7))
    assert np.array_equal(target_c, target_a)
    assert crop_c.dtype == np.uint8
    assert crop_c.shape == crop_a.shape
    assert not np.array_equal(crop_c, crop_a)


def test_some_jittered_crops_are_grey() -> None:
    image, _ = _scene()
    rng = random.Random(3)
    outs = [photometric_jitter(image, rng) for _ in range(40)]
    grey = [o for o in outs if np.array_equal(o[:, :, 0], o[:, :, 2])]
    assert 3 <= len(grey) <= 20  # about a quarter
    assert all(o.min() >= 0 and o.max() <= 255 for o in outs)


def test_photometric_flag_parses() -> None:
    args = build_parser().parse_args(["--data", "d", "--photometric", "0.5"])
    assert args.photometric == 0.5
    assert build_parser().parse_args(["--data", "d"]).photometric == 0.0
