"""Nightly build of everything (default 02:00 Europe/London; VITALSIGNS_NIGHTLY_CRON / _TZ).

Nights are incremental (the largest dbt model recomputes only recent months); one night a week
(VITALSIGNS_FULL_REFRESH_WEEKDAY, ISO 1-7, default 7 = Sunday; 0 = never) is a full refresh, so
corrected old records a council re-sends are in the warehouse within a week. The cron and time
zone are fixed when the definitions load, so the schedule is built from the resolved Settings.
"""

from __future__ import annotations

import dagster as dg

from .jobs import everything_job, full_refresh_run_config
from .settings import Settings


def nightly_schedule(settings: Settings) -> dg.ScheduleDefinition:
    full_refresh_weekday = settings.full_refresh_weekday

    @dg.schedule(
        name="nightly_build",
        job=everything_job,
        cron_schedule=settings.nightly_cron,
        execution_timezone=settings.nightly_tz,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Materialise everything every night; a full refresh on ISO weekday {full_refresh_weekday} "
        "(0 = never).",
    )
    def _nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        full = context.scheduled_execution_time.isoweekday() == full_refresh_weekday
        return dg.RunRequest(
            run_config=full_refresh_run_config(full), tags={"vitalsigns/full_refresh": "true" if full else "false"}
        )

    return _nightly
