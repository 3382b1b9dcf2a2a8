"""The return's code tables, read from the dbt seeds so a council edits one place.

`dbt/seeds/cld_return/cld_return_<name>.csv` map Liquid Logic codes (contracts.py) to CLD
Release 2 values; the Release 2 code lists themselves are DHSC's mapping seeds
(`dbt/seeds/cld_mappings/`, a value whose raw and cleaned spellings are the same) plus
`cld_return_codes.csv` for the fields DHSC maps with no table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import cld_contract as C
from ..contracts import canonical_code
from ..settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds" / "cld_return"
CLD_MAPPINGS = DBT_PROJECT_DIR / "seeds" / "cld_mappings"
NOT_VALUES = {"Invalid and not mapped", "Release 1 specification only: Not mapped"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Mapping:
    """One Liquid Logic code list mapped to CLD: canonical LL code -> the seed row."""

    name: str
    rows: dict[str, dict[str, str]]

    def get(self, value: str | None) -> dict[str, str] | None:
        """The row for a Liquid Logic value (matched as the ingestion matches codes), None if unknown."""
        if value is None or value == "":
            return None
        return self.rows.get(canonical_code(value))


@cache
def mapping(name: str, folder: Path = SEEDS) -> Mapping:
    path = folder / f"cld_return_{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path}: the CLD return mapping table '{name}' is missing")
    rows = {}
    for i, row in enumerate(_rows(path), start=2):
        key = canonical_code(row.get("liquidlogic_value") or "")
        if not key:
            raise ValueError(f"{path}:{i}:liquidlogic_value: empty Liquid Logic value; fill it or delete the row")
        rows[key] = {k: (v or "").strip() for k, v in row.items()}
    return Mapping(name, rows)


@cache
def code_lists() -> dict[str, frozenset[str]]:
    """CLD field name -> its valid Release 2 values (exact spelling)."""
    out: dict[str, set[str]] = {}
    for path in sorted(CLD_MAPPINGS.glob("*.csv")):
        field = C.BY_KEY.get(path.stem)
        if field is None:
            continue  # e.g. event_outcome_hierarchy
        for row in _rows(path):
            raw, cleaned = list(row.values())[:2]
            if raw == cleaned and cleaned not in NOT_VALUES:
                out.setdefault(field.raw, set()).add(cleaned)
    for row in _rows(SEEDS / "cld_return_codes.csv"):
        out.setdefault(row["cld_field"], set()).add(row["cld_value"])
    return {k: frozenset(v) for k, v in out.items()}
