"""The analysts' database: aggregates only, suppressed, swapped in atomically.

A build writes a new file beside the live one, checks it holds nothing person-level, then
renames it over the old one (same filesystem, so the swap is atomic): a reader with the old
file open keeps a consistent view, a new reader gets the new file whole, and a failed build
leaves yesterday's file byte-identical.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .suppression import is_small, secondary, suppress_ratio_table

PUBLISHED_SCHEMA = "marts"

# Columns a published table may never carry (person identifiers, birth dates, free text about people).
FORBIDDEN_COLUMN = re.compile(
    r"(person|client_id|nhs_number|date_of_birth|dob|birth|postcode|address|ethnicity|gender|forename|surname)",
    re.IGNORECASE,
)
PSEUDONYM = re.compile(r"^[0-9a-f]{24}$")


class PersonLevelDataFound(RuntimeError):
    """A table due for publication holds person-level data; nothing was published."""


@dataclass
class PublishedTable:
    name: str
    frame: pd.DataFrame


def _read(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _relations(iv: pd.DataFrame, event_codes: set[str]) -> pd.DataFrame:
    """(cell, group) memberships of the linear relations between published flow-measure rows.

    quarter = its three months; financial year = its twelve months; ytd(m) = ytd(m-1) + month(m)
    (April: ytd = month); rolling(m) = rolling(m-1) + month(m) - month(m-12). A cell is a row
    index of `iv`; only relations whose members are all published are listed.
    """
    rows = iv[iv["indicator_code"].isin(event_codes)]
    if rows.empty:
        return pd.DataFrame(columns=["cell", "group"])
    pe = pd.to_datetime(rows["period_end"])
    key = rows["la_code"] + "|" + rows["indicator_code"]
    month_no = pe.dt.year * 12 + pe.dt.month - 1
    index = {(k, t, m): i for i, k, t, m in zip(rows.index, key, rows["period_type"], month_no)}
    out: list[tuple[int, str]] = []

    def relation(name: str, members: list) -> None:
        if all(m is not None for m in members):
            out.extend((m, name) for m in members)

    for i, k, t, m in zip(rows.index, key, rows["period_type"], month_no):
        month = lambda j: index.get((k, "month", j))  # noqa: E731 - a local lookup
        if t == "quarter":
            relation(f"{k}|q{m}", [i, month(m), month(m - 1), month(m - 2)])
        elif t == "financial_year":
            relation(f"{k}|fy{m}", [i] + [month(m - j) for j in range(12)])
        elif t == "ytd":
            prev = None if m % 12 == 3 else index.get((k, "ytd", m - 1))  # April starts the year
            relation(f"{k}|ytd{m}", [i, month(m)] + ([prev] if m % 12 != 3 else []))
        elif t == "rolling_12m":
            relation(f"{k}|r{m}", [i, index.get((k, "rolling_12m", m - 1)), month(m), month(m - 12)])
    return pd.DataFrame(out, columns=["cell", "group"])


def build_tables(warehouse: duckdb.DuckDBPyConnection, threshold: int) -> list[PublishedTable]:
    catalogue = _read(warehouse, "select * from marts.indicator_catalogue")
    units = catalogue.set_index("indicator_code")["unit"]
    kinds = catalogue.set_index("indicator_code")["kind"]

    iv = _read(warehouse, """
        select la_code, indicator_code, period_type, period_end, financial_year, numerator, denominator,
               value, display_value, target, target_source, rag, direction_prev, direction_yoy, watch,
               is_override, value_source, value_note, population_note
        from marts.indicator_values order by la_code, indicator_code, period_type, period_end""")
    proportion = iv["indicator_code"].map(units).eq("%")
    iv = suppress_ratio_table(
        iv, threshold, count_denominator=proportion, derived=["value", "display_value", "rag"],
        groups=_relations(iv, set(kinds[kinds == "event"].index)),
    )
    hidden = iv.loc[iv["suppressed"], ["la_code", "indicator_code", "period_type", "period_end"]]

    ascof = _read(warehouse, "select * from marts.ascof order by la_code, financial_year, ascof_code")
    ascof = suppress_ratio_table(
        ascof, threshold, count_denominator=ascof["indicator_code"].map(units).eq("%"),
        derived=["value", "family_group_rank", "rag", "direction_of_travel", "england_quartile"],
    )

    exceptions = _read(warehouse, "select * from marts.exceptions order by la_code, period_end, indicator_code")
    if not exceptions.empty:
        dashboard = catalogue.set_index("indicator_code")["dashboard_period_type"]
        exceptions["_pt"] = exceptions["indicator_code"].map(dashboard)
        exceptions = exceptions.merge(
            hidden.assign(_hidden=True), how="left",
            left_on=["la_code", "indicator_code", "_pt", "value_period_end"],
            right_on=["la_code", "indicator_code", "period_type", "period_end"], suffixes=("", "_h"),
        )
        exceptions["suppressed"] = exceptions["_hidden"].fillna(False).astype(bool)
        exceptions.loc[exceptions["suppressed"], "value"] = None
        exceptions = exceptions.drop(columns=[c for c in exceptions if c.startswith("_") or c.endswith("_h")]
                                     + ["period_type"], errors="ignore")

    dtoc = _read(warehouse, "select * from marts.dtoc_monthly order by la_code, period, responsible_org")
    dtoc_hide = is_small(dtoc["delayed_days"], threshold)
    groups = pd.DataFrame({"cell": dtoc.index, "group": dtoc["la_code"] + "|" + dtoc["period"]})
    dtoc_hide = secondary(groups.assign(count=dtoc["delayed_days"]), dtoc_hide)
    dtoc["suppressed"] = dtoc_hide
    dtoc.loc[dtoc_hide, ["delayed_days", "rate_per_100k"]] = None

    adm = _read(warehouse, "select * from marts.admissions_rolling_12m order by la_code, period_end, age_band")
    adm_hide = is_small(adm["admissions_12m"], threshold)
    adm["suppressed"] = adm_hide
    adm.loc[adm_hide, ["admissions_12m", "rate_per_100k"]] = None

    risks = _read(warehouse, """
        select la_code, snapshot_date, risk_id, risk_name, risk_description, area, tasks, progress_update,
               original_likelihood, original_impact, original_score,
               current_likelihood, current_impact, current_score,
               target_likelihood, target_impact, target_score,
               band, original_band, target_band, target_date, prospects, owner, review_date, overdue,
               reported_by_exception, score_disagreement
        from marts.risk_register order by la_code, risk_id""")
    changes = _read(warehouse, "select * from marts.risk_register_changes order by la_code, risk_id, change_type")
    dq = _read(warehouse, """
        select feed, regexp_extract(file, '[^/]+$') as file, loaded_at, extract_date, rows_read, rows_accepted,
               rows_rejected, status, message, rejected_rules
        from marts.data_quality order by loaded_at, feed""")
    return [
        PublishedTable("indicator_catalogue", catalogue),
        PublishedTable("indicator_values", iv),
        PublishedTable("ascof", ascof),
        PublishedTable("exceptions", exceptions),
        PublishedTable("dtoc_monthly", dtoc),
        PublishedTable("admissions_rolling_12m", adm),
        PublishedTable("risk_register", risks),
        PublishedTable("risk_register_changes", changes),
        PublishedTable("data_quality", dq),
    ]


def person_level_problems(tables: list[PublishedTable]) -> list[str]:
    problems = []
    for t in tables:
        for col in t.frame.columns:
            if FORBIDDEN_COLUMN.search(col):
                problems.append(f"{t.name}.{col}: column name suggests person-level data")
            elif t.frame[col].dtype == object or str(t.frame[col].dtype).startswith("str"):
                sample = t.frame[col].dropna().astype(str)
                if len(sample) and sample.str.fullmatch(PSEUDONYM).any():
                    problems.append(f"{t.name}.{col}: holds pseudonymised person ids")
    return problems


def publish(warehouse_path: Path, published_path: Path, threshold: int) -> dict[str, int]:
    """Write, check and atomically swap in the published database; return rows per table."""
    with duckdb.connect(str(warehouse_path), read_only=True) as wh:
        tables = build_tables(wh, threshold)
    problems = person_level_problems(tables)
    if problems:
        raise PersonLevelDataFound("refused to publish: " + "; ".join(problems))
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as out:
            out.execute(f"create schema {PUBLISHED_SCHEMA}")
            for t in tables:
                out.register("_frame", t.frame)
                out.execute(f"create table {PUBLISHED_SCHEMA}.{t.name} as select * from _frame")
                out.unregister("_frame")
            out.execute("checkpoint")
        os.replace(tmp, published_path)
    finally:
        tmp.unlink(missing_ok=True)
    return {t.name: len(t.frame) for t in tables}
