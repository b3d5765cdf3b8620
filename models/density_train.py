"""`cityeye train-density --data DIR --out FILE.pt`: train the CityEye crowd-density network on
ShanghaiTech A/B and Mall (see models/density_data.py), keep the checkpoint with the best
validation MAE on a held-out part of the training data, and write MODEL_CARD.md next to it.

Schedule: the YOLO11n backbone/neck starts from the COCO checkpoint and is frozen for
`--freeze-epochs` (the fresh head settles), then everything trains, the backbone at
`--backbone-lr-mult` × the head's learning rate, cosine decay. Deterministic for a seed on CPU.
`--init FILE` continues from a CityEye checkpoint instead of the COCO backbone (a fresh cosine
schedule); the new checkpoint records the earlier runs and its card lists their commands.
With `--average-with-init` the run ends by averaging its best weights with the starting
checkpoint's ((1-α)·init + α·best, α = 0.1 … 0.9: both come from one lineage, so their average
is a model too, a "model soup"); the blend with the best held-out score replaces the
checkpoint when it beats the run's best epoch. With `--swa-from K` the weights after each epoch
from K on are also averaged (stochastic weight averaging: batch norm is fused into the
convolutions, so the average needs no statistics pass); the average is validated after the last
epoch like one more epoch, and kept if it scores better. A continued run scores its start on the
same held-out images first and ends by saying whether its result beats it (a run can end worse
than where it began; then keep the start).
"""

from __future__ import annotations

import argparse
import copy
import logging
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from models.crowdnet import (
    DENSITY_SCALE,
    CrowdNet,
    crowdnet_from_yolo,
    load_weights,
    predict,
    save_weights,
)
from models.density_card import write_card
from models.density_data import (
    CropSpec,
    CrowdSample,
    Dataset,
    load_crowd,
    random_crop,
    read_bgr,
    split_holdout,
)
from models.protocols import ModelLoadError

log = logging.getLogger(__name__)
# Validation score: the sum of each dataset's MAE relative to its target (issue #11).
TARGET_MAE: dict[Dataset, float] = {"A": 60.0, "B": 8.0, "Mall": 3.0}
DEFAULT_CROPS: dict[str, float] = {"A": 2.0, "B": 1.0, "Mall": 0.25}
BLEND_ALPHAS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # weight of the run's best epoch


@dataclass(frozen=True)
class TrainConfig:
    data: str
    epochs: int = 16
    crop: int = 256
    batch: int = 8
    seed: int = 0
    lr: float = 3e-4
    clip_grad: float = 10.0
    count_weight: float = 1.0
    backbone_lr_mult: float = 0.1
    freeze_epochs: int = 0
    val_fraction: float = 0.1
    crops_per_image: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CROPS))
    scale_min: float = 0.75
    scale_max: float = 1.3
    photometric: float = 0.0  # probability of contrast/brightness/grey jitter per crop
    device: str = "cpu"
    backbone: str = "yolo11n.pt"
    init: str | None = None  # a CityEye checkpoint to continue from (else the COCO backbone)
    eval_every: int = 1
    average_with_init: bool = False  # end with the best blend of init and the run's best
    swa_from: int = 0  # average the weights after each epoch from this one on (0: off)


@dataclass(frozen=True)
class EvalResult:
    mae: dict[str, float]
    mse: dict[str, float]
    score: float


@dataclass(frozen=True)
class RunOutcome:
    best: EvalResult  # what the written checkpoint scores on the held-out images
    start: EvalResult | None  # the --init checkpoint on the same images (None: from COCO)

    @property
    def beats_start(self) -> bool:
        return self.start is None or self.best.score < self.start.score


Images = dict[Path, npt.NDArray[np.uint8]]


class WeightAverage:
    """Running mean of a network's floating-point weights (stochastic weight averaging)."""

    def __init__(self) -> None:
        self.count = 0
        self._mean: dict[str, torch.Tensor] = {}

    def add(self, net: CrowdNet) -> None:
        self.count += 1
        for k, v in net.state_dict().items():
            if not v.is_floating_point():
                continue
            v = v.detach().float().cpu()
            if k not in self._mean:
                self._mean[k] = v.clone()
            else:
                self._mean[k] += (v - self._mean[k]) / self.count

    def model(self, like: CrowdNet) -> CrowdNet:
        """A copy of `like` with the averaged weights."""
        net = copy.deepcopy(like)
        state = net.state_dict()
        net.load_state_dict({k: self._mean.get(k, v) for k, v in state.items()})
        return net


def evaluate(
    net: CrowdNet, val: dict[Dataset, list[CrowdSample]], images: Images, device: torch.device
) -> EvalResult:
    net.eval()
    mae: dict[str, float] = {}
    mse: dict[str, float] = {}
    for name, samples in val.items():
        errs = [float(predict(net, images[s.path], device).sum()) - s.count for s in samples]
        mae[name] = sum(abs(e) for e in errs) / len(errs)
        mse[name] = math.sqrt(sum(e * e for e in errs) / len(errs))
    score = sum(mae[n] / TARGET_MAE[n] for n in val)
    return EvalResult(mae, mse, score)


def epoch_plan(
    train: dict[Dataset, list[CrowdSample]], cfg: TrainConfig, rng: random.Random
) -> list[CrowdSample]:
    plan: list[CrowdSample] = []
    for name, samples in train.items():
        k = cfg.crops_per_image.get(name, 1.0)
        whole, frac = int(k), k - int(k)
        plan += [s for s in samples for _ in range(whole)]
        plan += rng.sample(samples, round(frac * len(samples)))
    rng.shuffle(plan)
    return plan


def make_batch(
    chunk: Sequence[CrowdSample], images: Images, spec: CropSpec, rng: random.Random
) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = [], []
    for s in chunk:
        crop, target = random_crop(images[s.path], s, spec, rng)
        xs.append(np.ascontiguousarray(crop[:, :, ::-1], dtype=np.float32) / 255.0)
        ys.append(target)
    x = torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2).contiguous()
    return x, torch.from_numpy(np.stack(ys))[:, None]


def _optimizer(net: CrowdNet, cfg: TrainConfig) -> torch.optim.Optimizer:
    return torch.optim.Adam(
        [
            {"params": list(net.head.parameters()), "lr": cfg.lr, "base": cfg.lr},
            {
                "params": list(net.layers.parameters()),
                "lr": cfg.lr * cfg.backbone_lr_mult,
                "base": cfg.lr * cfg.backbone_lr_mult,
            },
        ]
    )


def train_epoch(
    net: CrowdNet,
    opt: torch.optim.Optimizer,
    plan: list[CrowdSample],
    images: Images,
    cfg: TrainConfig,
    rng: random.Random,
    device: torch.device,
) -> float:
    net.train()
    spec = CropSpec(cfg.crop, cfg.scale_min, cfg.scale_max, photometric=cfg.photometric)
    total, n = 0.0, 0
    for i in range(0, len(plan) - cfg.batch + 1, cfg.batch):
        x, y = make_batch(plan[i : i + cfg.batch], images, spec, rng)
        pred = net(x.to(device))
        target = DENSITY_SCALE * y.to(device)
        # Per-cell squared error, plus the crop's count error on the clamped map: a small
        # positive bias over thousands of empty cells costs little squared error but many people.
        count_err = (torch.relu(pred).sum(dim=(1, 2, 3)) - target.sum(dim=(1, 2, 3))).abs()
        loss = (((pred - target) ** 2).sum() + cfg.count_weight * count_err.sum()) / x.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.clip_grad)
        opt.step()
        total, n = total + float(loss.detach()), n + 1
        if n % 20 == 0:
            log.info("  step %d loss %.3f", n, total / n)
    return total / max(n, 1)


def run(cfg: TrainConfig, out: Path) -> RunOutcome:
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = torch.device(cfg.device)
    data = load_crowd(Path(cfg.data))
    train: dict[Dataset, list[CrowdSample]] = {}
    val: dict[Dataset, list[CrowdSample]] = {}
    for name, samples in data.items():
        train[name], val[name] = split_holdout(samples, cfg.val_fraction)
    t0 = time.monotonic()
    images: Images = {s.path: read_bgr(s.path) for ss in data.values() for s in ss}
    log.info("loaded %d images in %.0f s", len(images), time.monotonic() - t0)
    # Earlier stages (a run continued with --init), oldest first, for the card's commands.
    history: list[dict[str, Any]] = []
    if cfg.init:
        net, init_meta = load_weights(Path(cfg.init))
        net = net.train().to(device)
        history = [*init_meta.get("history", []), {"config": init_meta.get("config", {}),
                                                    "out": cfg.init}]
    else:
        net = crowdnet_from_yolo(Path(cfg.backbone)).to(device)
    stages = [(TrainConfig(**h["config"]), Path(h["out"])) for h in history if h["config"]]
    # What a continued run has to beat: its start on the same held-out images.
    start = evaluate(net, val, images, device) if cfg.init else None
    if start is not None:
        log.info("start (--init) val MAE %s score %.3f",
                 {k: round(v, 2) for k, v in start.mae.items()}, start.score)
    opt = _optimizer(net, cfg)
    rng = random.Random(cfg.seed)
    best: EvalResult | None = None
    best_epoch = 0
    swa = WeightAverage()
    for epoch in range(1, cfg.epochs + 1):
        t_ep = time.monotonic()
        frozen = epoch <= cfg.freeze_epochs
        for p in net.layers.parameters():
            p.requires_grad_(not frozen)
        cos = 0.5 * (1 + math.cos(math.pi * (epoch - 1) / cfg.epochs))
        for g in opt.param_groups:
            g["lr"] = g["base"] * cos
        loss = train_epoch(net, opt, epoch_plan(train, cfg, rng), images, cfg, rng, device)
        if cfg.swa_from and epoch >= cfg.swa_from:
            swa.add(net)
        if epoch % cfg.eval_every and epoch != cfg.epochs:
            log.info("epoch %d/%d loss %.4f (%.0f s)", epoch, cfg.epochs, loss,
                     time.monotonic() - t_ep)
            continue
        res = evaluate(net, val, images, device)
        improved = best is None or res.score < best.score
        log.info(
            "epoch %d/%d loss %.4f val MAE %s MSE %s score %.3f%s (%.0f s, %.0f s total)",
            epoch, cfg.epochs, loss,
            {k: round(v, 2) for k, v in res.mae.items()},
            {k: round(v, 2) for k, v in res.mse.items()},
            res.score, " *best*" if improved else "", time.monotonic() - t_ep,
            time.monotonic() - t0,
        )
        if improved:
            best, best_epoch = res, epoch
            meta = {"config": asdict(cfg), "epoch": epoch, "val": asdict(res),
                    "history": history}
            save_weights(net, out, meta)
            write_card(out, cfg, epoch, res, val, time.monotonic() - t0, stages=stages)
    assert best is not None
    if swa.count > 1:
        best, best_epoch = keep_average(cfg, out, swa.model(net).to(device), swa.count, best,
                                        best_epoch, val, images, device, t0, history, stages)
    if cfg.average_with_init and cfg.init:
        best = average_with_init(cfg, out, best, best_epoch, val, images, device,
                                 time.monotonic() - t0, stages)
    return RunOutcome(best, start)


def keep_average(
    cfg: TrainConfig,
    out: Path,
    net: CrowdNet,
    n: int,
    best: EvalResult,
    best_epoch: int,
    val: dict[Dataset, list[CrowdSample]],
    images: Images,
    device: torch.device,
    t0: float,
    history: list[dict[str, Any]],
    stages: Sequence[tuple[TrainConfig, Path]],
) -> tuple[EvalResult, int]:
    """Validate the weight average of the last `n` epochs; it replaces the checkpoint when it
    beats the best epoch. Returns the kept result and its epoch (the last one for the average)."""
    res = evaluate(net, val, images, device)
    better = res.score < best.score
    log.info("average of epochs %d-%d: val MAE %s score %.3f%s", cfg.epochs - n + 1, cfg.epochs,
             {k: round(v, 2) for k, v in res.mae.items()}, res.score, " *best*" if better else "")
    if not better:
        return best, best_epoch
    swa = {"from": cfg.epochs - n + 1, "to": cfg.epochs, "best_epoch_val": asdict(best)}
    meta = {"config": asdict(cfg), "epoch": cfg.epochs, "val": asdict(res), "history": history,
            "swa": swa}
    save_weights(net, out, meta)
    note = (f"The weights are the average of epochs {swa['from']}-{swa['to']} (`--swa-from`;"
            f" held-out score {res.score:.3f}, the best single epoch {best.score:.3f}).\n")
    write_card(out, cfg, cfg.epochs, res, val, time.monotonic() - t0, extra=note, stages=stages)
    return res, cfg.epochs


def blend(first: CrowdNet, second: CrowdNet, alpha: float) -> CrowdNet:
    """A copy of `second` with every weight (1 - alpha)·first + alpha·second."""
    a, b = first.state_dict(), second.state_dict()
    net = copy.deepcopy(second)
    net.load_state_dict({
        k: (1 - alpha) * a[k].float() + alpha * v.float() if v.is_floating_point() else v
        for k, v in b.items()
    })
    return net


def average_with_init(
    cfg: TrainConfig,
    out: Path,
    best: EvalResult,
    epoch: int,
    val: dict[Dataset, list[CrowdSample]],
    images: Images,
    device: torch.device,
    seconds: float,
    stages: Sequence[tuple[TrainConfig, Path]] = (),
) -> EvalResult:
    """Blend the starting checkpoint (`cfg.init`) with the run's best (`out`) at each of
    BLEND_ALPHAS; keep the blend with the best held-out score if it beats `best` (the
    checkpoint, its metadata and card are rewritten). Returns the kept result."""
    assert cfg.init is not None
    init, _ = load_weights(Path(cfg.init))
    trained, meta = load_weights(out)
    t0 = time.monotonic()
    found: tuple[float, EvalResult, CrowdNet] | None = None
    for alpha in BLEND_ALPHAS:
        net = blend(init, trained, alpha).to(device)
        res = evaluate(net, val, images, device)
        log.info("blend %.1f x best + %.1f x init: val MAE %s score %.3f", alpha, 1 - alpha,
                 {k: round(v, 2) for k, v in res.mae.items()}, res.score)
        if found is None or res.score < found[1].score:
            found = (alpha, res, net)
    assert found is not None
    alpha, res, net = found
    if res.score >= best.score:
        log.info("no blend beats the best epoch (score %.3f)", best.score)
        return best
    seconds += time.monotonic() - t0
    swa = meta.get("swa")
    what = (f"the average of epochs {swa['from']}-{swa['to']} (`--swa-from`)"
            if isinstance(swa, dict) else f"this run's best epoch ({epoch})")
    note = (
        f"The weights are a blend: {1 - alpha:.1f} x the starting checkpoint (`--init`) +"
        f" {alpha:.1f} x {what}, the best held-out score among the"
        f" blends α = {BLEND_ALPHAS[0]:g} … {BLEND_ALPHAS[-1]:g} ({res.score:.3f}; unblended:"
        f" {best.score:.3f}; `--average-with-init`).\n"
    )
    save_weights(net, out, {**meta, "val": asdict(res), "blend": {"alpha": alpha,
                                                                  "epoch_val": asdict(best)}})
    write_card(out, cfg, epoch, res, val, seconds, extra=note, stages=stages)
    return res


def _crops(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in ("A", "B", "Mall"):
            raise argparse.ArgumentTypeError(f"expected A=2,B=1,Mall=0.25, got {text!r}")
        out[name.strip()] = float(value)
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cityeye train-density", description=__doc__)
    p.add_argument("--data", type=Path, required=True, help="e.g. ../shared/media/crowd-train")
    p.add_argument("--out", type=Path, default=Path("models/weights/cityeye_density.pt"))
    p.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    p.add_argument("--crop", type=int, default=TrainConfig.crop, help="multiple of 32")
    p.add_argument("--batch", type=int, default=TrainConfig.batch)
    p.add_argument("--seed", type=int, default=TrainConfig.seed)
    p.add_argument("--lr", type=float, default=TrainConfig.lr)
    p.add_argument("--clip-grad", type=float, default=TrainConfig.clip_grad)
    p.add_argument("--count-weight", type=float, default=TrainConfig.count_weight)
    p.add_argument("--backbone-lr-mult", type=float, default=TrainConfig.backbone_lr_mult)
    p.add_argument("--freeze-epochs", type=int, default=TrainConfig.freeze_epochs)
    p.add_argument("--val-fraction", type=float, default=TrainConfig.val_fraction)
    p.add_argument("--scale-min", type=float, default=TrainConfig.scale_min)
    p.add_argument("--scale-max", type=float, default=TrainConfig.scale_max)
    p.add_argument("--photometric", type=float, default=TrainConfig.photometric, metavar="P",
                   help="probability of a contrast/brightness/grey change per crop (0: off)")
    p.add_argument(
        "--crops-per-image", type=_crops, default=None, metavar="A=2,B=1,Mall=0.25",
        help="random crops per training image and epoch, by dataset",
    )
    p.add_argument("--init", type=Path, help="continue from this CityEye checkpoint")
    p.add_argument("--eval-every", type=int, default=TrainConfig.eval_every,
                   help="validate every N epochs (and after the last)")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto")
    p.add_argument("--backbone", type=Path, help="YOLO11n .pt (default: models dir)")
    p.add_argument("--models-dir", type=Path, help="default: CITYEYE_MODELS_DIR")
    p.add_argument("--threads", type=int, help="CPU threads for torch")
    p.add_argument("--swa-from", type=int, default=0, metavar="K",
                   help="also try the average of the weights after epochs K … last")
    p.add_argument("--average-with-init", action="store_true",
                   help="with --init: end with the best blend of the start and the result")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.crop % 32:
        print("cityeye train-density: --crop must be a multiple of 32", file=sys.stderr)
        return 2
    if args.average_with_init and args.init is None:
        print("cityeye train-density: --average-with-init needs --init (the start to blend with)",
              file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    backbone = args.backbone
    if backbone is None:
        from config import Settings

        models_dir = args.models_dir or Settings().models_dir
        if models_dir is None:
            print("cityeye train-density: give --backbone or set CITYEYE_MODELS_DIR",
                  file=sys.stderr)
            return 2
        backbone = Path(models_dir) / "yolo11n.pt"
    cfg = TrainConfig(
        data=str(args.data), epochs=args.epochs, crop=args.crop, batch=args.batch,
        seed=args.seed, lr=args.lr, clip_grad=args.clip_grad, count_weight=args.count_weight,
        backbone_lr_mult=args.backbone_lr_mult,
        freeze_epochs=args.freeze_epochs, val_fraction=args.val_fraction,
        scale_min=args.scale_min, scale_max=args.scale_max, photometric=args.photometric,
        crops_per_image=args.crops_per_image or dict(DEFAULT_CROPS),
        device=device, backbone=str(backbone),
        init=str(args.init) if args.init else None, eval_every=max(1, args.eval_every),
        average_with_init=args.average_with_init, swa_from=max(0, args.swa_from),
    )
    try:
        outcome = run(cfg, args.out)
    except (FileNotFoundError, ModelLoadError, ValueError) as exc:
        print(f"cityeye train-density: {exc}", file=sys.stderr)
        return 2
    best = outcome.best
    print(f"best val MAE {best.mae} MSE {best.mse}; weights {args.out}")
    if outcome.start is not None:
        verdict = "beats" if outcome.beats_start else "does NOT beat"
        print(f"held-out score {best.score:.3f} {verdict} the start's {outcome.start.score:.3f}"
              f" ({args.init})" + ("" if outcome.beats_start else "; keep the start"))
    return 0
