"""MCNN crowd density (Zhang et al., CVPR 2016) in PyTorch, loading the HDF5 state dicts of
svishwa/crowdcount-mcnn: three columns of different receptive fields (9/7/7/7, 7/5/5/5 and
5/3/3/3 kernels, two 2×2 max-pools each), fused by a 1×1 convolution into a density map at 1/4
of the input resolution. Input: grayscale float 0–255, sides rounded down to multiples of 4."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from models.protocols import DensityMap, Image, ModelLoadError

log = logging.getLogger(__name__)


class _Conv(nn.Module):
    """Conv2d with 'same' padding followed by ReLU, named like the original (`.conv`)."""

    def __init__(self, cin: int, cout: int, k: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=(k - 1) // 2)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.relu(self.conv(x))
        return out


def _column(c1: int, k: tuple[int, int, int, int]) -> nn.Sequential:
    # Indices 0, 2, 4, 5 are convolutions, 1 and 3 max-pools: the original's layer numbering.
    return nn.Sequential(
        _Conv(1, c1, k[0]),
        nn.MaxPool2d(2),
        _Conv(c1, 2 * c1, k[1]),
        nn.MaxPool2d(2),
        _Conv(2 * c1, c1, k[2]),
        _Conv(c1, c1 // 2, k[3]),
    )


class MCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.branch1 = _column(16, (9, 7, 7, 7))
        self.branch2 = _column(20, (7, 5, 5, 5))
        self.branch3 = _column(24, (5, 3, 3, 3))
        self.fuse = nn.Sequential(_Conv(30, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cols = torch.cat((self.branch1(x), self.branch2(x), self.branch3(x)), dim=1)
        out: torch.Tensor = self.fuse(cols)
        return out


def load_h5_state(path: Path) -> dict[str, torch.Tensor]:
    """Read a crowdcount-mcnn .h5 file (datasets `DME.<module>...`) into a state dict."""
    import h5py  # imported here: only the MCNN back-end needs it

    state: dict[str, torch.Tensor] = {}
    try:
        with h5py.File(path, "r") as f:
            names: list[str] = []
            f.visit(names.append)
            for name in names:
                obj = f[name]
                if isinstance(obj, h5py.Dataset):
                    key = name.removeprefix("DME.")
                    state[key] = torch.from_numpy(np.asarray(obj, dtype=np.float32))
    except OSError as exc:
        raise ModelLoadError(f"cannot read MCNN weights {path}: {exc}") from exc
    return state


class McnnDensity:
    """`estimate(image)` -> DensityMap at 1/4 resolution; thread-safe (one forward at a time)."""

    def __init__(self, weights: Path, device: str = "cpu", input_width: int | None = None) -> None:
        if not weights.is_file():
            raise ModelLoadError(f"MCNN weights not found: {weights}")
        self._device = torch.device(device)
        self._input_width = input_width
        net = MCNN()
        state = load_h5_state(weights)
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ModelLoadError(f"{weights} is not an MCNN state dict: {exc}") from exc
        self._net = net.to(self._device).eval()
        self._lock = threading.Lock()
        log.info("loaded MCNN weights %s on %s", weights, device)

    def estimate(self, image: Image) -> DensityMap:
        h0, w0 = int(image.shape[0]), int(image.shape[1])
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        w, h = w0, h0
        if self._input_width is not None and self._input_width != w0:
            w, h = self._input_width, max(4, round(h0 * self._input_width / w0))
        w4, h4 = max(4, w // 4 * 4), max(4, h // 4 * 4)
        if (w4, h4) != (w0, h0):
            gray = cv2.resize(gray, (w4, h4))  # bilinear, as the original data loader
        x = torch.from_numpy(np.ascontiguousarray(gray, dtype=np.float32))[None, None]
        with self._lock, torch.inference_mode():
            out = self._net(x.to(self._device))
        density = out[0, 0].float().cpu().numpy()
        return DensityMap(density=density, image_width=w0, image_height=h0)
