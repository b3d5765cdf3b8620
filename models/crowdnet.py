"""CityEye's crowd-density network: the COCO-trained YOLO11n backbone and neck (layers 0–22 of
Ultralytics' yolo11n.yaml, batch norm fused) feeding a small density head at stride 8.

The head reduces the neck's P4 (stride 16) and P5 (stride 32) outputs with 1×1 convolutions,
upsamples them onto P3 (stride 8), adds a strided convolution of the backbone's stride-4 stage
(layer 2: the detail of heads a few pixels wide in dense crowds), and maps the fused features to
one non-negative channel: people per 8×8 cell, so the count is the sum of the map. Input: RGB
float 0–1, sides padded to multiples of 32. The architecture is rebuilt from the yaml shipped
inside the ultralytics package, so loading the shipped weights needs no download and no
yolo11n.pt.
"""

from __future__ import annotations

import logging
import pickle
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from models.protocols import DensityMap, Image, ModelLoadError

log = logging.getLogger(__name__)

STRIDE = 8
PAD_TO = 32
# Outputs of the Ultralytics layers the head reads: the stride-4 backbone stage (64 ch, fine
# detail of small heads), P3 (64 ch), P4 (128), P5 (256) for "n".
FEATURE_LAYERS = (2, 16, 19, 22)
N_LAYERS = 23
# The network is trained on targets × this (small per-cell values learn slowly); its raw output
# is linear (a ReLU output dies early in training), so `density()` clamps and rescales.
DENSITY_SCALE = 10.0
FORMAT = "cityeye-density/2"
# Format 1 had no stride-4 detail branch; its checkpoints load with that branch at zero.
OLD_FORMATS = {"cityeye-density/1": ("head.detail.weight", "head.detail.bias")}


class DensityHead(nn.Module):
    def __init__(
        self, c2: int = 64, c3: int = 64, c4: int = 128, c5: int = 256, width: int = 64
    ) -> None:
        super().__init__()
        # Stride-4 detail, brought to stride 8 and added to the body's first layer. It starts at
        # zero, so a checkpoint without it (format 1) loads as the same function.
        self.detail = nn.Conv2d(c2, 96, 3, stride=2, padding=1)
        for param in self.detail.parameters():
            nn.init.zeros_(param)
        self.red4 = nn.Conv2d(c4, width, 1)
        self.red5 = nn.Conv2d(c5, width, 1)
        self.body = nn.Sequential(
            nn.Conv2d(c3 + 2 * width, 96, 3, padding=1),
            nn.SiLU(inplace=True),
            nn.Conv2d(96, 64, 3, padding=1),
            nn.SiLU(inplace=True),
            nn.Conv2d(64, 1, 1),
        )

    def forward(
        self, p2: torch.Tensor, p3: torch.Tensor, p4: torch.Tensor, p5: torch.Tensor
    ) -> torch.Tensor:
        size = p3.shape[-2:]
        f4 = F.interpolate(self.red4(p4), size=size, mode="bilinear", align_corners=False)
        f5 = F.interpolate(self.red5(p5), size=size, mode="bilinear", align_corners=False)
        h = self.body[0](torch.cat((p3, f4, f5), dim=1)) + self.detail(p2)
        out: torch.Tensor = self.body[1:](h)
        return out


class CrowdNet(nn.Module):
    """`forward(x)` with x N×3×H×W (H, W multiples of 32) -> N×1×H/8×W/8 density."""

    def __init__(self, layers: nn.ModuleList) -> None:
        super().__init__()
        self.layers = layers
        self.head = DensityHead()

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs: list[torch.Tensor] = []
        for layer in self.layers:
            src: Any = layer.f  # Ultralytics routing: -1, an index, or a list of them
            if isinstance(src, int):
                inp: Any = x if src == -1 else outs[src]
            else:
                inp = [x if j == -1 else outs[j] for j in src]
            x = layer(inp)
            outs.append(x)
        return [outs[i] for i in FEATURE_LAYERS]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw output: DENSITY_SCALE × people per cell, not clamped (what training fits)."""
        p2, p3, p4, p5 = self.features(x)
        out: torch.Tensor = self.head(p2, p3, p4, p5)
        return out

    def density(self, x: torch.Tensor) -> torch.Tensor:
        """People per 8×8 cell, non-negative."""
        out: torch.Tensor = F.relu(self(x)) / DENSITY_SCALE
        return out


def _yolo_layers(model: nn.Module) -> nn.ModuleList:
    seq = getattr(model, "model", None)
    if not isinstance(seq, nn.Sequential) or len(seq) < N_LAYERS:
        raise ModelLoadError("not an Ultralytics YOLO11 detection model")
    return nn.ModuleList(list(seq)[:N_LAYERS])


def crowdnet_from_yolo(pt: Path) -> CrowdNet:
    """The training start: backbone and neck from a COCO YOLO11n checkpoint, a fresh head."""
    from ultralytics.models import YOLO

    if not pt.is_file():
        raise ModelLoadError(f"backbone checkpoint not found: {pt}")
    det = YOLO(str(pt)).model
    if not isinstance(det, nn.Module):
        raise ModelLoadError(f"{pt} holds no PyTorch model")
    det.fuse(verbose=False)
    return CrowdNet(_yolo_layers(det)).float()


def crowdnet_skeleton(cfg: str = "yolo11n.yaml") -> CrowdNet:
    """The architecture with random weights, built offline from the ultralytics yaml."""
    from ultralytics.nn.tasks import DetectionModel

    det = DetectionModel(cfg, nc=80, verbose=False)  # type: ignore[no-untyped-call]
    det.fuse(verbose=False)  # type: ignore[no-untyped-call]
    return CrowdNet(_yolo_layers(det)).float()


def to_tensor(image: Image) -> torch.Tensor:
    """BGR uint8 H×W×3 -> 1×3×H'×W' RGB float, padded (grey) to multiples of 32."""
    h, w = image.shape[:2]
    hp, wp = -(-h // PAD_TO) * PAD_TO, -(-w // PAD_TO) * PAD_TO
    if (hp, wp) != (h, w):
        image = np.asarray(
            cv2.copyMakeBorder(
                image, 0, hp - h, 0, wp - w, cv2.BORDER_CONSTANT, value=(114, 114, 114)
            ),
            dtype=np.uint8,
        )
    rgb = np.ascontiguousarray(image[:, :, ::-1], dtype=np.float32) / 255.0
    return torch.from_numpy(rgb).permute(2, 0, 1)[None]


def save_weights(net: CrowdNet, path: Path, meta: dict[str, Any]) -> None:
    """fp16 state dict plus metadata (a few MB)."""
    state = {k: v.detach().to(torch.float16).cpu() for k, v in net.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "state_dict": state, "meta": meta}, path)


def load_weights(path: Path) -> tuple[CrowdNet, dict[str, Any]]:
    if not path.is_file():
        raise ModelLoadError(f"density weights not found: {path}")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError, pickle.UnpicklingError, EOFError) as exc:
        raise ModelLoadError(f"cannot read density weights {path}: {exc}") from exc
    fmt = blob.get("format") if isinstance(blob, dict) else None
    if fmt != FORMAT and fmt not in OLD_FORMATS:
        raise ModelLoadError(f"{path} is not a CityEye density checkpoint")
    net = crowdnet_skeleton()
    state = {k: v.float() for k, v in blob["state_dict"].items()}
    for key in OLD_FORMATS.get(str(fmt), ()):
        state.setdefault(key, net.state_dict()[key])
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelLoadError(f"{path} does not fit the CityEye density network: {exc}") from exc
    meta = blob.get("meta", {})
    return net.eval(), meta if isinstance(meta, dict) else {}


def predict(net: CrowdNet, image: Image, device: torch.device) -> np.ndarray:
    """Density (h/8 × w/8, rounded up) of one BGR image."""
    h, w = image.shape[:2]
    x = to_tensor(image).to(device)
    with torch.inference_mode():
        out = net.density(x)
    dens = out[0, 0].float().cpu().numpy()
    return np.ascontiguousarray(dens[: -(-h // STRIDE), : -(-w // STRIDE)], dtype=np.float32)


class CityEyeDensity:
    """`estimate(image)` -> DensityMap at 1/8 resolution; thread-safe (one forward at a time).
    `input_width`: resize the frame to this width first (None: as given); the count is scaled
    back, since people per image do not change with its size."""

    def __init__(self, weights: Path, device: str = "cpu", input_width: int | None = None) -> None:
        self._device = torch.device(device)
        net, self.meta = load_weights(weights)
        self._net = net.to(self._device)
        self._input_width = input_width
        self._lock = threading.Lock()
        log.info("loaded CityEye density weights %s on %s", weights, device)

    def estimate(self, image: Image) -> DensityMap:
        h0, w0 = int(image.shape[0]), int(image.shape[1])
        if self._input_width is not None and self._input_width != w0:
            size = (self._input_width, max(PAD_TO, round(h0 * self._input_width / w0)))
            image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
        with self._lock:
            dens = predict(self._net, image, self._device)
        return DensityMap(density=dens, image_width=w0, image_height=h0)
