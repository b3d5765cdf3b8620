"""Duty desk in Chromium: an event published on the server's bus (as vision does) appears on
the desk as an alert without a reload; one duty officer acknowledges and dispatches it through
the UI, and a second logged-in duty officer sees each change live."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from events.bus import InProcessBus
from events.model import Event
from tests.e2e.conftest import OFFICER_PASSWORD, two_officers_server
from tests.live import LiveServer

pytestmark = [pytest.mark.e2e]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
PASSWORD = OFFICER_PASSWORD


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with two_officers_server(tmp_path_factory.mktemp("desk-e2e")) as server:
        yield server


def snapshot_jpeg() -> bytes:
    img = np.zeros((360, 640, 3), np.uint8)
    img[:] = (60, 40, 20)
    cv2.rectangle(img, (250, 120), (330, 320), (0, 0, 255), 4)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return bytes(buf)


def open_desk(browser: Browser, live: LiveServer, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live.base_url + "/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-desk")).to_be_visible()
    page.get_by_test_id("nav-desk").click()
    expect(page.get_by_test_id("desk-feed")).to_have_attribute("data-status", "live",
                                                                timeout=15_000)
    page.set_default_timeout(10_000)
    setattr(page, "js_errors", errors)  # noqa: B010
    return page


def test_event_to_alert_ack_and_dispatch_seen_live(browser: Browser, live: LiveServer) -> None:
    officer = open_desk(browser, live, "zhang.wei")
    other = open_desk(browser, live, "li.na")
    lists: list[str] = []
    officer.on("request", lambda r: lists.append(r.url) if "/api/alerts?" in r.url else None)

    assert live.app is not None
    bus: InProcessBus = live.app.state.event_bus
    now = datetime.now(UTC)
    event = Event(camera_id="jsl-gate", kind="intrusion", rule_id="gate-intrusion", tier=3,
                  started_at=now, updated_at=now, pts=12.0, zone_id="gate",
                  message="禁区内发现 1 人", snapshot=snapshot_jpeg())
    t0 = time.monotonic()
    bus.publish_threadsafe(event)
    card = officer.get_by_test_id("alert-card").first
    expect(card).to_be_visible()
    print(f"\nevent -> alert on the desk: {(time.monotonic() - t0) * 1000:.0f} ms")
    expect(card).to_have_attribute("data-state", "new")
    expect(card).to_contain_text("橙色")
    expect(card).to_contain_text("江苏路地铁站 2 号口")
    assert lists == [], f"the desk reloaded the list instead of receiving the alert: {lists}"
    other_card = other.get_by_test_id("alert-card").first
    expect(other_card).to_have_attribute("data-state", "new")

    card.get_by_test_id("alert-ack").click()  # one click
    expect(card).to_have_attribute("data-state", "acknowledged")
    expect(other_card).to_have_attribute("data-state", "acknowledged")  # live on the other desk

    card.click()
    expect(officer.get_by_test_id("evidence-snapshot")).to_be_visible()
    expect(officer.get_by_test_id("evidence-live")).to_have_attribute("href", "/live/jsl-gate")
    officer.get_by_test_id("action-dispatch").click()
    dialog = officer.get_by_test_id("dialog-dispatch")
    dialog.get_by_test_id("dispatch-unit").select_option("jiangsulu")
    dialog.get_by_test_id("dispatch-assignee").fill("江苏路城管中队 王队长")
    dialog.get_by_test_id("dialog-text").fill("立即到场核实，劝离禁区人员")
    dialog.get_by_test_id("dialog-submit").click()
    expect(dialog).to_be_hidden()
    expect(officer.get_by_test_id("panel-state")).to_have_text("已派发")
    expect(other_card).to_have_attribute("data-state", "dispatched")

    other_card.click()
    expect(other.get_by_test_id("panel-dispatch-to")).to_contain_text("江苏路街道")
    steps = other.get_by_test_id("timeline-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text("张伟")
    expect(steps.nth(2)).to_contain_text("王队长")
    expect(officer.get_by_test_id("stat-total")).to_have_text("1")  # today's statistics
    expect(officer.get_by_test_id("stat-kinds")).to_contain_text("区域入侵")
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=str(SHOTS / "desk-zh.png"))
    officer.get_by_test_id("lang-toggle").click()
    expect(officer.get_by_test_id("panel-state")).to_have_text("Dispatched")
    officer.screenshot(path=str(SHOTS / "desk-en.png"))
    assert getattr(officer, "js_errors") == []  # noqa: B009
    assert getattr(other, "js_errors") == []  # noqa: B009
    officer.context.close()
    other.context.close()
