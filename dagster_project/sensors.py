"""Start a build when new or changed files land (by content hash, not modification time);
re-render a month's reports when its commentary changes; render the latest month after a publication.

Debounced: a file is only considered once its size and mtime have been stable for the settle
time (VITALSIGNS_SENSOR_SETTLE_SECONDS, default 60), so a half-copied file is never read.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from .assets.reports import COMMENTARY, REPORT_MONTHS, commentary_version
from .cld_contract import FILE_NAME as CLD_FILE_NAME
from .constants import PUBLISHED_ASSET
from .guards import PERIOD_RE
from .ingest.reading import FILE_NAME, file_hash
from .jobs import everything_job, reports_job
from .resources.warehouse import WarehouseResource

COMMENTARY_FOLDER = "commentary"


def landing_files(landing: Path) -> list[Path]:
    if not landing.is_dir():
        return []
    from .contracts import FEEDS  # every feed's own name pattern, and CLD submissions

    names = (FILE_NAME, CLD_FILE_NAME, *(f.file_re for f in FEEDS.values()))
    return sorted(
        p
        for p in landing.rglob("*")
        if p.is_file()
        and (any(n.match(p.name) for n in names) or p.suffix == ".yml" or is_commentary(p.relative_to(landing)))
    )


def is_commentary(rel: Path) -> bool:
    """commentary/<indicator>/<YYYY-MM>.md: the report cards' text for one month."""
    rel = Path(rel)
    return (
        len(rel.parts) == 3
        and rel.parts[0] == COMMENTARY_FOLDER
        and rel.suffix == ".md"
        and bool(PERIOD_RE.match(rel.stem))
    )


def scan(
    landing: Path, previous: dict, settle_seconds: float, now: float | None = None
) -> tuple[dict, list[str], bool]:
    """Compare the landing folder with the last cursor.

    Returns (new cursor, changed relative paths, unsettled) where the cursor maps relative
    path -> {size, mtime, hash}. Hashes are only recomputed when size or mtime moved.
    """
    now = time.time() if now is None else now
    cursor, changed, unsettled = {}, [], False
    for path in landing_files(landing):
        rel = str(path.relative_to(landing))
        stat = path.stat()
        if now - stat.st_mtime < settle_seconds:
            unsettled = True
            if rel in previous:
                cursor[rel] = previous[rel]
            continue
        old = previous.get(rel)
        if old and old["size"] == stat.st_size and old["mtime"] == stat.st_mtime:
            cursor[rel] = old
            continue
        digest = file_hash(path)
        cursor[rel] = {"size": stat.st_size, "mtime": stat.st_mtime, "hash": digest}
        if not old or old["hash"] != digest:
            changed.append(rel)
    return cursor, changed, unsettled


@dg.sensor(
    jobs=[everything_job, reports_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs the build when landing files are new or changed (content hash), once they settle; "
    "observes the commentary and re-renders the months whose commentary changed.",
)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    previous = json.loads(context.cursor) if context.cursor else {}
    cursor, changed, unsettled = scan(settings.landing, previous, settings.sensor_settle_seconds)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not changed:
        return dg.SkipReason("files still arriving" if unsettled else "no new or changed landing files")
    return landing_result(context.instance, settings.landing, cursor, changed)


def landing_result(instance: dg.DagsterInstance, landing: Path, cursor: dict, changed: list[str]) -> dg.SensorResult:
    """A build for changed feed files; for changed commentary, an observation of the commentary
    asset (new data version) and a report run for each month it changed that has a partition."""
    data = [c for c in changed if not is_commentary(Path(c))]
    months = sorted({Path(c).stem for c in changed if is_commentary(Path(c))})
    requests, events = [], []
    if data:
        run_key = hashlib.sha256("".join(sorted(cursor[c]["hash"] for c in data)).encode()).hexdigest()[:16]
        requests.append(
            dg.RunRequest(
                job_name=everything_job.name, run_key=run_key, tags={"vitalsigns/changed_files": ", ".join(data)[:1000]}
            )
        )
    if months:
        version = commentary_version(landing)
        events.append(
            dg.AssetObservation(
                asset_key=COMMENTARY,
                tags={"dagster/data_version": version},
                metadata={"changed": dg.MetadataValue.json([c for c in changed if is_commentary(Path(c))])},
            )
        )
        known = set(instance.get_dynamic_partitions(REPORT_MONTHS.name))
        for month in months:
            if month in known:  # a month with no published data has no pack to re-render
                requests.append(
                    dg.RunRequest(
                        job_name=reports_job.name,
                        partition_key=month,
                        run_key=f"commentary-{month}-{version}",
                        tags={"vitalsigns/commentary": month},
                    )
                )
    return dg.SensorResult(run_requests=requests, asset_events=events)


@dg.asset_sensor(
    asset_key=dg.AssetKey(list(PUBLISHED_ASSET)),
    job=reports_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After each publication, renders each council's latest month (or VITALSIGNS_PERIOD): "
    "one run per month partition of the reports.",
)
def report_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry, warehouse: WarehouseResource):
    materialization = asset_event.asset_materialization
    latest = materialization.metadata.get("latest_month_by_council") if materialization else None
    return report_result(
        context.instance, latest.value if latest else {}, warehouse.settings.period, asset_event.run_id
    )


def report_result(
    instance: dg.DagsterInstance, latest: dict[str, str], period: str | None, run_id: str
) -> dg.SensorResult:
    """The report runs for a publication; a configured month with no data still gets its partition (and pack)."""
    requests = report_requests(latest, period, run_id)
    missing = sorted({r.partition_key for r in requests} - set(instance.get_dynamic_partitions(REPORT_MONTHS.name)))
    return dg.SensorResult(
        run_requests=requests, dynamic_partitions_requests=[REPORT_MONTHS.build_add_request(missing)] if missing else []
    )


def report_requests(latest: dict[str, str], period: str | None, run_id: str = "") -> list[dg.RunRequest]:
    """One report run per month: the configured period for every council, else each council's latest
    month (a council config when a month is not every council's latest)."""
    if period:
        return [dg.RunRequest(partition_key=period, run_key=f"{run_id}-{period}")]
    by_month: dict[str, list[str]] = {}
    for la, month in sorted(latest.items()):
        by_month.setdefault(month, []).append(la)
    requests = []
    for month, councils in sorted(by_month.items()):
        if len(by_month) == 1:
            requests.append(dg.RunRequest(partition_key=month, run_key=f"{run_id}-{month}"))
            continue
        for la in councils:
            requests.append(
                dg.RunRequest(
                    partition_key=month, run_key=f"{run_id}-{month}-{la}", run_config=report_run_config(council=la)
                )
            )
    return requests


def report_run_config(**config) -> dict:
    from .assets.reports import report_assets

    return {"ops": {a.op.name: {"config": config} for a in report_assets}} if config else {}
