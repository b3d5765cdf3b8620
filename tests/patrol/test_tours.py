"""Patrol tours (轮巡) on a real server: CRUD scoped by unit, a run end to end with marker
summaries since the previous run, an "issue" that becomes a marker, and the saved report."""

from __future__ import annotations

from typing import Any

from tests.live import LiveServer
from tests.markers.helpers import next_message, ws_connect


def _tour(live: LiveServer, token: str, **body: Any) -> dict[str, Any]:
    with live.client(token) as c:
        r = c.post("/api/tours", json={"name": "早班轮巡", "camera_ids": ["jsl-2", "jsl-1"],
                                       "dwell_s": 20} | body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _marker(live: LiveServer, token: str, camera: str, text: str, **kw: Any) -> int:
    with live.client(token) as c:
        r = c.post("/api/markers", json={"camera_id": camera, "text": text} | kw)
    assert r.status_code == 201, r.text
    marker_id: int = r.json()["id"]
    return marker_id


def test_tours_crud_is_checked_and_scoped(live: LiveServer, tokens: dict[str, str]) -> None:
    tour = _tour(live, tokens["alice"])
    assert (tour["camera_ids"], tour["dwell_s"], tour["created_by"]) == (
        ["jsl-2", "jsl-1"], 20, "alice")
    with live.client(tokens["alice"]) as c:
        r = c.post("/api/tours", json={"name": "x", "camera_ids": ["jsl-1", "ghost", "hyl-1"]})
        assert r.status_code == 422
        assert "ghost" in r.text
        assert "hyl-1" in r.text
        assert "jsl-1" not in r.json()["detail"]
        bad: dict[str, Any]
        for bad in ({"camera_ids": []}, {"dwell_s": 3}, {"dwell_s": 601},
                    {"camera_ids": ["jsl-1", "jsl-1"]}, {"name": " "}):
            r = c.post("/api/tours", json={"name": "x", "camera_ids": ["jsl-1"]} | bad)
            assert r.status_code == 422, (bad, r.text)
    with live.client(tokens["carol"]) as c:  # 华阳路 cannot see 江苏路's tour
        assert tour["id"] not in [t["id"] for t in c.get("/api/tours").json()]
        assert c.get(f"/api/tours/{tour['id']}").status_code == 404
        assert c.post(f"/api/tours/{tour['id']}/runs").status_code == 404
    with live.client(tokens["bob"]) as c:  # same street: sees it, may not change it
        assert tour["id"] in [t["id"] for t in c.get("/api/tours").json()]
        assert c.patch(f"/api/tours/{tour['id']}", json={"dwell_s": 30}).status_code == 403
        assert c.delete(f"/api/tours/{tour['id']}").status_code == 403
    with live.client(tokens["alice"]) as c:
        r = c.patch(f"/api/tours/{tour['id']}", json={"camera_ids": ["jsl-1"], "dwell_s": 45})
        assert r.status_code == 200
        assert (r.json()["camera_ids"], r.json()["dwell_s"]) == (
            ["jsl-1"], 45)
        assert c.patch(f"/api/tours/{tour['id']}", json={"camera_ids": ["nope"]}
                       ).status_code == 422
        assert c.delete(f"/api/tours/{tour['id']}").status_code == 204
        assert c.get(f"/api/tours/{tour['id']}").status_code == 404


def test_a_tour_run_end_to_end(live: LiveServer, tokens: dict[str, str]) -> None:
    tour = _tour(live, tokens["alice"], name="夜班轮巡")
    before = [_marker(live, tokens["bob"], "jsl-1", f"第{i}条", tier=t)
              for i, t in enumerate((1, 3, 3))]
    with live.client(tokens["alice"]) as c:
        r = c.post(f"/api/tours/{tour['id']}/runs")
        assert r.status_code == 201, r.text
        run = r.json()
        assert (run["tour_name"], run["started_by"], run["since"], run["finished_at"]) == (
            "夜班轮巡", "alice", None, None)
        assert [i["camera_id"] for i in run["items"]] == ["jsl-2", "jsl-1"]
        assert all(i["status"] == "pending" for i in run["items"])
        jsl1 = run["items"][1]
        assert jsl1["camera_name"] == "jsl-1 路口"
        assert jsl1["summary"]["markers"] >= 3  # the last 24 h on a first run
        assert jsl1["summary"]["by_tier"]["3"] >= 2
        assert [m["id"] for m in jsl1["summary"]["latest"][:3]] == before[::-1]

        # bob (same street) may read the run but not check it
        with live.client(tokens["bob"]) as bob:
            assert bob.get(f"/api/tour-runs/{run['id']}").status_code == 200
            assert bob.post(f"/api/tour-runs/{run['id']}/items/jsl-1",
                            json={"status": "normal"}).status_code == 403

        r = c.post(f"/api/tour-runs/{run['id']}/items/jsl-2", json={"status": "normal"})
        assert r.status_code == 200
        assert r.json()["items"][0]["status"] == "normal"
        with ws_connect(live, tokens["bob"], "jsl-1") as watcher:
            r = c.post(f"/api/tour-runs/{run['id']}/items/jsl-1",
                       json={"status": "issue", "note": "井盖缺失"})
            assert r.status_code == 200, r.text
            item = r.json()["items"][1]
            assert (item["status"], item["note"]) == ("issue", "井盖缺失")
            assert item["checked_at"] is not None
            assert item["marker_id"] is not None
            live_msg = next_message(watcher, item["marker_id"])
        issue = live_msg["marker"]
        assert (issue["kind"], issue["tier"], issue["text"], issue["author"]["username"]) == (
            "issue", 2, "井盖缺失", "alice")
        assert c.post(f"/api/tour-runs/{run['id']}/items/hyl-1",
                      json={"status": "normal"}).status_code == 404
        assert c.post(f"/api/tour-runs/{run['id']}/items/jsl-1",
                      json={"status": "broken"}).status_code == 422

        r = c.post(f"/api/tour-runs/{run['id']}/finish")
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["finished_at"] is not None
        assert [i["status"] for i in report["items"]] == ["normal", "issue"]
        assert c.post(f"/api/tour-runs/{run['id']}/finish").status_code == 409
        assert c.post(f"/api/tour-runs/{run['id']}/items/jsl-2",
                      json={"status": "issue"}).status_code == 409
        assert c.get(f"/api/tour-runs/{run['id']}").json() == report  # the saved report

        # the next run covers what was added since this one finished
        after = _marker(live, tokens["bob"], "jsl-1", "交接班后新增", tier=4)
        r = c.post(f"/api/tours/{tour['id']}/runs")
        nxt = r.json()
        assert nxt["since"] == report["finished_at"]
        summary = nxt["items"][1]["summary"]
        assert summary["markers"] == 1
        assert summary["by_tier"]["4"] == 1
        assert [m["id"] for m in summary["latest"]] == [after]
        assert nxt["items"][0]["summary"]["markers"] == 0

        runs = c.get(f"/api/tours/{tour['id']}/runs").json()
        assert [x["id"] for x in runs] == [nxt["id"], run["id"]]
        assert runs[1] == report


def test_re_marking_an_issue_normal_removes_its_marker(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    tour = _tour(live, tokens["alice"], camera_ids=["jsl-1"])
    with live.client(tokens["alice"]) as c:
        run = c.post(f"/api/tours/{tour['id']}/runs").json()
        item = c.post(f"/api/tour-runs/{run['id']}/items/jsl-1",
                      json={"status": "issue"}).json()["items"][0]
        assert c.get(f"/api/markers/{item['marker_id']}").json()["text"] == "巡查发现问题"
        again = c.post(f"/api/tour-runs/{run['id']}/items/jsl-1",
                       json={"status": "normal"}).json()["items"][0]
        assert (again["status"], again["marker_id"]) == ("normal", None)
        assert c.get(f"/api/markers/{item['marker_id']}").status_code == 404
