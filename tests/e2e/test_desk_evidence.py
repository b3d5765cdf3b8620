"""Drawing-board evidence on the duty desk in Chromium: a board PNG exported for an alert shows
as a thumbnail in that alert's evidence panel and opens full size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.annotate.test_evidence import raise_alert
from tests.e2e.conftest import STREET_CAMERA, two_officers_server
from tests.e2e.test_desk import open_desk
from tests.live import LiveServer

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with two_officers_server(tmp_path / "data") as server:
        yield server


def test_exported_board_appears_in_the_alert_evidence(browser: Browser, live: LiveServer
                                                      ) -> None:
    admin = live.admin_token()
    alert_id = raise_alert(live, admin, STREET_CAMERA)
    with live.client(admin) as c:
        board = c.post("/api/boards", json={"title": "告警标注", "alert_id": alert_id}).json()
        saved = c.post(f"/api/boards/{board['id']}/exports", json={})
        assert saved.status_code == 201, saved.text
    page = open_desk(browser, live, "zhang.wei")
    page.get_by_test_id("alert-card").first.click()
    expect(page.get_by_test_id("evidence-boards")).to_contain_text("告警标注")
    thumb = page.get_by_test_id(f"evidence-board-{saved.json()['id']}")
    expect(thumb.locator("img")).to_be_visible()
    thumb.click()
    full = page.get_by_test_id("evidence-full")
    expect(full).to_be_visible()
    width = full.evaluate("img => img.naturalWidth")
    assert width == 640  # the full-size PNG of the alert's frame
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("evidence-lightbox")).to_have_count(0)
    assert getattr(page, "js_errors") == []  # noqa: B009
    page.context.close()
