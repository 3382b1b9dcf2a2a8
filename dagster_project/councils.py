"""Council names and regions, read from the one list dbt also loads (dbt/seeds/councils.csv).

Python code that needs a council's name (reports, the sample generator) calls `council()` or
`council_name()` instead of keeping its own table, so a council is named the same everywhere.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "dbt" / "seeds" / "councils.csv"


@dataclass(frozen=True)
class Council:
    la_code: str
    council_name: str  # full name, as the seed gives it
    short_name: str  # e.g. Norfolk
    region_code: str
    region_name: str
    family_group: str  # comparator family ('' when not known)
    reports: str = ""  # the optional report packs rendered for it, space-separated (e.g. integrated_report)


@functools.cache
def councils() -> tuple[Council, ...]:
    """Every council in the seed, in its order."""
    with SEED.open(encoding="utf-8", newline="") as f:
        return tuple(Council(**row) for row in csv.DictReader(f))


def council(la_code: str) -> Council | None:
    return next((c for c in councils() if c.la_code == la_code), None)


def has_report(la_code: str, report: str) -> bool:
    """Whether an optional report pack (the `reports` column of the seed) is enabled for the council."""
    found = council(la_code)
    return bool(found) and report in found.reports.split()


def council_name(la_code: str) -> str:
    """The council's full name; its code when the seed does not list it."""
    found = council(la_code)
    return found.council_name if found else la_code
