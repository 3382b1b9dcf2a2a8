"""The one Definitions object: assets by domain, resources for this deployment, schedule, sensor."""
from __future__ import annotations

import os

import dagster as dg

from .assets import dbt as dbt_assets_module
from .alerts import failure_hook
from .assets import cld_return, ingestion, publishing, reports
from .dbt_runtime import dbt_executable
from .resources.dbt_cli import DbtCoreCliResource
from .resources.warehouse import WarehouseResource
from .schedules import everything_job, nightly_schedule, warehouse_job
from .sensors import landing_sensor
from .settings import DBT_PROJECT_DIR, Settings


def build_resources(settings: Settings) -> dict:
    # dbt's profile reads the warehouse path from the environment
    os.environ["VITALSIGNS_WAREHOUSE"] = str(settings.warehouse_path)
    os.environ.setdefault("VITALSIGNS_DBT_THREADS", str(settings.dbt_threads))
    os.environ.setdefault("VITALSIGNS_DUCKDB_MEMORY_LIMIT", settings.duckdb_memory_limit)
    return {
        "warehouse": WarehouseResource(landing=str(settings.landing), home=str(settings.home)),
        "dbt": DbtCoreCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=dbt_executable()),
    }


def make_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[*ingestion.feed_assets, dbt_assets_module.warehouse_models, publishing.published_database,
                *reports.report_assets, cld_return.cld_return],
        asset_checks=[publishing.no_person_level_data, publishing.disclosure_audit],
        jobs=[everything_job, warehouse_job],
        schedules=[nightly_schedule],
        sensors=[landing_sensor, failure_hook],
        resources=build_resources(settings),
        executor=dg.in_process_executor,
    )


defs = make_definitions(Settings.from_env())
