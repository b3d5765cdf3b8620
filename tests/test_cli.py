"""The `cityeye` command: user management and clear errors for bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from auth.accounts import authenticate
from db.database import Database
from tests.media import make_clip


def cityeye(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CITYEYE_DATA_DIR": str(data), **env}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )


def test_user_add_creates_a_user_who_can_log_in(tmp_path: Path) -> None:
    r = cityeye(
        "user",
        "add",
        "--username",
        "li.wei",
        "--password",
        "s3cret-pass",
        "--role",
        "patroller",
        "--unit",
        "jiangsulu",
        data=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    database = Database(f"sqlite:///{tmp_path / 'cityeye.db'}")
    try:
        with database.session() as s:
            p = authenticate(s, "li.wei", "s3cret-pass")
            assert p is not None
            assert p.unit_name == "江苏路街道"
            assert p.visible_units == {"jiangsulu"}
    finally:
        database.close()
    again = cityeye(
        "user",
        "add",
        "--username",
        "li.wei",
        "--password",
        "s3cret-pass",
        "--role",
        "patroller",
        data=tmp_path,
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_user_add_bad_input(tmp_path: Path) -> None:
    r = cityeye(
        "user", "add", "--username", "x1", "--password", "short", "--role", "admin", data=tmp_path
    )
    assert r.returncode == 2
    assert "at least 8 characters" in r.stderr
    r = cityeye(
        "user",
        "add",
        "--username",
        "x2",
        "--password",
        "long-enough",
        "--role",
        "admin",
        "--unit",
        "moon",
        data=tmp_path,
    )
    assert r.returncode == 2
    assert "unknown unit 'moon'" in r.stderr
    r = cityeye("user", "add", "--username", "x3", "--role", "king", data=tmp_path)
    assert r.returncode == 2
    assert "invalid choice" in r.stderr


def test_serve_refuses_bad_site_file(tmp_path: Path) -> None:
    bad = tmp_path / "cityeye.yaml"
    bad.write_text("units:\n  - {id: changning, name: 长宁区, colour: red}\n", encoding="utf-8")
    r = cityeye("serve", "--config", str(bad), "--port", "9", data=tmp_path)
    assert r.returncode == 2
    assert f"{bad}: units[0].colour: unknown field" in r.stderr


def test_serve_refuses_missing_demo_folder(tmp_path: Path) -> None:
    r = cityeye("serve", "--demo", str(tmp_path / "missing"), "--port", "9", data=tmp_path)
    assert r.returncode == 2
    assert "does not exist" in r.stderr


def test_bad_setting_is_named(tmp_path: Path) -> None:
    r = cityeye("migrate", data=tmp_path, CITYEYE_ENV="staging")
    assert r.returncode == 2
    assert "env" in r.stderr


def test_probe_dispatches_with_its_own_options(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1, fps=25)
    r = cityeye("probe", str(clip), "--frames", "10", data=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "h264" in r.stdout
    assert "320x240" in r.stdout
    bad = cityeye("probe", str(tmp_path / "missing.mp4"), data=tmp_path)
    assert bad.returncode != 0
    assert len(bad.stderr.strip().splitlines()) == 1
