"""`cityeye train-density` end to end on a small slice of the real training data: it continues
from the shipped weights, averages the last epochs (--swa-from), blends with the start
(--average-with-init), and leaves a loadable checkpoint whose card reproduces the run."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from models.crowdnet import load_weights
from models.density_card import card_path
from models.density_train import main
from models.registry import SHIPPED_DENSITY_WEIGHTS


def _slice_of_b(media_dir: Path, dest: Path, n: int = 10) -> Path:
    """The first `n` ShanghaiTech B training images and their ground truth, as links."""
    src = media_dir / "crowd-train" / "ShanghaiTech_B"
    if not (src / "images").is_dir():
        pytest.fail(f"missing {src}/images: the crowd training data (see ../shared/README.md)")
    for sub in ("images", "ground-truth"):
        (dest / "ShanghaiTech_B" / sub).mkdir(parents=True)
    for i in range(1, n + 1):
        (dest / "ShanghaiTech_B" / "images" / f"IMG_{i}.jpg").symlink_to(
            src / "images" / f"IMG_{i}.jpg")
        (dest / "ShanghaiTech_B" / "ground-truth" / f"GT_IMG_{i}.mat").symlink_to(
            src / "ground-truth" / f"GT_IMG_{i}.mat")
    return dest


def test_a_short_continued_run_with_weight_averaging(
    media_dir: Path, models_dir: Path, ultralytics_env: Path, tmp_path: Path,
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
) -> None:
    data = _slice_of_b(media_dir, tmp_path / "data")
    out = tmp_path / "run" / "w.pt"
    args = [
        "--data", str(data), "--out", str(out), "--init", str(SHIPPED_DENSITY_WEIGHTS),
        "--backbone", str(models_dir / "yolo11n.pt"), "--epochs", "3", "--crop", "64",
        "--batch", "2", "--crops-per-image", "B=0.5", "--lr", "1e-5", "--seed", "3",
        "--swa-from", "2", "--average-with-init", "--device", "cpu",
    ]
    with caplog.at_level(logging.INFO, logger="models.density_train"):
        assert main(args) == 0
    # The start is scored first (what the run must beat), the average of epochs 2-3 is
    # validated like an epoch, then the blends with the start; the verdict names the start.
    assert "start (--init) val MAE" in caplog.text
    assert "average of epochs 2-3" in caplog.text
    verdict = capsys.readouterr().out.splitlines()[-1]
    found = re.match(r"held-out score ([\d.]+) (beats|does NOT beat) the start's ([\d.]+) \((.+)\)",
                     verdict)
    assert found, verdict
    assert (found[2] == "beats") == (float(found[1]) < float(found[3]))
    assert found[4] == str(SHIPPED_DENSITY_WEIGHTS)
    assert "blend 0.5 x best + 0.5 x init" in caplog.text
    _net, meta = load_weights(out)
    assert meta["config"]["swa_from"] == 2
    assert meta["history"], "the continued run records the shipped weights' lineage"
    card = card_path(out).read_text(encoding="utf-8")
    assert "--swa-from 2 --average-with-init" in card
    assert "B (held-out 1 images)" in card
