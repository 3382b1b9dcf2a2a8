"""Run the build in process and say plainly what failed (for `vitalsigns build` and tests).

The build job (ingest, dbt, publish) then, after a publication, one report run per month
partition: the same runs the landing sensor and the report sensor make under the daemon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from .alerts import step_failure_message
from .constants import ALL_ASSETS_JOB, PUBLISHED_ASSET, REPORT_MONTHS, REPORTS_JOB
from .errors import explain
from .jobs import full_refresh_run_config
from .settings import Settings


@dataclass
class BuildOutcome:
    success: bool
    failures: list[str] = field(default_factory=list)
    report_paths: list[Path] = field(default_factory=list)
    run_id: str = ""


def run_everything(
    settings: Settings,
    instance: dg.DagsterInstance | None = None,
    tags: dict | None = None,
    full_refresh: bool = False,
    reports: bool = True,
    progress=None,
    dagster_log: bool = True,
) -> BuildOutcome:
    """`progress` (progress.BuildProgress) is told every event as it happens; `dagster_log=False`
    turns Dagster's console log off (the CLI without --verbose)."""
    from .definitions import make_definitions
    from .sensors import report_requests

    instance = instance or dg.DagsterInstance.ephemeral()
    defs = make_definitions(settings)
    groups = None
    if progress is not None:
        graph = defs.resolve_asset_graph()
        groups = {k: graph.get(k).group_name for k in graph.get_all_asset_keys()}
        if reports:  # planned up front, so a build that stops before them says the reports did not run
            progress.plan(defs.resolve_job_def(REPORTS_JOB), groups)

    def run(job: dg.JobDefinition, run_config: dict, **kwargs) -> dg.ExecuteInProcessResult:
        job, run_config = _with_loggers(job, run_config, progress, groups, dagster_log)
        return job.execute_in_process(
            instance=instance, raise_on_error=False, tags=tags or {}, run_config=run_config, **kwargs
        )

    result = run(defs.resolve_job_def(ALL_ASSETS_JOB), full_refresh_run_config(full_refresh))
    failures, paths = _failures(result, settings), []
    results = [result]
    published = [
        e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(list(PUBLISHED_ASSET))
    ]
    if reports and published:
        latest = published[-1].materialization.metadata["latest_month_by_council"].value
        report_job = defs.resolve_job_def(REPORTS_JOB)
        requests = report_requests(latest, settings.period, result.run_id)
        missing = [
            r.partition_key for r in requests if not instance.has_dynamic_partition(REPORT_MONTHS, r.partition_key)
        ]
        if missing:  # --period names a month with no data: its pack says so, as before partitions
            instance.add_dynamic_partitions(REPORT_MONTHS, sorted(set(missing)))
        for request in requests:
            report_run = run(report_job, request.run_config or {}, partition_key=request.partition_key)
            failures += _failures(report_run, settings)
            results.append(report_run)
    for one in results:
        for event in one.get_asset_materialization_events():
            md = event.materialization.metadata
            if "outputs" in md:
                paths += [Path(p) for p in md["outputs"].value]
    return BuildOutcome(
        success=all(r.success for r in results) and not failures,
        failures=failures,
        report_paths=paths,
        run_id=result.run_id,
    )


def _with_loggers(job: dg.JobDefinition, run_config: dict, progress, groups, dagster_log: bool):
    """The job with the progress logger and, without --verbose, Dagster's console log off."""
    if progress is None and dagster_log:
        return job, run_config
    from dagster._loggers import default_loggers

    loggers = dict(default_loggers())
    logger_config = {"console": {"config": {"log_level": "DEBUG" if dagster_log else "CRITICAL"}}}
    if progress is not None:
        progress.plan(job, groups)
        loggers["progress"] = progress.logger_def()
        logger_config["progress"] = {}
    return job.with_logger_defs(loggers), {**run_config, "loggers": logger_config}


def _failures(result, settings: Settings) -> list[str]:
    failures = []
    for event in result.get_step_failure_events():
        message = step_failure_message(event)
        err = event.step_failure_data.error if event.step_failure_data else None
        while err is not None and err.cause is not None:
            err = err.cause  # the innermost error, for a plain explanation of a known fault (disk, permissions)
        message = explain(err.message if err else "", settings.home) or message
        failures.append(f"asset {event.step_key.replace('__', '/')}: {message}")
    for ev in result.get_asset_check_evaluations():
        if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
            detail = ev.description or (ev.metadata.get("message").value if "message" in ev.metadata else "")
            failures.append(f"check {ev.asset_key.to_user_string()}:{ev.check_name} failed: {detail}")
    return failures
