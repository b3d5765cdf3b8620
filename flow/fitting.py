"""Forecast fits in a worker process.

A fit (flow/forecast.py: least squares plus a SARIMAX AR(2) on four weeks of quarter-hours)
takes one to two seconds of CPU per area, hourly and at the first start, and statsmodels holds
the interpreter lock for much of it; on a server thread that delays every other thread (the
event loop, the duty desk) for the whole round. `Fitter` runs the fits in one spawned worker
process instead, kept for a round of fits and then released, so no idle process holds
statsmodels' memory between the hourly rounds.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flow.forecast import Model, fit
from flow.simulate import FloatArray

log = logging.getLogger(__name__)


class Fitter:
    """`fit()` from any thread; `release()` ends the worker after a round; `close()` for good
    (later fits run on the calling thread). Where no worker can be started, fits run on the
    calling thread too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def fit(self, epoch_s: FloatArray, counts: FloatArray) -> Model:
        try:
            future = self._submit(epoch_s, counts)
            if future is None:  # closed
                return fit(epoch_s, counts)
            return future.result()
        except (BrokenProcessPool, CancelledError, OSError) as exc:
            # no worker (it died, none could start, or the round was released under it);
            # ValueError and LinAlgError from the fit itself come back as themselves
            log.warning("flow: forecast worker unavailable (%r); fitting on this thread", exc)
            return fit(epoch_s, counts)

    def _submit(self, epoch_s: FloatArray, counts: FloatArray) -> Future[Model] | None:
        """Start the worker if needed and hand it the fit, under the lock so that release()
        cannot shut the pool in between; None once closed."""
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                ctx = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
            return self._pool.submit(fit, epoch_s, counts)

    def release(self) -> None:
        """End the worker process (it is started again by the next fit)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.release()
