"""A migrated database with a district, two streets, a camera in each and users of every role;
a controllable clock; events as vision publishes them."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auth.accounts import Principal, Role, add_user, principal_for, seed_site
from cameras.orm import CameraRow
from config import SiteConfig
from db.database import Database
from desk.policy import DeskPolicy
from desk.service import DeskService
from events.bus import InProcessBus
from events.model import Event

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
PASSWORD = "a-long-password-1"
SITE = SiteConfig.model_validate(
    {
        "units": [
            {"id": "district", "name": "长宁区"},
            {"id": "north", "name": "北街道", "parent": "district"},
            {"id": "south", "name": "南街道", "parent": "district"},
        ]
    }
)
USERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ADMIN, None),
    "commander": (Role.COMMANDER, None),
    "officer": (Role.DUTY_OFFICER, None),
    "north-officer": (Role.DUTY_OFFICER, "north"),
    "north-patroller": (Role.PATROLLER, "north"),
}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


def make_event(
    camera: str = "north-1", kind: str = "intrusion", tier: int = 2, **kw: object
) -> Event:
    return Event.model_validate(
        {
            "id": kw.pop("id", uuid.uuid4()),
            "camera_id": camera,
            "kind": kind,
            "rule_id": kw.pop("rule_id", f"{kind}-1"),
            "tier": tier,
            "started_at": T0,
            "updated_at": T0,
            "pts": 1.0,
            "zone_id": kw.pop("zone_id", "gate"),
            "message": kw.pop("message", "有人进入禁区"),
            **kw,
        }
    )


def seed(db: Database) -> None:
    with db.session() as s:
        seed_site(s, SITE)
        s.flush()
        for cam, name, unit in (("north-1", "北门", "north"), ("south-1", "南门", "south")):
            s.add(CameraRow(
                id=cam, name=name, url=f"rtsp://192.0.2.1/{cam}", unit_id=unit, enabled=True,
                analysis_fps=5.0, analysis_width=640, loop=False, transport="tcp", zones=[],
                lines=[],
            ))
        for username, (role, home) in USERS.items():
            add_user(s, username=username, password=PASSWORD, role=role, unit_id=home,
                     display_name=f"{username}-name")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and seeded once (password hashing is slow on purpose); copied per test."""
    path = tmp_path_factory.mktemp("desk-template") / "desk.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    seed(db)
    db.close()
    return path


@pytest.fixture
def database(tmp_path: Path, template_db: Path) -> Iterator[Database]:
    path = tmp_path / "desk.db"
    shutil.copyfile(template_db, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.close()


@pytest.fixture
def users(database: Database) -> dict[str, Principal]:
    out = {}
    with database.session() as s:
        for name in USERS:
            p = principal_for(s, name)
            assert p is not None
            out[name] = p
    return out


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def desk(database: Database, clock: FakeClock) -> AsyncIterator[DeskService]:
    """The service with the default policy, not started: tests call handle() and tick()."""
    service = DeskService(database, InProcessBus(), DeskPolicy(), clock=clock)
    yield service
    await service.stop()
