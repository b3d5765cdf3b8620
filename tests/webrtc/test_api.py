"""WHEP and live endpoints refuse what they must: 401, 403, 404, 503, 400, 415."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection

from auth.accounts import Role
from streams.webrtc.client import WhepError, WhepViewer
from tests.live import LiveServer, free_port
from tests.webrtc.conftest import add_camera, wait_online

pytestmark = [pytest.mark.media]


async def browser_like_offer() -> str:
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.createDataChannel("cityeye", negotiated=True, id=0)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


def post_offer(server: LiveServer, token: str | None, cid: str, body: str,
               ctype: str = "application/sdp") -> tuple[int, str]:
    with server.client(token) as c:
        r = c.post(f"/api/cameras/{cid}/whep", content=body.encode(),
                   headers={"Content-Type": ctype})
    detail = r.json().get("detail", "") if r.headers.get("content-type", "").startswith(
        "application/json") else r.text
    return r.status_code, str(detail)


async def test_whep_refusals(live_server: LiveServer, shared_clip: Path) -> None:
    admin = live_server.admin_token()
    add_camera(live_server, admin, "jsl-1", str(shared_clip), "jiangsulu")
    add_camera(live_server, admin, "hyl-1", str(shared_clip), "huayanglu")
    dead = f"rtsp://127.0.0.1:{free_port()}/stream"
    add_camera(live_server, admin, "jsl-dead", dead, "jiangsulu")
    street = live_server.add_account("jsl-patrol", Role.PATROLLER, "jiangsulu")
    await asyncio.to_thread(wait_online, live_server, admin, "jsl-1")
    offer = await browser_like_offer()

    assert (await asyncio.to_thread(post_offer, live_server, None, "jsl-1", offer))[0] == 401
    code, why = await asyncio.to_thread(post_offer, live_server, street, "hyl-1", offer)
    assert code == 403
    assert "another unit" in why
    code, why = await asyncio.to_thread(post_offer, live_server, street, "nope", offer)
    assert code == 404
    assert "does not exist" in why
    code, why = await asyncio.to_thread(post_offer, live_server, street, "jsl-dead", offer)
    assert code == 503
    assert "jsl-dead is" in why
    code, why = await asyncio.to_thread(post_offer, live_server, street, "jsl-1", "v=0\nbad")
    assert code == 400
    assert "video" in why
    code, why = await asyncio.to_thread(post_offer, live_server, street, "jsl-1", "garbage")
    assert code == 400
    code, _ = await asyncio.to_thread(post_offer, live_server, street, "jsl-1", offer,
                                      "application/json")
    assert code == 415

    # the street user may watch their own street's camera; only they (or an admin) end it
    viewer = WhepViewer(live_server.base_url, "jsl-1", street)
    await viewer.connect()
    try:
        assert viewer.location is not None
        other = live_server.add_account("jsl-other", Role.PATROLLER, "jiangsulu")
        with live_server.client(other) as c:
            assert c.delete(viewer.location).status_code == 403
        with live_server.client(street) as c:
            assert c.delete(viewer.location.replace("/jsl-1/", "/hyl-1/")).status_code == 404
            assert c.get("/api/cameras/hyl-1/live").status_code == 403
            assert c.get("/api/live/sessions").status_code == 403
    finally:
        assert await viewer.close() == 200
    with live_server.client(street) as c:
        assert c.delete(viewer.location).status_code == 404  # already gone


async def test_client_reports_the_refusal(live_server: LiveServer) -> None:
    viewer = WhepViewer(live_server.base_url, "missing", live_server.admin_token())
    with pytest.raises(WhepError) as err:
        await viewer.connect()
    assert err.value.status == 404
    await viewer.close()
