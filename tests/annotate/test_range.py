"""A board over an alert's recorded time range: its range is the event clip's window
[start − clip_pre_s, start + clip_post_s], and the camera's recording covers that range."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.annotate.test_evidence import raise_alert
from tests.live import LiveServer, start_live_server
from tests.media import make_clip

CAM = "rec-gate"
PRE_S, POST_S = 3.0, 2.0


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    clip = make_clip(tmp_path / "gate.mp4", seconds=4, width=320, height=240)
    with start_live_server(tmp_path / "data", recording_enabled=True, recording_segment_s=2,
                           recording_clip_pre_s=PRE_S, recording_clip_post_s=POST_S) as server:
        token = server.admin_token()
        with server.client(token) as c:
            r = c.post("/api/cameras", params={"check": "false"}, json={
                "id": CAM, "name": "江苏路 录像口", "url": str(clip), "unit": "jiangsulu"})
            assert r.status_code == 201, r.text
        yield server, token


def _poll(c: httpx.Client, what: str, check: Any, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (got := check(c)):
        assert time.monotonic() < deadline, f"{what} not within {timeout_s} s"
        time.sleep(0.2)
    return got


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def test_a_range_board_spans_the_alerts_recording(recorded: tuple[LiveServer, str]) -> None:
    server, token = recorded
    with server.client(token) as c:  # recording runs before the alert: pre-roll exists
        _poll(c, "a first recorded segment", lambda c: len(
            c.get(f"/api/recordings/{CAM}/segments").json()) >= 2)
    time.sleep(PRE_S)
    alert_id = raise_alert(server, token, CAM)
    with server.client(token) as c:
        alert = c.get(f"/api/alerts/{alert_id}").json()
        r = c.post("/api/boards", json={"title": "录像标注", "alert_id": alert_id, "kind": "range"})
        assert r.status_code == 201, r.text
        board = r.json()
        assert (board["kind"], board["camera_id"]) == ("range", CAM)
        started = datetime.fromisoformat(alert["first_event_at"])
        assert datetime.fromisoformat(board["frame_at"]) == started - timedelta(seconds=PRE_S)
        assert datetime.fromisoformat(board["range_end"]) == started + timedelta(seconds=POST_S)
        since, until = _epoch(board["frame_at"]), _epoch(board["range_end"])

        seen: list[list[dict[str, Any]]] = [[]]

        def covered(c: httpx.Client) -> list[dict[str, Any]] | None:
            segs: list[dict[str, Any]] = c.get(f"/api/recordings/{CAM}/segments", params={
                "since": since, "until": until}).json()
            seen[0] = segs
            return segs if segs and segs[-1]["end"] >= until else None

        try:
            segs = _poll(c, "the recording of the board's range", covered)
        except AssertionError as exc:  # say what was recorded (found the segment-gap race)
            latest = c.get(f"/api/recordings/{CAM}/segments").json()[-3:]
            status = c.get(f"/api/cameras/{CAM}").json()
            raise AssertionError(
                f"{exc}; range {since:.2f}-{until:.2f}, segments in it {seen[0]},"
                f" latest segments {latest}, camera {status}, now {time.time():.2f}"
            ) from exc
        assert segs[0]["start"] <= since  # the range is recorded from its first moment
        for a, b in itertools.pairwise(segs):  # without holes
            assert b["start"] - a["end"] < 0.5
        for t in (since, (since + until) / 2, until):  # what the board's player asks for
            at = c.get(f"/api/recordings/{CAM}/at", params={"t": t})
            assert at.status_code == 200, at.text
            seg = at.json()["segment"]
            assert seg["start"] <= t <= seg["end"]
            assert at.json()["offset_s"] == pytest.approx(t - seg["start"])
            video = c.get(seg["url"], headers={"Range": "bytes=0-99"})
            assert video.status_code == 206

        event = alert["first_event_id"]  # the event clip is cut over the same window
        clip = _poll(c, "the event clip", lambda c: (
            r if (r := c.get(f"/api/recordings/clips/{event}")).status_code == 200 else None))
        assert clip.headers["content-type"] == "video/mp4"

        frame = c.post("/api/boards", json={"title": "抓拍标注", "alert_id": alert_id}).json()
        assert (frame["kind"], frame["range_end"]) == ("frame", None)  # a frozen frame only
