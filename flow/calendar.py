"""Local time (Shanghai, UTC+8, no DST) and the public-holiday calendar the simulator and the
forecast share (holidays behave like weekends in a shopping district)."""

from __future__ import annotations

from datetime import date, timedelta, timezone

import numpy as np
import numpy.typing as npt

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
LOCAL_OFFSET_S = 8 * 3600


def _span(start: date, days: int) -> set[date]:
    return {start + timedelta(days=i) for i in range(days)}


# 法定节假日 (State Council schedule, days off); extend yearly.
HOLIDAYS: frozenset[date] = frozenset(
    _span(date(2026, 1, 1), 3) | _span(date(2026, 2, 15), 9) | _span(date(2026, 4, 4), 3)
    | _span(date(2026, 5, 1), 5) | _span(date(2026, 6, 19), 3) | _span(date(2026, 9, 25), 3)
    | _span(date(2026, 10, 1), 8) | _span(date(2027, 1, 1), 3)
)
_HOLIDAY_DAYS = np.array(sorted(d.toordinal() for d in HOLIDAYS), dtype=np.int64)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def local_parts(
    epoch_s: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Hour of day (float), day of week (0 = Monday) and "rest day" (weekend or holiday) of
    each UTC timestamp, in Shanghai time."""
    local = epoch_s + LOCAL_OFFSET_S
    days = np.floor(local / 86400.0).astype(np.int64)
    hour = (local - days * 86400.0) / 3600.0
    dow = (days + 3) % 7  # 1970-01-01 was a Thursday
    ordinal = days + _EPOCH_ORDINAL
    rest = (dow >= 5) | np.isin(ordinal, _HOLIDAY_DAYS)
    return hour, dow, rest
