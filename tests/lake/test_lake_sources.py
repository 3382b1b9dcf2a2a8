"""dbt's Liquid Logic sources read from the landing zone give the same warehouse as from raw.

One module fixture builds the smallest sample (1 council, 2 years, scale 0.05) twice, into two
homes: raw sources (the default) and VITALSIGNS_LAKE_SOURCES on. Every mart must be identical row
for row (`except all` both ways).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project import changes
from dagster_project.build_runner import run_everything
from dagster_project.contracts import FEEDS
from dagster_project.ingest.reading import extract_date
from dagster_project.sample import generate
from tests.conftest import sample_settings

pytestmark = pytest.mark.slow

FOLDER_FEEDS = {f: [n for n, feed in FEEDS.items() if feed.folder == f] for f in ("liquidlogic",)}


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


def differences(left, right, schema: str = "marts", as_sets: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Per relation of `schema`: (rows only left has, rows only right has), counting duplicates except
    in the relations `as_sets` names."""
    out = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        for t in relations(left, schema):
            cols = [c[0] for c in con.execute(f"describe l.{schema}.{t}").fetchall()]
            star = f"* exclude ({WHEN})" if WHEN in cols else "*"
            a, b = f"(select {star} from l.{schema}.{t})", f"(select {star} from r.{schema}.{t})"
            op = "except" if t in as_sets else "except all"
            only_l = con.execute(f"select count(*) from (from {a} {op} from {b})").fetchall()[0][0]
            only_r = con.execute(f"select count(*) from (from {b} {op} from {a})").fetchall()[0][0]
            if only_l or only_r:
                out[t] = (only_l, only_r)
    return out


def _lake_bench():
    """benchmarks/lake_bench.py's `cut`: a council's earlier extract made from a later one."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "lake_bench.py"
    spec = importlib.util.spec_from_file_location("lake_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def last_build(settings) -> dict:
    return json.loads(changes.state_path(settings).read_text())


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """Night 1: the sample's extracts as they stood a month before its end (the later extract cut,
    so the two nights share their history as a council's consecutive extracts do), built with raw
    sources (`raw`) and with the zone's sources and changed-only builds (`lake`). Night 2: the
    month's extracts land; `lake` builds nightly, `scratch` builds the same landing from nothing."""
    root = tmp_path_factory.mktemp("lake_sources")
    later = root / "later"
    generate(later, councils=1, years=2, scale=0.05, seed=17, end_month="2017-04")
    (later / ".vitalsigns-sample").write_text("synthetic\n")
    [people] = (later / "liquidlogic").glob("people_*.csv")
    month_before = (pd.Timestamp(extract_date(people)) - pd.DateOffset(months=1)).strftime("%Y%m%d")
    landing = root / "landing"
    _lake_bench().cut(later, landing, month_before)
    out = {}

    def build(name: str, **kw):
        settings = sample_settings(landing, root / name, lake=True, **kw)
        outcome = run_everything(settings, reports=False)
        assert outcome.success, outcome.failures
        out[name] = settings

    build("raw")
    build("lake", lake_sources=True, dbt_changed_only=True)
    out["night1"] = last_build(out["lake"])
    raw, zoned = out["raw"].warehouse_path, out["lake"].warehouse_path
    out["night1_marts"] = (relations(raw, "marts"), relations(zoned, "marts"))
    out["night1_differences"] = {s: differences(raw, zoned, s) for s in ("marts", "intermediate")}
    for folder in ("liquidlogic", "dtoc"):
        for p in (later / folder).glob("*.csv"):
            shutil.copy(p, landing / folder / p.name)
    build("lake", lake_sources=True, dbt_changed_only=True)
    out["night2"] = last_build(out["lake"])
    build("scratch")
    return out


def test_marts_from_the_zone_equal_marts_from_raw(homes):
    """Night 1, built from scratch both ways."""
    assert homes["night1"]["full"] and homes["night1"]["reason"] == "no earlier good build recorded"
    raw, zoned = homes["night1_marts"]
    assert len(raw) > 10 and raw == zoned
    assert homes["night1_differences"] == {"marts": {}, "intermediate": {}}


def test_nightly_build_of_what_changed_equals_a_build_from_scratch(homes):
    night2 = homes["night2"]
    assert not night2["full"], night2["reason"]
    # one more month of Liquid Logic and DToC: their models rebuilt, population and CLD ones kept
    assert {"stg_services", "stg_dtoc", "int_long_term_support_snapshots", "ascof", "risk_register"} <= set(
        night2["rebuilt_models"]
    )
    assert {"stg_population", "stg_cld", "stg_benchmarks"} <= set(night2["kept_models"])
    assert set(night2["changed"]) == {*FOLDER_FEEDS["liquidlogic"], "dtoc"}
    nightly, scratch = homes["lake"].warehouse_path, homes["scratch"].warehouse_path
    assert relations(nightly, "marts") == relations(scratch, "marts")
    # the load log has a row per run for a feed with no file (here CLD): a home built twice has it twice
    assert differences(nightly, scratch, as_sets=("data_quality",)) == {}
    assert differences(nightly, scratch, "intermediate") == {}


def test_staging_reads_the_zone_only_when_asked(homes):
    """The lake build's staging views read Parquet; the default build's read raw."""
    for name, expected in (("raw", False), ("lake", True)):
        with duckdb.connect(str(homes[name].warehouse_path), read_only=True) as con:
            sql = con.execute(
                "select sql from duckdb_views() where schema_name = 'staging' and view_name = 'stg_people'"
            ).fetchall()[0][0]
        assert ("read_parquet" in sql) is expected, sql
