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
