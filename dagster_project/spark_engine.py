"""The same dbt project on Apache Spark (docs/spark.md): the bridge between the DuckDB ingestion
and a Spark build, kept in this one module so a Parquet landing zone can later replace it.

Ingestion validates and pseudonymises into DuckDB's `raw` schema; for Spark each raw table is
exported to Parquet under the run's Spark home and declared to Spark's metastore by the dbt
on-run-start hook (macros/raw_parquet.sql). dbt then builds on a local pyspark (profile target
`spark`), with its own Derby metastore and warehouse directory per home, since two JVMs on one
metastore collide. The marts come back as the Parquet files Spark wrote, which DuckDB reads.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import duckdb

from .dbt_runtime import scratch_build

# Person-level feeds are exported partitioned by council (la_code=... folders), as a region's or
# the nation's councils would be stored; Spark finds such partitions only after `msck repair table`.
PARTITIONED = {"people": "la_code"}


class SparkUnavailable(RuntimeError):
    """Java (which pyspark needs) or pyspark itself is missing; the message says how to install it."""


def check_available() -> None:
    if shutil.which("java") is None:
        raise SparkUnavailable("the Spark engine needs Java 17: apt-get install openjdk-17-jre-headless")
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable('the Spark engine needs pyspark: pip install -e ".[spark]"') from exc


def export_raw(warehouse: Path, root: Path) -> dict:
    """Every raw table of `warehouse` as a Parquet folder under `root` (replaced whole); returns the
    `raw_parquet` var the registration hook reads."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
        ]
        for table in tables:
            target = root / table
            if table in PARTITIONED:
                con.execute(f"copy raw.{table} to '{target}' (format parquet, partition_by ({PARTITIONED[table]}))")
            else:
                target.mkdir()
                con.execute(f"copy raw.{table} to '{target / 'data.parquet'}' (format parquet)")
    return {"root": str(root), "tables": tables, "partitioned": sorted(set(PARTITIONED) & set(tables))}


def spark_vars(spark_home: Path, raw_parquet: dict | None = None) -> dict:
    """The profile vars of the `spark` target: where this run's metastore, warehouse and raw Parquet live."""
    return {"spark_home": str(spark_home.resolve()), **({"raw_parquet": raw_parquet} if raw_parquet else {})}


def build(
    select: list[str],
    warehouse: Path,
    spark_home: Path,
    scratch: Path,
    data_tests: bool = True,
    dbt_vars: dict | None = None,
) -> subprocess.CompletedProcess:
    """Export raw from the DuckDB `warehouse`, then `dbt build` the selection on Spark (seeds included;
    `data_tests=False` leaves dbt's data tests to the DuckDB build, each costing Spark a second;
    `dbt_vars`: the settings' vars, Settings.dbt_vars)."""
    check_available()
    spark_home = spark_home.resolve()
    raw = export_raw(warehouse, spark_home / "raw_parquet")
    return scratch_build(
        select,
        warehouse,
        scratch,
        profile={**(dbt_vars or {}), **spark_vars(spark_home, raw)},
        target="spark",
        data_tests=data_tests,
    )


def table_path(spark_home: Path, schema: str, table: str) -> Path:
    """Where Spark's warehouse directory keeps a managed table's Parquet files."""
    return spark_home / "warehouse" / f"{schema}.db" / table


def _normalised(rows) -> list:
    """Rows comparable across engines: floats to 12 significant digits, whole numbers of any type
    (a Decimal 4.0 * n on one engine, an integer on the other) as integers, in a fixed order."""

    def value(v):
        if isinstance(v, float):
            return ("float", None if math.isnan(v) else float(f"{v:.12g}"))
        if hasattr(v, "as_integer_ratio") and not isinstance(v, bool) and int(v) == v:
            return ("number", int(v))
        return (type(v).__name__, v)

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def difference(con: duckdb.DuckDBPyConnection, name: str, duck_sql: str, spark_sql: str) -> str | None:
    """How one table DuckDB built differs from the one Spark built (both read by `con`), or None when
    they hold the same columns and the same rows."""
    duck = con.execute(duck_sql)
    duck_columns, duck_rows = [d[0] for d in duck.description], duck.fetchall()
    spark = con.execute(spark_sql)
    spark_columns, spark_rows = [d[0] for d in spark.description], spark.fetchall()
    if spark_columns != duck_columns:
        return f"{name}: columns {spark_columns} on Spark, {duck_columns} on DuckDB"
    if _normalised(spark_rows) != _normalised(duck_rows):
        return f"{name}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB, not the same"
    return None


def spark_home_of(settings) -> Path:
    """One Spark home per vitalsigns home: its own metastore and warehouse directory."""
    return settings.home / "spark"


def dagster_build(dbt, context, settings, dbt_vars: dict):
    """The dbt asset's build on Spark: raw exported, `dbt build --target spark` (always a full refresh:
    the incremental model's range delete needs a table format with DELETE, such as Delta), its events
    passed on (data tests are asset checks as on DuckDB), then every table Spark built copied into
    the DuckDB warehouse, so publication and reports read the same schemas as after a DuckDB build.
    Row counts are not reported on this engine."""
    check_available()
    spark_home = spark_home_of(settings)
    raw = export_raw(settings.warehouse_path, spark_home / "raw_parquet")
    args = [
        "build",
        "--target",
        "spark",
        "--full-refresh",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps({**dbt_vars, **spark_vars(spark_home, raw)}),
    ]
    yield from dbt.cli(args, context=context, target_path=settings.dbt_target_path).stream()
    copy_back(spark_home, settings.warehouse_path)


def built_tables(spark_home: Path) -> list[tuple[str, str]]:
    """(schema, table) of every table Spark built (raw, exported to it, excluded), in a fixed order."""
    return [
        (schema_dir.name.removesuffix(".db"), table_dir.name)
        for schema_dir in sorted((spark_home / "warehouse").glob("*.db"))
        if schema_dir.name != "raw.db"
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir())
    ]


def parquet_sql(spark_home: Path, schema: str, table: str) -> str:
    """A query DuckDB can read one table Spark built with."""
    return f"select * from read_parquet('{table_path(spark_home, schema, table)}/*.parquet')"


def copy_back(spark_home: Path, warehouse: Path) -> list[str]:
    """Every table Spark built (not raw, not views) replaced in the DuckDB warehouse, in one transaction."""
    copied = []
    with duckdb.connect(str(warehouse)) as con:
        con.execute("begin")
        for schema, table in built_tables(spark_home):
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create or replace table "{schema}"."{table}" as {parquet_sql(spark_home, schema, table)}')
            copied.append(f"{schema}.{table}")
        con.execute("commit")
    return copied
