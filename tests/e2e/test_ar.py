"""AR video retrieval in Chromium: the high-point camera's live video carries geo labels, and
clicking a camera label opens that camera's live view (and is audited)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from geo.demo import HIGH_POINT
from tests.e2e.conftest import Served
from tests.e2e.test_live import login, token

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
TARGET = "demo-pedestrians-street-amirhossein"


@pytest.fixture(scope="module", autouse=True)
def _loopback_ice() -> None:
    os.environ.setdefault("CITYEYE_WEBRTC_HOSTS", "127.0.0.1")


def test_clicking_a_camera_label_opens_its_live_view(browser: Browser, demo_server: Served
                                                     ) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, demo_server)
    page.goto(f"{demo_server.url}/ar/{HIGH_POINT}")
    expect(page.get_by_test_id("live-player")).to_be_visible()
    label = page.get_by_test_id(f"ar-label-camera-{TARGET}")
    expect(label).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("ar-label-poi-zhaofeng-plaza")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ar-view.png"))
    label.click()
    expect(page).to_have_url(re.compile(f"/live/{TARGET}$"), timeout=20_000)
    expect(page.get_by_test_id("live-player")).to_have_attribute("data-camera-id", TARGET)
    audit = httpx.get(f"{demo_server.url}/api/audit", params={"camera_id": TARGET}, timeout=10,
                      headers={"Authorization": f"Bearer {token(demo_server)}"}).json()
    assert any(a["action"] == "ar.callup" and HIGH_POINT in a["detail"] for a in audit)
    page.close()


def test_site_map_shows_cameras_and_opens_one(browser: Browser, demo_server: Served) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, demo_server)
    page.get_by_test_id("nav-map").click()
    expect(page.get_by_test_id("map-poi-cloud-nine")).to_be_visible()
    camera = page.get_by_test_id(f"map-camera-{TARGET}")
    expect(camera).to_be_visible()
    page.get_by_test_id("map-zoom").click()  # the 商圈 close-up
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ar-site-map.png"))
    camera.click()
    expect(page).to_have_url(re.compile(f"/live/{TARGET}$"), timeout=20_000)
    page.goto(f"{demo_server.url}/ar/{HIGH_POINT}/calibrate")
    expect(page.get_by_test_id("pose-editor")).to_be_visible()
    page.screenshot(path=str(SHOTS / "ar-calibrate.png"))
    page.close()
