"""ML back-ends behind small Protocols, and the registry that builds them from typed config."""

from models.config import (
    CityEyeDensityConfig,
    DensityConfig,
    DetectorConfig,
    FakeBox,
    FakeConfig,
    McnnConfig,
    ModelConfig,
    UltralyticsConfig,
)
from models.protocols import DensityEstimator, DensityMap, Detector, ModelLoadError
from models.registry import build_density, build_detector, resolve_detector_weights

__all__ = [
    "CityEyeDensityConfig",
    "DensityConfig",
    "DensityEstimator",
    "DensityMap",
    "Detector",
    "DetectorConfig",
    "FakeBox",
    "FakeConfig",
    "McnnConfig",
    "ModelConfig",
    "ModelLoadError",
    "UltralyticsConfig",
    "build_density",
    "build_detector",
    "resolve_detector_weights",
]
