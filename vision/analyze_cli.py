"""`cityeye analyze SOURCE [--config cityeye.yaml --camera ID] [--out events.jsonl]`: the whole
pipeline over a clip as fast as possible, then a summary."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import ValidationError

from events.model import EVENT_KINDS, KIND_NAMES_ZH, Event
from models.config import McnnConfig, UltralyticsConfig
from models.protocols import DensityEstimator, ModelLoadError
from models.registry import build_density, build_detector
from vision.analytics import CameraAnalysisConfig
from vision.offline import ClipSummary, run_clip
from vision.rules import RulesConfig

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cityeye analyze", description="Run the vision pipeline over a clip."
    )
    p.add_argument("source", help="video file or URL")
    p.add_argument("--config", type=Path, help="site file (cityeye.yaml) with the camera")
    p.add_argument("--camera", help="camera id in --config whose zones and lines apply")
    p.add_argument("--rules", type=Path, help="YAML file of rules (RulesConfig) for the camera")
    p.add_argument("--out", type=Path, help="write every event version as JSON lines here")
    p.add_argument(
        "--fps", type=float, help="analysis rate (default: the camera's, else 5; 0: every frame)"
    )
    p.add_argument("--width", type=int, help="analysis width (default: the camera's, else 640)")
    p.add_argument("--model", help="detector weights (default: models dir's yolo11n)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--half", action="store_true", help="half precision (CUDA)")
    p.add_argument("--imgsz", type=int, default=640)
    p.add_argument("--batch", type=int, default=4, help="frames per detector batch")
    p.add_argument("--no-density", action="store_true", help="skip the crowd-density model")
    p.add_argument("--density-weights", default="mcnn/mcnn_shtechB_110.h5")
    p.add_argument("--models-dir", type=Path, help="default: CITYEYE_MODELS_DIR")
    return p


def camera_config(args: argparse.Namespace) -> tuple[CameraAnalysisConfig, float, int]:
    """The camera's zones, lines and rules, and its analysis rate and width."""
    from config import load_site_config  # the lead's YAML loader; ConfigError goes to cli.py

    zones, lines, fps, width, cam_id = [], [], 5.0, 640, args.camera or "clip"
    if args.config is not None:
        site = load_site_config(args.config)
        cams = {c.id: c for c in site.cameras}
        if args.camera is None and len(cams) == 1:
            cam_id = next(iter(cams))
        if cam_id not in cams:
            raise ValueError(f"{args.config}: no camera {cam_id!r} (cameras: {sorted(cams)})")
        cam = cams[cam_id]
        zones, lines = list(cam.zones), list(cam.lines)
        fps, width = cam.analysis_fps, cam.analysis_width
    rules = RulesConfig()
    if args.rules is not None:
        raw = yaml.safe_load(args.rules.read_text(encoding="utf-8"))
        rules = RulesConfig.model_validate(raw or {})
    if args.fps is not None:
        fps = args.fps
    if args.width is not None:
        width = args.width
    cfg = CameraAnalysisConfig(
        camera_id=cam_id, zones=zones, lines=lines, rules=rules, analysis_fps=fps or 30.0
    )
    return cfg, fps, width


def print_summary(s: ClipSummary, cfg: CameraAnalysisConfig, out: TextIO) -> None:
    print(f"frames: {s.decoded} decoded, {s.analysed} analysed in {s.seconds:.1f} s", file=out)
    print(f"analysed fps: {s.fps:.1f}", file=out)
    tracks = ", ".join(f"{k} {v}" for k, v in sorted(s.tracks_by_class.items())) or "none"
    print(f"tracks: {tracks}", file=out)
    for ln in cfg.lines:
        n_in, n_out = s.lines.get(ln.id, (0, 0))
        by_in, by_out = s.lines_by_class.get(ln.id, ({}, {}))
        detail_in = ", ".join(f"{k} {v}" for k, v in sorted(by_in.items()))
        detail_out = ", ".join(f"{k} {v}" for k, v in sorted(by_out.items()))
        print(
            f"line {ln.id}: in ({ln.in_name}) {n_in} [{detail_in}]"
            f"  out ({ln.out_name}) {n_out} [{detail_out}]",
            file=out,
        )
    for z in cfg.zones:
        print(f"zone {z.id}: max {s.zone_max.get(z.id, 0.0):.0f}", file=out)
    print(f"frame: max people {s.zone_max.get('', 0.0):.0f}", file=out)
    kinds = ", ".join(f"{k} {s.events_by_kind.get(k, 0)}" for k in EVENT_KINDS)
    print(f"events: {kinds}", file=out)
    if s.error:
        print(f"error: {s.error}", file=out)


def _density(args: argparse.Namespace, models_dir: Path | None) -> DensityEstimator | None:
    if args.no_density:
        return None
    return build_density(McnnConfig(weights=args.density_weights, device=args.device), models_dir)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from config import Settings

    models_dir = args.models_dir or Settings().models_dir
    try:
        cfg, fps, width = camera_config(args)
        det_cfg = UltralyticsConfig(
            model=args.model, device=args.device, half=args.half, imgsz=args.imgsz
        )
    except (ValueError, ValidationError, OSError, yaml.YAMLError) as exc:
        print(f"cityeye analyze: {exc}", file=sys.stderr)
        return 2
    try:
        detector = build_detector(det_cfg, models_dir)
        density = _density(args, models_dir)
    except ModelLoadError as exc:
        print(f"cityeye analyze: model failed to load: {exc}", file=sys.stderr)
        return 3
    out = args.out.open("w", encoding="utf-8") if args.out else None
    try:

        def on_event(ev: Event) -> None:
            if out is not None:
                out.write(ev.model_dump_json() + "\n")
            if ev.state == "open":
                log.info("%s %s: %s", KIND_NAMES_ZH[ev.kind], ev.tier_name, ev.message)

        summary = run_clip(
            args.source, cfg, detector, density, fps=fps or None, width=width,
            batch=max(1, args.batch), on_event=on_event,
        )
    finally:
        if out is not None:
            out.close()
    print_summary(summary, cfg, sys.stdout)
    return 1 if summary.error else 0
