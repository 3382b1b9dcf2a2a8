"""Checks on values from outside that end up in paths, SQL or file names.

One place for the patterns, so ingestion (rejecting rows), the CLI and the Dagster launchpad
(refusing a period) and the report writers (refusing a path) apply the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

# ONS codes of English councils with adult social care duties or districts: E06 unitary, E07
# non-metropolitan district, E08 metropolitan district, E09 London borough, E10 county.
# England only: ASCOF and CLD are English collections (docs/decisions.md, "Hostile input").
LA_CODE_PATTERN = r"E(06|07|08|09|10)\d{6}"
LA_CODE_RE = re.compile(rf"^{LA_CODE_PATTERN}$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class UnsafeValue(ValueError):
    """A value from outside would escape where it must stay; the message says which and why."""


def is_la_code(value: object) -> bool:
    return isinstance(value, str) and bool(LA_CODE_RE.match(value))


def check_la_code(value: object) -> str:
    if not is_la_code(value):
        raise UnsafeValue(
            f"council code {str(value)[:40]!r} is not an ONS council code like E10000020 "
            "(E06/E07/E08/E09/E10 followed by six digits)"
        )
    return value  # type: ignore[return-value]


def check_period(value: object) -> str:
    if not isinstance(value, str) or not PERIOD_RE.match(value):
        raise UnsafeValue(f"period {str(value)[:40]!r} is not a month written YYYY-MM (e.g. 2017-03)")
    return value


def inside(root: Path, *parts: str) -> Path:
    """root/parts resolved, refused unless it stays inside root (no `..`, no absolute part, no symlink out)."""
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise UnsafeValue(f"refused to write {target}: it is outside {base}")
    return target
