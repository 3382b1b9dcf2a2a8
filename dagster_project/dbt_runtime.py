"""Which dbt to run, a manifest that matches the project on disk, the profile's vars, row counts.

The manifest is parsed once, when a model, seed, macro or test changed since the last parse
(a cheap modification-time check), when the definitions load: never at import.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .settings import DBT_PROJECT_DIR

log = logging.getLogger(__name__)
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
PARTIAL_PARSE = "partial_parse.msgpack"  # dbt's saved parse, in each target folder


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_stale() -> bool:
    if not MANIFEST.exists():
        return True
    sources = [
        p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*") if p.is_file()
    ]
    sources += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    return MANIFEST.stat().st_mtime < max(p.stat().st_mtime for p in sources)


def prepare_dbt_manifest(force: bool = False) -> Path:
    """Parse when stale. Several processes may load the definitions at once (the UI's code server and
    a build, or test workers): one parses under a lock while the others wait, and the manifest is
    replaced whole, so no reader ever sees a half-written file."""
    if not (force or manifest_is_stale()):
        return MANIFEST
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and not manifest_is_stale():  # parsed by another process while this one waited
            return MANIFEST
        log.info("parsing the dbt project (changed since the last manifest)")
        with tempfile.TemporaryDirectory(dir=MANIFEST.parent, prefix=".parse-") as tmp:
            partial = MANIFEST.parent / PARTIAL_PARSE
            if partial.exists():  # keeps dbt's partial parsing across parses
                shutil.copy2(partial, Path(tmp) / partial.name)
            proc = subprocess.run(
                [
                    dbt_executable(),
                    "parse",
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    tmp,
                    "--quiet",
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"dbt parse failed:\n{proc.stdout}\n{proc.stderr}")
            if (Path(tmp) / partial.name).exists():
                os.replace(Path(tmp) / partial.name, partial)
            os.replace(Path(tmp) / "manifest.json", MANIFEST)
    return MANIFEST


def scratch_build(
    select: list[str] | tuple[str, ...],
    warehouse: Path,
    scratch: Path,
    profile: dict | None = None,
    target: str | None = None,
    data_tests: bool = True,
) -> subprocess.CompletedProcess:
    """`dbt build` of a selection outside Dagster (a round trip, a benchmark, a test fixture): data
    tests run, unit tests do not (as in a run), artifacts and logs go under `scratch`, and the
    warehouse reaches the profile as a var (`profile`: other profile vars, e.g. threads; `target`:
    a profile target other than the default, e.g. spark; `data_tests=False`: models and seeds only)."""
    profile_args = {"warehouse_path": str(warehouse), **(profile or {})}
    return subprocess.run(
        [
            dbt_executable(),
            "build",
            *(["--target", target] if target else []),
            "--select",
            *select,
            "--exclude-resource-type",
            "unit_test",
            *([] if data_tests else ["test"]),
            "--indirect-selection",
            "cautious",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(scratch / "target"),
            "--log-path",
            str(scratch / "logs"),
            "--vars",
            json.dumps(profile_args),
        ],
        capture_output=True,
        text=True,
    )


def home_vars(settings) -> dict:
    """Every var a home's dbt runs with: the settings' (the models read them) and the profile's. dbt
    keeps its parse of the project in the target folder and reuses it on the next run, re-parsing only
    the files that changed, unless a var, the profile's connection (the warehouse path and settings) or
    the dbt version differs: then it parses everything again (about 5 s). So this is the same on every
    run in a home with the same settings: nothing that changes from night to night (a date, a run id,
    a count) belongs here (docs/decisions.md, "dbt parses once per home")."""
    return {**settings.dbt_vars(), **profile_vars(settings)}


def reuse_parse(source: Path, target: Path) -> None:
    """Start a dbt run whose target folder is `target` from the parse a run in `source` left (another
    command in the same home, with the same vars). Only a starting point: dbt checks it as it checks
    its own (vars, profile, version, every file's checksum) and parses in full when it does not fit, so
    a wrong guess costs a parse, never a stale manifest."""
    parsed = source / PARTIAL_PARSE
    if not parsed.exists() or source.resolve() == target.resolve():
        return
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".{PARTIAL_PARSE}.tmp"  # replaced whole: dbt never reads half a file
    shutil.copyfile(parsed, tmp)
    os.replace(tmp, target / PARTIAL_PARSE)


def profile_vars(settings) -> dict:
    """What profiles.yml reads as vars: the warehouse of this home and its tuning. Passed on the dbt
    command line, so nothing is written to the environment."""
    return {
        "warehouse_path": str(settings.warehouse_path),
        "dbt_threads": settings.dbt_threads,
        "duckdb_memory_limit": settings.duckdb_memory_limit,
    }


def with_row_counts(events, warehouse_path: Path, manifest_path: Path):
    """The dbt events, each table model's and seed's output with `dagster/row_count`.

    dagster-dbt's `fetch_row_counts()` counts through a dbt adapter while dbt still runs; DuckDB
    lets only one process open the file for writing, so here the events are held until dbt exits
    and the tables are counted then, in one read-only connection (views are not counted, as
    dagster-dbt does not). A failing dbt run still reports what it built before it raises.
    """
    import dagster as dg
    import duckdb

    held, error = [], None
    try:
        for event in events:
            held.append(event)
    except Exception as exc:  # dbt failed: report what was built, then fail as dbt did
        error = exc
    nodes = {}
    outputs = [e for e in held if isinstance(e, dg.Output) and "unique_id" in e.metadata]
    if outputs and warehouse_path.exists():
        manifest = json.loads(Path(manifest_path).read_text())["nodes"]
        nodes = {
            e.metadata["unique_id"].value
            if hasattr(e.metadata["unique_id"], "value")
            else e.metadata["unique_id"]: None
            for e in outputs
        }
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            for uid in nodes:
                node = manifest.get(uid) or {}
                if node.get("config", {}).get("materialized") not in ("table", "incremental", "seed"):
                    continue
                try:
                    nodes[uid] = con.execute(f'select count(*) from "{node["schema"]}"."{node["alias"]}"').fetchone()[0]
                except duckdb.Error:
                    log.warning("row count of %s failed", uid, exc_info=True)
    for event in held:
        uid = event.metadata.get("unique_id") if isinstance(event, dg.Output) else None
        uid = getattr(uid, "value", uid)
        if nodes.get(uid) is not None:
            event = event.with_metadata({**event.metadata, "dagster/row_count": nodes[uid]})
        yield event
    if error is not None:
        raise error
