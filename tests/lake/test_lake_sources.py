"""dbt's Liquid Logic sources read from the landing zone give the same warehouse as from raw.

One module fixture builds the smallest sample (1 council, 2 years, scale 0.05) twice, into two
homes: raw sources (the default) and VITALSIGNS_LAKE_SOURCES on. Every mart must be identical row
for row (`except all` both ways).
"""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.build_runner import run_everything
from dagster_project.sample import generate
from tests.conftest import sample_settings

pytestmark = pytest.mark.slow


def relations(path, schema: str) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]


# when a file was loaded: the one column two builds of the same data may not share
WHEN = "loaded_at"


def differences(left, right, schema: str = "marts") -> dict[str, tuple[int, int]]:
    """Per relation of `schema`: (rows only left has, rows only right has), counting duplicates."""
    out = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        for t in relations(left, schema):
            cols = [c[0] for c in con.execute(f"describe l.{schema}.{t}").fetchall()]
            star = f"* exclude ({WHEN})" if WHEN in cols else "*"
            a, b = f"(select {star} from l.{schema}.{t})", f"(select {star} from r.{schema}.{t})"
            only_l = con.execute(f"select count(*) from (from {a} except all from {b})").fetchall()[0][0]
            only_r = con.execute(f"select count(*) from (from {b} except all from {a})").fetchall()[0][0]
            if only_l or only_r:
                out[t] = (only_l, only_r)
    return out


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    root = tmp_path_factory.mktemp("lake_sources")
    landing = root / "landing"
    generate(landing, councils=1, years=2, scale=0.05, seed=17)
    (landing / ".vitalsigns-sample").write_text("synthetic\n")
    out = {}
    for name, on in (("raw", False), ("lake", True)):
        settings = sample_settings(landing, root / name, lake=True, lake_sources=on)
        outcome = run_everything(settings, reports=False)
        assert outcome.success, outcome.failures
        out[name] = settings
    return out


def test_marts_from_the_zone_equal_marts_from_raw(homes):
    raw, zoned = homes["raw"].warehouse_path, homes["lake"].warehouse_path
    assert len(relations(raw, "marts")) > 10
    assert relations(raw, "marts") == relations(zoned, "marts")
    assert differences(raw, zoned) == {}
    assert differences(raw, zoned, "intermediate") == {}


def test_staging_reads_the_zone_only_when_asked(homes):
    """The lake build's staging views read Parquet; the default build's read raw."""
    for name, expected in (("raw", False), ("lake", True)):
        with duckdb.connect(str(homes[name].warehouse_path), read_only=True) as con:
            sql = con.execute(
                "select sql from duckdb_views() where schema_name = 'staging' and view_name = 'stg_people'"
            ).fetchall()[0][0]
        assert ("read_parquet" in sql) is expected, sql
