"""The whole dbt project on Apache Spark (docs/spark.md): built once on each engine from one small
landing, every table Spark wrote identical row for row to DuckDB's, and the golden figures on both:
Norfolk's ASCOF 2016/17 (seed 002), the CLD ASCOF worked by hand from DHSC's code, the risk register,
and Norfolk's exception lists of December 2016 and March 2017.

One landing (the ASCOF 2016/17 fixture, the two register snapshots, and the exception golden's two
supplied dashboards, each under another council's code) is ingested once into DuckDB,
and the CLD golden fixture's rows are added to raw as its own test loads them (same council, CLD
years 2023-25, so nothing overlaps). dbt builds every model and seed there, then in one invocation
on a local pyspark from the same raw tables (exported to Parquet); dbt's data tests are left to the
DuckDB suites (each costs Spark about a second). Floats compare at 12 significant digits (a sum's
last bits may differ with the order Spark adds in); every other value exactly; rows sorted; integers
of any width compare as integers.
"""

from __future__ import annotations

import os
import time

import duckdb
import pytest

from dagster_project import spark_engine
from dagster_project.contracts import FEEDS
from dagster_project.dbt_runtime import scratch_build
from dagster_project.ingest.loader import ensure_raw_schema, load_feed
from tests.cld_measures import test_cld_golden as cld
from tests.conftest import sample_settings
from tests.fixtures import norfolk_2016_17 as norfolk
from tests.fixtures import norfolk_dashboards as dash
from tests.fixtures import norfolk_risks as risks

pytestmark = [pytest.mark.slow, pytest.mark.spark]

EVERYTHING = ["fqn:*"]
# Norfolk's exception lists (tests/measures/test_golden_exceptions.py) from its supplied dashboards,
# each under a council code of its own so both sit beside Norfolk's ASCOF year in one landing
DASHBOARDS = {("E10000021", "20170602"): dash.DECEMBER_2016, ("E10000024", "20170603"): dash.MARCH_2017}
# marts the golden figures and the publication read: each must have rows, or the comparison proves little
MUST_HAVE_ROWS = ["ascof", "ascof_cld", "indicator_values", "dashboard", "risk_register", "dtoc_monthly"]


def _ingest(landing, home):
    settings = sample_settings(landing, home, report_date="2017-05-31")
    settings.warehouse_path.parent.mkdir(parents=True)
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            ensure_raw_schema(con)
            for feed in FEEDS:
                load_feed(con, settings, feed)
            cld.load_fixture(con)
    finally:
        os.environ.pop("VITALSIGNS_SAMPLE", None)
    return settings


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    try:
        spark_engine.check_available()
    except spark_engine.SparkUnavailable as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("spark")
    landing = root / "landing"
    norfolk.build(landing)
    risks.write(landing, "20170131", risks.january_2017(), review_date="31/01/2017")
    risks.write(landing, "20170531", risks.MAY_2017, review_date="31/05/2017", typed_scores={"RM14247": 13})
    for (la, stamp), dashboard in DASHBOARDS.items():  # the exception golden's two scenarios, as other councils
        dash.build(landing, dashboard, la=la, stamp=stamp)
    settings = _ingest(landing, root / "home")
    warehouse, spark_home = settings.warehouse_path, root / "home" / "spark"
    started = time.perf_counter()
    proc = scratch_build(EVERYTHING, warehouse, root / "duck", profile=settings.dbt_vars(), data_tests=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"\nDuckDB dbt build, every model and seed: {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    proc = spark_engine.build(
        EVERYTHING, warehouse, spark_home, root / "spark_scratch", data_tests=False, dbt_vars=settings.dbt_vars()
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"Spark dbt build, every model and seed: {time.perf_counter() - started:.1f}s")
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    tables = {}
    for schema, table in spark_engine.built_tables(spark_home):
        tables[table] = schema
        con.execute(f"create view spark_{table} as {spark_engine.parquet_sql(spark_home, schema, table)}")
    yield con, tables
    con.close()


def _table(engines, engine: str, table: str) -> str:
    """A table as DuckDB built it, or as Spark wrote it (its Parquet files)."""
    _, tables = engines
    return f"duck.{tables[table]}.{table}" if engine == "duckdb" else f"spark_{table}"


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_ascof_2016_17_golden_figures_on_both_engines(engines, engine):
    con, _ = engines
    rows = con.execute(
        f"select ascof_code, numerator, denominator, value from {_table(engines, engine, 'ascof')} "
        "where la_code = ? and financial_year = '2016/17'",
        [norfolk.LA],
    ).fetchall()
    got = {code: (num, den, value) for code, num, den, value in rows}
    for code, (numerator, denominator, published) in norfolk.GOLDEN.items():
        num, den, value = got[code]
        assert (num, den) == (numerator, denominator), code
        assert float(f"{value + 1e-12:.1f}") == published, code


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_cld_ascof_golden_figures_on_both_engines(engines, engine):
    con, _ = engines
    rows = con.execute(
        f"select measure, part, breakdown, numerator, denominator from {_table(engines, engine, 'ascof_cld')} "
        "where la_code = ? and financial_year = ?",
        [cld.LA, cld.FY],
    ).fetchall()
    assert {(m, p, b): (n, d) for m, p, b, n, d in rows} == cld.GOLDEN


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("la", [la for la, _ in DASHBOARDS])
def test_exception_golden_lists_on_both_engines(engines, engine, la):
    con, _ = engines
    dashboard = next(d for (code, _), d in DASHBOARDS.items() if code == la)
    rows = con.execute(
        f"select indicator_code, rag, reasons from {_table(engines, engine, 'exceptions')} "
        "where la_code = ? and strftime(period_end, '%Y-%m') = ?",
        [la, dashboard["report"]],
    ).fetchall()
    assert {r[0] for r in rows} == dashboard["exceptions"]
    assert all(rag == "R" and "off target" in reasons for _, rag, reasons in rows)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_risk_register_golden_on_both_engines(engines, engine):
    con, _ = engines
    rows = con.execute(
        "select risk_id, original_score, current_score, target_score, band, reported_by_exception, "
        f"score_disagreement, overdue from {_table(engines, engine, 'risk_register')} where la_code = ?",
        [risks.LA],
    ).fetchall()
    assert {r[0]: tuple(r[1:6]) for r in rows} == risks.EXPECTED
    assert {r[0]: r[6] for r in rows if r[6]} == {"RM14247": "current score typed as 13, computed 12"}
    assert not any(r[7] for r in rows)  # every review is due on the report date, 31 May 2017
    changes = con.execute(
        f"select risk_id, change_type, before, after from {_table(engines, engine, 'risk_register_changes')} "
        "order by change_type, risk_id"
    ).fetchall()
    assert changes == [
        ("RM14238", "closed", "Failure in our responsibilities towards carers", None),
        ("RM14149", "new", None, "Impact of the Care Act"),
        ("RM14247", "score", "9", "12"),
        ("RM13925", "title", "Lack of capacity in IT systems", "Lack of capacity in ICT systems"),
    ]


def test_spark_built_every_table_duckdb_built(engines):
    con, tables = engines
    duck = {
        (s, t)
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'duck' "
            "and table_type = 'BASE TABLE' and table_schema <> 'raw'"
        ).fetchall()
    }
    assert {(s, t) for t, s in tables.items()} == duck
    for table in MUST_HAVE_ROWS:
        assert con.execute(f"select count(*) from spark_{table}").fetchone()[0], f"{table} is empty"


def test_every_table_is_identical_row_for_row(engines):
    con, tables = engines
    differ = [
        d
        for table in sorted(tables)
        if (
            d := spark_engine.difference(
                con,
                table,
                f"select * from {_table(engines, 'duckdb', table)}",
                f"select * from {_table(engines, 'spark', table)}",
            )
        )
    ]
    assert not differ, "\n".join(differ)
