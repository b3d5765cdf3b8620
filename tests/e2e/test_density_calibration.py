"""An admin calibrates a camera's crowd-density count in the browser: uploads three Mall frames
with their annotated heads (a points file per frame, as a site would after clicking them),
presses 校准, and sees the error before and after; the correction is stored for the camera."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.media]

SHOTS = Path(os.environ.get("CITYEYE_SCREENSHOTS", "data/screenshots"))
CAMERA = "demo-mall-entrance-zayed"
FRAMES = (100, 400, 700)  # Mall training frames (never the evaluation ones)


def mall_heads(media_dir: Path, tmp_path: Path, n: int) -> tuple[Path, Path, int]:
    """The frame's JPEG, a JSON points file of its annotated heads (pixels), and the count."""
    from scipy.io import loadmat

    root = media_dir / "crowd-train" / "Mall"
    gt = loadmat(str(root / "mall_gt.mat"))
    loc = np.asarray(gt["frame"][0][n - 1][0][0]["loc"], dtype=np.float64).reshape(-1, 2)
    points = tmp_path / f"heads-{n}.json"
    points.write_text(json.dumps([[float(x), float(y)] for x, y in loc]), encoding="utf-8")
    image = root / "frames" / f"seq_{n:06d}.jpg"
    if not image.is_file():
        pytest.fail(f"missing {image}: CITYEYE_MEDIA_DIR must hold crowd-train/Mall", pytrace=False)
    return image, points, len(loc)


def test_admin_calibrates_density_from_annotated_frames(
    browser: Browser, demo_server: Served, media_dir: Path, tmp_path: Path
) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(demo_server.url + "/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(demo_server.admin_password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-settings").click()
    row = page.locator(f'[data-testid="camera-row"][data-camera-id="{CAMERA}"]')
    expect(row).to_be_visible(timeout=30_000)
    row.get_by_test_id("camera-density").click()
    expect(page.get_by_test_id("density-calibration")).to_be_visible()
    expect(page.get_by_test_id("dc-none")).to_be_visible()  # not calibrated yet

    heads = []
    for i, n in enumerate(FRAMES):
        image, points, count = mall_heads(media_dir, tmp_path, n)
        heads.append(count)
        page.get_by_test_id("dc-upload-image").set_input_files(str(image))
        expect(page.get_by_test_id("dc-thumb")).to_have_count(i + 1)
        page.get_by_test_id("dc-upload-points").set_input_files(str(points))
    page.get_by_test_id("dc-calibrate").click()

    result = page.get_by_test_id("dc-result")
    expect(result).to_be_visible(timeout=60_000)
    rows = result.locator("tbody tr")
    expect(rows).to_have_count(len(FRAMES))
    truths = [int(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(len(FRAMES))]
    assert truths == heads  # every uploaded head reached the server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "density-calibration.png"), full_page=True)

    with httpx.Client(base_url=demo_server.url, timeout=10) as c:
        login = c.post("/api/auth/login",
                       json={"username": "admin", "password": demo_server.admin_password})
        token = login.json()["access_token"]
        stored = c.get(f"/api/cameras/{CAMERA}/density-calibration",
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert stored["calibrated"]
    report = stored["report"]
    assert report["frames"] == len(FRAMES)
    assert report["points"] == sum(heads)
    assert report["evaluated_on"] == "held-out"
    assert report["mae_after"] >= 0
    # A calibration that made the held-out error larger comes with the advice to clear it.
    worse = page.get_by_test_id("dc-worse")
    if report["mae_after"] > report["mae_before"]:
        expect(worse).to_be_visible()
        expect(worse).to_contain_text("建议清除校准")
    else:
        expect(worse).to_have_count(0)
    page.context.close()
