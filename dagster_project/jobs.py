"""The jobs: the build (ingest, dbt, publish) and the monthly report packs (partitioned by month).

The build is unpartitioned: every night it refreshes the whole warehouse and the one published
database. Reports are partitioned by reporting month (assets/reports.py), so they are their own
job: a run renders one month's packs, a backfill re-renders past months. The nightly schedule
and the landing sensor run the build; the report sensor (sensors.py) renders each council's
latest month after every publication.
"""

from __future__ import annotations

import dagster as dg

from .assets.ingestion import data_arrival_checks
from .assets.reports import REPORT_MONTHS
from .constants import ALL_ASSETS_JOB, CLD_RETURN, REPORTS, REPORTS_JOB

everything_job = dg.define_asset_job(
    ALL_ASSETS_JOB,
    # the data-arrival checks run on their own sensor, not in every build
    # the CLD return is person-identifiable: made on demand only (vitalsigns cld-return)
    selection=(
        dg.AssetSelection.all()
        - dg.AssetSelection.groups(REPORTS, CLD_RETURN)
        - dg.AssetSelection.checks(*data_arrival_checks)
    ),
    description="Ingest every feed, build and test the dbt project, publish; the report sensor then renders "
    "each council's latest month (reports are partitioned by month: their own job).",
    tags={"dagster/max_retries": 0},
)

reports_job = dg.define_asset_job(
    REPORTS_JOB,
    selection=dg.AssetSelection.groups(REPORTS),
    partitions_def=REPORT_MONTHS,
    description="Render one reporting month's packs (committee report, risk-register summary, workbook, and at "
    "quarter ends the integrated report where enabled) from the published database; backfill past months "
    "from the partitions page.",
    tags={"dagster/max_retries": 0},
)


def full_refresh_run_config(full_refresh: bool) -> dict:
    return {"ops": {"warehouse_models": {"config": {"full_refresh": full_refresh}}}}
