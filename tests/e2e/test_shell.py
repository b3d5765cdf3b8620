"""A user opens CityEye in Chromium, logs in, sees the demo cameras online, switches language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))


def test_login_wall_and_language(browser: Browser, demo_server: Served, media_dir: Path) -> None:
    clips = list((media_dir / "videos").glob("*.mp4"))
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(demo_server.url + "/")
    expect(page).to_have_url(f"{demo_server.url}/login")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")

    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()

    page.get_by_test_id("login-password").fill(demo_server.admin_password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-wall")).to_have_text("监控墙")
    cards = page.get_by_test_id("camera-card")
    expect(cards).to_have_count(len(clips), timeout=30_000)
    for i in range(len(clips)):
        expect(cards.nth(i)).to_have_attribute("data-status", "online", timeout=60_000)
    expect(cards.first.get_by_test_id("camera-status")).to_have_text("在线")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(2500)  # let the snapshots load for the screenshot
    page.screenshot(path=str(SHOTS / "wall-zh.png"))

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-wall")).to_have_text("Video wall")
    expect(cards.first.get_by_test_id("camera-status")).to_have_text("Online")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=str(SHOTS / "wall-en.png"))
    page.reload()
    expect(page.get_by_test_id("nav-wall")).to_have_text("Video wall")  # remembered
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-wall")).to_have_text("监控墙")
    page.close()
