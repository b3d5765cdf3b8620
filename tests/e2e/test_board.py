"""视频画板 in Chromium: two accounts in two browser contexts on one camera's board; one
draws an arrow, the other types a text, and each sees both marks live (latency printed)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import OFFICER_PASSWORD, two_officers_server
from tests.live import LiveServer

pytestmark = [pytest.mark.e2e]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
PASSWORD = OFFICER_PASSWORD


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with two_officers_server(tmp_path_factory.mktemp("board-e2e")) as server:
        with server.client(server.admin_token()) as c:
            r = c.post("/api/boards", json={"title": "疏导方案", "camera_id": "jsl-gate"})
            assert r.status_code == 201, r.text
        yield server


def open_board(browser: Browser, live: LiveServer, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(10_000)
    page.goto(live.base_url + "/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-desk")).to_be_visible()
    page.goto(live.base_url + "/live/jsl-gate")
    page.get_by_test_id("board-select").select_option(label="疏导方案")
    expect(page.get_by_test_id("board-peers")).to_have_attribute("data-connected", "true")
    return page


def _svg_box(page: Page) -> tuple[float, float, float, float]:
    box = page.locator("[data-testid=board-overlay] svg").bounding_box()
    assert box is not None
    return box["x"], box["y"], box["width"], box["height"]


def _seen_after(page: Page, selector: str, start: float) -> float:
    expect(page.locator(selector)).to_have_count(1)
    return (time.monotonic() - start) * 1000


def test_two_accounts_draw_and_type_and_see_each_other(browser: Browser,
                                                       live: LiveServer) -> None:
    a = open_board(browser, live, "zhang.wei")
    b = open_board(browser, live, "li.na")
    expect(a.get_by_test_id("board-peers")).to_contain_text("李娜")  # presence

    a.get_by_test_id("board-tool-arrow").click()
    x, y, w, h = _svg_box(a)
    a.mouse.move(x + 0.2 * w, y + 0.2 * h)
    a.mouse.down()
    a.mouse.move(x + 0.4 * w, y + 0.35 * h, steps=4)
    a.mouse.move(x + 0.5 * w, y + 0.5 * h, steps=4)
    t_arrow = time.monotonic()
    a.mouse.up()

    b.get_by_test_id("board-tool-text").click()
    b.get_by_test_id("board-text-input").fill("注意人群")
    x, y, w, h = _svg_box(b)
    t_text = time.monotonic()
    b.mouse.click(x + 0.6 * w, y + 0.3 * h)

    arrow = "[data-testid=board-element][data-type=arrow]"
    text = "[data-testid=board-element][data-type=text][data-text=注意人群]"
    arrow_at_b = _seen_after(b, arrow, t_arrow)
    text_at_a = _seen_after(a, text, t_text)
    for page in (a, b):
        expect(page.locator(arrow)).to_have_count(1)
        expect(page.locator(text)).to_have_count(1)
    print(f"\narrow A→B {arrow_at_b:.0f} ms (incl. polling), text B→A {text_at_a:.0f} ms")
    cursor = b.get_by_test_id("board-cursor")
    expect(cursor.first).to_have_attribute("data-name", "张伟")  # A's cursor at B

    a.get_by_test_id("board-undo").click()  # A's undo removes A's arrow only
    for page in (a, b):
        expect(page.locator(arrow)).to_have_count(0)
        expect(page.locator(text)).to_have_count(1)
    b.get_by_test_id("board-tool-none").click()  # B selects the text: A sees B's selection
    b.locator(text).click()
    expect(a.locator("g[data-selected=true]")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.screenshot(path=str(SHOTS / "board-two-accounts.png"))
    a.context.close()
    b.context.close()
