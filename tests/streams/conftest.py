"""Fixtures for the ingest tests: fast settings, a manager that is always closed and checked
for leaked threads/processes, and the shared media folder."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams import IngestManager, IngestSettings

FAST = IngestSettings(
    stall_timeout_s=2.0,
    backoff_initial_s=0.1,
    backoff_max_s=0.8,
    error_backoff_s=2.0,
    open_timeout_s=4.0,
    stats_interval_s=0.25,
)


def decoder_processes() -> list[int]:
    """Pids of decoder processes (``python -m streams.worker_main``) that we started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if ppid == os.getpid() and b"streams.worker_main" in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def ingest_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cityeye-")]


def assert_no_leaks() -> None:
    assert ingest_threads() == [], "ingest threads still running"
    assert decoder_processes() == [], "decoder processes still running"


@pytest.fixture
def make_manager() -> Iterator[Callable[..., IngestManager]]:
    made: list[IngestManager] = []

    def make(settings: IngestSettings = FAST) -> IngestManager:
        manager = IngestManager(settings)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        manager.close(timeout=5.0)
    assert_no_leaks()
