"""The dbt project as assets: staging, intermediate and marts groups, dbt tests as checks."""

import json
from typing import Any, Mapping

import dagster as dg
from pydantic import Field
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ..constants import INTERMEDIATE, MARTS, OWNER, STAGING
from ..resources.warehouse import WarehouseResource
from ..dbt_runtime import prepare_dbt_manifest
from ..settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
prepare_dbt_manifest()  # a no-op unless the project changed since the manifest was written


class LayeredTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders; marts keep their bare names (marts/<name>)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        path = dbt_resource_props.get("original_file_path", "")
        for layer in (STAGING, INTERMEDIATE, MARTS):
            if f"models/{layer}/" in path:
                return layer
        return MARTS if dbt_resource_props.get("resource_type") == "seed" else None

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


class DbtBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild incremental models from all history (after a council re-sends corrected old records).",
    )


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=LayeredTranslator())
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                     config: DbtBuildConfig):
    # unit tests check the SQL, not the data: the suite runs them (tests/test_dbt_unit_tests.py)
    # settings that are dbt vars (CLD as-of date, population year) go in explicitly on every build
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(warehouse.settings.dbt_vars()),
            *(["--full-refresh"] if config.full_refresh else [])]
    with warehouse.write_lock():
        yield from dbt.cli(args, context=context, target_path=warehouse.settings.dbt_target_path).stream()
