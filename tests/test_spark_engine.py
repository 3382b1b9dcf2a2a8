"""The same dbt project on Apache Spark (docs/spark.md): the risk register golden figures on both
engines, and every table the selection builds identical row for row, among them the three the
ASCOF 2016/17 figures are counted from (cohorts, events, snapshots) for Norfolk's golden landing.

marts.ascof itself is not built on Spark yet: its lineage runs through int_cld_ascof_2a_episodes,
on which Spark 4.3's analyser runs out of memory (spark_engine.NOT_PORTABLE).

One landing (the ASCOF fixture and the two register snapshots) is ingested once into DuckDB; dbt
builds the selection there, then on a local pyspark from the same raw tables (exported to Parquet).
Floats are compared at 12 significant digits (a sum's last bits may differ with the order Spark
adds in); every other value exactly; rows sorted; integers of any width compare as integers.
"""

from __future__ import annotations

import math
import os
import time

import duckdb
import pytest

from dagster_project import spark_engine
from dagster_project.contracts import FEEDS
from dagster_project.dbt_runtime import scratch_build
from dagster_project.ingest.loader import ensure_raw_schema, load_feed
from tests.conftest import sample_settings
from tests.fixtures import norfolk_2016_17 as norfolk
from tests.fixtures import norfolk_risks as risks

pytestmark = [pytest.mark.slow, pytest.mark.spark]

# (schema, table) compared; the selection is each with its parents
TABLES = [
    ("intermediate", "int_ascof_cohorts"),
    ("intermediate", "int_indicator_events"),
    ("intermediate", "int_indicator_snapshots"),
    ("marts", "dtoc_monthly"),
    ("marts", "risk_register"),
    ("marts", "risk_register_changes"),
]
SELECTION = [f"+{t}" for _, t in TABLES]


def _ingest(landing, home):
    settings = sample_settings(landing, home, report_date="2017-05-31")
    settings.warehouse_path.parent.mkdir(parents=True)
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            ensure_raw_schema(con)
            for feed in FEEDS:
                load_feed(con, settings, feed)
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
    settings = _ingest(landing, root / "home")
    warehouse, spark_home = settings.warehouse_path, root / "home" / "spark"
    started = time.perf_counter()
    proc = scratch_build(SELECTION, warehouse, root / "duck", profile=settings.dbt_vars())
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"\nDuckDB dbt build {' '.join(SELECTION)}: {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    proc = spark_engine.build(
        SELECTION, warehouse, spark_home, root / "spark_scratch", data_tests=False, dbt_vars=settings.dbt_vars()
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"Spark dbt build (models and seeds): {time.perf_counter() - started:.1f}s")
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    for schema, table in TABLES:
        con.execute(
            f"create view spark_{table} as select * from read_parquet("
            f"'{spark_engine.table_path(spark_home, schema, table)}/*.parquet')"
        )
    yield con
    con.close()


def _table(engine: str, table: str) -> str:
    """A table as DuckDB built it, or as Spark wrote it (its Parquet files)."""
    return f"duck.{dict((t, s) for s, t in TABLES)[table]}.{table}" if engine == "duckdb" else f"spark_{table}"


def _normalised(rows):
    def value(v):
        if isinstance(v, float):
            return ("float", None if math.isnan(v) else float(f"{v:.12g}"))
        if hasattr(v, "as_integer_ratio") and not isinstance(v, bool) and int(v) == v:
            return ("number", int(v))  # a Decimal of whole value (4.0 * n) or an integer of any width
        return (type(v).__name__, v)

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_ascof_cohort_golden_counts_on_both_engines(engines, engine):
    """The 2016/17 cohorts marts.ascof divides: 2B(1) is 722 at home of 772 discharged (seed 002)."""
    rows = engines.execute(
        f"select numerator, denominator from {_table(engine, 'int_ascof_cohorts')} "
        "where la_code = ? and indicator_code = '2B1' and as_at = '2017-03-31'",
        [norfolk.LA],
    ).fetchall()
    assert rows == [norfolk.GOLDEN["2B(1)"][:2]]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_risk_register_golden_on_both_engines(engines, engine):
    rows = engines.execute(
        "select risk_id, original_score, current_score, target_score, band, reported_by_exception, "
        f"score_disagreement, overdue from {_table(engine, 'risk_register')} where la_code = ?",
        [risks.LA],
    ).fetchall()
    assert {r[0]: tuple(r[1:6]) for r in rows} == risks.EXPECTED
    assert {r[0]: r[6] for r in rows if r[6]} == {"RM14247": "current score typed as 13, computed 12"}
    assert not any(r[7] for r in rows)  # every review is due on the report date, 31 May 2017
    changes = engines.execute(
        f"select risk_id, change_type, before, after from {_table(engine, 'risk_register_changes')} "
        "order by change_type, risk_id"
    ).fetchall()
    assert changes == [
        ("RM14238", "closed", "Failure in our responsibilities towards carers", None),
        ("RM14149", "new", None, "Impact of the Care Act"),
        ("RM14247", "score", "9", "12"),
        ("RM13925", "title", "Lack of capacity in IT systems", "Lack of capacity in ICT systems"),
    ]


@pytest.mark.parametrize("table", [t for _, t in TABLES])
def test_every_table_is_identical_row_for_row(engines, table):
    duck = engines.execute(f"select * from {_table('duckdb', table)}")
    duck_columns, duck_rows = [d[0] for d in duck.description], duck.fetchall()
    spark = engines.execute(f"select * from {_table('spark', table)}")
    spark_columns, spark_rows = [d[0] for d in spark.description], spark.fetchall()
    assert spark_columns == duck_columns
    assert duck_rows, f"{table} is empty: the comparison would prove nothing"
    assert _normalised(spark_rows) == _normalised(duck_rows)
