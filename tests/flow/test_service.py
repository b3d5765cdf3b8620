"""FlowService end to end: simulated history, live minutes, forecasts, the API, and stopping."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from auth.accounts import Role, add_user, seed_site
from auth.tokens import TokenCodec
from config import SiteConfig
from db.database import Database
from events.bus import InProcessBus
from flow.areas import DEMO_AREAS, AreaConfig, FlowSettings, ZoneRef
from flow.metrics import area_scope
from flow.router import router
from flow.service import FlowService
from vision.analytics import CameraState, ZoneCount
from vision.detections import Detections

CODEC = TokenCodec("flow-test-secret-" + "x" * 40, timedelta(hours=1))
SMALL = FlowSettings(areas=[a for a in DEMO_AREAS if a.id in ("zhaofeng", "metro")],
                     sim_days=15)


async def _until_ready(flow: FlowService) -> None:
    async with asyncio.timeout(90.0):
        await flow.forecasted.wait()
    assert flow.ready
    assert len(flow.forecasts) == len(flow.areas)


async def test_simulated_history_forecasts_and_stop(database: Database) -> None:
    bus = InProcessBus()
    await bus.start()
    flow = FlowService(database, bus, SMALL)
    await flow.start()
    try:
        await _until_ready(flow)
        now = flow.now()
        for area in flow.areas:
            minutes = flow.store.series(area_scope(area.id), "count", 60,
                                        now - timedelta(hours=2), now)
            assert len(minutes.t) >= 100
            assert minutes.simulated
            fc = flow.forecasts[area.id]
            assert fc.ahead_min[0] <= 15
            assert fc.ahead_min[-1] >= 60
            assert all(lo <= m <= hi for lo, m, hi in zip(fc.lo, fc.mean, fc.hi, strict=True))
    finally:
        await flow.stop()
        await bus.stop()
    assert not flow.running
    assert not flow.live.running


def _state(t: float, count: float) -> CameraState:
    zc = ZoneCount("gate", count, "detector", int(count), None, {"person": int(count)})
    return CameraState(camera_id="cam-1", seq=1, pts=t, captured_at=t,
                       detections=Detections.empty(640, 360), zones={"gate": zc}, lines={},
                       people=zc, open_events=())


def test_live_states_become_area_minutes(database: Database) -> None:
    area = AreaConfig(id="gate", name="入口", capacity=100,
                      zones=[ZoneRef(camera="cam-1", zone="gate")])
    flow = FlowService(database, InProcessBus(), FlowSettings(areas=[area], simulate=False))
    t0 = 1_800_000_000.0 - 1_800_000_000.0 % 60
    for i, c in enumerate((10.0, 20.0, 30.0)):
        flow.on_state(_state(t0 + i, c))
    assert flow.live.step(t0 + 64) == 1
    s = flow.store.series(area_scope("gate"), "count", 60, flow.now() - timedelta(days=3650),
                          flow.now() + timedelta(days=3650))
    assert s.values == [20.0]
    assert not s.simulated


@asynccontextmanager
async def _app(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    bus = InProcessBus()
    flow = FlowService(database, bus, SMALL)
    app = FastAPI()
    app.state.database, app.state.tokens, app.state.flow = database, CODEC, flow
    app.include_router(router)
    with database.session() as s:
        seed_site(s, SiteConfig.model_validate({"units": [{"id": "district", "name": "长宁区"}]}))
        s.flush()
        add_user(s, username="viewer", password="a-long-password-1", role=Role.PATROLLER)
    await bus.start()
    await flow.start()
    try:
        await _until_ready(flow)
        headers = {"Authorization": f"Bearer {CODEC.issue('viewer')}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://flow",
                                     headers=headers) as client:
            yield client
    finally:
        await flow.stop()
        await bus.stop()


async def test_api_areas_series_forecast_and_summary(database: Database) -> None:
    async with _app(database) as c:
        areas = (await c.get("/api/flow/areas")).json()
        assert [a["id"] for a in areas] == ["zhaofeng", "metro"]
        assert areas[0]["name"] == "兆丰广场"
        assert areas[0]["simulated"] is True
        assert areas[0]["count"] is not None
        assert areas[0]["forecast_30m"] is not None
        assert [t["name_zh"] for t in areas[0]["tiers"]] == ["蓝色", "黄色", "橙色", "红色"]
        r = await c.get("/api/flow/areas/metro/series", params={"metric": "count", "step": "15m"})
        body = r.json()
        assert r.status_code == 200
        assert body["step_s"] == 900
        assert len(body["values"]) >= 90
        assert np.isfinite(body["values"]).all()
        fc = (await c.get("/api/flow/areas/metro/forecast")).json()
        assert len(fc["mean"]) >= 4
        assert "SARIMAX" in fc["method"]
        summary = (await c.get("/api/flow/summary")).json()
        assert sum(summary["dwell"]["zhaofeng"]) > 0
        assert {(lk["source"], lk["target"]) for lk in summary["od"]} == {
            ("zhaofeng", "metro"), ("metro", "zhaofeng")}
        assert (await c.get("/api/flow/areas/nowhere/series")).status_code == 404
        bad = await c.get("/api/flow/areas/metro/series", params={"metric": "age"})
        assert bad.status_code == 422
        assert "unknown metric" in bad.json()["detail"]
        assert (await c.get("/api/flow/areas/metro/series",
                            params={"step": "7m"})).status_code == 422


@pytest.mark.parametrize("path", ["/api/flow/areas", "/api/flow/summary"])
async def test_api_needs_a_login(database: Database, path: str) -> None:
    app = FastAPI()
    app.state.database, app.state.tokens = database, CODEC
    app.state.flow = FlowService(database, InProcessBus(), FlowSettings(simulate=False))
    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://flow") as c:
        assert (await c.get(path)).status_code == 401


async def test_stop_during_seeding_ends_every_thread(database: Database) -> None:
    flow = FlowService(database, InProcessBus(), FlowSettings(sim_days=30))
    await flow.start()
    await asyncio.sleep(0.5)  # the seeding child is writing weeks of history now
    await flow.stop(join_timeout_s=10.0)
    assert not flow.running
    assert not flow.live.running
    assert not any(t.name in ("flow-seed", "flow-live") and t.is_alive()
                   for t in threading.enumerate())
    assert not [p for p in multiprocessing.active_children() if p.name == "flow-seed"]
