"""One asset per extract feed: landing files -> warehouse `raw` schema (ingest/loader.py).

A feed that fails to load keeps its last good data, so the asset still materialises (the
rest of the warehouse build goes on, and measures of a feed with no good data are null with
the reason) and its `load_ok` check fails with the reason. The run then fails however it
was started: publication refuses while any feed's latest `load_ok` failed (assets/publishing.py),
and a run that does not go as far as publication fails at the feed itself.
"""

import warnings
from datetime import timedelta
from pathlib import Path

import dagster as dg

from .. import cld_contract
from ..constants import INGESTION, OWNER, PUBLISHED_ASSET, RAW_SCHEMA
from ..contracts import FEEDS, Feed
from ..ingest.cld import cld_files, load_cld, misnamed_message
from ..ingest.landing import feed_files
from ..ingest.loader import LoadFailed, load_feed
from ..resources.warehouse import WarehouseResource

PUBLISHED = dg.AssetKey(list(PUBLISHED_ASSET))

# How often each landing folder's extracts arrive (extracts.md: Liquid Logic full extracts every
# night; the NHS DToC return monthly; ONS populations and reference data yearly; the risk register
# for each monthly committee; CLD quarterly): (cadence, warn after, fail after). One table for the
# freshness policies and the data-arrival checks below.
CADENCE = {
    "liquidlogic": ("nightly", timedelta(hours=26), timedelta(hours=50)),
    "dtoc": ("monthly", timedelta(days=35), timedelta(days=45)),
    "population": ("yearly", timedelta(days=380), timedelta(days=400)),
    "reference": ("yearly", timedelta(days=380), timedelta(days=400)),
    "risk_register": ("monthly", timedelta(days=35), timedelta(days=45)),
    "safeguarding": ("monthly", timedelta(days=35), timedelta(days=45)),
    cld_contract.FOLDER: ("quarterly", timedelta(days=100), timedelta(days=120)),
}


def freshness_policy(folder: str) -> dg.FreshnessPolicy:
    """The feed must have been loaded within its cadence (a missed nightly run, a late file's feed)."""
    _, warn, fail = CADENCE[folder]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def last_landed(paths: list[Path]) -> float | None:
    """When the newest of the feed's files landed (its modification time): the feed's data time."""
    return max((p.stat().st_mtime for p in paths), default=None)


def _feed_asset(feed: Feed) -> dg.AssetsDefinition:
    return _ingestion_asset(
        feed.name,
        f"`{feed.folder}/{feed.name}_<YYYYMMDD>` extracts loaded into raw.{feed.name} "
        f"({feed.mode} feed{', person ids pseudonymised' if feed.person_level else ''}).",
        lambda con, settings: load_feed(con, settings, feed.name),
        folder=feed.folder,
        files=lambda settings: feed_files(settings.landing, feed),
    )


def _cld_asset() -> dg.AssetsDefinition:
    return _ingestion_asset(
        cld_contract.FEED,
        f"`{cld_contract.FOLDER}/{cld_contract.FILE_PATTERN}` Client Level Data submissions appended to "
        f"{cld_contract.TABLE} (every submission kept; ids pseudonymised, birth month and postcode district "
        "only). A file whose name is not a submission's is reported (check warning), not loaded.",
        load_cld,
        folder=cld_contract.FOLDER,
        files=lambda settings: cld_files(settings.landing)[0],
        warnings=lambda settings: [misnamed_message(p) for p in cld_files(settings.landing)[1]],
    )


def _ingestion_asset(name: str, description: str, load, folder: str, files, warnings=None) -> dg.AssetsDefinition:
    key = dg.AssetKey([RAW_SCHEMA, name])
    cadence = CADENCE[folder][0]

    @dg.asset(
        key=key,
        group_name=INGESTION,
        owners=[OWNER],
        kinds={"duckdb", "csv"},
        description=f"{description} Expected {cadence}.",
        freshness_policy=freshness_policy(folder),
        tags={"vitalsigns/cadence": cadence},
        check_specs=[
            dg.AssetCheckSpec(
                "load_ok",
                asset=key,
                description="Every file of the feed loaded (none quarantined or failed). Not "
                "blocking, so the warehouse still builds from the last good data; "
                "a failure stops publication and fails the run.",
            )
        ],
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings
        error = None
        with warehouse.connect() as con:
            try:
                outcomes = load(con, settings)
            except LoadFailed as exc:
                error = str(exc)
                outcomes = []
            rows = con.execute(f"select count(*) from {RAW_SCHEMA}.{name}").fetchall()[0][0]
            recent = con.execute(
                "select status, count(*) from raw._load_log where feed = ? group by 1 order by 1", [name]
            ).fetchall()
        for o in outcomes:
            context.log.info(
                f"{o.file.name}: {o.status}; read {o.rows_read}, accepted {o.rows_accepted}, rejected {o.rows_rejected}"
            )
        if error:
            context.log.error(error)
        warned = warnings(settings) if warnings else []
        landed = last_landed(files(settings))
        for w in warned:
            context.log.warning(w)
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "files_loaded_now": sum(o.status == "loaded" for o in outcomes),
                "files_unchanged": sum(o.status == "unchanged" for o in outcomes),
                "rows_rejected_now": sum(o.rows_rejected for o in outcomes),
                "load_history": dg.MetadataValue.json({s: n for s, n in recent}),
                # when the newest file landed: the data-arrival freshness check reads it
                **({"dagster/last_updated_timestamp": dg.MetadataValue.timestamp(landed)} if landed else {}),
            }
        )
        # a quarantined file fails the run; a file that is not a submission's only warns
        yield dg.AssetCheckResult(
            check_name="load_ok",
            passed=error is None and not warned,
            severity=dg.AssetCheckSeverity.ERROR if error else dg.AssetCheckSeverity.WARN,
            description=error or ("; ".join(warned) if warned else "all files loaded"),
            metadata={"message": error or "; ".join(warned)},
        )
        if error and not run_reaches_publication(context):
            # nothing later in this run would refuse to go on, so the run fails here
            raise dg.Failure(description=f"{key.to_user_string()} failed to load: {error}")

    return _load


def run_reaches_publication(context: dg.AssetExecutionContext) -> bool:
    """Whether this run includes the published database (whose gate fails the run on a failed load)."""
    return PUBLISHED in context.job_def.asset_layer.selected_asset_keys


def failed_loads(instance: dg.DagsterInstance) -> list[str]:
    """Every feed whose latest `load_ok` evaluation failed, with its reason.

    The latest evaluation, whichever run made it: publishing from the UI after a failed nightly
    run is refused too, until a run loads the feed cleanly (a corrected file, or the bad one
    removed from the landing folder).
    """
    keys = [dg.AssetCheckKey(dg.AssetKey([RAW_SCHEMA, name]), "load_ok") for name in [*FEEDS, cld_contract.FEED]]
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    failed = []
    for key in keys:
        record = records.get(key)
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if evaluation is not None and not evaluation.passed:
            failed.append(f"{key.asset_key.to_user_string()}: {evaluation.description or 'load failed'}")
    return failed


feed_assets = [_feed_asset(f) for f in FEEDS.values()] + [_cld_asset()]

# raw._load_log and raw._rejects are written by every feed's load (ingest/loader.py) and read by
# dbt as sources: declared here, in the ingestion group, downstream of the loads that write them
load_log_assets = [
    dg.AssetSpec(
        dg.AssetKey([RAW_SCHEMA, table]),
        group_name=INGESTION,
        owners=[OWNER],
        kinds={"duckdb"},
        deps=[a.key for a in feed_assets],
        description=text,
    )
    for table, text in (
        (
            "_load_log",
            "One row per landing file each load: status, rows read/accepted/rejected, "
            "hash (written by every feed asset).",
        ),
        ("_rejects", "Rows refused by validation, with the rule that refused them (written by every feed asset)."),
    )
]


def _data_arrival_checks() -> list[dg.AssetChecksDefinition]:
    """Per cadence: a check that the newest file of each feed landed within its fail window."""
    by_folder: dict[str, list[dg.AssetKey]] = {}
    for feed in FEEDS.values():
        by_folder.setdefault(feed.folder, []).append(dg.AssetKey([RAW_SCHEMA, feed.name]))
    by_folder.setdefault(cld_contract.FOLDER, []).append(dg.AssetKey([RAW_SCHEMA, cld_contract.FEED]))
    checks = []
    for folder, keys in by_folder.items():
        fail = CADENCE[folder][2]
        checks += dg.build_last_update_freshness_checks(
            assets=keys, lower_bound_delta=fail, severity=dg.AssetCheckSeverity.WARN
        )
    return checks


# Dagster 1.13 marks these checks superseded by FreshnessPolicy, which judges only when an asset
# last materialised; they are kept because only they read the data's own time (a late file)
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*superseded.*")
    data_arrival_checks = _data_arrival_checks()
    data_arrival_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=data_arrival_checks,
        name="data_arrival_freshness",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
