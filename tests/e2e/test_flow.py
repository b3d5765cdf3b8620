"""Crowd-flow dashboard in Chromium: on a fresh server the simulated demo areas fill, forecasts
are made, and every chart of /flow renders with data, labelled 模拟数据."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from flow.service import FlowService
from flow.warning import Outlook, WarningTracker
from tests.live import LiveServer, start_live_server

pytestmark = [pytest.mark.e2e]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
ROOT = Path(__file__).resolve().parents[2]
CHARTS = ["flow-series-chart", "flow-inout-chart", "flow-dwell-chart", "flow-od-chart",
          "flow-modes-chart"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    with start_live_server(tmp_path_factory.mktemp("flow-e2e"), flow_simulate=True) as server:
        yield server


def wait_for_forecasts(live: LiveServer, timeout_s: float = 90.0) -> list[dict[str, object]]:
    with live.client(live.admin_token()) as c:
        deadline = time.monotonic() + timeout_s
        while True:
            areas: list[dict[str, object]] = c.get("/api/flow/areas").json()
            if areas and all(a["forecast_30m"] is not None for a in areas):
                return areas
            if time.monotonic() > deadline:
                pytest.fail(f"no forecasts within {timeout_s:.0f} s: {areas}")
            time.sleep(0.5)


@pytest.mark.timeout(240)
def test_dashboard_renders_every_chart_with_data(browser: Browser, live: LiveServer) -> None:
    areas = wait_for_forecasts(live)
    assert {a["name"] for a in areas} >= {"龙之梦购物中心", "来福士广场", "兆丰广场"}
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live.base_url + "/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(live.admin_password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-flow").click()
    expect(page.get_by_test_id("flow-simulated")).to_have_text("模拟数据")
    for a in areas:
        expect(page.get_by_test_id(f"flow-card-{a['id']}")).to_contain_text(str(a["name"]))
        gauge = page.get_by_test_id(f"flow-gauge-{a['id']}")
        expect(gauge.locator("canvas")).to_have_count(1)
        expect(page.get_by_test_id(f"flow-plan-{a['id']}")).to_be_visible()
    for chart in CHARTS:
        el = page.get_by_test_id(chart)
        expect(el.locator("canvas")).to_have_count(1, timeout=15_000)
        expect(el).not_to_have_attribute("data-points", "0", timeout=15_000)
    series_points = int(page.get_by_test_id("flow-series-chart").get_attribute("data-points") or 0)
    assert series_points > 100  # 12 hours of minutes plus the forecast
    page.get_by_test_id(f"flow-card-{areas[1]['id']}").click()
    expect(page.get_by_test_id("flow-series-chart")).to_have_attribute(
        "aria-label", f"{areas[1]['name']} · 近12小时人数与未来1小时预测")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "flow-dashboard.png"), full_page=True)
    assert errors == []


def test_forecast_warning_reaches_the_duty_desk(live: LiveServer) -> None:
    assert live.app is not None
    flow: FlowService = live.app.state.flow
    area = flow.area("raffles")
    assert area is not None
    outlook = Outlook(datetime.now(UTC), 1000.0, (15, 30, 60), (5000.0, 7800.0, 8000.0), True)
    [event] = WarningTracker().step(area, outlook)
    live.app.state.event_bus.publish_threadsafe(event)
    with live.client(live.admin_token()) as c:
        deadline = time.monotonic() + 15
        while True:
            alerts = c.get("/api/alerts").json()
            # The service's own warnings for this area may already be on the desk: the desk
            # merges ours into that alert and raises its tier.
            mine = [a for a in alerts if a["kind"] == "flow_forecast"
                    and a["camera_id"] == "flow-raffles" and a["tier"] == 3]
            if mine:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the forecast warning did not reach the desk: {alerts}")
            time.sleep(0.3)
    assert "来福士广场：预计" in mine[0]["message"]
