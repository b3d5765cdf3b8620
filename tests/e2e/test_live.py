"""Live video in Chromium: the single-camera view plays with frame-exact overlays, the wall
shows four cameras, a killed peer connection recovers, blocked WebRTC falls back to MJPEG,
and an offline camera says so."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import Served
from tests.live import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
CAMERA = "demo-pedestrians-street-amirhossein"  # 1080p H.264 without B-frames: passthrough


@pytest.fixture(scope="module", autouse=True)
def _loopback_ice() -> None:
    """Offer 127.0.0.1 as the ICE host when the demo server starts here (without it, the
    server offers the machine's other addresses, or loopback when it has none)."""
    os.environ.setdefault("CITYEYE_WEBRTC_HOSTS", "127.0.0.1")


def token(served: Served) -> str:
    r = httpx.post(f"{served.url}/api/auth/login", timeout=10,
                   json={"username": "admin", "password": served.admin_password})
    r.raise_for_status()
    return str(r.json()["access_token"])


def login(page: Page, served: Served) -> None:
    page.goto(served.url + "/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(served.admin_password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-wall")).to_be_visible()


def wait_frames_advance(
    page: Page, selector: str, index: int = 0, timeout_ms: int = 45_000
) -> None:
    """requestVideoFrameCallback keeps firing: the data-frames counter grows by 10+."""
    page.wait_for_function(
        """([sel, i]) => { const el = document.querySelectorAll(sel)[i];
             return el && el.dataset.state === "playing" && Number(el.dataset.frames) > 5; }""",
        arg=[selector, index], timeout=timeout_ms)
    start = int(page.eval_on_selector_all(selector, "(els, i) => els[i].dataset.frames", index))
    page.wait_for_function(
        "([sel, i, n]) => Number(document.querySelectorAll(sel)[i].dataset.frames) >= n",
        arg=[selector, index, start + 10], timeout=timeout_ms)


def overlay_ink(page: Page) -> int:
    """Opaque pixels drawn on the overlay canvas (boxes, labels, zones)."""
    return int(page.evaluate("""() => {
        const c = document.querySelector('[data-testid="live-overlay"]');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 200) n++;
        return n;
    }"""))


def test_single_camera_plays_with_frame_exact_overlays(
    browser: Browser, demo_server: Served
) -> None:
    """The demo server analyses its cameras with the real detector: the people it finds on the
    pedestrian street are drawn as boxes over the frames they were found on."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, demo_server)
    page.goto(f"{demo_server.url}/live/{CAMERA}")
    player = page.get_by_test_id("live-player")
    wait_frames_advance(page, '[data-testid="live-player"]')
    expect(player).to_have_attribute("data-transport", "webrtc")
    expect(page.get_by_test_id("live-stat-mode")).to_have_text("直通（不转码）", timeout=10_000)
    expect(page.get_by_test_id("live-stat-viewers")).not_to_have_text("—")
    # low-latency mode: boxes are drawn (held between analysed frames)
    page.wait_for_function("() => Number(document.querySelector("
                           "'[data-testid=\"live-player\"]').dataset.boxes) > 0", timeout=30_000)
    # exact mode: video waits for the analysis; boxes land on the very frame they belong to
    page.get_by_test_id("live-sync").check()
    page.wait_for_function("() => Number(document.querySelector("
                           "'[data-testid=\"live-player\"]').dataset.overlayExact) >= 5",
                           timeout=30_000)
    assert overlay_ink(page) > 100, "no box drawn on the overlay canvas"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "live-single.png"))
    page.close()


def test_wall_shows_four_cameras_and_takes_a_dropped_camera(
    browser: Browser, demo_server: Served, media_dir: Path
) -> None:
    assert len(list((media_dir / "videos").glob("*.mp4"))) >= 4
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    login(page, demo_server)
    page.get_by_test_id("wall-layout-4").click()
    tiles = page.get_by_test_id("wall-tile")
    expect(tiles).to_have_count(4)
    for i in range(4):
        wait_frames_advance(page, '[data-testid="wall-tile"] [data-testid="live-player"]', i)
    ids = [tiles.nth(i).get_attribute("data-camera-id") for i in range(4)]
    assert len(set(ids)) == 4
    page.screenshot(path=str(SHOTS / "live-wall.png"))
    page.get_by_test_id("wall-layout-9").click()
    expect(tiles).to_have_count(9)
    card = page.locator(f'[data-testid="wall-camera"][data-camera-id="{ids[0]}"]')
    card.drag_to(tiles.nth(8))
    expect(tiles.nth(8)).to_have_attribute("data-camera-id", str(ids[0]))
    expect(tiles.nth(0)).to_have_attribute("data-camera-id", "")  # moved, not duplicated
    page.get_by_test_id("wall-layout-4").click()
    page.close()


def test_killed_peer_connection_recovers_by_itself(browser: Browser, demo_server: Served) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script("""
        window.__pcs = [];
        const Native = window.RTCPeerConnection;
        window.RTCPeerConnection = class extends Native {
            constructor(...args) { super(...args); window.__pcs.push(this); }
        };""")
    page = context.new_page()
    login(page, demo_server)
    page.goto(f"{demo_server.url}/live/{CAMERA}")
    wait_frames_advance(page, '[data-testid="live-player"]')
    page.evaluate("() => window.__pcs.forEach((pc) => pc.close())")
    player = page.get_by_test_id("live-player")
    expect(player).to_have_attribute("data-reconnects", "1", timeout=15_000)
    wait_frames_advance(page, '[data-testid="live-player"]')
    assert page.evaluate("() => window.__pcs.at(-1).connectionState") == "connected"
    context.close()


def test_http_fallback_when_webrtc_cannot_connect(browser: Browser, demo_server: Served) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})

    def strip(sdp: str) -> str:
        return "".join(ln for ln in sdp.splitlines(keepends=True)
                       if not ln.startswith("a=candidate"))

    def no_candidates(route: Route) -> None:
        """A network that drops UDP: neither side learns an address ICE could reach."""
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch(post_data=strip(route.request.post_data or ""))
        route.fulfill(response=response, body=strip(response.text()))

    page.route("**/whep", no_candidates)
    login(page, demo_server)
    page.goto(f"{demo_server.url}/live/{CAMERA}")
    player = page.get_by_test_id("live-player")
    expect(player).to_have_attribute("data-transport", "mjpeg", timeout=60_000)
    wait_frames_advance(page, '[data-testid="live-player"]')
    expect(page.get_by_test_id("live-fallback")).to_be_visible()
    expect(page.get_by_test_id("live-stat-transport")).to_have_text("HTTP（MJPEG）")
    page.close()


def test_offline_camera_says_so(browser: Browser, demo_server: Served) -> None:
    headers = {"Authorization": f"Bearer {token(demo_server)}"}
    dead = {"id": "e2e-dead", "name": "离线测试", "url": f"rtsp://127.0.0.1:{free_port()}/x",
            "unit": "jiangsulu"}
    with httpx.Client(base_url=demo_server.url, headers=headers, timeout=10) as c:
        assert c.post("/api/cameras", params={"check": "false"}, json=dead).status_code == 201
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        login(page, demo_server)
        time.sleep(1.0)
        page.goto(f"{demo_server.url}/live/e2e-dead")
        message = page.get_by_test_id("live-message")
        expect(message).to_contain_text("摄像头离线", timeout=30_000)
        expect(message).to_contain_text("e2e-dead")
        page.close()
    finally:
        with httpx.Client(base_url=demo_server.url, headers=headers, timeout=10) as c:
            c.delete("/api/cameras/e2e-dead")
