"""A board over an alert's recorded time range in Chromium: the duty desk's evidence plays the
event clip; "draw on the recording" opens the camera's recorded video for the alert's range
behind the drawing, it plays, and an arrow drawn over it stays after a reload. A range with
no recording says so (Chinese first, English second) instead of showing a black box."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from auth.accounts import Role
from tests.annotate.test_evidence import raise_alert
from tests.e2e.conftest import OFFICER_PASSWORD
from tests.e2e.test_desk import open_desk
from tests.live import LiveServer, start_live_server

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
ROOT = Path(__file__).resolve().parents[2]
CAM = "mall-gate"
PRE_S, POST_S = 3.0, 3.0
VIDEO = "[data-testid=board-range-video]"
ARROW = "[data-testid=board-element][data-type=arrow]"


@pytest.fixture
def live(tmp_path: Path, media_dir: Path) -> Iterator[LiveServer]:
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    clip = media_dir / "videos" / "mall_entrance_zayed.mp4"
    with start_live_server(tmp_path / "data", recording_enabled=True, recording_segment_s=2,
                           recording_clip_pre_s=PRE_S, recording_clip_post_s=POST_S) as server:
        admin = server.admin_token()
        server.add_account("zhang.wei", Role.DUTY_OFFICER, "jiangsulu",
                           password=OFFICER_PASSWORD)
        with server.client(admin) as c:
            r = c.post("/api/cameras", params={"check": "false"}, json={
                "id": CAM, "name": "商场入口", "url": str(clip), "unit": "jiangsulu"})
            assert r.status_code == 201, r.text
        yield server


def _pre_roll(live: LiveServer, token: str, timeout_s: float = 60) -> None:
    """Wait until a finished segment began more than PRE_S ago (the alert's range is recorded
    from its start)."""
    with live.client(token) as c:
        deadline = time.monotonic() + timeout_s
        while True:
            segs = c.get(f"/api/recordings/{CAM}/segments").json()
            good = [s for s in segs if not s["open"] and s["duration"] >= 1]
            if good and time.time() - good[0]["start"] >= PRE_S + 1:
                return
            assert time.monotonic() < deadline, f"no recording of {CAM} within {timeout_s} s"
            time.sleep(0.3)


def _video_state(page: Page) -> dict[str, float]:
    state: dict[str, float] = page.locator(VIDEO).evaluate(
        "v => ({t: v.currentTime, ready: v.readyState, w: v.videoWidth, h: v.videoHeight})")
    return state


def _draw_arrow(page: Page) -> None:
    page.get_by_test_id("board-tool-arrow").click()
    box = page.locator("[data-testid=board-overlay] svg").bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.3 * w, y + 0.7 * h)
    page.mouse.down()
    page.mouse.move(x + 0.45 * w, y + 0.55 * h, steps=4)
    page.mouse.move(x + 0.55 * w, y + 0.45 * h, steps=4)
    page.mouse.up()


def test_range_board_plays_the_recording_under_the_drawing(browser: Browser,
                                                           live: LiveServer) -> None:
    admin = live.admin_token()
    _pre_roll(live, admin)  # recording runs before the alert
    alert_id = raise_alert(live, admin, CAM)
    page = open_desk(browser, live, "zhang.wei")
    page.get_by_test_id("alert-card").first.click()

    clip = page.get_by_test_id("evidence-clip")  # cut POST_S after the event, then retried
    expect(clip).to_be_visible(timeout=60_000)
    page.wait_for_function("v => v.readyState >= 1 && v.videoWidth === 640",
                           arg=clip.element_handle(), timeout=15_000)
    download = page.get_by_test_id("evidence-clip-download")
    assert "token=" in (download.get_attribute("href") or "")
    assert download.get_attribute("download")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk-evidence-clip.png"))

    page.get_by_test_id("evidence-range-board").click()  # → /live/<camera>?board=<id>
    page.wait_for_url(f"**/live/{CAM}?board=*")
    video = page.locator(VIDEO)
    expect(video).to_be_visible(timeout=15_000)
    page.wait_for_function("v => v.readyState >= 2", arg=video.element_handle(), timeout=15_000)
    before = _video_state(page)
    assert (before["w"], before["h"]) == (640, 360)
    shown = float(page.get_by_test_id("board-range-time").get_attribute("data-at") or 0)
    page.get_by_test_id("board-range-play").click()
    page.wait_for_function(f"v => v.currentTime > {before['t'] + 0.5} && v.readyState >= 2",
                           arg=video.element_handle(), timeout=15_000)
    later = float(page.get_by_test_id("board-range-time").get_attribute("data-at") or 0)
    assert later > shown  # the wall-clock moment on screen moves with the video
    page.get_by_test_id("board-range-play").click()  # pause to draw

    expect(page.get_by_test_id("board-peers")).to_have_attribute("data-connected", "true")
    _draw_arrow(page)
    expect(page.locator(ARROW)).to_have_count(1)
    svg = page.locator("[data-testid=board-overlay] svg").bounding_box()
    shown_video = video.bounding_box()
    assert svg is not None
    assert shown_video is not None
    assert svg["width"] / svg["height"] == pytest.approx(640 / 360, rel=0.02)  # the picture
    assert svg["width"] <= shown_video["width"] + 1
    page.screenshot(path=str(SHOTS / "board-range.png"))

    page.reload()  # the drawing is kept with the board, over the same recording
    expect(page.locator(VIDEO)).to_be_visible(timeout=15_000)
    expect(page.locator(ARROW)).to_have_count(1)
    assert getattr(page, "js_errors") == []  # noqa: B009

    with live.client(admin) as c:  # a range nobody recorded: a clear message, no black box
        gone = datetime.now(UTC) - timedelta(hours=2)
        r = c.post("/api/boards", json={
            "title": "无录像", "alert_id": alert_id, "kind": "range",
            "frame_at": gone.isoformat(), "range_end": (gone + timedelta(seconds=20)).isoformat()})
        assert r.status_code == 201, r.text
    page.goto(f"{live.base_url}/live/{CAM}?board={r.json()['id']}")
    empty = page.get_by_test_id("board-range-empty")
    expect(empty).to_have_attribute("data-status", "empty", timeout=15_000)
    paragraphs = empty.locator("p").all_inner_texts()
    assert "没有录像" in paragraphs[0]
    assert "Nothing was recorded" in paragraphs[1]
    expect(page.locator(VIDEO)).to_have_count(0)
    page.screenshot(path=str(SHOTS / "board-range-empty.png"))
    page.context.close()
