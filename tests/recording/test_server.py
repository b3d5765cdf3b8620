"""Recording in a real server: a looping file camera is recorded into playable segments; the
REST API (list, video with Range and ?token=, at, timeline, policy), event clips, retention,
and a restart on the same data dir."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.accounts import Role
from events.bus import InProcessBus
from events.model import Event
from recording.service import RecordingService
from tests.live import LiveServer, start_live_server
from tests.media import make_clip
from tests.recording.helpers import decode_frames, wait_for

CAM = "rec-cam"
SETTINGS: dict[str, Any] = {"recording_enabled": True, "recording_segment_s": 2,
                            "recording_clip_pre_s": 2.0, "recording_clip_post_s": 2.0}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("media") / "street.mp4", seconds=6, width=320,
                     height=240)


def add_camera(live: LiveServer, token: str, clip: Path) -> None:
    with live.client(token) as c:
        r = c.post("/api/cameras", params={"check": "false"}, json={
            "id": CAM, "name": "录像测试", "url": str(clip), "unit": "jiangsulu"})
    assert r.status_code == 201, r.text


def closed(c: httpx.Client, n: int, after: int = 0) -> list[dict[str, Any]]:
    def check() -> list[dict[str, Any]] | None:
        segs: list[dict[str, Any]] = c.get(f"/api/recordings/{CAM}/segments").json()
        done = [s for s in segs if not s["open"] and s["id"] > after]
        return segs if len(done) >= n else None

    return wait_for(check, 60, f"{n} finished segments")


@pytest.fixture
def live(tmp_path: Path, clip: Path) -> Iterator[tuple[LiveServer, str]]:
    with start_live_server(tmp_path / "data", **SETTINGS) as server:
        token = server.admin_token()
        add_camera(server, token, clip)
        yield server, token


def test_segments_play_and_the_video_is_served_with_range_and_token(
    live: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, token = live
    with server.client(token) as c:
        segs = closed(c, 2)
        seg = next(s for s in segs if not s["open"])
        assert seg["codec"] == "h264"
        assert (seg["width"], seg["height"]) == (320, 240)
        assert seg["duration"] == pytest.approx(seg["end"] - seg["start"])
        assert 1.5 <= seg["duration"] <= 4
        assert [s["start"] for s in segs] == sorted(s["start"] for s in segs)
        url = seg["url"]
        assert url == f"/api/recordings/{CAM}/segments/{seg['id']}/video"
        with server.client() as anon:
            whole = anon.get(url, params={"token": token})
            assert whole.status_code == 200
            assert whole.headers["content-type"] == "video/mp4"
            assert len(whole.content) == seg["bytes"]
            assert anon.get(url).status_code == 401
            assert anon.get(url, params={"token": "forged"}).status_code == 401
            part = anon.get(url, params={"token": token}, headers={"Range": "bytes=100-299"})
        assert part.status_code == 206
        assert part.content == whole.content[100:300]
        assert part.headers["content-range"] == f"bytes 100-299/{len(whole.content)}"
        (tmp_path / "seg.mp4").write_bytes(whole.content)
        frames, width, _, tag = decode_frames(tmp_path / "seg.mp4")
        assert frames >= 25
        assert (width, tag) == (320, "avc1")

        t = seg["start"] + 1.0
        at = c.get(f"/api/recordings/{CAM}/at", params={"t": t}).json()
        assert at["segment"]["id"] == seg["id"]
        assert at["offset_s"] == pytest.approx(1.0)
        r = c.get(f"/api/recordings/{CAM}/at", params={"t": 1000.0})
        assert r.status_code == 404
        assert "nothing was recorded" in r.json()["detail"]

        tl = c.get(f"/api/recordings/{CAM}/timeline",
                   params={"since": seg["start"] - 60, "until": seg["start"] + 60,
                           "buckets": 12}).json()
        assert len(tl["buckets"]) == 12
        assert tl["coverage"][0][0] == pytest.approx(seg["start"], abs=0.01)
        assert all(b["events"] == 0 and b["markers"] == 0 for b in tl["buckets"])
        bad = c.get(f"/api/recordings/{CAM}/timeline", params={"since": 10, "until": 5})
        assert bad.status_code == 422
        assert c.get(f"/api/recordings/{CAM}/timeline", params={"buckets": 0}).status_code == 422


def test_unknown_camera_unit_scoping_and_policy_rights(live: tuple[LiveServer, str]) -> None:
    server, token = live
    officer = server.add_account("officer-h", Role.DUTY_OFFICER, unit="huayanglu")
    local = server.add_account("officer-j", Role.DUTY_OFFICER, unit="jiangsulu")
    with server.client(token) as c:
        r = c.get("/api/recordings/nope/segments")
        assert r.status_code == 404
        assert "camera 'nope' does not exist" in r.json()["detail"]
        assert c.get("/api/recordings/nope/timeline").status_code == 404
        policy = c.get(f"/api/recordings/{CAM}/policy").json()
        assert policy["enabled"] is True
        assert policy["custom"] is False
        assert policy["retain_days"] == 7
        r = c.put(f"/api/recordings/{CAM}/policy",
                  json={"enabled": True, "retain_days": None, "retain_gb": None})
        assert r.status_code == 422
        assert "retain_days or retain_gb" in r.text
        r = c.put(f"/api/recordings/{CAM}/policy",
                  json={"enabled": True, "retain_days": 3, "retain_gb": 2.5})
        assert r.status_code == 200, r.text
        assert (r.json()["retain_days"], r.json()["retain_gb"], r.json()["custom"]) == (3, 2.5,
                                                                                      True)
    with server.client(officer) as c:
        assert c.get(f"/api/recordings/{CAM}/segments").status_code == 403
    with server.client(local) as c:
        assert c.get(f"/api/recordings/{CAM}/segments").status_code == 200
        r = c.put(f"/api/recordings/{CAM}/policy",
                  json={"enabled": False, "retain_days": 1, "retain_gb": None})
        assert r.status_code == 403
        assert c.get(f"/api/recordings/{CAM}/policy").json()["enabled"] is True


def test_event_clip_is_cut_around_the_event(live: tuple[LiveServer, str], tmp_path: Path) -> None:
    server, token = live
    assert server.app is not None
    bus: InProcessBus = server.app.state.event_bus
    with server.client(token) as c:
        first = closed(c, 1)[0]
        # the recording must hold the 2 s before the event: packets are stamped as they are
        # demuxed, a few frames before the paced frames, so a first closed 2 s segment may
        # end just after now
        wait_for(lambda: time.time() - 2.0 > first["start"] + 0.2, 10, "2 s of pre-roll")
        now = datetime.now(UTC)
        event = Event(camera_id=CAM, kind="intrusion", tier=3, started_at=now, updated_at=now,
                      pts=0.0, message="测试")
        url = f"/api/recordings/clips/{event.id}"
        assert c.get(url).status_code == 404
        bus.publish_threadsafe(event)
        def ready() -> httpx.Response | None:
            got = c.get(url)
            return got if got.status_code == 200 else None

        r = wait_for(ready, 60, "the clip")
        assert r.headers["content-type"] == "video/mp4"
        with server.client() as anon:
            assert anon.get(url).status_code == 401
            assert anon.get(url, params={"token": token}).content == r.content
        assert c.get(f"/api/recordings/clips/{uuid.uuid4()}").status_code == 404
    (tmp_path / "clip.mp4").write_bytes(r.content)
    frames = decode_frames(tmp_path / "clip.mp4")[0]
    assert 4 * 25 <= frames <= 6 * 25 + 5  # 2 s before + 2 s after, from a keyframe


def test_retention_deletes_the_oldest_segments(live: tuple[LiveServer, str]) -> None:
    server, token = live
    assert server.app is not None
    service: RecordingService = server.app.state.recording
    with server.client(token) as c:
        segs = closed(c, 3)
        keep_bytes = sum(s["bytes"] for s in segs) - segs[0]["bytes"] // 2  # the oldest must go
        r = c.put(f"/api/recordings/{CAM}/policy",
                  json={"enabled": True, "retain_days": None, "retain_gb": keep_bytes / 1e9})
        assert r.status_code == 200, r.text
        assert service.sweep() >= 1
        after = c.get(f"/api/recordings/{CAM}/segments").json()
        left = {s["id"] for s in after}
        gone = [s["id"] for s in segs if s["id"] not in left]
        assert gone
        assert gone == [s["id"] for s in segs][: len(gone)]  # the oldest went first
        assert any(s["open"] for s in after) or service.is_recording(CAM)
        assert c.get(f"/api/recordings/{CAM}/segments/{gone[0]}/video").status_code == 404
        c.put(f"/api/recordings/{CAM}/policy",
              json={"enabled": True, "retain_days": 1e-9, "retain_gb": None})
        swept_at = time.time()
        service.sweep()
        remaining = c.get(f"/api/recordings/{CAM}/segments").json()
        # only the segment being written is left (or one that closed during the sweep)
        assert all(s["open"] or s["end"] > swept_at - 3 for s in remaining)
        assert len(remaining) <= 2


def test_recording_survives_a_restart(tmp_path: Path, clip: Path) -> None:
    data = tmp_path / "data"
    with start_live_server(data, **SETTINGS) as server:
        token = server.admin_token()
        add_camera(server, token, clip)
        with server.client(token) as c:
            before = closed(c, 2)
    with start_live_server(data, **SETTINGS) as server:
        token = server.admin_token()
        with server.client(token) as c:
            now = c.get(f"/api/recordings/{CAM}/segments").json()
            old = {s["id"]: s for s in now}
            for s in before:
                assert s["id"] in old
                assert not old[s["id"]]["open"]  # closed on stop (or by the reindex)
            last = max(old)
            r = c.get(before[0]["url"])
            assert r.status_code == 200
            (tmp_path / "old.mp4").write_bytes(r.content)
            assert decode_frames(tmp_path / "old.mp4")[0] >= 25
            after = closed(c, 1, after=last)
            assert max(s["id"] for s in after) > last
