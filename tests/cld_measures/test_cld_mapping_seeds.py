"""The CLD mapping seeds are the spec's tables, byte for byte (cld.md: "ship them as dbt seeds and
keep them identical"). Skipped where the shared spec is not mounted (e.g. a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.settings import DBT_PROJECT_DIR

SPEC = Path("/work/shared/spec/cld_mappings")
SEEDS = DBT_PROJECT_DIR / "seeds" / "cld_mappings"


@pytest.mark.skipif(not SPEC.is_dir(), reason="shared spec not available")
def test_mapping_seeds_are_byte_identical_to_the_spec():
    spec = {p.name: p.read_bytes() for p in SPEC.glob("*.csv")}
    seeds = {p.name: p.read_bytes() for p in SEEDS.glob("*.csv")}
    assert sorted(seeds) == sorted(spec), "a mapping table is missing or extra: copy spec/cld_mappings/*.csv"
    differ = [name for name in spec if seeds[name] != spec[name]]
    assert not differ, f"differ from the spec: {differ}: copy them again from {SPEC}"


def test_fixture_csv_is_what_its_builder_writes(tmp_path):
    """The committed fixture and its documented builder never drift apart."""
    import csv
    import importlib.util

    here = Path(__file__).parent / "fixtures"
    spec = importlib.util.spec_from_file_location("build_fixture", here / "build_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "f.csv"
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=module.COLUMNS)
        w.writeheader()
        w.writerows(module.rows())
    assert out.read_bytes() == (here / "cld_fixture.csv").read_bytes(), "re-run build_fixture.py"
