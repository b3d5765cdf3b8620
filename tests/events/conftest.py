"""A migrated SQLite database with two streets, a camera in each, and their users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auth.accounts import Role, add_user, seed_site
from cameras.orm import CameraRow
from config import SiteConfig
from db.database import Database

SITE = SiteConfig.model_validate(
    {
        "units": [
            {"id": "district", "name": "长宁区"},
            {"id": "north", "name": "北街道", "parent": "district"},
            {"id": "south", "name": "南街道", "parent": "district"},
        ]
    }
)
PASSWORD = "a-long-password-1"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'events.db'}")
    db.migrate()
    with db.session() as s:
        seed_site(s, SITE)
        s.flush()
        for cam, unit in (("north-1", "north"), ("south-1", "south")):
            s.add(
                CameraRow(
                    id=cam,
                    name=cam,
                    url=f"rtsp://192.0.2.1/{cam}",
                    unit_id=unit,
                    enabled=True,
                    analysis_fps=5.0,
                    analysis_width=640,
                    loop=False,
                    transport="tcp",
                    zones=[],
                    lines=[],
                )
            )
        add_user(s, username="admin", password=PASSWORD, role=Role.ADMIN)
        add_user(
            s, username="north-officer", password=PASSWORD, role=Role.DUTY_OFFICER, unit_id="north"
        )
    yield db
    db.close()
