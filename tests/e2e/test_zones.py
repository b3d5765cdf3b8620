"""An admin draws a zone and a counting line on a demo camera's picture, saves them, and finds
them stored; a self-intersecting zone is refused in the browser, and the server's own refusal
reaches the user too."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
CAMERA = "demo-mall-entrance-zayed"
ZONE = [(0.2, 0.35), (0.75, 0.35), (0.8, 0.9), (0.15, 0.9)]
LINE = ((0.1, 0.6), (0.9, 0.6))
BOWTIE = [(0.3, 0.2), (0.6, 0.5), (0.6, 0.2), (0.3, 0.5)]


def click_at(page: Page, x: float, y: float) -> None:
    """A click on the picture at normalised (x, y)."""
    box = page.get_by_test_id("zone-svg").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def open_editor(page: Page, served: Served, shot: str | None = None) -> None:
    page.goto(served.url + "/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(served.admin_password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-settings")).to_be_visible()
    page.get_by_test_id("nav-settings").click()
    row = page.locator(f'[data-testid="camera-row"][data-camera-id="{CAMERA}"]')
    expect(row).to_be_visible(timeout=30_000)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / shot))
    row.get_by_test_id("camera-zones").click()
    expect(page.get_by_test_id("zone-editor")).to_have_attribute("data-camera-id", CAMERA)
    expect(page.get_by_test_id("tool-zone")).to_be_enabled()
    # The camera may still be connecting: ask for its picture until there is one.
    for _ in range(30):
        if page.get_by_test_id("zone-frame").count():
            break
        page.wait_for_timeout(1000)
        page.get_by_test_id("frame-refresh").click()
    expect(page.get_by_test_id("zone-frame")).to_be_visible()


def stored_camera(served: Served) -> dict[str, Any]:
    with httpx.Client(base_url=served.url, timeout=10) as c:
        login = c.post(
            "/api/auth/login", json={"username": "admin", "password": served.admin_password}
        )
        token = login.json()["access_token"]
        cam = c.get(f"/api/cameras/{CAMERA}", headers={"Authorization": f"Bearer {token}"})
        assert cam.status_code == 200, cam.text
        body: dict[str, Any] = cam.json()
        return body


def test_draw_zone_and_line_and_save(browser: Browser, demo_server: Served) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    open_editor(page, demo_server, shot="settings-zh.png")

    page.get_by_test_id("tool-zone").click()
    for x, y in ZONE:
        click_at(page, x, y)
    expect(page.get_by_test_id("zone-hint")).to_contain_text("已有 4 个点")
    click_at(page, *ZONE[0])  # the first point again closes the zone
    card = page.get_by_test_id("zone-card")
    expect(card).to_have_count(1)
    card.get_by_test_id("zone-name").fill("入口等候区")
    card.get_by_test_id("rule-overcrowding-enabled").check()
    card.get_by_test_id("rule-overcrowding-t1").fill("5")
    card.get_by_test_id("rule-overcrowding-t2").fill("10")
    card.get_by_test_id("rule-overcrowding-t3").fill("")
    card.get_by_test_id("rule-overcrowding-t4").fill("")

    page.get_by_test_id("tool-line").click()
    click_at(page, *LINE[0])
    click_at(page, *LINE[1])
    line = page.get_by_test_id("line-card")
    expect(line).to_have_count(1)
    line.get_by_test_id("line-name").fill("旋转门")
    expect(page.get_by_test_id("line-in-label")).to_have_text("进")
    expect(page.get_by_test_id("line-out-label")).to_have_text("出")
    line.get_by_test_id("line-swap").click()  # crossing downwards should count as "出" now
    line.get_by_test_id("rule-surge-enabled").check()
    line.get_by_test_id("rule-surge-t1").fill("20")
    line.get_by_test_id("rule-surge-t2").fill("")
    expect(page.get_by_test_id("zone-problems")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "zones-zh.png"), full_page=True)

    page.get_by_test_id("zones-save").click()
    expect(page.get_by_test_id("zones-notice")).to_contain_text("已保存：1 个区域、1 条计数线")

    cam = stored_camera(demo_server)
    assert [(z["id"], z["name"]) for z in cam["zones"]] == [("zone-1", "入口等候区")]
    assert cam["zones"][0]["polygon"] == [pytest.approx(list(p), abs=0.01) for p in ZONE]
    (line_out,) = cam["lines"]
    assert (line_out["name"], line_out["in_name"], line_out["out_name"]) == ("旋转门", "进", "出")
    # swapped: stored from right to left, so the "in" side (the right of a→b) is above the line
    assert (line_out["a"], line_out["b"]) == (
        pytest.approx(list(LINE[1]), abs=0.01),
        pytest.approx(list(LINE[0]), abs=0.01),
    )
    rules = cam["rules"]
    assert [(r["zone"], r["thresholds"]) for r in rules["overcrowding"]] == [("zone-1", [5, 10])]
    assert [(r["line"], r["thresholds"]) for r in rules["line_crossing"]] == [("line-1", [20])]

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("tool-zone")).to_contain_text("Draw zone")
    page.screenshot(path=str(SHOTS / "zones-en.png"), full_page=True)
    page.get_by_test_id("lang-toggle").click()
    page.close()


def test_self_intersecting_zone_is_refused(browser: Browser, demo_server: Served) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    open_editor(page, demo_server)
    before = stored_camera(demo_server)["zones"]

    page.get_by_test_id("tool-zone").click()
    for x, y in BOWTIE:
        click_at(page, x, y)
    page.get_by_test_id("tool-finish").click()
    problems = page.get_by_test_id("zone-problems")
    expect(problems).to_contain_text("边相互交叉（第 1 条边与第 3 条边）")
    expect(page.get_by_test_id("zones-save")).to_be_disabled()
    page.screenshot(path=str(SHOTS / "zones-refused-zh.png"), full_page=True)

    # The server refuses on its own too, and the user reads its reason: drag a corner so the
    # browser accepts the zone, then let the request carry the crossing outline anyway.
    tampered: list[str] = []

    def tamper(route: Route) -> None:
        request = route.request
        if request.method != "PATCH":
            route.continue_()
            return
        body = json.loads(request.post_data or "{}")
        body["zones"][-1]["polygon"] = [list(p) for p in BOWTIE]
        tampered.append(request.url)
        route.continue_(post_data=json.dumps(body))

    page.route(f"**/api/cameras/{CAMERA}", tamper)
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("zone-delete").last.click()
    page.get_by_test_id("tool-zone").click()
    for x, y in [(0.3, 0.2), (0.6, 0.2), (0.6, 0.5), (0.3, 0.5)]:
        click_at(page, x, y)
    page.get_by_test_id("tool-finish").click()
    expect(page.get_by_test_id("zone-problems")).to_have_count(0)
    page.get_by_test_id("zones-save").click()
    refused = page.get_by_test_id("zone-server-error")
    expect(refused).to_contain_text("服务器拒绝保存")
    expect(refused).to_contain_text("self-intersecting")
    assert tampered
    assert stored_camera(demo_server)["zones"] == before
    page.close()
