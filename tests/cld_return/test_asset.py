"""The quarter-partitioned asset: it materialises a return per council, and the build jobs leave it out
(it writes person-identifiable files, so only on demand)."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dagster_project.assets.cld_return import cld_return, quarter_labels
from dagster_project.constants import ALL_ASSETS_JOB, REPORTS_JOB
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.sample.councils import COUNCILS

from .conftest import PERIOD


def test_quarters_run_from_2023_q1_to_the_last_ended_quarter():
    assert quarter_labels(dt.date(2025, 3, 31))[-1] == "2024-Q3"
    assert quarter_labels(dt.date(2025, 4, 1))[-1] == "2024-Q4"
    assert quarter_labels(dt.date(2025, 7, 1))[-1] == "2025-Q1"
    assert quarter_labels(dt.date(2025, 4, 1))[0] == "2023-Q1" and len(quarter_labels(dt.date(2025, 4, 1))) == 8


def test_the_asset_writes_one_return_per_council(era_sample, tmp_path):
    result = dg.materialize(
        [cld_return],
        partition_key=PERIOD,
        resources={"warehouse": WarehouseResource(landing=str(era_sample), home=str(tmp_path))},
        run_config={"ops": {"exports__cld_return": {"config": {"ascof": False}}}},
    )
    assert result.success
    for c in COUNCILS[:2]:
        assert (tmp_path / "exports" / c.la_code / f"cld_return_{c.la_code}_{PERIOD}.csv").exists()
    md = result.asset_materializations_for_node("exports__cld_return")[0].metadata["councils"].value
    assert {k: v["structural_errors"] for k, v in md.items()} == {c.la_code: 0 for c in COUNCILS[:2]}


def test_the_build_jobs_leave_the_return_out(tmp_path):
    from dagster_project.definitions import make_definitions
    from dagster_project.settings import Settings

    defs = make_definitions(Settings.from_env(landing=tmp_path, home=tmp_path))
    assert defs.resolve_job_def(ALL_ASSETS_JOB).partitions_def is None
    for name in (ALL_ASSETS_JOB, REPORTS_JOB):
        job = defs.resolve_job_def(name)
        assert not [k for k in job.asset_layer.executable_asset_keys if k.path[0] == "exports"]
