"""`--engine spark` refuses, naming what is not portable yet, instead of building half a pipeline;
the engine setting is checked like every other (docs/spark.md). No Spark is started here."""

from __future__ import annotations

import pytest

from dagster_project import spark_engine
from dagster_project.cli import main
from dagster_project.dbt_runtime import prepare_dbt_manifest
from dagster_project.settings import ConfigError, Settings


def test_blocked_models_are_the_unportable_one_and_its_descendants():
    blocked = spark_engine.blocked_models(prepare_dbt_manifest())
    assert {"int_cld_ascof_2a_episodes", "int_cld_ascof", "int_indicator_computed", "ascof", "exceptions"} <= set(
        blocked
    )
    assert not {"risk_register", "dtoc_monthly", "int_ascof_cohorts", "stg_people"} & set(blocked)


def test_build_on_spark_refuses_and_names_the_models(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    code = main(["build", "--engine", "spark", "--landing", str(tmp_path / "landing"), "--home", str(tmp_path / "h")])
    err = capsys.readouterr().err
    assert code == 2
    assert "int_cld_ascof_2a_episodes is not portable" in err and "ascof" in err
    assert not (tmp_path / "h" / "warehouse").exists()  # refused before anything ran


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
