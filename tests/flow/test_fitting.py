"""Forecast fits in a worker process (flow/fitting.py): the same model as a fit on the calling
thread, the fit's own errors come back as themselves, and no worker outlives its round."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess

import numpy as np
import pytest

from flow.areas import DEMO_AREAS
from flow.fitting import Fitter
from flow.forecast import fit
from flow.simulate import simulate

START = datetime(2026, 10, 12, 16, 0, tzinfo=UTC)


def _series(days: int) -> tuple[np.ndarray, np.ndarray]:
    area = next(a for a in DEMO_AREAS if a.id == "raffles")
    counts = simulate(area, [], START, days * 1440, seed=5)["count"].reshape(-1, 15).mean(1)
    return START.timestamp() + 900.0 * np.arange(len(counts), dtype=np.float64), counts


def _workers() -> list[BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.is_alive()]


def test_the_worker_fits_what_the_thread_fits_and_goes_away() -> None:
    epoch, counts = _series(15)
    fitter = Fitter()
    try:
        there = fitter.fit(epoch, counts)
        workers = {p.pid for p in _workers()}
        assert workers, "the fit ran in a worker process"
        fitter.fit(epoch, counts)
        assert {p.pid for p in _workers()} == workers  # one worker serves the whole round
    finally:
        fitter.release()
    assert not _workers()
    here = fit(epoch, counts)
    assert np.allclose(there.beta, here.beta)
    assert np.allclose(there.ar, here.ar, atol=1e-6)
    assert there.sigma2 == pytest.approx(here.sigma2, rel=1e-6)


def test_a_bad_series_raises_the_fits_own_error() -> None:
    fitter = Fitter()
    try:
        with pytest.raises(ValueError, match="different sizes"):
            fitter.fit(np.zeros(3), np.zeros(2))
    finally:
        fitter.release()


def test_after_close_fits_run_on_the_calling_thread() -> None:
    epoch, counts = _series(15)
    fitter = Fitter()
    fitter.close()
    model = fitter.fit(epoch, counts)
    assert not _workers()
    assert model.ar.shape == (2,)
