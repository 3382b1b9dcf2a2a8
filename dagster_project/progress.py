"""`vitalsigns build`'s progress: one line per stage, from Dagster's own events.

A Dagster logger receives every event of the in-process run as it happens (the run's other
loggers are left as they are), so nothing polls and nothing is guessed: a stage's line is
printed when its last step ends, with what the events counted and the time since the stage's
first step started. Stages follow the asset groups (constants.py). Dagster's console log stays
off unless `--verbose`.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.dependency import NodeHandle

from .constants import INGESTION, INTERMEDIATE, MARTS, PUBLISHING, REPORTS, STAGING

DBT = "dbt"
ORDER = [INGESTION, DBT, PUBLISHING, REPORTS]
LAYERS = [STAGING, INTERMEDIATE, MARTS]
LABELS = {INGESTION: "ingest", DBT: "dbt", PUBLISHING: "publish", REPORTS: "reports"}


@dataclass
class Stage:
    name: str
    steps: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    started: float | None = None
    assets: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # layer -> materialised
    checks_passed: int = 0
    checks_failed: int = 0
    failed_check_assets: list[str] = field(default_factory=list)
    checks_warned: int = 0
    rows: int = 0
    rejected: int = 0
    files_loaded: int = 0
    files_unchanged: int = 0
    outputs: int = 0
    done: bool = False


class BuildProgress:
    """Collects a run's events into stages and writes a line as each stage finishes."""

    def __init__(self, write=print, clock=time.monotonic):
        self.write = write
        self.clock = clock
        self.started = clock()
        self.stages: dict[str, Stage] = {s: Stage(s) for s in ORDER}
        self.groups: dict[str, str] = {}  # asset key (user string) -> group
        self.step_stage: dict[str, str] = {}

    # --- wiring ------------------------------------------------------------------------------
    def plan(self, job: dg.JobDefinition, groups: dict[dg.AssetKey, str]) -> None:
        """Which step belongs to which stage, from the job's assets and their groups."""
        self.groups = {k.to_user_string(): g for k, g in groups.items()}
        for node in job.graph.node_dict.values():
            assets = job.asset_layer.get_assets_def_for_node(NodeHandle(node.name, None))
            keys = list(assets.keys) if assets is not None else []
            stage = next((s for s in (self._stage_of(k.to_user_string()) for k in keys) if s), None)
            if stage:
                self.step_stage[node.name] = stage
                self.stages[stage].steps.add(node.name)

    def _stage_of(self, key: str) -> str | None:
        group = self.groups.get(key)
        return DBT if group in LAYERS else group if group in self.stages else None

    def logger_def(self) -> dg.LoggerDefinition:
        progress = self

        class _Handler(logging.Handler):
            def emit(self, record):
                meta = getattr(record, "dagster_meta", None)
                event = meta.get("dagster_event") if isinstance(meta, dict) else getattr(meta, "dagster_event", None)
                if event is not None:
                    try:
                        progress.on_event(event)
                    except Exception:  # progress is a courtesy: it never breaks a build
                        logging.getLogger(__name__).debug("progress: event not understood", exc_info=True)

        @dg.logger(description="vitalsigns build progress (one line per stage)")
        def progress_logger(_init_context):
            log = logging.Logger("vitalsigns.progress", level=logging.DEBUG)
            log.addHandler(_Handler())
            return log

        return progress_logger

    # --- events ------------------------------------------------------------------------------
    def on_event(self, event) -> None:
        step = event.step_key
        stage_name = self.step_stage.get(step) if step else None
        if stage_name is None:
            return
        stage = self.stages[stage_name]
        kind = event.event_type_value
        if kind == "STEP_START":
            if stage.started is None:
                stage.started = self.clock()
        elif kind == "ASSET_MATERIALIZATION":
            key = event.asset_key.to_user_string()
            stage.assets[self.groups.get(key, stage_name)] += 1
            md = event.event_specific_data.materialization.metadata
            stage.rows += int(_value(md.get("dagster/row_count")) or 0) if stage_name == INGESTION else 0
            stage.rejected += int(_value(md.get("rows_rejected_now")) or 0)
            stage.files_loaded += int(_value(md.get("files_loaded_now")) or 0)
            stage.files_unchanged += int(_value(md.get("files_unchanged")) or 0)
            stage.outputs += len(_value(md.get("outputs")) or [])
        elif kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if ev.passed:
                stage.checks_passed += 1
            elif ev.severity == dg.AssetCheckSeverity.ERROR:
                stage.checks_failed += 1
                stage.failed_check_assets.append(ev.asset_key.path[-1])
            else:
                stage.checks_warned += 1
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            if kind == "STEP_FAILURE":
                stage.failed.append(step)
            stage.steps.discard(step)
            if not stage.steps and not stage.done:
                self._print(stage)

    def finish(self) -> None:
        """Stages that never finished (the run stopped before them) get a line too."""
        for name in ORDER:
            stage = self.stages[name]
            if not stage.done and (stage.started is not None or stage.failed):
                self._print(stage)
            elif not stage.done and stage.steps:
                stage.done = True
                self.write(f"{LABELS[stage.name]:<8} not run (an earlier step failed)")

    def _print(self, stage: Stage) -> None:
        stage.done = True
        elapsed = self.clock() - (stage.started if stage.started is not None else self.started)
        self.write(f"{LABELS[stage.name]:<8} {self.describe(stage)}  ({elapsed:.1f}s)")

    def describe(self, stage: Stage) -> str:
        parts: list[str] = []
        if stage.name == INGESTION:
            feeds = stage.assets.get(INGESTION, 0)
            parts.append(
                f"{feeds} feeds: {stage.files_loaded} file(s) loaded, {stage.files_unchanged} unchanged, "
                f"{stage.rejected:,} row(s) rejected; {stage.rows:,} rows in raw"
            )
            if stage.checks_failed:
                parts.append(
                    f"{stage.checks_failed} feed(s) FAILED to load (a file quarantined): "
                    + ", ".join(stage.failed_check_assets)
                )
            if stage.checks_warned:
                parts.append(f"{stage.checks_warned} warning(s)")
        elif stage.name == DBT:
            parts.append(", ".join(f"{layer} {stage.assets.get(layer, 0)}" for layer in LAYERS) + " models")
            parts.append(
                f"{stage.checks_passed} tests passed"
                + (f", {stage.checks_warned} warned" if stage.checks_warned else "")
                + (f", {stage.checks_failed} FAILED" if stage.checks_failed else "")
            )
        elif stage.name == PUBLISHING:
            parts.append("published" if stage.assets and not stage.failed else "NOT published")
            if stage.checks_failed:
                parts.append(f"{stage.checks_failed} check(s) FAILED")
        elif stage.name == REPORTS:
            parts.append(f"{sum(stage.assets.values())} report asset(s), {stage.outputs} file(s) written")
        if stage.failed:
            parts.append("FAILED: " + ", ".join(s.replace("__", "/") for s in stage.failed))
        return "; ".join(parts)


def _value(entry):
    return getattr(entry, "value", entry)
