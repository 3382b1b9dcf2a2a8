"""Day numbers, the window of months a sample covers, and seasonal arrival streams."""

from __future__ import annotations

import numpy as np

YEAR = 365.25
OPEN = np.int64(1 << 40)  # day number meaning "no date" (an open service, a person still alive)
EPOCH = np.datetime64("1970-01-01", "D")


def _day(value) -> int:
    return int((np.datetime64(value, "D") - EPOCH) // np.timedelta64(1, "D"))


def _iso(days) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    missing = days >= OPEN
    text = np.datetime_as_string(np.where(missing, 0, days).astype("datetime64[D]"), unit="D")
    return np.where(missing, "", text).astype(object)


def _doy(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[Y]")).astype(np.int64)


class Window:
    """The months covered: `years` years ending with `end_month`; the simulated horizon around them."""

    def __init__(self, years: int, end_month: str):
        try:
            last = np.datetime64(end_month, "M")
        except ValueError as exc:
            raise ValueError(f"end_month must be YYYY-MM, got {end_month!r}") from exc
        self.months = np.arange(last - (12 * years - 1), last + 1)  # datetime64[M]
        self.month_starts = ((self.months.astype("datetime64[D]") - EPOCH) // np.timedelta64(1, "D")).astype(np.int64)
        self.month_ends = (((self.months + 1).astype("datetime64[D]") - EPOCH) // np.timedelta64(1, "D")).astype(
            np.int64
        ) - 1
        self.start, self.end = int(self.month_starts[0]), int(self.month_ends[-1])
        self.extract = self.end + 1
        self.h0 = self.start - 730  # simulated from two years before the window ...
        self.h1 = self.end + 200  # ... to half a year after, then censored at the extract date
        self.years = years
        month_numbers = self.months.astype(np.int64) % 12 + 1
        calendar_years = self.months.astype("datetime64[Y]").astype(np.int64) + 1970
        self.fy_of_month = np.where(month_numbers >= 4, calendar_years, calendar_years - 1)

    @property
    def stamp(self) -> str:
        return str(np.datetime64(self.extract, "D")).replace("-", "")

    @property
    def financial_years(self) -> list[int]:
        return sorted(set(int(y) for y in self.fy_of_month))


def _season(days: np.ndarray, amp: float) -> np.ndarray:
    """1 + amp at mid-January, 1 - amp at mid-July."""
    return 1 + amp * np.cos(2 * np.pi * (_doy(days) - 15) / YEAR)


def _arrivals(rng, per_year: float, t0: int, t1: int, amp: float = 0.0, trend: float = 0.0, ref: int = 0) -> np.ndarray:
    """Day numbers of a Poisson stream on [t0, t1]: `per_year` at `ref`, a winter peak and an annual trend."""
    days = np.arange(t0, t1 + 1, dtype=np.int64)
    lam = per_year / YEAR * _season(days, amp) * (1 + trend) ** ((days - ref) / YEAR)
    return np.repeat(days, rng.poisson(lam))


def _pick_active(rng, starts, ends, d0, d1, rounds: int = 16) -> np.ndarray:
    """For each span [d0, d1], the index of a random service active throughout it (-1 if none found).

    Rejection sampling: a few vectorised rounds of random picks; the few left over get -1.
    """
    pool = np.arange(len(starts))
    out = np.full(len(d0), -1, dtype=np.int64)
    if len(pool) == 0:
        return out
    todo = np.arange(len(d0))
    for _ in range(rounds):
        if len(todo) == 0:
            break
        pick = pool[rng.integers(0, len(pool), len(todo))]
        ok = (starts[pick] <= d0[todo]) & (ends[pick] >= d1[todo])
        out[todo[ok]] = pick[ok]
        todo = todo[~ok]
    return out
