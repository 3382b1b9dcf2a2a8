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

from .. import changes
from ..constants import OWNER
from ..dbt_runtime import home_vars, prepare_dbt_manifest, with_row_counts
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
    dbt_vars = home_vars(settings)
    with warehouse.write_lock():
        if settings.engine == "spark":  # docs/spark.md: raw handed over as Parquet, the tables copied back
            from .. import spark_engine

            yield from spark_engine.dagster_build(dbt, context, settings, dbt_vars)
            return
        manifest = manifest_path or dbt_project.manifest_path
        todo = _plan(settings, manifest, dbt_vars, config.full_refresh)
        if context is not None:
            context.log.info(f"dbt build: {todo.reason}; {json.dumps(todo.summary())}")
        args = [
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(dbt_vars),
            *(["--full-refresh"] if config.full_refresh else []),
            *(["--exclude", " ".join(todo.exclude)] if todo.exclude else []),
        ]
        yield from _kept(context, todo)  # first: nothing kept is downstream of anything rebuilt
        if todo.full or todo.rebuild:
            yield from with_row_counts(
                dbt.cli(args, context=context, target_path=settings.dbt_target_path).stream(),
                settings.warehouse_path,
                manifest,
            )
        if _whole_project(context):  # a subset run leaves other models behind: the next build covers them
            changes.record(settings, todo)


def _whole_project(context) -> bool:
    if context is None:
        return True
    return set(context.assets_def.keys) <= set(context.selected_asset_keys)


def _plan(settings, manifest: Path, dbt_vars: dict, full_refresh: bool) -> changes.Plan:
    """What changed since the last good build (read-only: this process holds the write lock)."""
    import duckdb

    if not settings.warehouse_path.exists():
        return changes.Plan(True, "no warehouse yet")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return changes.plan(settings, con, manifest, dbt_vars, full_refresh)


def _kept(context, todo: changes.Plan):
    """A model or seed this build does not run because nothing it reads changed keeps its table,
    which is current: it is reported as materialised (metadata `kept`), so publication goes on.
    Yielded before dbt runs: every ancestor of a kept model is kept, so the order is topological."""
    if todo.full:
        return
    keys = context.assets_def.keys_by_output_name  # asset outputs only (a dbt test's check has none)
    selected = context.selected_asset_keys
    by_model = {key.path[-1]: name for name, key in keys.items() if key in selected}
    for model in todo.keep:
        if model in by_model:
            name = by_model[model]
            yield dg.Output(
                None,
                output_name=name,
                metadata={"kept": "unchanged: no feed it reads changed since the last good build"},
            )


def warehouse_models_definition() -> dg.AssetsDefinition:
    manifest = prepare_dbt_manifest()  # a no-op unless the project changed since the manifest was written

    @dbt_assets(manifest=manifest, dagster_dbt_translator=VitalsignsTranslator(), project=dbt_project)
    def warehouse_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
    ):
        yield from dbt_build(context, dbt, warehouse, config, manifest)

    return warehouse_models
