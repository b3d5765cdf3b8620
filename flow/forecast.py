"""Forecast of an area's crowd: dynamic harmonic regression on the 15-minute series.

log1p(count) = Fourier terms of the day (separate profiles for working days and rest days —
weekends and holidays) + Fourier terms of the week + AR(2) errors. The regression is fitted
with statsmodels OLS, the error process with statsmodels SARIMAX; forecasts carry an 80 %
band from the AR error variance.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flow.calendar import local_parts

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
DAILY_K = 6
WEEKLY_K = 3
AR_ORDER = 2
Z80 = 1.2816


def design(epoch_s: FloatArray) -> FloatArray:
    """Regressors of each timestamp: intercepts and daily harmonics per day type, weekly
    harmonics."""
    hour, dow, rest = local_parts(epoch_s)
    r = rest.astype(np.float64)
    cols = [1.0 - r, r]
    for k in range(1, DAILY_K + 1):
        ang = 2 * np.pi * k * hour / 24.0
        for day_type in (1.0 - r, r):
            cols += [np.sin(ang) * day_type, np.cos(ang) * day_type]
    week = (dow + hour / 24.0) / 7.0
    for k in range(1, WEEKLY_K + 1):
        cols += [np.sin(2 * np.pi * k * week), np.cos(2 * np.pi * k * week)]
    return np.column_stack([np.broadcast_to(c, epoch_s.shape) for c in cols])


@dataclass(frozen=True)
class Model:
    beta: FloatArray
    ar: FloatArray  # AR coefficients of the errors
    sigma2: float  # innovation variance (log scale)
    step_s: int


@dataclass(frozen=True)
class Forecast:
    epoch_s: FloatArray  # times forecast
    mean: FloatArray
    lo: FloatArray
    hi: FloatArray


def fit(epoch_s: FloatArray, counts: FloatArray, step_s: int = 900) -> Model:
    """Fit on a regular series (at least two weeks of `step_s` points)."""
    # statsmodels takes seconds to import: load it on the first fit, not at server start.
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = np.log1p(np.maximum(counts, 0.0))
    x = design(epoch_s)
    ols = OLS(y, x).fit()
    resid = np.asarray(y - x @ ols.params, dtype=np.float64)
    with warnings.catch_warnings():
        # A fit that stops short of full convergence still forecasts well; say so in the log.
        warnings.simplefilter("ignore", ConvergenceWarning)
        arma = SARIMAX(resid, order=(AR_ORDER, 0, 0), trend="n").fit(disp=False)
    if not arma.mle_retvals.get("converged", True):
        log.info("flow forecast: the AR error model stopped before full convergence")
    params = np.asarray(arma.params, dtype=np.float64)
    return Model(np.asarray(ols.params, dtype=np.float64), params[:AR_ORDER],
                 float(params[AR_ORDER]), step_s)


def _psi(ar: FloatArray, h: int) -> FloatArray:
    psi = np.zeros(h)
    psi[0] = 1.0
    for j in range(1, h):
        psi[j] = sum(ar[i] * psi[j - 1 - i] for i in range(min(len(ar), j)))
    return psi


def forecast(model: Model, epoch_s: FloatArray, counts: FloatArray, steps: int) -> Forecast:
    """The next `steps` points after the last of the observed series."""
    y = np.log1p(np.maximum(counts, 0.0))
    resid = list(y[-len(model.ar):] - design(epoch_s[-len(model.ar):]) @ model.beta)
    future = epoch_s[-1] + model.step_s * np.arange(1, steps + 1, dtype=np.float64)
    e = []
    for _ in range(steps):
        nxt = float(sum(model.ar[i] * resid[-1 - i] for i in range(len(model.ar))))
        resid.append(nxt)
        e.append(nxt)
    mean_log = design(future) @ model.beta + np.array(e)
    sd = np.sqrt(model.sigma2 * np.cumsum(_psi(model.ar, steps) ** 2))
    return Forecast(future, np.expm1(mean_log), np.maximum(np.expm1(mean_log - Z80 * sd), 0.0),
                    np.expm1(mean_log + Z80 * sd))


def rolling(model: Model, epoch_s: FloatArray, counts: FloatArray, h: int) -> FloatArray:
    """h-step-ahead forecasts made at every point: out[i] forecasts counts[i] from data up to
    i - h (NaN for the first points)."""
    y = np.log1p(np.maximum(counts, 0.0))
    base = design(epoch_s) @ model.beta
    resid = y - base
    n = len(y)
    # prev[k][i] = the residual k steps before origin i; iterating the AR recursion h times
    # leaves the h-step forecast of the residual made at each origin in prev[0].
    prev = [np.concatenate([np.full(k, np.nan), resid[: n - k]]) for k in range(len(model.ar))]
    for _ in range(h):
        nxt = np.asarray(sum(a * lag for a, lag in zip(model.ar, prev, strict=True)))
        prev = [nxt, *prev[:-1]]
    pred_resid = np.full(n, np.nan)
    pred_resid[h:] = prev[0][: n - h]
    return np.asarray(np.expm1(base + pred_resid), dtype=np.float64)
