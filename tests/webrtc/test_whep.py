"""Python WHEP viewers (aiortc, frames completed on the marker bit) watch a camera fed by a
shared clip: frames arrive, four viewers share one ingest decode, overlays match frames."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from streams.webrtc.client import WhepViewer
from streams.webrtc.packets import RTP_MASK, to_ticks
from tests.live import LiveServer
from tests.webrtc.conftest import add_camera, live_status, metrics_text, wait_online

pytestmark = [pytest.mark.media]


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        m = re.match(rf"^{name}(?:_total)?(?:\{{([^}}]*)\}})? (\S+)$", line)
        if m and (m.group(1) or "") == want:
            return float(m.group(2))
    raise AssertionError(f"metric {name}{{{want}}} not found")


async def start_camera(server: LiveServer, clip: Path, cid: str = "jsl-1") -> str:
    admin = server.admin_token()
    add_camera(server, admin, cid, str(clip), "jiangsulu")
    await asyncio.to_thread(wait_online, server, admin, cid)
    return admin


async def test_viewer_negotiates_receives_frames_and_is_audited(
    live_server: LiveServer, shared_clip: Path
) -> None:
    admin = await start_camera(live_server, shared_clip)
    viewer = WhepViewer(live_server.base_url, "jsl-1", admin)
    await viewer.connect()
    try:
        assert viewer.location is not None
        assert viewer.location.startswith("/api/cameras/jsl-1/whep/")
        frames = [await viewer.next_frame() for _ in range(10)]
        assert {(f.image.width, f.image.height) for f in frames} == {(1920, 1080)}
        rtps = [f.rtp for f in frames if f.rtp is not None]
        assert len(rtps) == 10
        assert len(set(rtps)) == 10
        status = await asyncio.to_thread(live_status, live_server, admin, "jsl-1")
        assert (status["viewers"], status["mode"]) == (1, "passthrough")
    finally:
        assert await viewer.close() == 200
    with live_server.client(admin) as c:
        deadline = time.monotonic() + 10
        while True:
            rows = c.get("/api/live/sessions", params={"camera_id": "jsl-1"}).json()
            if (rows and rows[0]["ended_at"]) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        audit = c.get("/api/audit", params={"camera_id": "jsl-1"}).json()
    assert rows[0]["username"] == "admin"
    assert rows[0]["transport"] == "webrtc"
    assert rows[0]["ended_at"] is not None
    assert rows[0]["end_reason"] == "closed by the viewer"
    assert any(a["action"] == "live" for a in audit)


async def test_four_viewers_share_one_source_decode(
    live_server: LiveServer, shared_clip: Path
) -> None:
    admin = await start_camera(live_server, shared_clip)
    viewers = [WhepViewer(live_server.base_url, "jsl-1", admin) for _ in range(4)]
    for v in viewers:
        await v.connect()
    try:
        for v in viewers:
            for _ in range(3):
                await v.next_frame()
        before = await asyncio.to_thread(metrics_text, live_server)
        await asyncio.sleep(2.0)
        for v in viewers:
            await v.next_frame()
        after = await asyncio.to_thread(metrics_text, live_server)
        cam = {"camera": "jsl-1"}
        assert metric(after, "cityeye_live_viewers", camera="jsl-1", transport="webrtc") == 4
        assert metric(after, "cityeye_live_source_subscriptions", **cam) == 1
        assert metric(after, "cityeye_live_encoders_started", **cam) == 0
        relayed = (metric(after, "cityeye_live_packets_in", **cam)
                   - metric(before, "cityeye_live_packets_in", **cam))
        decoded = (metric(after, "cityeye_camera_frames_decoded", **cam)
                   - metric(before, "cityeye_camera_frames_decoded", **cam))
        assert relayed > 0
        # one ingest decode per source frame whatever the number of viewers (4x would be 4 decodes)
        assert decoded <= 1.5 * relayed + 30
        got = [v.buffer.frames for v in viewers]
        assert min(got) > 0
    finally:
        for v in viewers:
            await v.close()


async def test_overlay_keys_match_the_rtp_timestamps_of_frames(
    live_server: LiveServer, shared_clip: Path
) -> None:
    admin = await start_camera(live_server, shared_clip)
    viewer = WhepViewer(live_server.base_url, "jsl-1", admin)
    await viewer.connect()
    try:
        await viewer.next_frame()
        async with httpx.AsyncClient(base_url=live_server.base_url, timeout=10,
                                     headers={"Authorization": f"Bearer {admin}"}) as http:
            snap = await http.get("/api/cameras/jsl-1/snapshot.jpg", params={"full": "true"})
            for _ in range(50):
                if snap.status_code == 200:
                    break
                await asyncio.sleep(0.1)
                snap = await http.get("/api/cameras/jsl-1/snapshot.jpg", params={"full": "true"})
            pts = float(snap.headers["x-frame-pts"])
            overlay = {"camera_id": "jsl-1", "pts": pts, "people": 1, "boxes": [
                {"x1": 0.1, "y1": 0.2, "x2": 0.3, "y2": 0.6, "label": "person", "score": 0.8,
                 "track_id": 5}]}
            r = await http.post("/api/cameras/jsl-1/overlay", json=overlay)
            assert r.status_code == 202, r.text
        deadline = time.monotonic() + 10
        while not viewer.overlays or viewer.clock is None:
            assert time.monotonic() < deadline, "no overlay / clock message on the data channel"
            await viewer.next_frame()
        got = viewer.overlays[0]
        assert got.ticks == to_ticks(pts)
        assert got.frame.boxes[0].track_id == 5
        expected_rtp = (viewer.clock.origin + got.ticks) & RTP_MASK
        # the frame the snapshot showed was sent with exactly that RTP timestamp
        seen = {ts for ts, _ in viewer.buffer.arrivals}
        deadline = time.monotonic() + 5
        while expected_rtp not in seen and time.monotonic() < deadline:
            await viewer.next_frame()
            seen = {ts for ts, _ in viewer.buffer.arrivals}
        assert expected_rtp in seen
    finally:
        await viewer.close()
