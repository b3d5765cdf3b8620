from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from streams import CameraSource, IngestManager, SourceError, probe_source
from streams.metrics import IngestCollector
from streams.probe import main

from .servers import ffmpeg, make_clip, wait_for


@pytest.mark.media
def test_probe_prints_the_report(media_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = media_dir / "videos/mall_entrance_zayed.mp4"
    assert main([str(clip), "--frames", "60"]) == 0
    out = capsys.readouterr().out
    assert "codec:         h264" in out
    assert "resolution:    640x360" in out
    assert "declared fps:  29.970" in out
    assert "measured fps:  29.970" in out
    assert "frames:        60 decoded" in out
    assert "decode speed:" in out
    assert "duration:      14.9" in out


def test_probe_measures_fps_from_pts_not_the_header(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "src.mp4", seconds=2, fps=25)
    slow = tmp_path / "slow.mkv"
    ffmpeg("-i", str(clip), "-c", "copy", "-bsf:v", "setts=ts=TS*5/2", str(slow))
    report = probe_source(str(slow))
    assert report.measured_fps == pytest.approx(10.0, rel=0.01)
    assert report.frames == 50


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("noise.mp4", b"\x13\x37" * 5000, "not a video file"),
        ("missing.mp4", None, "file not found"),
    ],
)
def test_probe_errors_are_one_line_and_non_zero(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main([str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"cityeye probe: {message}")
    assert "\n" not in err
    with pytest.raises(SourceError):
        probe_source(str(path))


def test_probe_unreachable_host_fails_cleanly() -> None:
    with pytest.raises(SourceError, match=r"host not found: cam\.invalid"):
        probe_source("rtsp://cam.invalid/stream", timeout_s=2)


def test_metrics_collector_exposes_camera_health(
    make_manager: Callable[..., IngestManager], tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "m.mp4", seconds=2, fps=25)
    manager = make_manager()
    manager.add(CameraSource("cam1", str(clip)))
    assert wait_for(lambda: manager.health("cam1").fps_decoded > 0, 15)  # type: ignore[union-attr]
    registry = CollectorRegistry()
    registry.register(IngestCollector(manager))
    text = generate_latest(registry).decode()
    assert 'cityeye_camera_status{camera="cam1",status="online"} 1.0' in text
    assert 'cityeye_camera_frames_decoded_total{camera="cam1"}' in text
    for name in ("fps_in", "fps_decoded", "drops_total", "reconnects_total", "bytes_in_total"):
        assert f"cityeye_camera_{name}" in text
