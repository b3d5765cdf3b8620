"""`cityeye count --images DIR --counts CSV [--method detector|density|hybrid]`: count people in
each image, print the prediction per image, then `MAE=<x> MSE=<y> N=<n>`.

MSE is reported as crowd-counting papers do (MCNN, CSRNet, ...): the root of the mean squared
error, so it has the unit of a count and compares with the published figures."""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

import cv2
import numpy as np

from models.config import CityEyeDensityConfig, McnnConfig, UltralyticsConfig
from models.protocols import DensityEstimator, Detector, ModelLoadError
from models.registry import build_density, build_detector, default_density_config
from vision.density import HybridConfig, hybrid_count

Method = Literal["detector", "density", "hybrid"]


@dataclass(frozen=True)
class Sample:
    path: Path
    count: float


def read_counts(csv_path: Path, images: Path) -> list[Sample]:
    """Rows `image,count`; image paths are relative to `images` (or to the CSV's folder)."""
    samples: list[Sample] = []
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"image", "count"} <= set(reader.fieldnames):
            raise ValueError(f"{csv_path}: expected a header 'image,count'")
        for line, row in enumerate(reader, start=2):
            rel = Path(row["image"])
            cands = [images / rel, csv_path.parent / rel, images / rel.name]
            path = next((c for c in cands if c.is_file()), None)
            if path is None:
                raise ValueError(f"{csv_path}:{line}: image {rel} not found under {images}")
            try:
                samples.append(Sample(path, float(row["count"])))
            except ValueError as exc:
                msg = f"{csv_path}:{line}: count {row['count']!r} is not a number"
                raise ValueError(msg) from exc
    if not samples:
        raise ValueError(f"{csv_path}: no rows")
    return samples


class Counter:
    def __init__(
        self,
        method: Method,
        detector: Detector | None,
        density: DensityEstimator | None,
        hybrid: HybridConfig,
    ) -> None:
        self.method = method
        self._detector = detector
        self._density = density
        self._hybrid = hybrid

    def count(self, image_path: Path) -> float:
        raw = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
        if raw is None:
            raise ValueError(f"cannot read image {image_path}")
        image = np.asarray(raw, dtype=np.uint8)
        people = None
        if self._detector is not None:
            dets = self._detector.detect_batch([image])[0]
            people = len(dets.of_classes(["person"]))
        dens = self._density.estimate(image).count if self._density is not None else None
        if self.method == "detector" and people is not None:
            return float(people)
        if self.method == "density" and dens is not None:
            return dens
        return hybrid_count(people or 0, dens, self._hybrid).value


def evaluate(samples: Sequence[Sample], counter: Counter, out: TextIO) -> tuple[float, float]:
    errors: list[float] = []
    for s in samples:
        pred = counter.count(s.path)
        errors.append(pred - s.count)
        err = pred - s.count
        print(f"{s.path.name}\tpred={pred:.1f}\tgt={s.count:g}\terr={err:+.1f}", file=out)
    mae = sum(abs(e) for e in errors) / len(errors)
    mse = math.sqrt(sum(e * e for e in errors) / len(errors))
    print(f"MAE={mae:.2f} MSE={mse:.2f} N={len(errors)}", file=out)
    return mae, mse


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cityeye count", description=__doc__)
    p.add_argument("--images", type=Path, required=True, help="folder the CSV paths start from")
    p.add_argument("--counts", type=Path, required=True, help="CSV with columns image,count")
    p.add_argument("--method", choices=["detector", "density", "hybrid"], default="hybrid")
    p.add_argument("--model", help="detector weights (default: the models dir's yolo11n)")
    p.add_argument("--imgsz", type=int, default=640)
    p.add_argument("--conf", type=float, default=0.25, help="detector confidence threshold")
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--density-model", choices=["cityeye", "mcnn"], default="cityeye",
        help="cityeye: the shipped CityEye model (MCNN when its file is missing); mcnn: baseline",
    )
    p.add_argument(
        "--density-weights",
        help="weights file (default: models/weights/cityeye_density.pt for cityeye,"
        " mcnn/mcnn_shtechB_110.h5 in the models dir for mcnn)",
    )
    p.add_argument("--switch-at", type=float, default=HybridConfig().switch_at)
    p.add_argument("--models-dir", type=Path, help="default: CITYEYE_MODELS_DIR")
    return p


def density_config(args: argparse.Namespace) -> CityEyeDensityConfig | McnnConfig:
    if args.density_model == "mcnn":
        if args.density_weights:
            return McnnConfig(weights=args.density_weights, device=args.device)
        return McnnConfig(device=args.device)
    if args.density_weights:
        return CityEyeDensityConfig(weights=args.density_weights, device=args.device)
    return default_density_config(args.device)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from config import Settings

    models_dir = args.models_dir or Settings().models_dir
    method: Method = args.method
    try:
        samples = read_counts(args.counts, args.images)
    except (ValueError, OSError) as exc:
        print(f"cityeye count: {exc}", file=sys.stderr)
        return 2
    try:
        detector = None
        if method != "density":
            det_cfg = UltralyticsConfig(
                model=args.model,
                device=args.device,
                imgsz=args.imgsz,
                conf=args.conf,
                classes=("person",),
            )
            detector = build_detector(det_cfg, models_dir)
        density = None
        if method != "detector":
            density = build_density(density_config(args), models_dir)
    except ModelLoadError as exc:
        print(f"cityeye count: model failed to load: {exc}", file=sys.stderr)
        return 3
    counter = Counter(method, detector, density, HybridConfig(switch_at=args.switch_at))
    try:
        evaluate(samples, counter, sys.stdout)
    except ValueError as exc:
        print(f"cityeye count: {exc}", file=sys.stderr)
        return 2
    return 0
