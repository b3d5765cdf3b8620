"""An H.265 camera in Chromium: it is recorded (stream copy, `hev1`), and its playback page
either plays the recording or, where this browser has no H.265 decoder (Chromium without one,
as here), says so in Chinese and offers the segment as a download instead of a black box."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from auth.accounts import Role
from tests.e2e.conftest import ROOT
from tests.live import ACCOUNT_PASSWORD, LiveServer, start_live_server
from tests.media import make_clip

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
CAM = "h265-gate"
HEVC_MIME = 'video/mp4; codecs="hev1.1.6.L93.B0"'  # what the page asks (playback/segments.ts)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    clip = make_clip(tmp_path / "h265.mp4", seconds=6, width=640, height=360, hevc=True)
    with start_live_server(tmp_path / "data", recording_enabled=True,
                           recording_segment_s=2) as server:
        with server.client(server.admin_token()) as c:
            r = c.post("/api/cameras", params={"check": "false"}, json={
                "id": CAM, "name": "H.265 测试", "url": str(clip), "unit": "jiangsulu"})
            assert r.status_code == 201, r.text
        server.add_account("zhang.wei", Role.DUTY_OFFICER)
        yield server


def closed_segments(live: LiveServer, token: str, timeout_s: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=live.base_url,
                      headers={"Authorization": f"Bearer {token}"}) as c:
        while True:
            segs: list[dict[str, Any]] = c.get(f"/api/recordings/{CAM}/segments").json()
            done = [s for s in segs if not s["open"]]
            if done:
                return done
            assert time.monotonic() < deadline, f"no finished segment of {CAM} in {timeout_s} s"
            time.sleep(0.3)


def test_an_h265_recording_plays_or_offers_a_download(browser: Browser, live: LiveServer) -> None:
    token = live.login("zhang.wei", ACCOUNT_PASSWORD)
    segs = closed_segments(live, token)
    assert segs[0]["codec"] == "hevc"
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(10_000)
    page.goto(live.base_url + "/login")
    page.get_by_test_id("login-username").fill("zhang.wei")
    page.get_by_test_id("login-password").fill(ACCOUNT_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-tours")).to_be_visible()
    page.goto(f"{live.base_url}/playback/{CAM}?t={segs[0]['start'] + 0.5:.3f}")
    expect(page.get_by_test_id("playback-page")).not_to_have_attribute("data-segment-id", "")
    decodes = page.evaluate(f"document.createElement('video').canPlayType({HEVC_MIME!r})") != ""
    message = page.get_by_test_id("playback-unsupported")
    if decodes:
        expect(message).to_have_count(0)
        return
    expect(message).to_contain_text("H.265")
    expect(message).to_contain_text("本浏览器无法播放")
    link = message.get_by_role("link", name="下载录像")
    href = link.get_attribute("href") or ""
    assert f"/api/recordings/{CAM}/segments/" in href
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "playback-h265.png"))
    with httpx.Client(base_url=live.base_url) as c:  # the link downloads the segment
        r = c.get(href)
    assert r.status_code == 200
    assert r.headers["content-type"] == "video/mp4"
    assert len(r.content) == next(s["bytes"] for s in segs
                                  if f"/segments/{s['id']}/" in href)
