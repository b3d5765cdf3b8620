"""Browser tests: Debian's Chromium driven by Playwright, against a `cityeye serve` process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from auth.accounts import Role, add_user
from tests.live import LiveServer, free_port, start_live_server

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]
DEMO_PASSWORD = "demo-admin-pass"


@dataclass(frozen=True)
class Served:
    url: str
    admin_password: str


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing: apt-get install -y chromium chromium-driver", pytrace=False
        )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    # Playwright gives every launch a fresh, empty --user-data-dir of its own.
    b = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=FLAGS, headless=True
    )
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def demo_server(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`cityeye serve --demo <clips>` as `make run` starts it, on a loopback port."""
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    data = tmp_path_factory.mktemp("e2e-data")
    port = free_port()
    env = {**os.environ, "CITYEYE_DATA_DIR": str(data), "CITYEYE_ADMIN_PASSWORD": DEMO_PASSWORD}
    env.pop("CITYEYE_MEDIA_DIR", None)
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--demo", str(media_dir)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"cityeye serve exited: {(data / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("cityeye serve did not answer within 90 s")
            time.sleep(0.2)
        yield Served(url=url, admin_password=DEMO_PASSWORD)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


OFFICER_PASSWORD = "duty-pass-12345"
OFFICERS = (("zhang.wei", "张伟"), ("li.na", "李娜"))
STREET_CAMERA = "jsl-gate"


@contextmanager
def two_officers_server(data_dir: Path) -> Iterator[LiveServer]:
    """An in-process server with two duty officers (张伟, 李娜; OFFICER_PASSWORD) and an offline
    street camera `jsl-gate`: the cast of the collaboration tests."""
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    with start_live_server(data_dir) as server:
        assert server.app is not None
        with server.app.state.database.session() as s:
            for username, name in OFFICERS:
                add_user(s, username=username, password=OFFICER_PASSWORD,
                         role=Role.DUTY_OFFICER, display_name=name)
        with server.client(server.admin_token()) as c:
            r = c.post("/api/cameras", params={"check": "false"}, json={
                "id": STREET_CAMERA, "name": "江苏路地铁站 2 号口",
                "url": "rtsp://127.0.0.1:9/x", "unit": "jiangsulu", "enabled": False,
            })
            assert r.status_code == 201, r.text
        yield server
