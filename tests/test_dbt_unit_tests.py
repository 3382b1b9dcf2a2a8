"""dbt unit tests (given rows -> expected rows) for each measure rule, run against an empty warehouse.

The nightly build leaves them out: they test the SQL, not the data.
"""

from __future__ import annotations

import os
import subprocess

import duckdb

from dagster_project.dbt_runtime import dbt_executable
from dagster_project.ingest.loader import ensure_raw_schema
from dagster_project.settings import DBT_PROJECT_DIR


def test_every_dbt_unit_test_passes(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    env = {**os.environ, "VITALSIGNS_WAREHOUSE": str(warehouse)}
    common = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    ]
    # unit tests need their parents' columns, so build the (empty) models first
    build = subprocess.run(
        [dbt_executable(), "build", "--exclude-resource-type", "unit_test", *common],
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    run = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit", *common], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-3000:]
    passed = run.stdout.count(" PASS ")
    assert passed >= 8, run.stdout[-2000:]
