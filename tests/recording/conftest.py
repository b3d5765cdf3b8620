"""A migrated database and a recording store in a temporary data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.database import Database
from recording.settings import RecordingSettings
from recording.store import RecordingStore


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'rec.db'}")
    db.migrate()
    yield db
    db.close()


@pytest.fixture
def rsettings(tmp_path: Path) -> RecordingSettings:
    return RecordingSettings(root=tmp_path / "recordings", segment_s=2, idle_close_s=2.0)


@pytest.fixture
def store(database: Database, rsettings: RecordingSettings) -> RecordingStore:
    rsettings.root.mkdir(parents=True, exist_ok=True)
    return RecordingStore(database, rsettings)
