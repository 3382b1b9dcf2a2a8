"""The one Definitions object: assets by domain, resources for this deployment, jobs, schedule, sensors.

Loaded lazily (`@dg.definitions`): importing this module reads nothing and runs nothing. When
Dagster loads it, the settings are read once from the environment (Settings.from_env) and become
resource fields; the dbt manifest is parsed only if the project changed.
"""

from __future__ import annotations

import dagster as dg

from .alerts import AlertsResource, failure_hook
from .assets import cld_return, ingestion, publishing, reports
from .assets.dbt import dbt_project, warehouse_models_definition
from .dbt_runtime import dbt_executable
from .jobs import everything_job, reports_job
from .resources.dbt_cli import DbtCoreCliResource
from .resources.warehouse import WarehouseResource
from .schedules import nightly_schedule
from .sensors import landing_sensor, report_sensor
from .settings import Settings


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "alerts": AlertsResource.from_settings(settings),
        "dbt": DbtCoreCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }


def make_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *ingestion.feed_assets,
            *ingestion.load_log_assets,
            reports.commentary,
            warehouse_models_definition(),
            publishing.published_database_definition(),
            *reports.report_assets,
            cld_return.cld_return,
        ],
        asset_checks=[publishing.no_person_level_data, publishing.disclosure_audit, *ingestion.data_arrival_checks],
        jobs=[everything_job, reports_job],
        schedules=[nightly_schedule(settings)],
        sensors=[landing_sensor, report_sensor, failure_hook, ingestion.data_arrival_sensor],
        resources=build_resources(settings),
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return make_definitions(Settings.from_env())
