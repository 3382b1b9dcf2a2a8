"""What changed since the last good dbt build, and the dbt nodes that must be rebuilt for it.

Why: a nightly build that rebuilds every model costs the same whatever arrived. Every change to
`raw` is a row of `raw._load_log` (a file loaded, a feed purged, a file refused or missing), so the
load log since the last good build names the feeds whose data changed; the models downstream of
those sources (and their tests) are all that can differ, the rest are kept as they are. Anything
else that can change a model's result (the dbt project, the vars, the engine) makes the next
build a full one, as does a full refresh or a home with no record of a good build.

The record (`<home>/dbt/last_build.json`) is written only after dbt succeeded, so a failed build
is followed by a build of everything changed since the last good one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .settings import DBT_PROJECT_DIR, Settings

# raw tables whose rows change by a load without being a feed's own table
LOG_SOURCES = ("_load_log", "_rejects")
# models whose result depends on the day of the build (risk reviews overdue at current_date): rebuilt
# every night unless VITALSIGNS_REPORT_DATE fixes the day
DAILY_TAG = "daily"


@dataclass
class Plan:
    """The dbt nodes a build runs: everything (`full`), or the ones `changed` feeds reach."""

    full: bool
    reason: str
    changed: dict[str, list[str] | None] = field(default_factory=dict)  # feed -> councils it changed (None: unknown)
    rebuild: list[str] = field(default_factory=list)  # model names run
    keep: list[str] = field(default_factory=list)  # model and seed names kept as they are, parents first
    exclude: list[str] = field(default_factory=list)  # node names given to dbt --exclude
    mark: str | None = None  # the load log's newest entry this build covers
    fingerprint: str = ""

    def summary(self) -> dict:
        return {
            "full": self.full,
            "reason": self.reason,
            "changed": self.changed,
            "rebuilt": len(self.rebuild),
            "kept": len(self.keep),
        }


def state_path(settings: Settings) -> Path:
    return settings.home / "dbt" / "last_build.json"


def fingerprint(dbt_vars: dict, engine: str) -> str:
    """Whatever besides raw decides a model's result: the dbt project's files, the vars, the engine.
    (The zone's per-feed `stored` flags are part of the vars, so a feed's first stored extract
    rebuilds everything once.)"""
    h = hashlib.sha256(json.dumps([dbt_vars, engine], sort_keys=True, default=str).encode())
    files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for d in ("models", "macros", "seeds", "tests", "snapshots"):
        files += sorted(p for p in (DBT_PROJECT_DIR / d).rglob("*") if p.is_file())
    for p in files:
        if p.exists():
            h.update(str(p.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _changed_since(con: duckdb.DuckDBPyConnection, mark: str | None) -> tuple[dict[str, int], str | None, bool]:
    """({feed: log rows since the mark}, the log's newest loaded_at, whether any row was rejected since)."""
    since = "where loaded_at > ?::timestamp" if mark else ""
    args = [mark] if mark else []
    feeds = dict(con.execute(f"select feed, count(*) from raw._load_log {since} group by 1", args).fetchall())
    newest = con.execute("select max(loaded_at)::varchar from raw._load_log").fetchall()[0][0]
    rejects = con.execute(f"select count(*) from raw._rejects {since}", args).fetchall()[0][0] > 0
    return feeds, newest, rejects


# statuses of raw._load_log that changed a feed's own table
DATA_STATUSES = ("loaded", "purged")


def _data_feeds(con, mark: str | None) -> list[str]:
    since = "and loaded_at > ?::timestamp" if mark else ""
    args = list(DATA_STATUSES) + ([mark] if mark else [])
    marks = ", ".join("?" * len(DATA_STATUSES))
    return [
        r[0]
        for r in con.execute(
            f"select distinct feed from raw._load_log where status in ({marks}) {since} order by 1", args
        ).fetchall()
    ]


def _councils(settings: Settings, feed: str, since: str | None) -> list[str] | None:
    """The councils a feed's loads since the mark changed, from the zone's load log (None: no zone)."""
    if not settings.lake:
        return None
    logs = sorted((settings.lake_path / "_load_log" / feed).glob("*.parquet"))
    if not logs:
        return None
    where = "where inserted + changed + deleted > 0" + (" and stored_at > ?::timestamp" if since else "")
    with duckdb.connect() as con:
        rows = con.execute(
            f"select distinct la_code from read_parquet(?) {where} order by 1 nulls first",
            [[str(p) for p in logs], *([since] if since else [])],
        ).fetchall()
    return [r[0] for r in rows]


def plan(settings: Settings, warehouse_con, manifest_path: Path, dbt_vars: dict, full_refresh: bool) -> Plan:
    """What this build must run. `warehouse_con`: a connection to the warehouse after ingestion."""
    fp = fingerprint(dbt_vars, settings.engine)
    previous = json.loads(state_path(settings).read_text()) if state_path(settings).exists() else None
    _, newest, _ = _changed_since(warehouse_con, None)
    if full_refresh:
        return Plan(True, "full refresh", mark=newest, fingerprint=fp)
    if not settings.dbt_changed_only:
        return Plan(True, "VITALSIGNS_DBT_CHANGED_ONLY is off", mark=newest, fingerprint=fp)
    if settings.engine != "duckdb":
        return Plan(True, f"the {settings.engine} engine builds everything", mark=newest, fingerprint=fp)
    if previous is None:
        return Plan(True, "no earlier good build recorded", mark=newest, fingerprint=fp)
    if previous.get("fingerprint") != fp:
        return Plan(True, "the dbt project, its vars or the engine changed", mark=newest, fingerprint=fp)
    mark = previous.get("mark")
    logged, newest, rejected = _changed_since(warehouse_con, mark)
    feeds = _data_feeds(warehouse_con, mark)
    # the stored-at clock of the zone is UTC; the mark is the warehouse's, so councils are for information
    changed = {f: _councils(settings, f, None if mark is None else previous.get("stored_mark")) for f in feeds}
    sources = [f"source.vitalsigns.raw.{f}" for f in feeds]
    if logged:
        sources.append("source.vitalsigns.raw._load_log")
    if rejected:
        sources.append("source.vitalsigns.raw._rejects")
    manifest = json.loads(Path(manifest_path).read_text())
    nodes = manifest["nodes"]
    children = manifest["child_map"]
    daily = [] if settings.report_date else [uid for uid, n in nodes.items() if DAILY_TAG in n.get("tags", [])]
    affected: set[str] = set(daily)
    start = sources + daily
    while start:
        for child in children.get(start.pop(), []):
            if child not in affected:
                affected.add(child)
                start.append(child)
    runnable = {uid: n for uid, n in nodes.items() if n["resource_type"] in ("model", "seed", "test", "snapshot")}
    out = Plan(False, "changed feeds only", changed=changed, mark=newest, fingerprint=fp)
    out.rebuild = sorted(n["name"] for uid, n in runnable.items() if uid in affected and n["resource_type"] == "model")
    kept = {uid for uid, n in runnable.items() if uid not in affected and n["resource_type"] in ("model", "seed")}
    out.keep = [nodes[uid]["name"] for uid in _topological(kept, manifest["parent_map"])]
    out.exclude = sorted(n["name"] for uid, n in runnable.items() if uid not in affected)
    return out


def _topological(uids: set[str], parents: dict[str, list[str]]) -> list[str]:
    """`uids` parents first (Dagster takes a multi-asset's outputs only in that order)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in sorted(parents.get(uid, [])):
            if parent in uids:
                visit(parent)
        order.append(uid)

    for uid in sorted(uids):
        visit(uid)
    return order


def record(settings: Settings, done: Plan) -> None:
    """After a good dbt build: the load log's mark it covered and the fingerprint it was built with."""
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "mark": done.mark,
        "stored_mark": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" "),
        "fingerprint": done.fingerprint,
        **done.summary(),
        "rebuilt_models": done.rebuild,
        "kept_models": done.keep,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=1))
    tmp.replace(path)
