"""The CLD part of the benchmark (issue 13): ingestion, the CLD dbt models and the hand-written
floor (cld_floor.sql) over the same landing folder, and the check that the floor's figures equal
marts.ascof_cld. Shared by benchmarks/run.py and tests/cld_measures/test_cld_floor_agrees.py."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SQL = ROOT / "benchmarks" / "cld_floor.sql"
SEEDS = ROOT / "dbt" / "seeds" / "cld_mappings"
# the CLD models and what they are built from (staging, seeds, population), plus the catalogue
# the crosswalk seed's relationship test reads: the golden test's selection (test_cld_golden.py)
DBT_SELECTION = ["+ascof_cld", "+cld_data_quality", "indicator_catalogue"]
KEY = ("la_code", "financial_year", "measure", "part", "breakdown")


def _environment(landing: Path, home: Path) -> None:
    os.environ.update(VITALSIGNS_LANDING=str(landing), VITALSIGNS_HOME=str(home), VITALSIGNS_SAMPLE="1")


def ingest(landing: Path, home: Path) -> dict:
    """Load the population feed (untimed: 2B/2C divide by it) and then time load_cld, the
    `raw/cld` asset's work: read, check, pseudonymise and append every submission."""
    _environment(landing, home)
    from dagster_project.ingest.cld import load_cld
    from dagster_project.ingest.loader import load_feed
    from dagster_project.settings import Settings

    settings = Settings.from_env()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
        con.execute(f"set threads = {settings.dbt_threads}")
        load_feed(con, settings, "population")
        started = time.monotonic()
        outcomes = load_cld(con, settings)
        took = time.monotonic() - started
        rows = con.execute("select count(*) from raw.cld").fetchone()[0]
    return {
        "ingest_s": took,
        "files": sum(o.status == "loaded" for o in outcomes),
        "raw_rows": rows,
        "warehouse": str(settings.warehouse_path),
    }


def dbt_build(landing: Path, home: Path) -> dict:
    """`dbt build` of the CLD models, their seeds and data tests (unit tests excluded, as in a run)."""
    _environment(landing, home)
    from dagster_project.dbt_runtime import profile_vars, scratch_build
    from dagster_project.settings import Settings

    settings = Settings.from_env()
    started = time.monotonic()
    proc = scratch_build(DBT_SELECTION, settings.warehouse_path, home / "dbt_scratch", profile_vars(settings))
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"dbt build of the CLD models failed:\n{proc.stdout[-4000:]}")
    results = json.loads((home / "dbt_scratch" / "target" / "run_results.json").read_text())
    kinds = [r["unique_id"].split(".")[0] for r in results["results"]]
    return {
        "dbt_s": took,
        "dbt_engine_s": results["elapsed_time"],
        "dbt_models": kinds.count("model"),
        "dbt_seeds": kinds.count("seed"),
        "dbt_tests": kinds.count("test"),
    }


def floor(landing: Path, threads: int = 2) -> tuple[float, duckdb.DuckDBPyConnection]:
    sql = FLOOR_SQL.read_text().replace("{landing}", str(landing)).replace("{seeds}", str(SEEDS))
    con = duckdb.connect()
    con.execute(f"set threads = {threads}")
    started = time.monotonic()
    con.execute(sql)
    return time.monotonic() - started, con


def compare(floor_con: duckdb.DuckDBPyConnection, warehouse: Path | str) -> dict:
    """Rows of floor_ascof_cld and marts.ascof_cld that disagree on numerator or denominator, or
    that only one side has (all should be zero), with a few examples."""
    floor_con.execute(f"attach '{warehouse}' as wh (read_only)")
    try:
        diff = f"""select {", ".join(KEY)}, f.numerator as floor_num, p.numerator as dbt_num,
                          f.denominator as floor_den, p.denominator as dbt_den
                   from floor_ascof_cld f full join wh.marts.ascof_cld p using ({", ".join(KEY)})
                   where f.numerator is distinct from p.numerator or f.denominator is distinct from p.denominator
                   order by all"""
        rows = floor_con.execute(diff).fetchall()
        matched = floor_con.execute(
            f"select count(*) from floor_ascof_cld join wh.marts.ascof_cld using ({', '.join(KEY)})"
        ).fetchone()[0]
    finally:
        floor_con.execute("detach wh")
    return {"matched": matched, "mismatches": len(rows), "examples": [list(map(str, r)) for r in rows[:10]]}


def events_per_council_year(landing: Path) -> float:
    """Mean rows of a rolling 12-month submission: the events a council reports in a year."""
    with duckdb.connect() as con:
        return con.execute(f"""select avg(n) from (select filename, count(*) as n from read_csv(
            '{landing}/cld/cld_*.csv', all_varchar = true, union_by_name = true, filename = true)
            group by all)""").fetchone()[0]
