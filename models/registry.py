"""Build back-ends from their typed config. The models dir is passed in (CITYEYE_MODELS_DIR is
read by the caller's settings, never here)."""

from __future__ import annotations

import logging
from pathlib import Path

from models.config import (
    CityEyeDensityConfig,
    DensityConfig,
    DetectorConfig,
    FakeConfig,
    McnnConfig,
    ModelConfig,
    UltralyticsConfig,
)
from models.protocols import DensityEstimator, Detector, ModelLoadError

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS = "yolo11n.pt"
# CityEye's trained density weights, shipped in the project (see weights/MODEL_CARD.md).
SHIPPED_DENSITY_WEIGHTS = Path(__file__).resolve().parent / "weights" / "cityeye_density.pt"


def _openvino_sibling(pt: Path) -> Path | None:
    for name in (f"{pt.stem}_int8_openvino_model", f"{pt.stem}_openvino_model"):
        cand = pt.with_name(name)
        if cand.is_dir():
            return cand
    return None


def resolve_detector_weights(cfg: UltralyticsConfig, models_dir: Path | None) -> str:
    """The weights to load: an explicit path; a name inside `models_dir`; with nothing set,
    `models_dir/yolo11n_int8_openvino_model/` on CPU, else `models_dir/yolo11n.pt`; and
    without a models dir a bare official name that Ultralytics downloads. On CPU a `.pt` gives
    way to its OpenVINO export next to it when `prefer_openvino_on_cpu`."""
    name = cfg.model or DEFAULT_WEIGHTS
    cands: list[Path] = []
    if cfg.model is not None and ("/" in name or Path(name).is_absolute()):
        cands.append(Path(name).expanduser())
    if models_dir is not None:
        cands.append(models_dir / name)
    if cfg.model is not None and "/" not in name:
        cands.append(Path(name))
    found = next((p for p in cands if p.exists()), None)
    if found is None:
        if cfg.model is not None and "/" in name:
            raise ModelLoadError(
                f"model {name!r} not found (looked in {', '.join(str(c) for c in cands)})"
            )
        log.info("model %s not found locally: Ultralytics will fetch the official weights", name)
        return name
    if (
        cfg.device == "cpu"
        and cfg.prefer_openvino_on_cpu
        and found.suffix == ".pt"
        and (ov := _openvino_sibling(found)) is not None
    ):
        return str(ov)
    return str(found)


def _native_openvino(cfg: UltralyticsConfig, weights: str) -> bool:
    """An OpenVINO export on CPU runs on the OpenVINO runtime directly unless told otherwise."""
    from models.openvino_backend import is_openvino_export

    if cfg.runtime == "ultralytics":
        return False
    if not is_openvino_export(weights):
        if cfg.runtime == "openvino":
            raise ModelLoadError(
                "runtime 'openvino' needs an OpenVINO export folder (*_openvino_model/),"
                f" got {weights}"
            )
        return False
    if cfg.device != "cpu":
        if cfg.runtime == "openvino":
            raise ModelLoadError("runtime 'openvino' runs on the CPU; use device: cpu")
        return False
    return True


def build_detector(cfg: DetectorConfig | ModelConfig, models_dir: Path | None) -> Detector:
    """Raises ModelLoadError with a one-line reason when the detector cannot be built."""
    if isinstance(cfg, FakeConfig):
        if cfg.fail_load:
            raise ModelLoadError(cfg.fail_load)
        from models.fake import FakeDetector

        return FakeDetector(cfg)
    if isinstance(cfg, UltralyticsConfig):
        weights = resolve_detector_weights(cfg, models_dir)
        if _native_openvino(cfg, weights):
            from models.openvino_backend import OpenVinoDetector

            return OpenVinoDetector(cfg, weights)
        from models.ultralytics_backend import UltralyticsDetector

        return UltralyticsDetector(cfg, weights)
    raise ModelLoadError(f"a {cfg.type!r} model is not a detector; use 'ultralytics' or 'fake'")


def default_density_config(device: str = "cpu") -> CityEyeDensityConfig | McnnConfig:
    """The shipped CityEye density model; MCNN (B weights) when its file is missing."""
    if SHIPPED_DENSITY_WEIGHTS.is_file():
        return CityEyeDensityConfig(device=device)
    log.warning("%s missing: falling back to MCNN for crowd density", SHIPPED_DENSITY_WEIGHTS)
    return McnnConfig(device=device)


def resolve_density_weights(
    cfg: McnnConfig | CityEyeDensityConfig, models_dir: Path | None
) -> Path:
    if cfg.weights is None:
        return SHIPPED_DENSITY_WEIGHTS
    p = Path(cfg.weights).expanduser()
    if p.is_absolute() or p.exists():
        return p
    if models_dir is None:
        raise ModelLoadError(
            f"density weights {cfg.weights!r} are relative but no models dir is set"
            " (set CITYEYE_MODELS_DIR or give an absolute path)"
        )
    return models_dir / p


def build_density(cfg: DensityConfig | ModelConfig, models_dir: Path | None) -> DensityEstimator:
    """Raises ModelLoadError with a one-line reason when the estimator cannot be built."""
    if isinstance(cfg, FakeConfig):
        if cfg.fail_load:
            raise ModelLoadError(cfg.fail_load)
        from models.fake import FakeDensity

        return FakeDensity(cfg)
    if isinstance(cfg, CityEyeDensityConfig):
        from models.crowdnet import CityEyeDensity

        return CityEyeDensity(
            resolve_density_weights(cfg, models_dir), cfg.device, cfg.input_width
        )
    if isinstance(cfg, McnnConfig):
        from models.mcnn import McnnDensity

        return McnnDensity(
            resolve_density_weights(cfg, models_dir), cfg.device, cfg.input_width
        )
    raise ModelLoadError(
        f"a {cfg.type!r} model is not a density estimator; use 'cityeye_density', 'mcnn' or 'fake'"
    )
