"""Typed configuration of the ML back-ends: one discriminated union keyed by `type`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_CLASSES: tuple[str, ...] = ("person", "bicycle", "car", "motorcycle", "bus", "truck")


class UltralyticsConfig(BaseModel):
    """An Ultralytics detector. `model`: a path (.pt, *_openvino_model/, .onnx, .engine), a name
    inside the models dir, or a bare official name ("yolo11n.pt") that Ultralytics downloads on a
    connected machine. Unset: the models dir's `yolo11n_int8_openvino_model/` on CPU, else its
    `yolo11n.pt`, else the official "yolo11n.pt"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["ultralytics"] = "ultralytics"
    model: str | None = None
    device: Literal["cpu", "cuda"] | str = "cpu"
    half: bool = False
    imgsz: int = Field(default=640, ge=32, le=4096)
    # Low: ByteTrack's second association uses the 0.1–0.25 boxes to keep tracks through
    # occlusion; new tracks still need 0.25 (TrackerConfig.new_track_thresh).
    conf: float = Field(default=0.1, gt=0.0, lt=1.0)
    iou: float = Field(default=0.7, gt=0.0, le=1.0)
    classes: tuple[str, ...] = DEFAULT_CLASSES
    prefer_openvino_on_cpu: bool = True
    # How an OpenVINO export runs: "auto" and "openvino" on the OpenVINO runtime directly
    # (models/openvino_backend.py: several frames in flight, no per-call setup), "ultralytics"
    # through YOLO.predict. Other formats always run through Ultralytics.
    runtime: Literal["auto", "openvino", "ultralytics"] = "auto"
    # OpenVINO runtime: feed each frame at the smallest multiple-of-32 rectangle that holds it
    # at imgsz (640×384 for 16:9), as Ultralytics does for PyTorch models, rather than the
    # export's square (models/openvino_rect.py; exports it cannot reshape keep the square).
    rect: bool = True

    @model_validator(mode="after")
    def _check(self) -> UltralyticsConfig:
        if not (self.device in ("cpu", "cuda") or self.device.startswith("cuda:")):
            raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {self.device!r}")
        if self.half and self.device == "cpu":
            raise ValueError("half precision needs a CUDA device; use half: false on cpu")
        if not self.classes:
            raise ValueError("classes must name at least one class of interest")
        if self.imgsz % 32:
            raise ValueError(f"imgsz must be a multiple of 32, got {self.imgsz}")
        return self


class McnnConfig(BaseModel):
    """The MCNN crowd-density network (Zhang et al. 2016) with weights stored as HDF5."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["mcnn"] = "mcnn"
    weights: str = "mcnn/mcnn_shtechB_110.h5"
    device: str = "cpu"
    # Resize the input so its width is this many pixels before counting (None: as given).
    input_width: int | None = Field(default=None, ge=64, le=4096)


class CityEyeDensityConfig(BaseModel):
    """CityEye's own crowd-density network (YOLO11n backbone + density head, models/crowdnet.py).
    `weights`: None for the weights shipped in models/weights/cityeye_density.pt, else a path
    (absolute, or relative to the working dir or the models dir)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["cityeye_density"] = "cityeye_density"
    weights: str | None = None
    device: str = "cpu"
    # Resize the input so its width is this many pixels before counting (None: as given).
    input_width: int | None = Field(default=None, ge=64, le=4096)


class FakeBox(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    xyxy: tuple[float, float, float, float]
    class_name: str = "person"
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)


class FakeConfig(BaseModel):
    """Scripted outputs for tests of everything downstream: call k of `detect_batch` returns
    `frames[k % len(frames)]` for each image; `estimate` returns a uniform density map summing to
    `density_counts[k % len]`. `fail_load` makes building it fail with that message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["fake"] = "fake"
    frames: list[list[FakeBox]] = Field(default_factory=list)
    density_counts: list[float] = Field(default_factory=list)
    fail_load: str | None = None


ModelConfig = Annotated[
    UltralyticsConfig | McnnConfig | CityEyeDensityConfig | FakeConfig,
    Field(discriminator="type"),
]
DetectorConfig = Annotated[UltralyticsConfig | FakeConfig, Field(discriminator="type")]
DensityConfig = Annotated[
    CityEyeDensityConfig | McnnConfig | FakeConfig, Field(discriminator="type")
]


def is_local_path(name: str) -> bool:
    """A name with a directory part or an existing file is a path; a bare name may be downloaded."""
    return "/" in name or Path(name).exists()
