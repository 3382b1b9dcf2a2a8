"""Samples through the CLD era (clean and --dirty) shared by the CLD-return tests, and a helper that
writes a hand-made Liquid Logic landing folder (one council, a few people) for exact checks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dagster_project import contracts as K
from dagster_project.sample import generate

LA = "E10000020"
PERIOD = "2024-Q4"  # January-March 2025: the 12 months are financial year 2024/25


def _sample(tmp_path_factory, name: str, dirty: bool) -> Path:
    out = tmp_path_factory.mktemp(name)
    generate(out, councils=2, years=2, scale=0.05, seed=7, dirty=dirty, end_month="2025-03")
    (out / ".vitalsigns-sample").write_text("synthetic\n")
    return out


@pytest.fixture(scope="session")
def era_sample(tmp_path_factory) -> Path:
    return _sample(tmp_path_factory, "era", dirty=False)


@pytest.fixture(scope="session")
def dirty_sample(tmp_path_factory) -> Path:
    return _sample(tmp_path_factory, "era_dirty", dirty=True)


def write_landing(root: Path, feeds: dict[str, list[dict]], extra_people_columns: tuple[str, ...] = ()) -> Path:
    """liquidlogic/<feed>_20250401.csv for each feed given (contract columns; missing cells empty)."""
    folder = root / "liquidlogic"
    folder.mkdir(parents=True, exist_ok=True)
    for feed, rows in feeds.items():
        cols = K.FEEDS[feed].column_names + (list(extra_people_columns) if feed == "people" else [])
        with (folder / f"{feed}_20250401.csv").open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for r in rows:
                w.writerow({c: r.get(c, "") for c in cols} | {"la_code": r.get("la_code", LA)})
    (root / ".vitalsigns-sample").write_text("synthetic\n")
    return root
