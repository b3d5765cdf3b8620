"""Markers over REST on a real server: create, list and filter, author-only edits, admin
moderation and delete, validation, plain text kept verbatim, and the per-user rate limit."""

from __future__ import annotations

import time
from typing import Any

from tests.live import LiveServer


def post(live: LiveServer, token: str, **body: Any) -> dict[str, Any]:
    with live.client(token) as c:
        r = c.post("/api/markers", json={"camera_id": "jsl-1", "text": "看这里"} | body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def listing(live: LiveServer, token: str, **params: Any) -> list[dict[str, Any]]:
    with live.client(token) as c:
        r = c.get("/api/markers", params=params)
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def test_create_and_list_with_filters(live: LiveServer, tokens: dict[str, str]) -> None:
    before = time.time()
    m = post(live, tokens["alice"], text="  路口有人摔倒  ", x=0.25, y=0.75, tier=3)
    assert m["text"] == "路口有人摔倒"  # trimmed, otherwise as typed
    assert (m["x"], m["y"], m["tier"], m["kind"]) == (0.25, 0.75, 3, "note")
    assert m["author"] == {"username": "alice", "display_name": "alice"}
    assert before - 1 <= m["ts"] <= time.time() + 1  # ts defaults to now
    old = post(live, tokens["bob"], text="昨天的事", ts=before - 86_400, kind="issue")
    other = post(live, tokens["carol"], camera_id="hyl-1", text="华阳路")

    mine = listing(live, tokens["alice"], camera_id="jsl-1", since=before - 10)
    assert m["id"] in [x["id"] for x in mine]
    assert old["id"] not in [x["id"] for x in mine]
    by_author = listing(live, tokens["alice"], author="bob")
    assert [x["id"] for x in by_author] == [old["id"]]
    assert [x["id"] for x in listing(live, tokens["alice"], kind="issue")] == [old["id"]]
    assert m["id"] in [x["id"] for x in listing(live, tokens["alice"], tier=3)]
    # Scoped by unit: alice (江苏路) never sees 华阳路's markers; the district does.
    assert other["id"] not in [x["id"] for x in listing(live, tokens["alice"])]
    assert other["id"] in [x["id"] for x in listing(live, tokens["dave"])]
    with live.client(tokens["alice"]) as c:
        assert c.get("/api/markers", params={"camera_id": "hyl-1"}).status_code == 403
        assert c.get("/api/markers", params={"camera_id": "nope"}).status_code == 404
        assert c.get(f"/api/markers/{other['id']}").status_code == 404
        assert c.post("/api/markers", json={"camera_id": "hyl-1", "text": "x"}).status_code == 403


def test_only_the_author_edits_and_deletes(live: LiveServer, tokens: dict[str, str]) -> None:
    m = post(live, tokens["alice"], text="原文")
    with live.client(tokens["bob"]) as bob:
        r = bob.patch(f"/api/markers/{m['id']}", json={"text": "改掉"})
        assert r.status_code == 403
        assert "author" in r.json()["detail"]
        assert bob.delete(f"/api/markers/{m['id']}").status_code == 403
        assert bob.patch(f"/api/markers/{m['id']}", json={"hidden": True}).status_code == 403
    with live.client(tokens["alice"]) as alice:
        r = alice.patch(f"/api/markers/{m['id']}", json={"text": "修改后", "x": 0.5, "y": 0.5})
        assert r.status_code == 200, r.text
        assert (r.json()["text"], r.json()["x"], r.json()["y"]) == ("修改后", 0.5, 0.5)
        assert r.json()["updated_at"] >= m["updated_at"]
        assert alice.patch(f"/api/markers/{m['id']}", json={"hidden": True}).status_code == 403
        assert alice.delete(f"/api/markers/{m['id']}").status_code == 204
        assert alice.get(f"/api/markers/{m['id']}").status_code == 404
        assert alice.delete(f"/api/markers/{m['id']}").status_code == 404
    assert m["id"] not in [x["id"] for x in listing(live, tokens["admin"])]


def test_admin_hides_and_deletes(live: LiveServer, tokens: dict[str, str]) -> None:
    m = post(live, tokens["alice"], text="不当内容")
    with live.client(tokens["admin"]) as admin:
        r = admin.patch(f"/api/markers/{m['id']}", json={"hidden": True})
        assert r.status_code == 200
        assert r.json()["hidden"] is True
        # an admin moderates but does not rewrite someone else's words
        assert admin.patch(f"/api/markers/{m['id']}", json={"text": "x"}).status_code == 403
    assert m["id"] not in [x["id"] for x in listing(live, tokens["bob"])]
    assert m["id"] not in [x["id"] for x in listing(live, tokens["alice"])]
    assert m["id"] in [x["id"] for x in listing(live, tokens["admin"])]
    with live.client(tokens["admin"]) as admin:
        assert admin.patch(f"/api/markers/{m['id']}", json={"hidden": False}).status_code == 200
    assert m["id"] in [x["id"] for x in listing(live, tokens["bob"])]
    with live.client(tokens["admin"]) as admin:
        assert admin.delete(f"/api/markers/{m['id']}").status_code == 204
    assert m["id"] not in [x["id"] for x in listing(live, tokens["admin"])]


def test_validation_says_what_to_fix(live: LiveServer, tokens: dict[str, str]) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"text": "   "}, 422, "empty"),
        ({"text": "长" * 201}, 422, "limit is 200"),
        ({"text": "bell\x07"}, 422, "control characters"),
        ({"text": "two\nlines"}, 422, "control characters"),
        ({"text": "ok", "x": 1.5, "y": 0.5}, 422, "less than or equal to 1"),
        ({"text": "ok", "x": -0.1, "y": 0.5}, 422, "greater than or equal to 0"),
        ({"text": "ok", "x": 0.5}, 422, "both x and y"),
        ({"text": "ok", "tier": 5}, 422, "less than or equal to 4"),
        ({"text": "ok", "kind": "ai"}, 422, "note"),
        ({"text": "ok", "camera_id": "no-such-cam"}, 404, "does not exist"),
    ]
    with live.client(tokens["alice"]) as c:
        for body, code, words in cases:
            r = c.post("/api/markers", json={"camera_id": "jsl-1"} | body)
            assert r.status_code == code, (body, r.text)
            assert words in r.text, (body, r.text)
        assert c.post("/api/markers", json={"camera_id": "jsl-1", "text": "长" * 200}
                      ).status_code == 201
        m = post(live, tokens["alice"], text="ok")
        r = c.patch(f"/api/markers/{m['id']}", json={"text": "\x1b[31m"})
        assert r.status_code == 422
        assert "control characters" in r.text


def test_script_text_is_stored_and_returned_verbatim(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    payload = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    m = post(live, tokens["alice"], text=payload)
    assert m["text"] == payload
    with live.client(tokens["bob"]) as c:
        r = c.get(f"/api/markers/{m['id']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["text"] == payload
    assert "&lt;" not in r.text
    assert "&amp;" not in r.text


def test_rate_limit_answers_429_with_retry_after(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    with live.client(tokens["spammer"]) as c:
        codes = [c.post("/api/markers", json={"camera_id": "jsl-1", "text": f"#{i}"}).status_code
                 for i in range(10)]
        assert codes == [201] * 10
        r = c.post("/api/markers", json={"camera_id": "jsl-1", "text": "one too many"})
    assert r.status_code == 429
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= 10
    detail = r.json()["detail"]
    assert f"{retry} 秒后再试" in detail
    assert f"try again in {retry} s" in detail
    # per user: someone else on the same camera is not held up
    post(live, tokens["bob"], text="我不受影响")
