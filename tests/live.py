"""A real CityEye server on 127.0.0.1 in a background thread, for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from auth.accounts import Role, add_user
from config import Settings
from db.database import Database
from server import create_app

ADMIN_PASSWORD = "admin-pass-123"
ACCOUNT_PASSWORD = "password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    base_url: str
    settings: Settings
    admin_password: str = ADMIN_PASSWORD
    app: FastAPI | None = None  # the in-process app (its state: bus, database, services)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0)

    def login(self, username: str, password: str) -> str:
        with self.client() as c:
            r = c.post("/api/auth/login", json={"username": username, "password": password})
        r.raise_for_status()
        token: str = r.json()["access_token"]
        return token

    def admin_token(self) -> str:
        return self.login("admin", self.admin_password)

    def add_account(
        self, username: str, role: Role, unit: str | None = None,
        password: str = ACCOUNT_PASSWORD,
    ) -> str:
        """Create a user (unit: the district when None) and return a token for it."""
        database = Database(self.settings.db_url)
        try:
            with database.session() as s:
                add_user(s, username=username, password=password, role=role, unit_id=unit,
                         display_name=username)
        finally:
            database.close()
        return self.login(username, password)


@contextmanager
def start_live_server(data_dir: Path, **overrides: Any) -> Iterator[LiveServer]:
    """Start, wait until /api/health answers, yield, then stop and join the server thread."""
    port = free_port()
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "port": port,
        "media_dir": None,
        "demo_dir": None,
        "config_file": None,
        "database_url": None,
        "admin_password": ADMIN_PASSWORD,
        "stall_timeout_s": 5.0,
        "probe_timeout_s": 5.0,
        "vision_enabled": False,  # tests that need the models turn it on
        "flow_simulate": False,  # 35 days of simulated footfall only where a test wants it
        "recording_enabled": False,  # tests that record pass recording_enabled=True
    }
    values.update(overrides)
    settings = Settings(**values)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if not thread.is_alive():
                raise RuntimeError("the test server exited during startup (see log above)")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the test server did not answer /api/health within 60 s")
            time.sleep(0.1)
        yield LiveServer(base_url=base, settings=settings, app=app)
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        if thread.is_alive():
            raise RuntimeError("the test server did not stop within 30 s")
