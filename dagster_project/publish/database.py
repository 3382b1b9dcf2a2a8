"""The analysts' database: aggregates only, suppressed, swapped in atomically.

A build writes a new file beside the live one, checks it holds nothing person-level, audits the
file's own tables for disclosure, then renames it over the old one (same filesystem, so the swap is
atomic): a reader with the old file open keeps a consistent view, a new reader gets the new file
whole, and a failed build leaves yesterday's file byte-identical. The audit is recorded, by the
file's digest, for the blocking asset check (docs/decisions.md, "One disclosure audit per publication").
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ..cld_return.export import write_private
from ..ingest.reading import file_hash
from .disclosure import RATIO_TABLES, AuditResult, audit
from .exposures import published_tables
from .suppression import (
    COPIES,
    FORECAST_TABLES,
    NO_PEOPLE_COUNTS,
    SPC_SERIES,
    Protection,
    hide_forecast,
    hide_spc,
    protect,
    read_memory,
    suppressed_tables,
    write_memory,
)

PUBLISHED_SCHEMA = "marts"

# Columns a published table may never carry (person identifiers, birth dates, free text about people).
FORBIDDEN_COLUMN = re.compile(
    r"(person|client_id|nhs_number|date_of_birth|dob|birth|postcode|address|ethnicity|gender|forename|surname)",
    re.IGNORECASE,
)
PSEUDONYM = re.compile(r"^[0-9a-f]{24}$")


class PersonLevelDataFound(RuntimeError):
    """A table due for publication holds person-level data; nothing was published."""


class DisclosureAuditFailed(RuntimeError):
    """A hidden count could be recovered from the tables due for publication; nothing was published."""


@dataclass
class PublishedTable:
    name: str
    frame: pd.DataFrame
    # column -> the warehouse type: a frame's all-null text column would otherwise be typed NULL
    # (which ODBC clients mishandle) and its dates TIMESTAMP
    types: dict[str, str] = field(default_factory=dict)


def _read(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


class UndeclaredTable(RuntimeError):
    """A mart listed for publication that the disclosure control does not know; nothing was published."""


# How publication reads a mart, where not all of it or not in its own order (default: all of it).
READ_SQL = {
    "indicator_values": """
        select la_code, indicator_code, period_type, period_end, financial_year, numerator, denominator,
               value, display_value, target, target_source, rag, direction_prev, direction_yoy, watch,
               is_override, value_source, value_note, population_note, spc_variation, spc_assurance
        from marts.indicator_values order by la_code, indicator_code, period_type, period_end""",
    # the dashboard's rows; their figures are taken from the suppressed indicator_values (COPIES)
    "dashboard": "select la_code, indicator_code, period_type, period_end from marts.dashboard "
    "order by la_code, indicator_code, period_end",
    "ascof": "select * from marts.ascof order by la_code, financial_year, ascof_code",
    "spc_series": "select * from marts.spc_series order by la_code, indicator_code, as_of, period_end",
    "year_end_forecast": "select * from marts.year_end_forecast order by la_code, indicator_code, as_of",
    "exceptions": "select * from marts.exceptions order by la_code, period_end, indicator_code",
    "dtoc_monthly": "select * from marts.dtoc_monthly order by la_code, period, responsible_org",
    "admissions_rolling_12m": "select * from marts.admissions_rolling_12m order by la_code, period_end, age_band",
    "safeguarding_breakdown": "select * from marts.safeguarding_breakdown "
    "order by la_code, period_type, period_end, breakdown, category",
    "risk_register": """
        select la_code, snapshot_date, risk_id, risk_name, risk_description, area, tasks, progress_update,
               original_likelihood, original_impact, original_score,
               current_likelihood, current_impact, current_score,
               target_likelihood, target_impact, target_score,
               band, original_band, target_band, target_date, prospects, owner, review_date, overdue,
               reported_by_exception, score_disagreement
        from marts.risk_register order by la_code, risk_id""",
    "risk_register_changes": "select * from marts.risk_register_changes order by la_code, risk_id, change_type",
    "data_quality": """
        select feed, regexp_extract(file, '[^/]+$') as file, loaded_at, extract_date, rows_read, rows_accepted,
               rows_rejected, status, message, rejected_rules
        from marts.data_quality order by loaded_at, feed""",
}


def read_sql(name: str) -> str:
    """How publication reads a mart from the warehouse."""
    spec = next((s for s in RATIO_TABLES if s.name == name), None)
    if name == "cld_data_quality":
        return CLD_DATA_QUALITY_SQL
    return READ_SQL.get(name) or (spec.sql if spec and spec.sql else f"select * from marts.{name}")


def build_tables(
    warehouse: duckdb.DuckDBPyConnection,
    threshold: int,
    interval: int = 3,
    names: list[str] | None = None,
    remembered: dict | None = None,
    workers: int | None = None,
    audited: bool = True,
) -> tuple[list[PublishedTable], Protection]:
    """The published tables (the dbt exposure `analysts_database`, unless `names`), suppressed as a
    whole, with the disclosure audit's figures of the frames unless not `audited` (`publish` audits the
    file it writes instead). A table the disclosure control does not know
    (`suppression.suppressed_tables`, `COPIES`, `NO_PEOPLE_COUNTS`) is refused, never published raw."""
    names = list(names) if names is not None else published_tables()
    unknown = [
        n
        for n in names
        if n not in suppressed_tables()
        and n not in COPIES
        and n not in NO_PEOPLE_COUNTS
        and n not in SPC_SERIES
        and n not in FORECAST_TABLES
    ]
    if unknown:
        raise UndeclaredTable(
            f"refused to publish: {', '.join(unknown)} (listed in the dbt exposure analysts_database) "
            "unknown to the disclosure control; declare how it is suppressed in dagster_project/publish/"
            "suppression.py (DERIVED, disclosure.RATIO_TABLES or BREAKDOWN_TABLES, COPIES, SPC_SERIES, "
            "FORECAST_TABLES or NO_PEOPLE_COUNTS)"
        )
    catalogue = _read(warehouse, "select * from marts.indicator_catalogue")
    frames = {n: _read(warehouse, read_sql(n)) for n in names if n in suppressed_tables()}
    started = time.perf_counter()
    frames, protection = protect(frames, catalogue, threshold, interval, remembered, workers)
    protection.seconds = time.perf_counter() - started
    for name, source in COPIES.items():
        if name in names:
            frames[name] = published_copy(_read(warehouse, read_sql(name)), frames[source])
    for name in SPC_SERIES & set(names):
        frames[name] = hide_spc(_read(warehouse, read_sql(name)), name, frames["indicator_values"])
    for name in FORECAST_TABLES & set(names):
        frames[name] = hide_forecast(_read(warehouse, read_sql(name)), name, frames["indicator_values"])
    types = {n: column_types(warehouse, read_sql(COPIES.get(n, n))) for n in names}
    tables = [
        PublishedTable(
            n,
            catalogue if n == "indicator_catalogue" else frames[n] if n in frames else _read(warehouse, read_sql(n)),
            types[n],
        )
        for n in names
    ]
    if not audited:
        return tables, protection
    result = audit(frames, catalogue, threshold=threshold, interval=interval, workers=workers)
    return tables + [PublishedTable(AUDIT_TABLE, audit_frame(result, protection, threshold))], protection


def column_types(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, str]:
    """The DuckDB type of each column a query returns."""
    return {r[0]: str(r[1]) for r in con.execute(f"describe {sql}").fetchall()}


def published_copy(keys: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """The source's published (suppressed) rows at these keys: a copy hides exactly what its source hides."""
    on = list(keys.columns)
    return keys.merge(source, on=on, how="inner", validate="one_to_one")[list(source.columns)]


# CLD data quality as published: per submission, field and AGEM code, a count of submitted rows
# (records, like data_quality's rows_rejected, not people: unsuppressed). The submitted value is
# kept only where it is invalid or in no mapping table (what an analyst must fix or map), cut to
# 60 characters: these fields are coded (sex, ethnicity, client type, ...), never free text.
CLD_DATA_QUALITY_SQL = """
    select la_code, submitted_at, regexp_extract(source_file, '[^/]+$') as file, field, dq_code,
           case when dq_code <= -2 then left(raw_value, 60) end as invalid_value,
           bool_or(is_new_value) as is_new_value, sum(row_count)::bigint as row_count
    from marts.cld_data_quality
    group by all
    order by la_code, submitted_at, file, field, dq_code desc, invalid_value"""

AUDIT_TABLE = "disclosure_audit"


def audit_frame(result: AuditResult, protection: Protection | None, threshold: int) -> pd.DataFrame:
    """One row per figure of the disclosure audit of this publication (what analysts can cite)."""
    s = result.summary()
    smallest = s["smallest_interval"]
    rows = [
        ("method", "secondary suppression over all published relations, audited by linear programming", None),
        ("suppression_threshold", None, threshold),
        ("protection_interval", None, result.interval),
        (
            "hidden_cells",
            "distinct counts hidden (one cell however many tables or period types show it)",
            s["hidden_cells"],
        ),
        (
            "primary_cells",
            "of which small counts (1 to the threshold) or small complements",
            None if protection is None else protection.primary,
        ),
        (
            "carried_cells",
            "of which hidden because the last publication hid them with the same value",
            None if protection is None else protection.carried,
        ),
        ("bounded", "hidden cells and complements of hidden proportions bounded", s["bounded"]),
        (
            "narrowed_below_interval",
            "bounded to a range narrower than the protection interval",
            s["narrowed_below_interval"],
        ),
        ("pinned_exactly", "recoverable exactly", s["pinned_exactly"]),
        (
            "smallest_interval",
            "narrowest range any hidden cell can be bounded to (null: unbounded above)",
            None if smallest is None or smallest == float("inf") else smallest,
        ),
        ("flag_leaks", "published flags comparing with a hidden value", s["flag_leaks"]),
        ("small_counts_published", "published counts from 1 to the threshold", s["small_counts_published"]),
        ("audit_seconds", None, s["seconds"]),
        ("passed", None, int(result.passed)),
    ]
    if protection is not None and protection.seconds is not None:
        rows.insert(-1, ("suppression_seconds", None, round(protection.seconds, 2)))
    return pd.DataFrame(rows, columns=["figure", "note", "value"]).astype({"value": "float64"})


def person_level_problems(tables: list[PublishedTable]) -> list[str]:
    problems = []
    for t in tables:
        for col in t.frame.columns:
            if FORBIDDEN_COLUMN.search(col):
                problems.append(f"{t.name}.{col}: column name suggests person-level data")
            elif t.frame[col].dtype == object or str(t.frame[col].dtype).startswith("str"):
                # each distinct value once: codes repeat over hundreds of thousands of rows
                sample = pd.Series(t.frame[col].dropna().unique()).astype(str)
                if len(sample) and sample.str.fullmatch(PSEUDONYM).any():
                    problems.append(f"{t.name}.{col}: holds pseudonymised person ids")
    return problems


def audit_published(path: Path, threshold: int, interval: int, workers: int | None = None) -> AuditResult:
    """The disclosure audit of a published file, from its tables alone."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                f"select table_name from information_schema.tables where table_schema = '{PUBLISHED_SCHEMA}'"
            ).fetchall()
        ]
        tables = {n: con.execute(f"select * from {PUBLISHED_SCHEMA}.{n}").df() for n in names if n != AUDIT_TABLE}
    return audit(tables, tables["indicator_catalogue"], threshold=threshold, interval=interval, workers=workers)


def audit_problems(result: AuditResult, examples: int = 2) -> str:
    """What failed, counted, with a few examples of each kind."""
    narrowed = [
        f"{b.target} bounded to [{b.low:g}, {b.high:g}]" for b in sorted(result.narrowed, key=lambda b: b.width)
    ]
    kinds = [
        (f"{len(narrowed)} hidden counts narrowed below {result.interval}", narrowed),
        (f"{len(result.flag_leaks)} flags compare with hidden values", result.flag_leaks),
        (f"{len(result.small_published)} counts from 1 to the threshold shown", result.small_published),
        (f"{len(result.infeasible)} inconsistent components", result.infeasible),
    ]
    return "; ".join(f"{head} (e.g. {'; '.join(items[:examples])})" for head, items in kinds if items)


def typed_columns(con: duckdb.DuckDBPyConnection, table: PublishedTable) -> str:
    """The frame's columns with the warehouse's types: dates stay dates, and a column with no value
    (pandas cannot say what it held) gets its type, VARCHAR when none is known, never DuckDB's NULL.
    Numbers keep the type the frame gives them (DOUBLE where suppression hid a count), as before."""
    inferred = dict(con.execute("select column_name, column_type from (describe select * from _frame)").fetchall())
    cols = []
    for col in table.frame.columns:
        wanted, got = table.types.get(col), inferred.get(col)
        typ = (wanted or "VARCHAR") if got == '"NULL"' else wanted if wanted and not _numeric(wanted) else None
        name = '"' + col.replace('"', '""') + '"'
        cols.append(f"cast({name} as {typ}) as {name}" if typ else name)
    return ", ".join(cols)


def _numeric(duckdb_type: str) -> bool:
    return duckdb_type.upper().split("(")[0] in {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    }


def publish(
    warehouse_path: Path,
    published_path: Path,
    threshold: int,
    interval: int = 3,
    memory: Path | None = None,
    remember: bool = True,
    workers: int | None = None,
    record: Path | None = None,
) -> dict[str, int]:
    """Write, check and atomically swap in the published database; return rows per table. `memory`:
    the last publication's hidden cells, hidden again where unchanged (suppression.choose_hidden), and
    replaced by tonight's once the database is swapped in (unless not `remember`: a held build).
    The disclosure audit is of the written file's own tables (what analysts get), once; `record`
    receives its result with the file's digest, for the asset check (unless not `remember`).
    `workers`: processes for the linear programs (`disclosure.each_component`; None: every core)."""
    with duckdb.connect(str(warehouse_path), read_only=True) as wh:
        tables, protection = build_tables(
            wh, threshold, interval, remembered=read_memory(memory), audited=False, workers=workers
        )
    problems = person_level_problems(tables)
    if problems:
        raise PersonLevelDataFound("refused to publish: " + "; ".join(problems))
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        write_tables(tmp, tables)
        result = audit_published(tmp, threshold, interval, workers)
        if not result.passed:
            raise DisclosureAuditFailed(refusal(result))
        figures = PublishedTable(AUDIT_TABLE, audit_frame(result, protection, threshold))
        write_tables(tmp, [figures])
        digest = file_hash(tmp)
        os.replace(tmp, published_path)
    finally:
        tmp.unlink(missing_ok=True)
    if memory is not None and remember:
        write_memory(memory, protection)
    if record is not None and remember:
        write_audit_record(record, digest, result, threshold, interval)
    return {t.name: len(t.frame) for t in [*tables, figures]}


def write_tables(path: Path, tables: list[PublishedTable]) -> None:
    """Add these tables to the published schema of the file at `path` (created if need be), checkpointed:
    the file alone then holds them, with no write-ahead log beside it."""
    with duckdb.connect(str(path)) as out:
        out.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
        for t in tables:
            out.register("_frame", t.frame)
            out.execute(f"create table {PUBLISHED_SCHEMA}.{t.name} as select {typed_columns(out, t)} from _frame")
            out.unregister("_frame")
        out.execute("checkpoint")


def refusal(result: AuditResult) -> str:
    """Why a publication that failed its disclosure audit was refused."""
    s = result.summary()
    return (
        f"refused to publish: {s['narrowed_below_interval']} hidden counts can be narrowed below the protection "
        f"interval ({result.interval}), {s['flag_leaks']} flags compare with hidden values, "
        f"{s['small_counts_published']} small counts shown, {s['infeasible_components']} components whose published "
        "figures contradict the declared relations (an alias or relation that does not hold for this data); see "
        "docs/decisions.md 'Disclosure control judged as a whole'"
    )


# --- the publication's audit, recorded for the asset check (docs/decisions.md, "One disclosure audit
# per publication") ----------------------------------------------------------------------------------


def audit_figures(result: AuditResult) -> dict:
    """The audit's summary as the asset check shows it: no empty figure, an unbounded range in words."""
    return {
        k: "unbounded" if isinstance(v, float) and math.isinf(v) else v
        for k, v in result.summary().items()
        if v is not None
    }


def write_audit_record(path: Path, digest: str, result: AuditResult, threshold: int, interval: int) -> None:
    """Record the publication's audit of the file with this digest, replaced whole and atomically."""
    record = {
        "sha256": digest,
        "suppression_threshold": threshold,
        "protection_interval": interval,
        "passed": result.passed,
        "problems": audit_problems(result),
        "figures": audit_figures(result),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(record, indent=1))


def recorded_audit(path: Path, published: Path, threshold: int, interval: int) -> tuple[dict | None, str]:
    """The publication's recorded audit of the file now at `published`, with why it applies, or None with
    why not: no record, an unreadable one, a different digest (a file someone else wrote or changed), other
    settings, or a write-ahead log beside the file (its tables are then not the file's bytes alone)."""
    if not path.exists():
        return None, f"no publication record ({path.name})"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        digest, figures = str(record["sha256"]), dict(record["figures"])
        passed, problems = bool(record["passed"]), str(record["problems"])
        settings = (int(record["suppression_threshold"]), int(record["protection_interval"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"the publication record {path.name} is unreadable ({exc})"
    if published.with_name(published.name + ".wal").exists():
        return None, "a write-ahead log lies beside the file"
    if settings != (threshold, interval):
        return None, f"the publication was audited at threshold {settings[0]}, interval {settings[1]}"
    if file_hash(published) != digest:
        return None, "the file is not the one the publication audited (its sha256 differs)"
    why = f"the publication's own audit of this exact file (sha256 {digest})"
    return {"passed": passed, "problems": problems, "figures": figures}, why
