"""FlowService: owns the live aggregation thread, the simulated feed and the forecast task.

    flow = FlowService(database, bus, FlowSettings())
    VisionService(..., on_state=flow.on_state)      # live cameras feed the same series
    await flow.start(); ...; await flow.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from cameras.orm import CameraRow
from db.database import Database
from events.bus import EventBus
from flow.areas import AreaConfig, FlowSettings
from flow.fitting import Fitter
from flow.forecast import Model, forecast
from flow.live_worker import LiveWorker
from flow.metrics import COUNT, area_scope
from flow.simfeed import SimulatedFeed
from flow.store import FlowStore
from flow.warning import Outlook, WarningTracker
from vision.analytics import CameraState
from vision.geometry import Zone

log = logging.getLogger(__name__)
MIN_HISTORY_DAYS = 14
REFIT_S = 3600.0


@dataclass(frozen=True)
class AreaForecast:
    area_id: str
    made_at: datetime
    t: list[datetime]  # start of each predicted 15-minute step
    mean: list[float]
    lo: list[float]
    hi: list[float]
    ahead_min: list[int]  # minutes from `made_at` to the end of each step


class FlowService:
    def __init__(self, db: Database, bus: EventBus, settings: FlowSettings,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.areas: list[AreaConfig] = list(settings.areas)
        self.store = FlowStore(db)
        self._db = db
        self._bus = bus
        self._clock = clock
        self.live = LiveWorker(self.store, self.areas, self._zones_for, settings.queue_size,
                               clock)
        self.sim = SimulatedFeed(self.store, self.areas, settings.sim_days,
                                 settings.retention_minute_days) if settings.simulate else None
        self.warnings = WarningTracker(settings.warn_horizon_min)
        self.forecasts: dict[str, AreaForecast] = {}
        self.ready = False  # simulated history written (or none to write)
        self.forecasted = asyncio.Event()  # set once the first round of forecasts is done
        self._models: dict[str, tuple[float, Model]] = {}
        self._task: asyncio.Task[None] | None = None
        self._seeder: threading.Thread | None = None
        self._fitter = Fitter()  # forecast fits in a worker process, one round at a time

    def area(self, area_id: str) -> AreaConfig | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def on_state(self, state: CameraState) -> None:
        """Pass to `VisionService(on_state=...)`: thread-safe, returns at once."""
        self.live.offer(state)

    def _zones_for(self, camera_id: str) -> Sequence[Zone]:
        with self._db.session() as s:
            row = s.get(CameraRow, camera_id)
            return [Zone.model_validate(z) for z in row.zones] if row is not None else []

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    async def start(self) -> None:
        self.live.start()
        self._task = asyncio.create_task(self._loop(), name="flow-service")

    async def stop(self, join_timeout_s: float = 5.0) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await asyncio.wait_for(task, join_timeout_s)
            except (asyncio.CancelledError, TimeoutError):
                pass
            except Exception:  # the loop had already failed; keep shutting down the rest
                log.exception("flow: the service loop had failed")
        await asyncio.to_thread(self.live.stop, join_timeout_s)
        await asyncio.to_thread(self._fitter.close)
        if self.sim is not None:
            self.sim.halt.set()
        seeder, self._seeder = self._seeder, None
        if seeder is not None:
            await asyncio.to_thread(seeder.join, join_timeout_s)
            if seeder.is_alive():
                log.warning("flow: seeding did not stop within %.1f s", join_timeout_s)
        for ev in self.warnings.close_all(self.now()):
            await self._bus.publish(ev)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _prepare(self, loop: asyncio.AbstractEventLoop, done: asyncio.Event) -> None:
        try:
            if self.sim is not None:
                self.sim.prepare(self.now())
        except SQLAlchemyError:
            log.exception("flow: could not write the simulated history")
        finally:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                loop.call_soon_threadsafe(done.set)

    async def _loop(self) -> None:
        done = asyncio.Event()
        self._seeder = threading.Thread(
            target=self._prepare, args=(asyncio.get_running_loop(), done), name="flow-seed",
            daemon=True)
        self._seeder.start()
        await done.wait()
        self.ready = True
        next_forecast = 0.0
        next_purge = 0.0
        while True:
            now = self._clock()
            try:
                if self.sim is not None:
                    await asyncio.to_thread(self.sim.tick, self.now())
                if now >= next_forecast:
                    await self.refresh_forecasts()
                    self.forecasted.set()
                    next_forecast = now + self.settings.forecast_every_s
                if now >= next_purge:
                    await asyncio.to_thread(self._purge)
                    next_purge = now + 3600.0
            except SQLAlchemyError:
                log.exception("flow: database step failed; retrying in a minute")
            await asyncio.sleep(max(1.0, 60.0 - self._clock() % 60.0 + 1.0))

    def _purge(self) -> int:
        s = self.settings
        return self.store.purge(self.now(), {60: s.retention_minute_days,
                                             900: s.retention_quarter_days,
                                             3600: s.retention_hour_days})

    async def refresh_forecasts(self) -> None:
        """Forecast every area with enough history and run the early warning."""
        try:
            await self._forecast_round()
        finally:
            await asyncio.to_thread(self._fitter.release)

    async def _forecast_round(self) -> None:
        for area in self.areas:
            fc = await asyncio.to_thread(self.forecast_area, area)
            if fc is None:
                continue
            self.forecasts[area.id] = fc
            latest = await asyncio.to_thread(self.store.latest, area_scope(area.id), COUNT, 60)
            if latest is None:
                continue
            outlook = Outlook(fc.made_at, latest[1], tuple(fc.ahead_min), tuple(fc.mean),
                              area.simulated)
            for ev in self.warnings.step(area, outlook):
                await self._bus.publish(ev)

    def forecast_area(self, area: AreaConfig) -> AreaForecast | None:
        now = self.now()
        hist = self.store.series(area_scope(area.id), COUNT, 900, now - timedelta(days=28), now)
        if len(hist.t) < MIN_HISTORY_DAYS * 96:
            return None
        epoch = np.array([t.timestamp() for t in hist.t], dtype=np.float64)
        counts = np.array(hist.values, dtype=np.float64)
        cached = self._models.get(area.id)
        if cached is None or self._clock() - cached[0] > REFIT_S:
            try:
                cached = (self._clock(), self._fitter.fit(epoch, counts))
            except (ValueError, np.linalg.LinAlgError) as exc:
                log.warning("flow: cannot fit a forecast for %s: %s", area.id, exc)
                return None
            self._models[area.id] = cached
        fc = forecast(cached[1], epoch, counts, steps=6)
        ts = [datetime.fromtimestamp(float(e), UTC) for e in fc.epoch_s]
        ahead = [int((t + timedelta(minutes=15) - now).total_seconds() // 60) for t in ts]
        keep = [i for i, m in enumerate(ahead) if m > 0]
        return AreaForecast(
            area.id, now, [ts[i] for i in keep], [float(fc.mean[i]) for i in keep],
            [float(fc.lo[i]) for i in keep], [float(fc.hi[i]) for i in keep],
            [ahead[i] for i in keep],
        )
