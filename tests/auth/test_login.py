"""Login, bearer tokens and what happens without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auth.tokens import TokenCodec, load_secret
from tests.live import LiveServer


def test_admin_logs_in_and_reads_me(server: LiveServer) -> None:
    with server.client() as c:
        r = c.post("/api/auth/login", json={"username": "admin", "password": "admin-pass-123"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["role"] == "admin"
    assert body["user"]["unit_name"] == "长宁区"
    with server.client(body["access_token"]) as c:
        me = c.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "admin"


def test_wrong_credentials_are_refused_clearly(server: LiveServer) -> None:
    with server.client() as c:
        wrong = c.post("/api/auth/login", json={"username": "admin", "password": "nope-nope"})
        nobody = c.post("/api/auth/login", json={"username": "ghost", "password": "whatever1"})
        malformed = c.post("/api/auth/login", json={"user": "admin"})
    assert wrong.status_code == 401
    assert "wrong username or password" in wrong.json()["detail"]
    assert nobody.status_code == 401
    assert malformed.status_code == 422


def test_endpoints_need_a_token(server: LiveServer) -> None:
    with server.client() as c:
        for path in ("/api/cameras", "/api/auth/me", "/api/units", "/api/audit"):
            r = c.get(path)
            assert r.status_code == 401, path
            assert "Authorization: Bearer" in r.json()["detail"]
        assert c.get("/api/health").status_code == 200
    with server.client("not-a-token") as c:
        r = c.get("/api/cameras")
    assert r.status_code == 401
    assert "invalid token" in r.json()["detail"]


def test_expired_and_forged_tokens(server: LiveServer) -> None:
    secret = load_secret(server.settings)
    old = TokenCodec(secret, timedelta(minutes=5)).issue(
        "admin", now=datetime.now(UTC) - timedelta(hours=1)
    )
    forged = TokenCodec("someone-elses-secret" * 3, timedelta(minutes=5)).issue("admin")
    with server.client(old) as c:
        r = c.get("/api/cameras")
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]
    with server.client(forged) as c:
        assert c.get("/api/cameras").status_code == 401
