"""`PtzPoller`: polls the ONVIF PTZ status of mechanical PTZ cameras and stores the position.

One supervisor task (owned by the poller, started and stopped with it) reconciles the
configured sources (`geo_ptz_sources` rows of cameras whose PTZ model is "mechanical") every
`reconcile_s` or at once after `reload()`, and runs one task per camera: POST a signed
`GetStatus` to the camera's PTZ service every `interval_s`, turn the reply into the PTZ model's
state and save it as the camera's `ptz_state` (so the AR labels follow it). A failure (no
answer, HTTP error, refused credentials, unreadable reply) is kept as `last_error` and the next
try waits twice as long as the previous one (up to `max_backoff_s`).

Passwords are stored sealed (auth/sealed.py) and opened only to sign a request; `start()` seals
any stored before sealing existed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from auth.sealed import Sealer, SealError, is_sealed
from db.base import utcnow
from db.database import Database
from geo.onvif import (
    CONTENT_TYPE,
    OnvifError,
    PtzRanges,
    fault_reason,
    get_status_request,
    is_not_authorized,
    parse_status,
    to_state,
)
from geo.orm import CameraPoseRow, PtzSourceRow
from geo.ptz import PtzState
from geo.schemas import PtzPollStatus, PtzStateIn

log = logging.getLogger(__name__)


class PollError(Exception):
    """One failed poll, phrased for the person configuring the camera."""


@dataclass(frozen=True)
class PollerSettings:
    reconcile_s: float = 5.0  # how often the configured sources are re-read
    timeout_s: float = 5.0  # per request
    max_backoff_s: float = 60.0
    stop_timeout_s: float = 5.0


@dataclass(frozen=True)
class Source:
    """A snapshot of one configured source (a changed row restarts its task)."""

    camera_id: str
    url: str
    profile: str
    username: str
    password: str
    interval_s: float
    ranges: PtzRanges
    saved_at: datetime  # saving the source again restarts its polling (and its backoff)


def _source(row: PtzSourceRow) -> Source:
    return Source(row.camera_id, row.url, row.profile, row.username, row.password,
                  row.interval_s, PtzRanges(row.pan_min, row.pan_max, row.tilt_min,
                                            row.tilt_max, row.zoom_max), row.updated_at)


class PtzPoller:
    def __init__(self, database: Database, sealer: Sealer,
                 settings: PollerSettings | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._database = database
        self._sealer = sealer
        self.settings = settings or PollerSettings()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._tasks: dict[str, tuple[Source, asyncio.Task[None]]] = {}
        self._status: dict[str, PtzPollStatus] = {}

    async def start(self) -> None:
        await asyncio.to_thread(seal_stored_passwords, self._database, self._sealer)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=self.settings.timeout_s,
                                         transport=self._transport)
        self._supervisor = asyncio.create_task(self._supervise(), name="geo-ptz-supervisor")

    async def stop(self) -> None:
        tasks = [t for _, t in self._tasks.values()]
        if self._supervisor is not None:
            tasks.append(self._supervisor)
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.settings.stop_timeout_s)
            if pending:
                log.warning("%d PTZ poll tasks did not stop in time", len(pending))
        self._tasks.clear()
        self._supervisor = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def reload(self) -> None:
        """Re-read the sources now (callable from any thread, e.g. after an API edit)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def status(self, camera_id: str) -> PtzPollStatus | None:
        return self._status.get(camera_id)

    @property
    def running(self) -> list[str]:
        return sorted(self._tasks)

    async def _supervise(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                sources = await asyncio.to_thread(self._load)
            except SQLAlchemyError as exc:
                log.warning("cannot read the PTZ sources: %s", exc)
            else:
                self._reconcile(sources)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.reconcile_s)

    def _load(self) -> dict[str, Source]:
        with self._database.session() as session:
            rows = session.scalars(
                select(PtzSourceRow).join(CameraPoseRow,
                                          CameraPoseRow.camera_id == PtzSourceRow.camera_id)
                .where(PtzSourceRow.enabled.is_(True), CameraPoseRow.ptz == "mechanical"))
            return {r.camera_id: _source(r) for r in rows}

    def _reconcile(self, sources: dict[str, Source]) -> None:
        for cid, (src, task) in list(self._tasks.items()):
            if task.done() and not task.cancelled() and (exc := task.exception()) is not None:
                log.error("PTZ polling of %s failed; restarting it", cid, exc_info=exc)
            if sources.get(cid) != src or task.done():
                task.cancel()
                del self._tasks[cid]
                self._status.pop(cid, None)
        for cid, src in sources.items():
            if cid not in self._tasks:
                self._status[cid] = PtzPollStatus(state="starting")
                task = asyncio.create_task(self._poll_camera(src), name=f"geo-ptz-{cid}")
                self._tasks[cid] = (src, task)
                log.info("polling the ONVIF PTZ status of %s every %.1f s", cid, src.interval_s)
        for cid in list(self._status):
            if cid not in sources:
                del self._status[cid]

    async def _poll_camera(self, src: Source) -> None:
        failures, polls, last = 0, 0, None
        while True:
            polls += 1
            prev = self._status.get(src.camera_id) or PtzPollStatus(state="starting")
            try:
                state = to_state(*await self._fetch(src), src.ranges)
                if state != last:
                    await asyncio.to_thread(self._save, src.camera_id, state)
                    last = state
            except PollError as exc:
                failures += 1
                delay = min(src.interval_s * 2.0 ** failures,
                            max(self.settings.max_backoff_s, src.interval_s))
                if prev.last_error != str(exc):
                    log.warning("PTZ status of %s: %s", src.camera_id, exc)
                self._status[src.camera_id] = prev.model_copy(update={
                    "state": "error", "polls": polls, "failures": failures, "backoff_s": delay,
                    "last_error": str(exc), "last_error_at": utcnow()})
            else:
                failures, delay = 0, src.interval_s
                self._status[src.camera_id] = prev.model_copy(update={
                    "state": "ok", "polls": polls, "failures": 0, "backoff_s": None,
                    "last_ok_at": utcnow(),
                    "ptz_state": PtzStateIn(pan=state.pan, tilt=state.tilt, zoom=state.zoom)})
            await asyncio.sleep(delay)

    async def _fetch(self, src: Source) -> tuple[float, float, float]:
        assert self._client is not None
        try:
            password = self._sealer.unseal(src.password)
        except SealError as exc:
            raise PollError(f"the stored ONVIF password cannot be read: {exc}") from exc
        body = get_status_request(src.profile, src.username, password, os.urandom(16),
                                  datetime.now(UTC))
        try:
            r = await self._client.post(src.url, content=body.encode(),
                                        headers={"Content-Type": CONTENT_TYPE})
        except httpx.TimeoutException as exc:
            raise PollError(f"no answer from {src.url} within {self.settings.timeout_s:g} s:"
                            " is the camera on line?") from exc
        except httpx.HTTPError as exc:
            raise PollError(f"cannot reach {src.url}: {exc or type(exc).__name__}") from exc
        text = r.text
        if r.status_code in (401, 403) or is_not_authorized(text):
            why = fault_reason(text)
            raise PollError(f"the camera refused the credentials (HTTP {r.status_code}"
                            f"{': ' + why if why else ''}): check the ONVIF username and"
                            " password, and that the camera's clock is right")
        if r.status_code >= 400:
            why = fault_reason(text)
            raise PollError(f"HTTP {r.status_code} from the PTZ service"
                            f"{': ' + why if why else ''}: check the PTZ service URL and the"
                            f" profile token {src.profile!r}")
        try:
            return parse_status(text)
        except OnvifError as exc:
            raise PollError(f"unreadable reply from {src.url}: {exc}") from exc

    def _save(self, camera_id: str, state: PtzState) -> None:
        try:
            with self._database.session() as session:
                row = session.get(CameraPoseRow, camera_id)
                if row is not None:
                    row.ptz_state = {"pan": state.pan, "tilt": state.tilt, "zoom": state.zoom}
        except SQLAlchemyError as exc:
            raise PollError(f"could not save the PTZ position: {exc}") from exc


def seal_stored_passwords(database: Database, sealer: Sealer) -> int:
    """Seal the passwords stored in clear (before sealing existed); returns how many."""
    with database.session() as session:
        rows = [r for r in session.scalars(select(PtzSourceRow)) if not is_sealed(r.password)]
        for row in rows:
            row.password = sealer.seal(row.password)
    if rows:
        log.info("sealed %d ONVIF password(s) stored in clear", len(rows))
    return len(rows)
