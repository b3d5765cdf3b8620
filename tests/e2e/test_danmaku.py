"""视频弹幕 in Chromium: two accounts in two browser contexts on one recorded demo camera. A marker
typed by A on the live view reaches B's live view (how fast: bench/danmaku.py), comes back at
the same moment on playback, and a click on its tick on the 24-hour timeline seeks 5 s before it
and highlights its point; a `<script>` marker stays plain text. Then a patrol tour: issue →
report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from auth.accounts import Role
from tests.e2e.conftest import ROOT
from tests.live import ACCOUNT_PASSWORD, LiveServer, start_live_server

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
CAM = "demo-street"
CLIP = "pedestrians_street_amirhossein.mp4"  # 1080p H.264 without B-frames
TEXT = "路口人流聚集，请关注"
ARRIVAL_JS = """(text) => {
  window.__arrivedAt = null;
  const seen = () => [...document.querySelectorAll('[data-testid="danmaku-item"]')]
    .some((e) => e.textContent.includes(text));
  new MutationObserver((_, obs) => {
    if (window.__arrivedAt === null && seen()) {
      window.__arrivedAt = Date.now();
      obs.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""
XSS = "<script>alert(1)</script>"


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, media_dir: Path) -> Iterator[LiveServer]:
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    os.environ.setdefault("CITYEYE_WEBRTC_HOSTS", "127.0.0.1")
    with start_live_server(tmp_path_factory.mktemp("danmaku-e2e"), recording_enabled=True,
                           recording_segment_s=2) as server:
        with server.client(server.admin_token()) as c:
            r = c.post("/api/cameras", params={"check": "false"}, json={
                "id": CAM, "name": "南京东路步行街", "url": str(media_dir / "videos" / CLIP),
                "unit": "jiangsulu"})
            assert r.status_code == 201, r.text
        server.add_account("zhang.wei", Role.DUTY_OFFICER)
        server.add_account("li.na", Role.DUTY_OFFICER)
        yield server


def segments(live: LiveServer, token: str) -> list[dict[str, Any]]:
    with live.client(token) as c:
        r = c.get(f"/api/recordings/{CAM}/segments")
    r.raise_for_status()
    segs: list[dict[str, Any]] = r.json()
    return segs


def open_page(browser: Browser, live: LiveServer, username: str, dialogs: list[str]) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(10_000)

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(live.base_url + "/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(ACCOUNT_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-tours")).to_be_visible()
    return page


def item(page: Page, text: str) -> Any:
    return page.get_by_test_id("danmaku-item").filter(has_text=text)


def playhead(page: Page) -> float:
    return float(page.get_by_test_id("playback-page").get_attribute("data-playhead") or "nan")


def test_marker_live_to_live_then_playback_and_timeline_seek(browser: Browser,
                                                             live: LiveServer) -> None:
    token = live.login("zhang.wei", ACCOUNT_PASSWORD)
    # recording runs for a while first, so "5 s before the marker" is on video
    wait_for(lambda: (s := segments(live, token)) and s[0]["start"] < time.time() - 8, 60,
             "8 s of recording")
    dialogs: list[str] = []
    a = open_page(browser, live, "zhang.wei", dialogs)
    b = open_page(browser, live, "li.na", dialogs)
    for page in (a, b):
        page.goto(f"{live.base_url}/live/{CAM}")
        expect(page.get_by_test_id("danmaku-feed")).to_have_attribute("data-status", "live")

    # the <script> marker first (M key, no point), the real one last: its tick lies on top
    a.keyboard.press("m")
    a.get_by_test_id("danmaku-input").fill(XSS)
    a.get_by_test_id("danmaku-input").press("Enter")
    expect(item(b, XSS)).to_be_visible()
    time.sleep(1.5)
    host = a.get_by_test_id("danmaku-host")
    box = host.bounding_box()
    assert box is not None
    a.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.4 * box["height"])
    a.get_by_test_id("danmaku-input").fill(TEXT)
    # B's page notes when the marker enters its DOM, A's page when Enter is about to be pressed:
    # both browser clocks are the machine's, and Playwright's polling is not in the figure
    b.evaluate(ARRIVAL_JS, TEXT)
    sent_ms = a.evaluate("Date.now()")
    a.get_by_test_id("danmaku-input").press("Enter")
    expect(item(b, TEXT)).to_be_visible(timeout=10_000)
    latency_ms = b.evaluate("window.__arrivedAt") - sent_ms
    print(f"\nmarker A→B on live in {latency_ms:.0f} ms (figures: bench/danmaku.py)")
    expect(b.get_by_test_id("danmaku-pin").filter(has_text=TEXT)).to_be_visible()
    expect(item(a, TEXT)).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.screenshot(path=str(SHOTS / "danmaku-live.png"))

    with live.client(token) as c:
        markers = c.get("/api/markers", params={"camera_id": CAM}).json()
    marker = next(m for m in markers if m["text"] == TEXT)
    xss = next(m for m in markers if m["text"] == XSS)
    assert marker["x"] == pytest.approx(0.3, abs=0.02)
    assert marker["y"] == pytest.approx(0.4, abs=0.02)
    ts = float(marker["ts"])
    assert abs(ts - time.time()) < 10
    wait_for(lambda: max(s["end"] for s in segments(live, token)) >= ts + 4, 30,
             "the marker's moment to be recorded")

    # playback at the same moment: the marker scrolls again and its point is pinned
    b.goto(f"{live.base_url}/playback/{CAM}?t={ts - 1:.3f}")
    expect(b.get_by_test_id("playback-page")).not_to_have_attribute("data-segment-id", "")
    expect(item(b, TEXT)).to_be_visible(timeout=15_000)
    assert ts - 1.5 <= playhead(b) <= ts + 10
    expect(b.get_by_test_id("danmaku-pin").filter(has_text=TEXT)).to_be_visible()
    b.screenshot(path=str(SHOTS / "danmaku-playback.png"))

    # the tick on the 24-hour timeline: seek to 5 s before, highlight the point
    tick = b.get_by_test_id("timeline").locator(f'[data-marker-id="{marker["id"]}"]')
    tick.click()
    highlight = b.get_by_test_id("danmaku-highlight")
    expect(highlight).to_have_attribute("data-marker-id", str(marker["id"]))
    b.wait_for_function("""(target) => {
        const p = Number(document.querySelector('[data-testid=playback-page]').dataset.playhead);
        return Math.abs(p - target) < 1.5; }""", arg=ts - 5, timeout=10_000)
    seen = b.evaluate("""() => {
        const page = document.querySelector('[data-testid=playback-page]');
        const v = document.querySelector('[data-testid=playback-video]');
        return Number(page.dataset.segmentStart) + v.currentTime; }""")
    assert abs(seen - (ts - 5)) < 2.5, (seen, ts)
    hb = highlight.bounding_box()
    vb = b.get_by_test_id("danmaku-host").bounding_box()
    assert hb is not None
    assert vb is not None
    assert abs(hb["x"] + hb["width"] / 2 - (vb["x"] + 0.3 * vb["width"])) < 0.05 * vb["width"]
    expect(b.get_by_test_id("timeline").locator(f'[data-marker-id="{xss["id"]}"]')).to_have_count(1)
    b.screenshot(path=str(SHOTS / "danmaku-timeline-seek.png"))

    # the <script> text stayed text everywhere
    expect(item(b, XSS)).to_be_visible(timeout=15_000)
    assert dialogs == []
    assert b.evaluate("() => document.querySelectorAll('script:not([src])').length") == 0
    a.context.close()
    b.context.close()


def test_patrol_tour_issue_makes_a_marker_and_a_report(browser: Browser, live: LiveServer) -> None:
    dialogs: list[str] = []
    page = open_page(browser, live, "zhang.wei", dialogs)
    page.get_by_test_id("nav-tours").click()
    page.get_by_test_id("tour-new").click()
    page.get_by_test_id("tour-name").fill("夜间巡查")
    page.get_by_test_id("tour-dwell").fill("20")
    page.get_by_test_id("tour-camera-pick").select_option(CAM)
    page.get_by_test_id("tour-camera-add").click()
    page.get_by_test_id("tour-save").click()
    row = page.get_by_test_id("tour-row").filter(has_text="夜间巡查")
    expect(row).to_be_visible()
    row.get_by_test_id("tour-start").click()
    expect(page.get_by_test_id("tour-camera-name")).to_have_text("南京东路步行街")
    expect(page.get_by_test_id("tour-summary")).to_be_visible()
    page.get_by_test_id("tour-note").fill("护栏倒地")
    page.get_by_test_id("tour-issue").click()
    expect(page.get_by_test_id("tour-item-status")).to_have_attribute("data-status", "issue")
    # the tour's live view has the camera's danmaku: the issue's marker flies across it
    flying = page.get_by_test_id("danmaku-overlay").get_by_test_id("danmaku-item")
    expect(flying.filter(has_text="护栏倒地")).to_be_visible(timeout=5000)
    page.wait_for_timeout(2000)  # let it fly into the picture for the screenshot
    page.screenshot(path=str(SHOTS / "tour-run.png"))
    page.get_by_test_id("tour-finish").click()
    report = page.get_by_test_id("tour-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("tour-report-row")).to_have_attribute("data-status", "issue")
    expect(report).to_contain_text("护栏倒地")
    page.screenshot(path=str(SHOTS / "tour-report.png"))
    token = live.login("zhang.wei", ACCOUNT_PASSWORD)
    with httpx.Client(base_url=live.base_url, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as c:
        markers = c.get("/api/markers", params={"camera_id": CAM, "kind": "issue"}).json()
    assert any(m["text"] == "护栏倒地" for m in markers)
    page.context.close()
