"""Nightly build of everything (default 02:00 Europe/London; VITALSIGNS_NIGHTLY_CRON / _TZ)."""
from __future__ import annotations

import os

import dagster as dg

from .constants import ALL_ASSETS_JOB

everything_job = dg.define_asset_job(
    ALL_ASSETS_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest every feed, build and test the dbt project, publish, render reports.",
    tags={"dagster/max_retries": 0},
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_build",
    job=everything_job,
    cron_schedule=os.environ.get("VITALSIGNS_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("VITALSIGNS_NIGHTLY_TZ", "Europe/London"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Materialise everything every night.",
)
