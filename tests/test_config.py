"""The site file and settings refuse bad input with a message naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config import ConfigError, Settings, default_site_config, demo_cameras, load_site_config

GOOD = """
units:
  - {id: changning, name: 长宁区}
  - {id: jiangsulu, name: 江苏路街道, parent: changning}
cameras:
  - id: gate-1
    name: 中山公园 2 号门
    url: rtsp://127.0.0.1:8554/gate
    unit: jiangsulu
    zones:
      - {id: plaza, name: 广场, polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 0.95]]}
    lines:
      - {id: gate, name: 入口, a: [0.2, 0.6], b: [0.8, 0.6]}
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cityeye.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_site_file_loads(tmp_path: Path) -> None:
    site = load_site_config(write(tmp_path, GOOD))
    assert site.district.name == "长宁区"
    cam = site.cameras[0]
    assert cam.zones[0].name == "广场"
    assert cam.lines[0].in_name == "进"


def test_default_site_has_district_and_streets() -> None:
    site = default_site_config()
    assert site.district.id == "changning"
    assert {u.name for u in site.units} >= {"江苏路街道", "华阳路街道"}


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "units:\n  - {id: a, name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_site_config(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "invalid YAML at line" in msg


def test_unknown_field_names_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    unit: jiangsulu", "    unit: jiangsulu\n    fps: 9"))
    with pytest.raises(ConfigError) as err:
        load_site_config(path)
    assert "cameras[0].fps: unknown field" in str(err.value)


def test_missing_field_and_bad_reference(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_site_config(write(tmp_path, GOOD.replace("    url: rtsp://127.0.0.1:8554/gate\n", "")))
    assert "cameras[0].url: Field required" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_site_config(write(tmp_path, GOOD.replace("unit: jiangsulu", "unit: nowhere")))
    assert "'nowhere' is not one of" in str(err.value)


@pytest.mark.parametrize(
    ("polygon", "expected"),
    [
        ("[[0.1, 0.1], [0.9, 0.1]]", "at least 3 points"),
        ("[[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]", "self-intersecting"),
        ("[[0.1, 0.1], [1.5, 0.1], [0.5, 0.9]]", "outside the frame"),
    ],
)
def test_invalid_polygons_are_refused(tmp_path: Path, polygon: str, expected: str) -> None:
    text = GOOD.replace("[[0.1, 0.5], [0.9, 0.5], [0.9, 0.95]]", polygon)
    with pytest.raises(ConfigError) as err:
        load_site_config(write(tmp_path, text))
    assert "cameras[0].zones[0].polygon" in str(err.value)
    assert expected in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_site_config(tmp_path / "nope.yaml")


def test_prod_refuses_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="CITYEYE_SECRET_KEY"):
        Settings(env="prod", secret_key="changeme")
    assert Settings(env="prod", secret_key="x" * 40).env == "prod"


def test_demo_clips_become_cameras(tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("b_clip.mp4", "a clip.mkv", "notes.txt"):
        (videos / name).write_bytes(b"x")
    settings = Settings(demo_dir=tmp_path, media_dir=None)
    clips = settings.demo_clips()
    assert [c.name for c in clips] == ["a clip.mkv", "b_clip.mp4"]
    cams = demo_cameras(clips, default_site_config())
    assert [c.id for c in cams] == ["demo-a-clip", "demo-b-clip"]
    assert len({c.unit for c in cams}) == 2  # spread over the streets


def test_demo_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings(demo_dir=tmp_path / "nope", media_dir=None).demo_clips()


def test_webhook_url_needs_a_secret() -> None:
    with pytest.raises(ValidationError, match="secret"):
        Settings(desk_webhook_url="http://127.0.0.1:9/hook", desk_webhook_secret=None)


def test_site_file_desk_policy(tmp_path: Path) -> None:
    text = GOOD + "desk:\n  cooldown_s: 120\n"
    assert load_site_config(write(tmp_path, text)).desk.cooldown_s == 120
    with pytest.raises(ConfigError, match=r"desk\.colour: unknown field"):
        load_site_config(write(tmp_path, GOOD + "desk:\n  colour: red\n"))
