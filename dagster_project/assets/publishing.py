"""The published analyst database (aggregates only), built from the marts.

A build with a failed load is not published: the would-be database goes to `<home>/held/`
for people to look at (render its reports with the report assets' `held` setting), the live
database and reports stay as they were, and the step fails so the run fails and the failure
alert fires, however the run was started.
"""

import shutil
from datetime import timedelta
from functools import lru_cache

import dagster as dg

from ..constants import OWNER, PUBLISHED_ASSET, PUBLISHING, REPORT_MONTHS
from ..publish.database import publish
from ..publish.exposures import published_tables
from ..resources.warehouse import WarehouseResource, remove_stale_tmp
from .ingestion import failed_loads

HELD_REASON = "HELD.txt"
PUBLISHED_KEY = dg.AssetKey(list(PUBLISHED_ASSET))


@lru_cache(maxsize=1)
def published_database_definition() -> dg.AssetsDefinition:
    """Built when the definitions load, not at import: its inputs are the marts the dbt exposure
    `analysts_database` lists, read from the manifest (publish/exposures.py)."""
    return dg.asset(
        key=PUBLISHED_KEY,
        group_name=PUBLISHING,
        owners=[OWNER],
        kinds={"duckdb"},
        deps=[dg.AssetKey(["marts", m]) for m in published_tables()],
        # published every night: a missed nightly build shows as late, two missed as overdue
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
        ),
        description="Aggregate-only copy of the marts for analysts (<home>/published/vitalsigns.duckdb): small "
        "numbers suppressed as a whole (no hidden count recoverable from the published tables), "
        "person-level data refused, swapped in atomically.",
    )(published_database)


def published_database(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    failures = failed_loads(context.instance)
    if failures:
        with warehouse.write_lock():
            held = hold(settings, failures)
        raise dg.Failure(
            description="not published (the analysts' database and reports stay as they were) because a load "
            "failed: " + "; ".join(failures),
            metadata={"held": dg.MetadataValue.path(str(held)), "failed_loads": dg.MetadataValue.json(failures)},
        )
    with warehouse.write_lock():
        for stale in remove_stale_tmp(settings.published_path.parent):
            context.log.warning(f"removed {stale.name}, left by a publish that was killed")
        rows = publish(
            settings.warehouse_path,
            settings.published_path,
            settings.suppression_threshold,
            settings.protection_interval,
            memory=settings.suppression_memory_path,
            workers=settings.publish_workers or None,
            record=settings.disclosure_audit_record_path,
        )
    shutil.rmtree(settings.held_path.parent, ignore_errors=True)  # a held build is superseded by a published one
    context.log.info(f"published {settings.published_path}: {rows}")
    from .reports import data_months, latest_months

    months, latest = data_months(settings.published_path), latest_months(settings.published_path)
    new = [m for m in months if not context.instance.has_dynamic_partition(REPORT_MONTHS, m)]
    if new:  # the report partitions: every month the analysts' database holds
        context.instance.add_dynamic_partitions(REPORT_MONTHS, new)
    return dg.MaterializeResult(
        metadata={
            "months": dg.MetadataValue.json(months),
            "latest_month_by_council": dg.MetadataValue.json(latest),
            "path": dg.MetadataValue.path(str(settings.published_path)),
            "suppression_threshold": settings.suppression_threshold,
            "protection_interval": settings.protection_interval,
            **{f"rows/{k}": v for k, v in rows.items()},
        }
    )


def hold(settings, failures: list[str]):
    """Write the would-be database to the held folder with the reasons; return its path."""
    held = settings.held_path
    shutil.rmtree(held.parent, ignore_errors=True)
    publish(
        settings.warehouse_path,
        held,
        settings.suppression_threshold,
        settings.protection_interval,
        memory=settings.suppression_memory_path,
        remember=False,  # never released: tonight's choice binds no later publication, and no audit is recorded
        workers=settings.publish_workers or None,
    )
    (held.parent / HELD_REASON).write_text("\n".join(failures) + "\n", encoding="utf-8")
    return held


@dg.asset_check(
    asset=PUBLISHED_KEY,
    blocking=True,
    description="The published file holds no person id, date of birth or free text about a person.",
)
def no_person_level_data(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    import duckdb

    from ..publish.database import PublishedTable, person_level_problems

    path = warehouse.settings.published_path
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        tables = [PublishedTable(n, con.execute(f"select * from marts.{n}").df()) for n in names]
    problems = person_level_problems(tables)
    return dg.AssetCheckResult(
        passed=not problems, metadata={"problems": "; ".join(problems) or "none", "tables_checked": len(tables)}
    )


@dg.asset_check(
    asset=PUBLISHED_KEY,
    blocking=True,
    description="Disclosure audit of the published file: every hidden count (and complement) bounded by "
    "linear programming over all published relations and flags; fails when any can be narrowed below the "
    "protection interval, a flag compares with a hidden value, or a count from 1 to the threshold is shown. "
    "The publication's own audit of the file is reused when the file's sha256 is the one it recorded; "
    "any other file is audited here from its tables alone.",
)
def disclosure_audit(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from ..publish.database import audit_figures, audit_problems, audit_published, recorded_audit

    settings = warehouse.settings
    threshold, interval = settings.suppression_threshold, settings.protection_interval
    recorded, why = recorded_audit(settings.disclosure_audit_record_path, settings.published_path, threshold, interval)
    if recorded is not None:
        passed, problems, figures = recorded["passed"], recorded["problems"], recorded["figures"]
    else:
        result = audit_published(settings.published_path, threshold, interval, settings.publish_workers or None)
        passed, problems, figures = result.passed, audit_problems(result), audit_figures(result)
        why = f"audited by this check from the file's tables alone: {why}"
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if passed else "disclosure audit failed: " + problems,
        metadata={**figures, "audit_of": why},
    )
