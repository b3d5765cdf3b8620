"""Editing the geo model in Chromium: a POI is renamed and moved on the site map (its label
changes), a bad value shows the API's message, a POI is deleted, the origin is edited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.annotate.helpers import add_camera
from tests.e2e.conftest import ROOT, Served
from tests.e2e.test_live import login
from tests.geo.onvif_camera import fake_camera
from tests.live import LiveServer, start_live_server

pytestmark = [pytest.mark.e2e]

POSE = {"east": 0.0, "north": -60.0, "up": 20.0, "yaw": 0.0, "pitch": 15.0, "hfov": 60.0,
        "width": 1920, "height": 1080, "range_m": 120.0}


@pytest.fixture
def geo_server(tmp_path: Path) -> Iterator[LiveServer]:
    if not (ROOT / "webui" / "dist" / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make webui`", pytrace=False)
    with start_live_server(tmp_path / "data") as server:
        admin = server.admin_token()
        add_camera(server, admin, "high", "jiangsulu")
        with server.client(admin) as c:
            assert c.put("/api/geo/cameras/high", json=POSE).is_success
            for pid, name, east in (("mall", "龙之梦购物中心", 5.0), ("kiosk", "报刊亭", -20.0)):
                r = c.post("/api/geo/pois", json={"id": pid, "name": name, "kind": "building",
                                                  "east": east, "north": 20.0, "height": 30.0})
                assert r.status_code == 201, r.text
        yield server


def _open_map(browser: Browser, server: LiveServer) -> Page:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    login(page, Served(url=server.base_url, admin_password=server.admin_password))
    page.goto(f"{server.base_url}/map")
    expect(page.get_by_test_id("map-poi-name-mall")).to_have_text("龙之梦购物中心")
    return page


def test_editing_a_poi_changes_its_label_on_the_site_map(browser: Browser,
                                                          geo_server: LiveServer) -> None:
    page = _open_map(browser, geo_server)
    page.get_by_test_id("map-poi-mall").click()  # select it on the plan
    expect(page.get_by_test_id("poi-field-name")).to_have_value("龙之梦购物中心")
    page.get_by_test_id("poi-field-name").fill("来福士广场")
    page.get_by_test_id("poi-field-height").fill("tall")
    page.get_by_test_id("poi-save").click()
    expect(page.get_by_test_id("poi-error")).to_contain_text("height")  # the API's message
    expect(page.get_by_test_id("map-poi-name-mall")).to_have_text("龙之梦购物中心")
    page.get_by_test_id("poi-field-height").fill("12")
    page.get_by_test_id("poi-field-north").fill("35")
    page.get_by_test_id("poi-field-kind").select_option("entrance")
    page.get_by_test_id("poi-save").click()
    expect(page.get_by_test_id("map-poi-name-mall")).to_have_text("来福士广场")
    expect(page.get_by_test_id("poi-error")).to_have_count(0)
    with geo_server.client(geo_server.admin_token()) as c:
        mall = next(p for p in c.get("/api/geo/pois").json() if p["id"] == "mall")
        assert (mall["name"], mall["kind"], mall["north"], mall["height"]) == (
            "来福士广场", "entrance", 35.0, 12.0)
        labels = c.get("/api/geo/cameras/high/labels").json()["labels"]
        assert any(lab["key"] == "poi:mall" and lab["name"] == "来福士广场" for lab in labels)

    page.get_by_test_id("poi-edit-kiosk").click()
    page.get_by_test_id("poi-remove").click()
    page.get_by_test_id("poi-remove-confirm").click()
    expect(page.get_by_test_id("map-poi-kiosk")).to_have_count(0)
    page.close()


def test_editing_the_origin_validates_and_saves(browser: Browser,
                                                geo_server: LiveServer) -> None:
    page = _open_map(browser, geo_server)
    page.get_by_test_id("origin-edit").click()
    page.get_by_test_id("origin-field-name").fill("江苏路")
    page.get_by_test_id("origin-field-lat").fill("95")
    page.get_by_test_id("origin-save").click()
    expect(page.get_by_test_id("origin-error")).to_contain_text("lat")
    page.get_by_test_id("origin-field-lat").fill("31.2206")
    page.get_by_test_id("origin-field-lon").fill("121.4290")
    page.get_by_test_id("origin-save").click()
    expect(page.get_by_test_id("map-origin")).to_contain_text("江苏路")
    with geo_server.client(geo_server.admin_token()) as c:
        origin = c.get("/api/geo/origin").json()
        assert (origin["lat"], origin["lon"]) == (31.2206, 121.429)
    page.close()


def test_onvif_source_form_and_ar_labels_follow_the_camera(browser: Browser,
                                                           geo_server: LiveServer) -> None:
    with geo_server.client(geo_server.admin_token()) as c:
        assert c.put("/api/geo/cameras/high", json={**POSE, "ptz": "mechanical"}).is_success
        assert c.put("/api/geo/pois/mall", json={"name": "龙之梦购物中心", "east": 5.0,
                                                 "north": 20.0, "height": 5.0}).is_success
    with fake_camera() as camera:
        page = _open_map(browser, geo_server)
        page.goto(f"{geo_server.base_url}/ar/high/calibrate")
        form = page.get_by_test_id("ptz-source-editor")
        form.get_by_test_id("onvif-url").fill(camera.url)
        form.get_by_test_id("onvif-profile").fill(camera.profile)
        form.get_by_test_id("onvif-username").fill(camera.username)
        form.get_by_test_id("onvif-password").fill("wrong")
        form.get_by_test_id("onvif-interval_s").fill("0.3")
        form.get_by_test_id("onvif-save").click()
        status = form.get_by_test_id("onvif-status")
        expect(status).to_have_attribute("data-state", "error", timeout=10_000)
        expect(status).to_contain_text("NotAuthorized")
        form.get_by_test_id("onvif-password").fill(camera.password)
        form.get_by_test_id("onvif-save").click()
        expect(status).to_have_attribute("data-state", "ok", timeout=10_000)

        page.goto(f"{geo_server.base_url}/ar/high")
        expect(page.get_by_test_id("ar-ptz-live")).to_be_visible()
        label = page.get_by_test_id("ar-label-poi-mall")
        expect(label).to_be_visible()
        before = label.evaluate("el => parseFloat(el.style.left)")
        camera.position = (5.0 / 180.0, 0.0, 0.0)  # the camera pans 5° right
        page.wait_for_function(
            "x => { const el = document.querySelector('[data-testid=ar-label-poi-mall]');"
            " return el && parseFloat(el.style.left) < x - 1; }", arg=before, timeout=10_000)
        page.close()
