"""Nightly build of everything (default 02:00 Europe/London; VITALSIGNS_NIGHTLY_CRON / _TZ).

Nights are incremental (the largest dbt model recomputes only recent months); one night a week
(VITALSIGNS_FULL_REFRESH_WEEKDAY, ISO 1-7, default 7 = Sunday; 0 = never) is a full refresh, so
corrected old records a council re-sends are in the warehouse within a week.
"""
from __future__ import annotations

import os

import dagster as dg

from .constants import ALL_ASSETS_JOB, CLD_RETURN, REPORTS, WAREHOUSE_JOB

everything_job = dg.define_asset_job(
    ALL_ASSETS_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(CLD_RETURN),  # person-identifiable: on demand
    description="Ingest every feed, build and test the dbt project, publish, render reports.",
    tags={"dagster/max_retries": 0},
)

warehouse_job = dg.define_asset_job(
    WAREHOUSE_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORTS, CLD_RETURN),
    description="Ingest, build and test the dbt project, publish; no reports (re-render them separately).",
    tags={"dagster/max_retries": 0},
)

FULL_REFRESH_WEEKDAY = int(os.environ.get("VITALSIGNS_FULL_REFRESH_WEEKDAY", "7"))


def full_refresh_run_config(full_refresh: bool) -> dict:
    return {"ops": {"warehouse_models": {"config": {"full_refresh": full_refresh}}}}


@dg.schedule(
    name="nightly_build",
    job=everything_job,
    cron_schedule=os.environ.get("VITALSIGNS_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("VITALSIGNS_NIGHTLY_TZ", "Europe/London"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Materialise everything every night; a full refresh once a week.",
)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    full = context.scheduled_execution_time.isoweekday() == FULL_REFRESH_WEEKDAY
    return dg.RunRequest(run_config=full_refresh_run_config(full),
                         tags={"vitalsigns/full_refresh": "true" if full else "false"})
