"""The dbt project as assets: staging, intermediate and marts groups, dbt tests as checks.

Nothing runs at import: `warehouse_models_definition()` (called when the definitions load)
parses the project only if it changed since the last manifest, then builds the assets from it.
Groups come from `+meta: {dagster: {group: ...}}` per folder in dbt_project.yml.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from ..constants import OWNER
from ..dbt_runtime import prepare_dbt_manifest, profile_vars, with_row_counts
from ..resources.warehouse import WarehouseResource
from ..settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class VitalsignsTranslator(DagsterDbtTranslator):
    """Groups from dbt's `+meta` (the default translator reads them); every model has the team as owner."""

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


class DbtBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild incremental models from all history (after a council re-sends corrected old records).",
    )


def dbt_build(
    context,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
    manifest_path: Path | None = None,
):
    """`dbt build` with the settings as vars (the warehouse path and tuning for the profile, the CLD
    vars for the models), then each table's row count. Unit tests check the SQL, not the data: the
    suite runs them (tests/test_dbt_unit_tests.py)."""
    settings = warehouse.settings
    dbt_vars = {**settings.dbt_vars(), **profile_vars(settings)}
    with warehouse.write_lock():
        if settings.engine == "spark":  # docs/spark.md: raw handed over as Parquet, the tables copied back
            from .. import spark_engine

            yield from spark_engine.dagster_build(dbt, context, settings, dbt_vars)
            return
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(dbt_vars),
            *(["--full-refresh"] if config.full_refresh else []),
        ]
        yield from with_row_counts(
            dbt.cli(args, context=context, target_path=settings.dbt_target_path).stream(),
            settings.warehouse_path,
            manifest_path or dbt_project.manifest_path,
        )


def warehouse_models_definition() -> dg.AssetsDefinition:
    manifest = prepare_dbt_manifest()  # a no-op unless the project changed since the manifest was written

    @dbt_assets(manifest=manifest, dagster_dbt_translator=VitalsignsTranslator(), project=dbt_project)
    def warehouse_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
    ):
        yield from dbt_build(context, dbt, warehouse, config, manifest)

    return warehouse_models
