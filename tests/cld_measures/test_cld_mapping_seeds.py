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
