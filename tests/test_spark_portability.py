"""The engine setting is checked like every other, and the tables a Spark build wrote come back into
the DuckDB warehouse (docs/spark.md). No Spark is started here."""

from __future__ import annotations

import pytest

from dagster_project import spark_engine
from dagster_project.settings import ConfigError, Settings


def test_unknown_engine_is_a_config_error(monkeypatch):
    monkeypatch.setenv("VITALSIGNS_ENGINE", "oracle")
    with pytest.raises(ConfigError, match="VITALSIGNS_ENGINE: unknown engine 'oracle'"):
        Settings.from_env()
    monkeypatch.setenv("VITALSIGNS_ENGINE", "spark")
    assert Settings.from_env().engine == "spark"


def test_tables_spark_wrote_replace_their_namesakes_in_the_warehouse_and_raw_stays(tmp_path):
    import duckdb

    spark_home, warehouse = tmp_path / "spark", tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.councils as select 'old' as name")
        con.execute("create schema raw; create table raw.people as select 'pseudonymised' as person_id")
        for schema, table, sql in (
            ("marts", "councils", "select 'Norfolk' as name union all select 'Leicester'"),
            ("intermediate", "int_periods", "select date '2017-03-31' as period_end"),
            ("raw", "people", "select 'from spark' as person_id"),
        ):
            folder = spark_engine.table_path(spark_home, schema, table)
            folder.mkdir(parents=True)
            con.execute(f"copy ({sql}) to '{folder / 'part-00000.parquet'}' (format parquet)")
    assert spark_engine.copy_back(spark_home, warehouse) == ["intermediate.int_periods", "marts.councils"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert sorted(con.execute("select name from marts.councils").fetchall()) == [("Leicester",), ("Norfolk",)]
        assert con.execute("select count(*) from intermediate.int_periods").fetchone() == (1,)
        assert con.execute("select person_id from raw.people").fetchall() == [("pseudonymised",)]
