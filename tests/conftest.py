"""Shared fixtures: shared assets, an offline Ultralytics environment, and live servers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer, start_live_server


def _shared(var: str, what: str) -> Path:
    value = os.environ.get(var)
    if not value:
        pytest.fail(
            f"{var} is not set: point it at the shared {what} (e.g. {var}=../shared/"
            f"{'models' if 'MODELS' in var else 'media'}); `make test` and .ci/run set it",
            pytrace=False,
        )
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"{var}={value} is not a folder: the shared {what} are missing", pytrace=False)
    return path


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """../shared/media (clips in videos/, crowd images in crowd/)."""
    return _shared("CITYEYE_MEDIA_DIR", "media (clips and crowd images)")


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """../shared/models (YOLO11n OpenVINO INT8, yolo11n.pt, MCNN weights)."""
    return _shared("CITYEYE_MODELS_DIR", "model weights")


@pytest.fixture(scope="session")
def ultralytics_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ultralytics offline, with its config dir and font inside a temporary data dir."""
    root = tmp_path_factory.mktemp("ultralytics")
    font = root / "Ultralytics" / "Arial.ttf"
    font.parent.mkdir(parents=True)
    import matplotlib

    shutil.copyfile(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf", font)
    os.environ["YOLO_CONFIG_DIR"] = str(root)
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "False"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return root


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """HOME-based caches (matplotlib, Ultralytics) go to a temp dir, never the user's home."""
    home = tmp_path_factory.mktemp("home")
    os.environ["MPLCONFIGDIR"] = str(home / "matplotlib")
    os.environ.setdefault("YOLO_CONFIG_DIR", str(home / "ultralytics"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real CityEye server on a loopback port with an empty site (no demo cameras)."""
    with start_live_server(tmp_path / "data") as live:
        yield live
