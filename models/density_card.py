"""MODEL_CARD.md next to trained density weights: data, licence, config, seed, metrics, command."""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from models.crowdnet import DENSITY_SCALE

if TYPE_CHECKING:
    from models.density_data import CrowdSample, Dataset
    from models.density_train import EvalResult, TrainConfig


def card_path(weights: Path) -> Path:
    return weights.with_name("MODEL_CARD.md")


def reproduce_command(cfg: TrainConfig, out: Path) -> str:
    crops = ",".join(f"{k}={v:g}" for k, v in cfg.crops_per_image.items())
    return (
        f"cityeye train-density --data {cfg.data} --out {out} --epochs {cfg.epochs}"
        f" --crop {cfg.crop} --batch {cfg.batch} --seed {cfg.seed} --lr {cfg.lr}"
        f" --clip-grad {cfg.clip_grad} --count-weight {cfg.count_weight}"
        f" --backbone-lr-mult {cfg.backbone_lr_mult} --freeze-epochs {cfg.freeze_epochs}"
        f" --val-fraction {cfg.val_fraction} --scale-min {cfg.scale_min}"
        f" --scale-max {cfg.scale_max} --crops-per-image {crops}"
        f" --eval-every {cfg.eval_every} --device {cfg.device}"
        + (f" --init {cfg.init}" if cfg.init else "")
        + (f" --swa-from {cfg.swa_from}" if cfg.swa_from else "")
        + (f" --photometric {cfg.photometric:g}" if cfg.photometric else "")
        + (" --average-with-init" if cfg.average_with_init else "")
    )


def write_card(
    weights: Path,
    cfg: TrainConfig,
    epoch: int,
    res: EvalResult,
    val: Mapping[Dataset, Sequence[CrowdSample]],
    seconds: float,
    extra: str = "",
    stages: Sequence[tuple[TrainConfig, Path]] = (),
) -> Path:
    """`stages`: the earlier runs (config, output) this one continued from (--init), oldest
    first; the card lists their commands before this run's."""
    rows = "\n".join(
        f"| {name} (held-out {len(val[name])} images) | {res.mae[name]:.2f} | {res.mse[name]:.2f} |"
        for name in val
    )
    config = "\n".join(f"- `{k}`: {v!r}" for k, v in asdict(cfg).items())
    scale = DENSITY_SCALE
    jitter = (
        f"; with probability {cfg.photometric:g} contrast x0.7-1.3, brightness +-20, a quarter"
        " of those grey"
        if cfg.photometric
        else ""
    )
    commands = "\n".join(
        reproduce_command(c, o) for c, o in [*stages, (cfg, weights)]
    )
    text = f"""# CityEye crowd-density model (`{weights.name}`)

Density-map crowd counter: the COCO-trained YOLO11n backbone and neck (Ultralytics, layers
0-22, batch norm fused) and a small density head at stride 8 that also reads the stride-4
backbone stage (models/crowdnet.py). The count
of an image is the sum of its density map. Weights: fp16 state dict.

## Data and licence

Trained on `{cfg.data}`: ShanghaiTech Part A (train set) and Part B (train set) and Mall
frames 1-800, the last {cfg.val_fraction:.0%} of each (by file number) held out for
validation. These are academic datasets for **research and evaluation use only**; the
weights inherit that restriction. The backbone comes from Ultralytics YOLO11n (AGPL-3.0).
No evaluation image (`media/crowd`) was used for training or model selection.

## Training

- best epoch: {epoch} of {cfg.epochs}; wall time so far {seconds / 60:.1f} min on
  {cfg.device} ({platform.processor() or platform.machine()}, torch {torch.__version__},
  {torch.get_num_threads()} threads)
- targets: Gaussian per head integrated over 8x8 cells; sigma geometry-adaptive
  (0.3 x mean distance to the 3 nearest heads) on ShanghaiTech A/B, fixed on Mall
- augmentation: random {cfg.crop}px crops at scale {cfg.scale_min}-{cfg.scale_max}, flips{jitter}
- loss: summed squared error of the per-cell density (x{scale:g}) plus `count_weight` x the
  absolute count error of each crop; Adam, cosine decay, gradient norm clipped
{config}

## Validation (held-out training images)

| data | MAE | MSE (root of mean squared error) |
|---|---|---|
{rows}

{extra}
## Reproduce

```
{commands}
```

Written {dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}.
"""
    path = card_path(weights)
    path.write_text(text, encoding="utf-8")
    return path
