"""The first start's simulated history, written by a child process.

Seeding writes weeks of per-minute footfall (about 360,000 points for the four demo areas),
about 9 s of CPU, most of it in SQLAlchemy. Run on a thread of the server, it held the
interpreter lock in long stretches: every other thread (the event loop, the duty desk's
database writes) waited up to the 5 ms switch interval at each of its many lock hand-backs,
and the desk's alerts arrived over a second late while it ran. A child process shares no
interpreter lock; the database (SQLite in WAL mode, or any server database) serialises its
writes as it does for other writers.

The owner's `halt` event ends the child at once (it is terminated; what it had committed
stays, as when an in-thread seeding is cut short).
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from flow.areas import AreaConfig

if TYPE_CHECKING:
    from flow.simfeed import Buffer


class SeedError(RuntimeError):
    """The child failed; the message says how."""


class SpawnError(SeedError):
    """No child process could be started (the caller may seed in-thread instead)."""


@dataclass(frozen=True)
class SeedJob:
    url: str  # the database, reachable from another process
    areas: list[AreaConfig]
    days: int
    minute_days: int
    now: datetime


@dataclass(frozen=True)
class Seeded:
    points: int
    buffers: dict[str, Buffer]  # per area: the simulated arrays, to go on ticking from


@dataclass(frozen=True)
class SeedFailure:
    message: str  # the exception, as the child saw it


def shareable(url: str) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return True
    path = url.split("://", 1)[-1].lstrip("/")
    return bool(path) and ":memory:" not in url and "mode=memory" not in url


def _child(send: Connection, job: SeedJob) -> None:
    from db.database import Database
    from flow.simfeed import SimulatedFeed
    from flow.store import FlowStore

    database = Database(job.url)
    try:
        feed = SimulatedFeed(FlowStore(database), job.areas, job.days, job.minute_days)
        points = feed.seed_here(job.now)
        send.send(Seeded(points, feed.buffers()))
    except Exception as exc:  # reported to the parent, which logs it
        send.send(SeedFailure(f"{exc.__class__.__name__}: {exc}"))
    finally:
        database.close()
        send.close()


def seed_in_child(job: SeedJob, halt: threading.Event, poll_s: float = 0.1) -> Seeded | None:
    """Run the seeding in a spawned child; None when `halt` was set first."""
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, job), name="flow-seed", daemon=True)
    try:
        proc.start()
    except OSError as exc:
        raise SpawnError(f"cannot start the seeding process: {exc}") from exc
    finally:
        send.close()
    try:
        while not recv.poll(poll_s):
            if halt.is_set():
                return None
            if not proc.is_alive():
                raise SeedError(f"the seeding process ended with code {proc.exitcode}")
        try:
            result = recv.recv()
        except EOFError as exc:
            raise SeedError(f"the seeding process ended with code {proc.exitcode}") from exc
        if isinstance(result, SeedFailure):
            raise SeedError(result.message)
        if not isinstance(result, Seeded):
            raise SeedError(f"unexpected reply from the seeding process: {type(result)}")
        return result
    finally:
        if halt.is_set() and proc.is_alive():
            proc.terminate()
        proc.join(5.0)  # after its result is read it exits by itself
        if proc.is_alive():
            proc.kill()
            proc.join()
        recv.close()
