"""Run every asset in process and say plainly what failed (for `vitalsigns build` and tests)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from .alerts import step_failure_message
from .constants import ALL_ASSETS_JOB, WAREHOUSE_JOB
from .errors import explain
from .schedules import full_refresh_run_config
from .settings import Settings


@dataclass
class BuildOutcome:
    success: bool
    failures: list[str] = field(default_factory=list)
    report_paths: list[Path] = field(default_factory=list)
    run_id: str = ""


def run_everything(settings: Settings, instance: dg.DagsterInstance | None = None,
                   tags: dict | None = None, full_refresh: bool = False, reports: bool = True,
                   progress=None, dagster_log: bool = True) -> BuildOutcome:
    """`progress` (progress.BuildProgress) is told every event as it happens; `dagster_log=False`
    turns Dagster's console log off (the CLI without --verbose)."""
    from .definitions import make_definitions

    defs = make_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB if reports else WAREHOUSE_JOB)
    run_config = full_refresh_run_config(full_refresh)
    if progress is not None or not dagster_log:
        from dagster._loggers import default_loggers

        loggers = dict(default_loggers())
        logger_config = {"console": {"config": {"log_level": "DEBUG" if dagster_log else "CRITICAL"}}}
        if progress is not None:
            graph = defs.resolve_asset_graph()
            progress.plan(job, {k: graph.get(k).group_name for k in graph.get_all_asset_keys()})
            loggers["progress"] = progress.logger_def()
            logger_config["progress"] = {}
        job = job.with_logger_defs(loggers)
        run_config = {**run_config, "loggers": logger_config}
    result = job.execute_in_process(instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False,
                                    tags=tags or {}, run_config=run_config)
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
    reports = []
    for event in result.get_asset_materialization_events():
        md = event.materialization.metadata
        if "outputs" in md:
            reports += [Path(p) for p in md["outputs"].value]
    return BuildOutcome(success=result.success and not failures, failures=failures, report_paths=reports,
                        run_id=result.run_id)
