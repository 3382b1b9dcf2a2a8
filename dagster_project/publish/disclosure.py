"""What an adversary can learn from the published tables: one linear model of every published
count, and a linear-programming audit bounding each hidden one.

Every published count is a *form*: a sum of base counts, one base count per council, stream and
month (e.g. admissions of 18-64s in May 2016). A month, a quarter, a year to date, a financial year
and a rolling year are sums over a range of months, so the same quantity published under two names
(year to date at June and Q1; year to date at March, the financial year and the rolling year at
March; 2A(1) and the 18-64 admissions vital sign; the `ascof` and `admissions_rolling_12m` copies)
is one form, one cell. Stocks (snapshot measures) are one base count per month end, whatever the
period type; overridden or supplied rows are cells of their own.

Relations an adversary may combine: every shown form equals its value; base counts are
non-negative integers; a numerator is a part of its denominator, and outcomes of one request or
assessment are disjoint parts of it (`PARTS`); a hidden count is at least 1 when zero is never
hidden (see `Appearance.nonzero`); a published value with its denominator (`value x den = scale x
num`), a rate beside a DToC row, a window's mean DToC rate; a RAG rating against a target and
direction flags against a shown neighbour (inequalities). `audit` bounds every hidden cell (and
the complement of every hidden proportion) by minimising and maximising it over all of these with
HiGHS, and also counts published flags that compare with a hidden value and published counts of
1 to the threshold. The relations come from published columns only, so the same code audits the
published file and the frames about to be published.
"""

from __future__ import annotations

import functools
import gc
import math
import multiprocessing
import os
import signal
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..periods import fy_end

SG_CONCLUDED = "sg_s42_concluded"  # Section 42 enquiries concluded (safeguarding_breakdown's concluded All)

# Two names, one count: (indicator, numerator|denominator) -> stream. Facts of the measure
# definitions (int_indicator_events, int_ascof_cohorts); a wrong one makes the audit infeasible,
# which fails loudly rather than passing.
ALIASES: dict[tuple[str, str], str] = {
    ("2A1", "num"): "admissions_18_64",
    ("VS_ADMISSIONS_18_64", "num"): "admissions_18_64",
    ("2A2", "num"): "admissions_65_plus",
    ("VS_ADMISSIONS_65_PLUS", "num"): "admissions_65_plus",
    ("VS_ENQUIRIES_RESOLVED", "den"): "requests",
    ("RC_REQUESTS_TO_ASSESSMENT", "den"): "requests",
    ("VS_ASSESSMENT_INFO_ONLY", "den"): "assessments",
    ("RC_ASSESSMENTS_TO_SERVICES", "den"): "assessments",
    ("1C2A", "den"): "1C1A.den",
    ("1C2B", "den"): "1C1B.den",
    ("1G", "den"): "1E.den",
    # safeguarding (int_safeguarding_events): the three MSP measures share one denominator, and the
    # Section 42 enquiries concluded are 28 days' denominator and the breakdown's concluded total
    ("SG_MSP_ACHIEVED", "den"): "sg_msp",
    ("SG_MSP_FULLY", "den"): "sg_msp",
    ("SG_MSP_PARTIALLY", "den"): "sg_msp",
    ("SG_S42_28DAYS", "den"): SG_CONCLUDED,
}
# One count that is the sum of others, exactly: (indicator, numerator|denominator) -> streams.
COMPOSITES: dict[tuple[str, str], tuple[str, ...]] = {
    ("SG_MSP_ACHIEVED", "num"): ("SG_MSP_FULLY.num", "SG_MSP_PARTIALLY.num"),
}
# Disjoint parts of a whole, month by month: sum(parts) <= whole. Numerator <= denominator is added
# for every proportion; these are the relations between measures.
PARTS: list[tuple[tuple[str, ...], str]] = [
    (("VS_ENQUIRIES_RESOLVED.num", "RC_REQUESTS_TO_ASSESSMENT.num"), "requests"),
    (("VS_ASSESSMENT_INFO_ONLY.num", "RC_ASSESSMENTS_TO_SERVICES.num"), "assessments"),
    (("2D.num",), "VS_REABLEMENT_NO_ONGOING.num"),  # 2D is VS_REABLEMENT_NO_ONGOING for new clients
    (("2D.den",), "VS_REABLEMENT_NO_ONGOING.den"),
    (("SG_S42_CONVERSION.den",), "SG_CONCERNS.num"),  # decided concerns are concerns received
    (("SG_MSP_FULLY.num", "SG_MSP_PARTIALLY.num"), "sg_msp"),
    (("sg_msp",), SG_CONCLUDED),  # MSP is asked of concluded Section 42 enquiries
]
DTOC_ORGS = {
    "2C1": ("NHS", "Social Care", "Both"),
    "2C2": ("Social Care", "Both"),
    "VS_DTOC_SOCIAL_CARE": ("Social Care", "Both"),
}
SCALE = {"%": 100.0, "per 100k": 100000.0, "count": 1.0}

# SPC (int_spc): a month's icons, mean, limits and special causes are functions of every monthly
# value of the series up to that month, so they are hidden from the first hidden monthly value on.
# Table -> (the month column the SPC was computed at, the SPC columns).
SPC_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "indicator_values": ("period_end", ("spc_variation", "spc_assurance")),
    "dashboard": ("period_end", ("spc_variation", "spc_assurance")),
    "spc_series": ("as_of", ("mean", "lower_limit", "upper_limit", "special_cause", "special_cause_rule", "variation")),
}


# The year-end forecast (int_year_end_forecast) is computed from indicator_values' year-to-date and
# financial-year values: its own row's four (FORECAST_INPUTS), and its interval from every council's
# errors of earlier years at the same month. Table -> (columns derived from the row's inputs, the
# interval's columns).
FORECASTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "year_end_forecast": (
        ("forecast", "forecast_lower", "forecast_upper", "forecast_rag"),
        ("forecast_lower", "forecast_upper"),
    )
}
FORECAST_INPUTS = ("ytd_value", "last_year_ytd_value", "last_year_outturn", "outturn")


def forecast_input_keys(row) -> dict[str, tuple]:
    """The indicator_values key (la_code, indicator_code, period_type, month index) of each input
    column of one forecast row: this and last year's year to date at its month, last year's and this
    year's outturn."""
    at = month_index(row.as_of)
    year_end = at + int(row.months_remaining)
    la, code = row.la_code, row.indicator_code
    return {
        "ytd_value": (la, code, "ytd", at),
        "last_year_ytd_value": (la, code, "ytd", at - 12),
        "last_year_outturn": (la, code, "financial_year", year_end - 12),
        "outturn": (la, code, "financial_year", year_end),
    }


def forecast_uses_hidden(frame: pd.DataFrame, hidden_keys: set) -> tuple[pd.Series, pd.Series]:
    """For each forecast row: whether its forecast uses a hidden value, and whether its interval may.
    The interval's rule is wider than the errors it used: any council's hidden year to date at the
    same calendar month, or hidden outturn, of the indicator before the forecast's year began."""
    earlier: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _la, code, ptype, mi in hidden_keys:
        if ptype in ("ytd", "financial_year"):
            earlier[(code, ptype)].append(mi)
    own, interval = [], []
    for r in frame.itertuples(index=False):
        keys = forecast_input_keys(r)
        own.append(
            any(k in hidden_keys for k in (keys["ytd_value"], keys["last_year_ytd_value"], keys["last_year_outturn"]))
        )
        year_start = keys["outturn"][3] - 11
        at = keys["ytd_value"][3]
        interval.append(
            any(mi < year_start and (mi - at) % 12 == 0 for mi in earlier.get((r.indicator_code, "ytd"), ()))
            or any(mi < year_start for mi in earlier.get((r.indicator_code, "financial_year"), ()))
        )
    return pd.Series(own, index=frame.index, dtype=bool), pd.Series(interval, index=frame.index, dtype=bool)


def first_hidden_month(hidden_monthly) -> dict[tuple[str, str], int]:
    """(la_code, indicator_code) -> month index of the series' first hidden monthly value, from
    (la_code, indicator_code, month index) of every hidden monthly row."""
    first: dict[tuple[str, str], int] = {}
    for la, code, mi in hidden_monthly:
        first[(la, code)] = min(mi, first.get((la, code), mi))
    return first


def spc_uses_hidden(frame: pd.DataFrame, table: str, first: dict[tuple[str, str], int]) -> pd.Series:
    """True on the rows of `table` whose SPC depends on a hidden monthly value."""
    month_col = SPC_COLUMNS[table][0]
    months = month_indexes(frame[month_col])
    if not first:
        return pd.Series(False, index=frame.index, dtype=bool)
    firsts = pd.Series(first, dtype="float64")  # a (la_code, indicator_code) index
    since = firsts.reindex(pd.MultiIndex.from_arrays([frame["la_code"], frame["indicator_code"]])).to_numpy()
    return pd.Series(months.to_numpy() >= since, index=frame.index, dtype=bool)  # NaN (none hidden): False


@dataclass(frozen=True)
class Within:
    """Rows of one RatioTable that are disjoint parts of another of its rows (same council, period
    and other series values): sum(parts) <= whole, or = whole with `equal`, for the counts named
    ('num', 'den'). E.g. 18 to 64 and 65 and above within Total; a subset measure within its whole."""

    column: str
    parts: tuple[str, ...]
    whole: str
    counts: tuple[str, ...] = ("num", "den")
    equal: bool = False
    where: tuple[tuple[str, str], ...] = ()  # only where these series columns hold these values


@dataclass(frozen=True)
class RatioTable:
    """A published table of numerator/denominator/value rows (each series its own count unless
    `cell` names the catalogue indicator a row is also published as: then its counts are that
    indicator's cells, in indicator_values and ascof alike, and its unit the catalogue's).
    Adding a table to publication = one entry in RATIO_TABLES: its cells join the audit,
    suppression and the disclosure figures; `within` declares how its rows add up."""

    name: str
    series: tuple[str, ...]  # columns naming a series besides la_code and the period
    period: str  # a date column or a financial-year label ('2016/17')
    unit: str = "%"  # '%': the denominator is a count too; else a population
    numerator: str = "numerator"
    denominator: str = "denominator"
    value: str = "value"
    derived: tuple[str, ...] = ("value",)  # hidden with the row
    sql: str | None = None  # how publication reads it from the warehouse; default: all of marts.<name>
    cell: str | None = None  # column with the indicator_code whose cells a row's counts are
    within: tuple[Within, ...] = ()


# The revised ASCOF from CLD (docs/decisions.md, "Revised ASCOF published"). Its Total rows are the
# CLD_* indicators (column indicator_code, from cld_indicator_crosswalk); the relations are facts of
# the measure models (int_cld_ascof_*): an episode or person has one age band and one sex, the
# learning-disability cohort is a filter of 2E's, a direct payment is self-directed support, and
# 3D's parts 1a/2a (1b/2b) share one denominator.
_AGES = ("18 to 64", "65 and above")
ASCOF_CLD = RatioTable(
    "ascof_cld",
    series=("measure", "part", "breakdown"),
    period="financial_year",
    derived=("value", "difference"),
    cell="indicator_code",
    within=(
        Within("breakdown", _AGES, "Total", where=(("measure", "ASCOF 2A"),)),
        Within("breakdown", _AGES, "Total", where=(("measure", "ASCOF 3D (Clients)"),)),
        Within("breakdown", _AGES, "Total", where=(("measure", "ASCOF 3D (Carers)"),)),
        Within("breakdown", ("Male", "Female"), "Total", where=(("measure", "ASCOF 2E"),)),
        Within("breakdown", ("Male", "Female"), "Total", where=(("measure", "ASCOF 2E LD"),)),
        Within("measure", ("ASCOF 2E LD",), "ASCOF 2E"),
        Within("part", ("2a",), "1a", counts=("num",)),
        Within("part", ("2a",), "1a", counts=("den",), equal=True),
        Within("part", ("2b",), "1b", counts=("num",)),
        Within("part", ("2b",), "1b", counts=("den",), equal=True),
    ),
)
RATIO_TABLES: list[RatioTable] = [ASCOF_CLD]


@dataclass(frozen=True)
class BreakdownTable:
    """A published table of counts by breakdown and category (category `All` = the total) at any of
    the period types month, quarter and ytd (safeguarding_breakdown publishes quarters only).
    `events` breakdowns count events: a window is the sum of its months, and their total is the
    stream `events_total` (shared with the measures that count the same events); categories are
    related to the total on each published window not tiled by smaller ones (`_base_windows`). The
    others count distinct people: each window is a cell of its own (a person in two months is one
    person in the quarter), at least each sub-window and at most the sum of two that make it up.
    Categories partition the total, except `overlapping` ones (an event under each of its
    categories: each at most the total, together at least it). A category without a row is zero."""

    name: str
    count: str
    events: tuple[str, ...]
    events_total: str
    overlapping: tuple[str, ...]
    people_total: str


SAFEGUARDING_BREAKDOWN = BreakdownTable(
    "safeguarding_breakdown",
    count="people",
    events=("abuse_type", "location_of_risk"),
    events_total=SG_CONCLUDED,
    overlapping=("abuse_type",),
    people_total="sg_people_started",
)
BREAKDOWN_TABLES: list[BreakdownTable] = [SAFEGUARDING_BREAKDOWN]


@functools.cache
def dbt_var(name: str):
    """A var of dbt_project.yml (the RAG thresholds live there, used by dbt/macros/rag.sql)."""
    import yaml

    from ..settings import DBT_PROJECT_DIR

    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"][name]


Form = tuple  # (la_code, streams, first month, last month); months are year*12 + month - 1


@functools.lru_cache(maxsize=4096)
def month_index(ts) -> int:
    if isinstance(ts, str) and len(ts) == 7 and ts[4] == "/":  # financial year label: its March
        end = fy_end(ts)
        return end.year * 12 + end.month - 1
    ts = pd.Timestamp(ts)
    return ts.year * 12 + ts.month - 1


def month_indexes(values: pd.Series) -> pd.Series:
    """month_index of a column at once (dates by vector; financial-year labels one by one)."""
    if pd.api.types.is_datetime64_any_dtype(values) and values.notna().all():
        return (values.dt.year * 12 + values.dt.month - 1).astype("int64")
    return values.map(month_index)


def window_start(period_type: str, end: int) -> int:
    if period_type == "month":
        return end
    if period_type == "quarter":
        return end - 2
    if period_type in ("financial_year", "rolling_12m"):
        return end - 11
    if period_type == "ytd":
        return end - (end % 12 - 3) % 12  # back to April
    raise ValueError(f"unknown period_type {period_type!r}")


@functools.cache
def form_vars(form: Form) -> tuple[tuple, ...]:
    la, streams, a, b = form
    return tuple((la, s, m) for s in streams for m in range(a, b + 1))


@functools.cache  # a few hundred distinct pairs, asked for hundreds of thousands of times
def stream(indicator: str, part: str) -> str:
    return ALIASES.get((indicator, part), f"{indicator}.{part}")


@dataclass
class RowForms:
    """The counts behind one measure row: numerator form, denominator form or constant, and scale."""

    num: Form | None
    den: Form | None
    den_const: float | None
    unit: str
    kind: str
    dtoc: tuple | None = None  # (la, orgs, first, last) for DToC windows


def measure_row_forms(
    la: str, indicator: str, period_type: str, period_end, kind: str, unit: str, override: bool, denominator=None
) -> RowForms:
    """Where one indicator row's numerator and denominator sit among the base counts."""
    end = month_index(period_end)
    if override or kind not in ("event", "snapshot", "cohort", "dtoc", "cld"):
        own = f"{indicator}|{period_type}|{end}"
        num = (la, (f"{own}.num",), 0, 0)
        den = (la, (f"{own}.den",), 0, 0) if unit == "%" else None
        return RowForms(num, den, None if unit == "%" else denominator, unit, "own")
    if kind == "dtoc":
        orgs = DTOC_ORGS.get(indicator, ("NHS", "Social Care", "Both"))
        start = window_start(period_type, end)
        return RowForms(
            (la, tuple(f"dtoc.{o}" for o in orgs), start, end),
            None,
            denominator,
            unit,
            kind,
            dtoc=(la, orgs, start, end),
        )
    start = window_start(period_type, end) if kind == "event" else end  # a CLD figure: its year's end
    num = (la, COMPOSITES.get((indicator, "num"), (stream(indicator, "num"),)), start, end)
    den = (la, (stream(indicator, "den"),), start, end) if unit == "%" else None
    return RowForms(num, den, None if unit == "%" else denominator, unit, kind)


@dataclass
class Appearance:
    table: str
    row: int
    column: str
    form: Form
    value: float | None  # as published; None when hidden
    # a hidden count that cannot be zero: zeros are never hidden, except a numerator hidden with its
    # (small) denominator (the adversary sees the denominator hidden too)
    nonzero: bool = True


@dataclass
class Model:
    appearances: list[Appearance] = field(default_factory=list)
    # linear relations over base variables: (coefficients {var: c}, lower, upper). Structural ones hold
    # whatever is shown; observed ones come from published values and flags.
    relations: list[tuple[dict, float, float]] = field(default_factory=list)
    observed: list[tuple[dict, float, float]] = field(default_factory=list)
    pairs: set[tuple[Form, Form]] = field(default_factory=set)  # (numerator, denominator) of proportions
    complements: list[tuple[Form, Form]] = field(default_factory=list)  # (num, den) of hidden proportions
    # per published measure row: (table, row index) -> (RowForms, key in indicator_values or None)
    row_forms: dict[tuple[str, int], RowForms] = field(default_factory=dict)
    flag_leaks: list[str] = field(default_factory=list)
    small_published: list[str] = field(default_factory=list)
    # published rows that add up to a published total exactly: (total, parts), for suppression's
    # cheap first pass (a lone hidden part is the total minus the others)
    partitions: list[tuple[Form, tuple[Form, ...]]] = field(default_factory=list)
    bundles: list[tuple[Form, ...]] = field(default_factory=list)  # counts suppression hides together


def _rows(frame: pd.DataFrame):
    """Row tuples with plain Python values (much faster than pandas' extension arrays one by one)."""
    return frame.astype(object).itertuples()


def _isnull(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _lin(form: Form | None, coef: float, out: dict) -> None:
    if form is not None:
        for v in form_vars(form):
            out[v] = out.get(v, 0.0) + coef


def _value_expr(rf: RowForms, c: float, dtoc_weights) -> tuple[dict, float] | None:
    """value >= c as `expr >= rhs` over base counts (linear because denominators are positive)."""
    scale = SCALE.get(rf.unit, 1.0)
    expr: dict = {}
    if rf.kind == "dtoc":
        w = dtoc_weights(rf.dtoc)
        if w is None:
            return None
        for var, coef in w.items():
            expr[var] = coef
        return expr, c
    if rf.den is not None:  # value = scale * num / den
        _lin(rf.num, scale, expr)
        _lin(rf.den, -c, expr)
        return expr, 0.0
    if rf.unit == "count":  # the value is the count itself
        _lin(rf.num, 1.0, expr)
        return expr, c
    if rf.den_const is None or _isnull(rf.den_const) or rf.den_const == 0:
        return None
    _lin(rf.num, scale / float(rf.den_const), expr)
    return expr, c


def build_model(tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame, threshold: int) -> Model:
    """Every published count, relation and flag of the published tables (hidden cells are null)."""
    m = Model()
    cat = catalogue.set_index("indicator_code")
    unit = cat["unit"].to_dict()
    kind = cat["kind"].to_dict()
    polarity = cat["polarity"].to_dict()
    decimals = cat["decimals"].fillna(0).astype(int).to_dict()
    tolerance = cat["tolerance"].fillna(dbt_var("rag_default_tolerance")).to_dict()

    dtoc = tables.get("dtoc_monthly")
    dtoc_info: dict[tuple, tuple[float, float]] = {}
    if dtoc is not None and len(dtoc):
        for r in _rows(dtoc):
            mi = month_index(pd.Timestamp(str(r.period) + "-01"))
            dtoc_info[(r.la_code, mi)] = (float(r.days_in_month), float(r.population_18_plus))

    def dtoc_weights(spec):
        la, orgs, a, b = spec
        n = b - a + 1
        w = {}
        for mi in range(a, b + 1):
            info = dtoc_info.get((la, mi))
            if info is None or not info[0] or not info[1] or _isnull(info[1]):
                return None
            for o in orgs:
                w[(la, f"dtoc.{o}", mi)] = 100000.0 / (info[0] * info[1]) / n
        return w

    rows: dict[tuple, RowForms] = {}  # (la, indicator, period_type, month) -> forms
    shown_value: dict[tuple, float] = {}
    hidden_rows: set[tuple] = set()

    def add_count(table, idx, col, form, value, nonzero=True, hidden=True):
        """A published count; a null that is not suppressed is no data (e.g. no events), not a cell."""
        if _isnull(value) and not hidden:
            return
        v = None if _isnull(value) else float(value)
        m.appearances.append(Appearance(table, idx, col, form, v, nonzero))
        if v is not None and 1 <= v <= threshold:
            m.small_published.append(f"{table} row {idx} {col}={v:g}")

    values_seen: list[tuple[RowForms, float]] = []

    def add_value(rf: RowForms, value: float, key: str) -> None:
        """A published value: an equality over the row's counts (kept, at the end, only if it touches
        a hidden one: with all its counts shown it tells nothing new)."""
        values_seen.append((rf, value))

    def value_relation(rf: RowForms, value: float) -> None:
        ge = _value_expr(rf, value, dtoc_weights)
        if ge is None:
            return
        expr, rhs = ge
        tol = 1e-7 * max(1.0, abs(rhs), *(abs(c) for c in expr.values()))
        m.observed.append((expr, rhs - tol, rhs + tol))

    def add_cmp(rf: RowForms, low: float | None, high: float | None) -> None:
        for bound, sense in ((low, 1), (high, -1)):
            if bound is None:
                continue
            ge = _value_expr(rf, bound, dtoc_weights)
            if ge is None:
                continue
            expr, rhs = ge
            if sense == 1:
                m.observed.append((expr, rhs, math.inf))
            else:
                m.observed.append((expr, -math.inf, rhs))

    def rag_bounds(code, rag, target):
        """RAG against a target as bounds on the value (rounding slack of half a display unit)."""
        if _isnull(rag) or _isnull(target):
            return None, None
        h = 0.5 * 10 ** (-decimals.get(code, 0))
        t, tol = float(target), float(tolerance.get(code, dbt_var("rag_default_tolerance")))
        cut = t - tol * abs(t) if polarity.get(code) == "bigger" else t + tol * abs(t)
        if polarity.get(code) == "bigger":
            return {"G": (t - h, None), "A": (cut - h, t + h), "R": (None, cut + h)}.get(rag, (None, None))
        return {"G": (None, t + h), "A": (t - h, cut + h), "R": (cut - h, None)}.get(rag, (None, None))

    # indicator_values: the centre of the model
    iv = tables.get("indicator_values")
    iv_by_key: dict[tuple, object] = {}
    fy_month: dict[tuple, int] = {}
    if iv is not None and len(iv):
        for r in _rows(iv):
            code = r.indicator_code
            end = month_index(r.period_end)
            override = getattr(r, "value_source", "computed") not in ("computed", None)
            rf = measure_row_forms(
                r.la_code,
                code,
                r.period_type,
                r.period_end,
                kind.get(code, "own"),
                unit.get(code, "count"),
                override,
                r.denominator,
            )
            key = (r.la_code, code, r.period_type, end)
            rows[key] = rf
            iv_by_key[key] = r
            m.row_forms[("indicator_values", r.Index)] = rf
            if rf.den is not None:
                m.pairs.add((rf.num, rf.den))
            if (code, "num") in COMPOSITES:  # the sum of its parts, each a published numerator too
                m.bundles.append((rf.num, *((rf.num[0], (p,), rf.num[2], rf.num[3]) for p in rf.num[1])))
            if r.period_type == "financial_year":
                fy_month[(r.la_code, code, r.financial_year)] = end
            hidden = bool(r.suppressed)
            if hidden:
                hidden_rows.add(key)
            if rf.kind != "dtoc":
                add_count(
                    "indicator_values",
                    r.Index,
                    "numerator",
                    rf.num,
                    r.numerator,
                    nonzero=not (rf.den is not None and _isnull(r.denominator)),
                    hidden=hidden,
                )
                if rf.den is not None:
                    add_count("indicator_values", r.Index, "denominator", rf.den, r.denominator, hidden=hidden)
                    if not _isnull(r.numerator) and not _isnull(r.denominator):
                        comp = float(r.denominator) - float(r.numerator)
                        if 1 <= comp <= threshold:
                            m.small_published.append(f"indicator_values row {r.Index} denominator - numerator={comp:g}")
                    elif hidden:
                        m.complements.append((rf.num, rf.den))
            else:
                add_count("indicator_values", r.Index, "numerator", rf.num, r.numerator, hidden=hidden)
            if not _isnull(r.value):
                shown_value[key] = float(r.value)
                add_value(rf, float(r.value), f"indicator_values row {r.Index}")
            elif hidden:
                lo, hi = rag_bounds(code, r.rag, r.target)
                add_cmp(rf, lo, hi)
                if not _isnull(r.rag):
                    m.flag_leaks.append(f"indicator_values row {r.Index}: rag beside a hidden value")

        def value_lin(key):
            """A row's value as (coefficients, constant): linear unless its denominator is a hidden count."""
            if key not in hidden_rows:
                return ({}, shown_value[key]) if key in shown_value else None
            rf = rows[key]
            if rf.den is not None:
                return None
            ge = _value_expr(rf, 0.0, dtoc_weights)
            return None if ge is None else (ge[0], 0.0)

        def add_diff(this, other, order, h):
            """Display values compared: order 0 equal (within 2h), 1 this above, -1 this below."""
            a_, b_ = value_lin(this), value_lin(other)
            if a_ is None or b_ is None:
                return
            expr = dict(a_[0])
            for var, c in b_[0].items():
                expr[var] = expr.get(var, 0.0) - c
            if not expr:
                return
            const = a_[1] - b_[1]  # v_this - v_other = expr.x + const
            lo, hi = (-2 * h, 2 * h) if order == 0 else ((0.0, math.inf) if order == 1 else (-math.inf, 0.0))
            m.observed.append((expr, lo - const, hi - const))

        # direction and watch flags compare neighbours
        ordered = iv.sort_values(["la_code", "indicator_code", "period_type", "period_end"])
        prev_key: dict[tuple, tuple] = {}
        chain: dict[tuple, list] = {}
        last = None
        for r in _rows(ordered):
            key = (r.la_code, r.indicator_code, r.period_type, month_index(r.period_end))
            group = key[:3]
            if last is not None and last[:3] == group:
                prev_key[key] = last
                chain[key] = [key] + chain[last][:3]
            else:
                chain[key] = [key]
            last = key
        for key, r in iv_by_key.items():
            code = key[1]
            h = 0.5 * 10 ** (-decimals.get(code, 0))
            bigger = polarity.get(code) == "bigger"
            for col, other in (
                ("direction_prev", prev_key.get(key)),
                ("direction_yoy", (key[0], key[1], key[2], key[3] - 12)),
            ):
                flag = getattr(r, col, None)
                if _isnull(flag) or other is None or other not in rows:
                    continue
                involved = [k for k in (key, other) if k in hidden_rows]
                if not involved:
                    continue
                m.flag_leaks.append(f"indicator_values row {r.Index}: {col} compares with a hidden value")
                if len(involved) == 2:
                    # both hidden: linear when neither denominator is a hidden count
                    this_order = 0 if flag == "No change" else (1 if (flag == "Improving") == bigger else -1)
                    add_diff(key, other, this_order, h)
                    continue
                hid, shown = involved[0], other if involved[0] == key else key
                if shown not in shown_value:
                    continue
                dv = round(shown_value[shown], decimals.get(code, 0))
                # flag reads as (this vs previous); orient it for the hidden side
                sign = 1 if hid == key else -1
                if flag == "No change":
                    add_cmp(rows[hid], dv - h, dv + h)
                elif (flag == "Improving") == bigger:  # this > previous
                    add_cmp(rows[hid], dv - h, None) if sign == 1 else add_cmp(rows[hid], None, dv + h)
                else:
                    add_cmp(rows[hid], None, dv + h) if sign == 1 else add_cmp(rows[hid], dv - h, None)
            watch = getattr(r, "watch", None)
            if not _isnull(watch) and any(k in hidden_rows for k in chain.get(key, [])):
                m.flag_leaks.append(f"indicator_values row {r.Index}: watch uses a hidden value")
                if bool(watch):  # three deteriorations running: each value worse than the one before
                    ks = chain.get(key, [])
                    for a_, b_ in zip(ks, ks[1:]):
                        add_diff(a_, b_, -1 if bigger else 1, h)

    # ascof: the financial-year rows again, with comparators
    ascof = tables.get("ascof")
    if ascof is not None and len(ascof):
        for r in _rows(ascof):
            end = fy_month.get((r.la_code, r.indicator_code, r.financial_year))
            key = (r.la_code, r.indicator_code, "financial_year", end)
            rf = rows.get(key) or measure_row_forms(
                r.la_code,
                r.indicator_code,
                "financial_year",
                pd.Timestamp(fy_end(str(r.financial_year))),
                kind.get(r.indicator_code, "own"),
                unit.get(r.indicator_code, "count"),
                bool(r.is_override),
                r.denominator,
            )
            m.row_forms[("ascof", r.Index)] = rf
            if rf.kind != "dtoc":
                add_count(
                    "ascof",
                    r.Index,
                    "numerator",
                    rf.num,
                    r.numerator,
                    nonzero=not (rf.den is not None and _isnull(r.denominator)),
                    hidden=bool(r.suppressed),
                )
                if rf.den is not None:
                    add_count("ascof", r.Index, "denominator", rf.den, r.denominator, hidden=bool(r.suppressed))
            if not _isnull(r.value):
                add_value(rf, float(r.value), f"ascof row {r.Index}")
            elif bool(r.suppressed):
                for col in ("rag", "family_group_rank", "england_quartile", "direction_of_travel", "family_group_avg"):
                    if col in ascof and not _isnull(getattr(r, col)):
                        m.flag_leaks.append(f"ascof row {r.Index}: {col} beside a hidden value")
                lo, hi = rag_bounds(r.indicator_code, r.rag, r.target)
                add_cmp(rf, lo, hi)
            prev = (r.la_code, r.indicator_code, "financial_year", None if end is None else end - 12)
            if prev in rows and not _isnull(getattr(r, "previous_year_value", None)):
                add_value(rows[prev], float(r.previous_year_value), f"ascof row {r.Index} previous_year_value")
                if prev in hidden_rows:
                    m.flag_leaks.append(f"ascof row {r.Index}: previous_year_value of a hidden value")
            if prev in hidden_rows and not _isnull(getattr(r, "direction_of_travel", None)):
                m.flag_leaks.append(f"ascof row {r.Index}: direction_of_travel compares with a hidden value")

    # admissions by age band over rolling years: the admissions vital signs again
    adm = tables.get("admissions_rolling_12m")
    if adm is not None and len(adm):
        for r in _rows(adm):
            code = "VS_ADMISSIONS_18_64" if r.age_band == "18-64" else "VS_ADMISSIONS_65_PLUS"
            rf = measure_row_forms(
                r.la_code, code, "rolling_12m", r.period_end, "event", "per 100k", False, r.population
            )
            m.row_forms[("admissions_rolling_12m", r.Index)] = rf
            add_count(
                "admissions_rolling_12m", r.Index, "admissions_12m", rf.num, r.admissions_12m, hidden=bool(r.suppressed)
            )
            if not _isnull(r.rate_per_100k):
                add_value(rf, float(r.rate_per_100k), "admissions_rolling_12m")

    # delayed days per organisation and month: the base counts of 2C(1), 2C(2) and the DToC vital sign
    if dtoc is not None and len(dtoc):
        for r in _rows(dtoc):
            mi = month_index(pd.Timestamp(str(r.period) + "-01"))
            form = (r.la_code, (f"dtoc.{r.responsible_org}",), mi, mi)
            add_count("dtoc_monthly", r.Index, "delayed_days", form, r.delayed_days, hidden=bool(r.suppressed))
            if not _isnull(r.rate_per_100k) and r.days_in_month and not _isnull(r.population_18_plus):
                c = 100000.0 / (float(r.days_in_month) * float(r.population_18_plus))
                expr = {(r.la_code, f"dtoc.{r.responsible_org}", mi): c}
                v = float(r.rate_per_100k)
                m.observed.append((expr, v - 1e-7 * max(1, v), v + 1e-7 * max(1, v)))

    # exceptions: a value, a RAG and reasons for the dashboard's current value
    exc = tables.get("exceptions")
    if exc is not None and len(exc):
        for r in _rows(exc):
            key = (r.la_code, r.indicator_code, r.value_period_type, month_index(r.value_period_end))
            if key not in rows:
                continue
            if not _isnull(r.value):
                add_value(rows[key], float(r.value), "exceptions")
            elif key in hidden_rows:
                lo, hi = rag_bounds(r.indicator_code, r.rag, r.target)
                add_cmp(rows[key], lo, hi)
                for col in ("rag", "off_target", "deteriorating"):
                    if not _isnull(getattr(r, col, None)):
                        m.flag_leaks.append(f"exceptions row {r.Index}: {col} beside a hidden value")
            if not _isnull(getattr(r, "deteriorating", None)) and key in rows:
                # three comparisons back from the current value
                ks = [(key[0], key[1], key[2], key[3] - j) for j in range(4)]
                if any(k in hidden_rows for k in ks):
                    m.flag_leaks.append(f"exceptions row {r.Index}: deteriorating uses a hidden value")

    # dashboard: indicator_values rows again, at the dashboard's period type (marts.dashboard): the
    # same cells, so a copy tells nothing new, and a figure it shows that indicator_values hides is
    # caught like any other published one
    dash = tables.get("dashboard")
    if dash is not None and len(dash):
        for r in _rows(dash):
            key = (r.la_code, r.indicator_code, r.period_type, month_index(r.period_end))
            rf = rows.get(key) or measure_row_forms(
                r.la_code,
                r.indicator_code,
                r.period_type,
                r.period_end,
                kind.get(r.indicator_code, "own"),
                unit.get(r.indicator_code, "count"),
                getattr(r, "value_source", "computed") not in ("computed", None),
                r.denominator,
            )
            hidden = bool(getattr(r, "suppressed", False)) or key in hidden_rows
            add_count("dashboard", r.Index, "numerator", rf.num, r.numerator, hidden=hidden)
            if rf.den is not None and rf.kind != "dtoc":
                add_count("dashboard", r.Index, "denominator", rf.den, r.denominator, hidden=hidden)
            if not _isnull(r.value):
                add_value(rf, float(r.value), f"dashboard row {r.Index}")
            elif hidden:
                for col in ("rag", "display_value", "direction_prev", "direction_yoy", "watch"):
                    if not _isnull(getattr(r, col, None)):
                        m.flag_leaks.append(f"dashboard row {r.Index}: {col} beside a hidden value")

    for spec in RATIO_TABLES:
        t = tables.get(spec.name)
        if t is None or not len(t):
            continue
        cells: dict[tuple, dict] = {}  # (la, month, series values) -> {'num': form, 'den': form|None}
        for r in _rows(t):
            d = r._asdict()
            end = month_index(d[spec.period])
            code = d.get(spec.cell) if spec.cell else None
            code = None if _isnull(code) else code
            row_unit = unit.get(code, spec.unit) if code else spec.unit
            own = code or spec.name + ":" + "/".join(str(d[c]) for c in spec.series)
            num = (d["la_code"], (stream(own, "num") if code else f"{own}.num",), end, end)
            den = (d["la_code"], (stream(own, "den") if code else f"{own}.den",), end, end) if row_unit == "%" else None
            rf = RowForms(num, den, None if den else d.get(spec.denominator), row_unit, "own")
            m.row_forms[(spec.name, r.Index)] = rf
            cells[(d["la_code"], end, tuple(str(d[c]) for c in spec.series))] = {"num": num, "den": den}
            hidden = bool(d.get("suppressed", False))
            add_count(
                spec.name,
                r.Index,
                spec.numerator,
                num,
                d[spec.numerator],
                nonzero=not (den is not None and _isnull(d[spec.denominator])),
                hidden=hidden,
            )
            if den is not None:
                m.pairs.add((num, den))
                add_count(spec.name, r.Index, spec.denominator, den, d[spec.denominator], hidden=hidden)
                if hidden:
                    m.complements.append((num, den))
                elif not _isnull(d[spec.numerator]) and not _isnull(d[spec.denominator]):
                    comp = float(d[spec.denominator]) - float(d[spec.numerator])
                    if 1 <= comp <= threshold:
                        m.small_published.append(f"{spec.name} row {r.Index} denominator - numerator={comp:g}")
            if not _isnull(d.get(spec.value)):
                add_value(rf, float(d[spec.value]), spec.name)
            elif hidden:
                for col in spec.derived:
                    if not _isnull(d.get(col)):
                        m.flag_leaks.append(f"{spec.name} row {r.Index}: {col} beside a hidden value")

        _within_relations(m, spec, cells)

    for bspec in BREAKDOWN_TABLES:
        t = tables.get(bspec.name)
        if t is not None and len(t):
            _breakdown_cells(m, bspec, t, add_count)

    uncertain = {v for a in m.appearances if a.value is None for v in form_vars(a.form)}
    if uncertain:
        for rf, value in values_seen:
            forms = [f for f in (rf.num, rf.den) if f is not None]
            if any(v in uncertain for f in forms for v in form_vars(f)):
                value_relation(rf, value)
        m.observed = [r for r in m.observed if any(v in uncertain for v in r[0])]
    else:
        m.observed = []
    _structural_relations(m)
    _spc_leaks(m, tables, hidden_rows)
    _forecast_leaks(m, tables, hidden_rows)
    return m


def _forecast_leaks(m: Model, tables: dict[str, pd.DataFrame], hidden_rows: set) -> None:
    """A forecast, its interval or an input published where they use a hidden value."""
    for table, (derived, interval_cols) in FORECASTS.items():
        t = tables.get(table)
        if t is None or not len(t):
            continue
        own, interval = forecast_uses_hidden(t, hidden_rows)
        for i, r in zip(t.index, t.itertuples(index=False)):
            cols = [c for c in derived if own[i]] + [c for c in interval_cols if interval[i]]
            cols += [c for c, k in forecast_input_keys(r).items() if k in hidden_rows]
            for col in dict.fromkeys(cols):
                if col in t and not _isnull(t.at[i, col]):
                    m.flag_leaks.append(f"{table} row {i}: {col} uses a hidden value")


def _spc_leaks(m: Model, tables: dict[str, pd.DataFrame], hidden_rows: set) -> None:
    """An SPC figure published beside a series with a hidden monthly value up to its month."""
    first = first_hidden_month((k[0], k[1], k[3]) for k in hidden_rows if k[2] == "month")
    if not first:
        return
    for table, (_, cols) in SPC_COLUMNS.items():
        t = tables.get(table)
        if t is None or not len(t):
            continue
        uses = spc_uses_hidden(t, table, first)
        for col in cols:
            if col in t:
                for i in t.index[uses & t[col].notna()]:
                    m.flag_leaks.append(f"{table} row {i}: {col} uses a hidden value")


def _breakdown_cells(m: Model, spec: BreakdownTable, t: pd.DataFrame, add_count) -> None:
    """The counts of one BreakdownTable and the relations between them (see BreakdownTable)."""
    # (la, events or people) -> published windows (first month, last month)
    windows: dict[tuple, set] = defaultdict(set)
    cells: dict[tuple, dict] = defaultdict(dict)  # (la, breakdown, category) -> {window: form}

    def people_form(la, key, a, b):
        return (la, (f"{key}@{a}-{b}",), b, b)

    for r in _rows(t):
        end = month_index(r.period_end)
        start = window_start(r.period_type, end)
        la, b, c = r.la_code, r.breakdown, r.category
        windows[(la, b in spec.events)].add((start, end))
        if b in spec.events:
            form = (la, (spec.events_total if c == "All" else f"{spec.name}:{b}:{c}",), start, end)
        else:
            form = people_form(la, spec.people_total if c == "All" else f"{spec.name}:{b}:{c}", start, end)
        cells[(la, b, c)][(start, end)] = form
        add_count(spec.name, r.Index, spec.count, form, getattr(r, spec.count), hidden=bool(r.suppressed))

    def relate(terms, lo, hi):
        expr: dict = {}
        for form, coef in terms:
            if form is not None:
                _lin(form, coef, expr)
        if expr:
            m.relations.append((expr, lo, hi))

    by_breakdown: dict[tuple, list] = defaultdict(list)
    for la, b, c in cells:
        if c != "All":
            by_breakdown[(la, b)].append(c)
    for (la, b), categories in sorted(by_breakdown.items()):
        total = cells.get((la, b, "All"), {})
        if b in spec.events:
            # base windows: an absent row is a zero; categories against the total, window by window
            for a, e in _base_windows(windows[(la, True)]):
                tot = (la, (spec.events_total,), a, e)
                parts = []
                for c in sorted(categories):
                    var = (la, (f"{spec.name}:{b}:{c}",), a, e)
                    if (a, e) not in cells[(la, b, c)]:
                        # a known zero, published as the missing row: shown (row -1), so suppression's
                        # path cutting sees it too (zeros are never hidden)
                        add_count(spec.name, -1, spec.count, var, 0, hidden=False)
                    parts.append(var)
                    if b in spec.overlapping:
                        relate([(var, 1.0), (tot, -1.0)], -math.inf, 0.0)
                terms = [(p, 1.0) for p in parts] + [(tot, -1.0)]
                relate(terms, 0.0, 0.0 if b not in spec.overlapping else math.inf)
            continue
        # people: categories add up to the total in every window
        for w, tot in total.items():
            relate([(cells[(la, b, c)].get(w), 1.0) for c in categories] + [(tot, -1.0)], 0.0, 0.0)
    for (la, b), categories in sorted(by_breakdown.items()):
        if b not in spec.overlapping:
            for w, tot in cells.get((la, b, "All"), {}).items():
                parts = tuple(cells[(la, b, c)][w] for c in sorted(categories) if w in cells[(la, b, c)])
                m.partitions.append((tot, parts))
    # people: each window between its sub-windows and their sum, per category and for the total
    # (one stream shared by every people breakdown: related once)
    people_keys = {k for k in cells if k[1] not in spec.events and k[2] != "All"}
    people_keys |= {
        min(k for k in cells if k[0] == la and k[1] not in spec.events and k[2] == "All")
        for la, events in windows
        if not events
    }
    for key in sorted(people_keys):
        have, published = cells[key], windows[(key[0], False)]
        for a, e in sorted(published):
            whole = have.get((a, e))
            if whole is None or a == e:
                continue
            # split into two published windows (the year to date before + the month or quarter); the
            # chains of such splits imply the bounds by months, which are added only where no split exists
            splits = [((a, j), (j + 1, e)) for j in range(a, e) if (a, j) in published and (j + 1, e) in published]
            if not splits:
                splits = (
                    [tuple((i, i) for i in range(a, e + 1))]
                    if all((i, i) in published for i in range(a, e + 1))
                    else []
                )
            for parts in splits:
                relate([(whole, 1.0)] + [(have.get(w), -1.0) for w in parts], -math.inf, 0.0)
                for w in parts:
                    if w in have:
                        relate([(have[w], 1.0), (whole, -1.0)], -math.inf, 0.0)


def _base_windows(published: set) -> list[tuple[int, int]]:
    """The published windows that relations of additive counts must be stated on: each window not
    exactly tiled by smaller published windows (months when months are published; quarters when only
    quarters are). A window tiled by others follows from theirs, since a window's count is a sum of months."""
    out = []
    for a, e in sorted(published):
        inner = sorted((x, y) for x, y in published if a <= x and y <= e and (x, y) != (a, e))
        covered, month = True, a
        while month <= e and covered:
            step = max((y for x, y in inner if x == month), default=None)
            covered = step is not None
            month = (step or e) + 1
        if not covered or not inner:
            out.append((a, e))
    return out


def _within_relations(m: Model, spec: RatioTable, cells: dict) -> None:
    """The declared `Within` relations of one RatioTable, row by row (structural: they hold whatever is shown)."""
    for w in spec.within:
        col = spec.series.index(w.column)
        cond = [(spec.series.index(c), v) for c, v in w.where]
        for (la, end, key), whole in cells.items():
            if key[col] != w.whole or any(key[i] != v for i, v in cond):
                continue
            parts = [cells.get((la, end, key[:col] + (p,) + key[col + 1 :])) for p in w.parts]
            if any(p is None for p in parts):
                continue
            for c in w.counts:
                if whole[c] is None or any(p[c] is None for p in parts):
                    continue
                expr: dict = {}
                _lin(whole[c], -1.0, expr)
                for p in parts:
                    _lin(p[c], 1.0, expr)
                m.relations.append((expr, 0.0 if w.equal else -math.inf, 0.0))


def _structural_relations(m: Model) -> None:
    """numerator <= denominator, and disjoint parts <= their whole, month by month."""
    months: dict[tuple, set] = defaultdict(set)  # (la, stream) -> months seen
    for a in m.appearances:
        la, streams, lo, hi = a.form
        for s in streams:
            months[(la, s)].update(range(lo, hi + 1))
    for (la, s), ms in months.items():
        if s.endswith(".num") and "|" not in s:
            den = stream(s[:-4], "den")
            for mi in sorted(ms & months.get((la, den), set())):
                m.relations.append(({(la, s, mi): 1.0, (la, den, mi): -1.0}, -math.inf, 0.0))
    # a supplied or overridden proportion (its own cells) is a part of its denominator too, unless the
    # figures as shown say otherwise (bad supplied data: nothing hidden to protect there)
    shown = {a.form: a.value for a in m.appearances if a.value is not None}
    for num, den in sorted(m.pairs, key=lambda p: (form_name(p[0]), form_name(p[1]))):
        if "|" in num[1][0] and not (num in shown and den in shown and shown[num] > shown[den]):
            expr: dict = {}
            _lin(num, 1.0, expr)
            _lin(den, -1.0, expr)
            m.relations.append((expr, -math.inf, 0.0))
    for parts, whole in PARTS:
        for la in sorted({la for (la, s) in months if s == whole}):
            for mi in sorted(months[(la, whole)]):
                expr = {(la, whole, mi): -1.0}
                present = False
                for p in parts:
                    if (la, p) in months and mi in months[(la, p)]:
                        expr[(la, p, mi)] = 1.0
                        present = True
                if present:
                    m.relations.append((expr, -math.inf, 0.0))
    # 2D's complement (episodes without the outcome) is part of the wider measure's complement
    for la in sorted({la for (la, s) in months if s == "2D.num"}):
        for mi in sorted(months[(la, "2D.num")]):
            m.relations.append(
                (
                    {
                        (la, "2D.den", mi): 1.0,
                        (la, "2D.num", mi): -1.0,
                        (la, "VS_REABLEMENT_NO_ONGOING.den", mi): -1.0,
                        (la, "VS_REABLEMENT_NO_ONGOING.num", mi): 1.0,
                    },
                    -math.inf,
                    0.0,
                )
            )


@dataclass
class Bound:
    target: str  # a readable name of the cell
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class AuditResult:
    hidden_cells: int
    bounds: list[Bound]
    flag_leaks: list[str]
    small_published: list[str]
    interval: int
    seconds: float
    infeasible: list[str] = field(default_factory=list)

    @property
    def narrowed(self) -> list[Bound]:
        return [b for b in self.bounds if b.width < self.interval]

    @property
    def pinned(self) -> list[Bound]:
        return [b for b in self.bounds if b.width < 0.5]

    @property
    def smallest_interval(self) -> float | None:
        return min((b.width for b in self.bounds), default=None)

    @property
    def passed(self) -> bool:
        return not (self.narrowed or self.flag_leaks or self.small_published or self.infeasible)

    def summary(self) -> dict:
        s = self.smallest_interval
        return {
            "hidden_cells": self.hidden_cells,
            "bounded": len(self.bounds),
            "narrowed_below_interval": len(self.narrowed),
            "pinned_exactly": len(self.pinned),
            "smallest_interval": None if s is None else (math.inf if math.isinf(s) else round(s, 3)),
            "flag_leaks": len(self.flag_leaks),
            "small_counts_published": len(self.small_published),
            "infeasible_components": len(self.infeasible),
            "protection_interval": self.interval,
            "seconds": round(self.seconds, 2),
        }


@functools.cache
def form_name(form: Form) -> str:
    la, streams, a, b = form

    def ym(i):
        return f"{i // 12}-{i % 12 + 1:02d}"

    if a == b == 0:  # a row of its own (supplied or overridden): its name says which
        return f"{la} {'+'.join(streams)}"
    span = ym(a) if a == b else f"{ym(a)}..{ym(b)}"
    return f"{la} {'+'.join(streams)} {span}"


@dataclass
class System:
    """Shown forms (equalities), relations and hidden targets, split into independent components."""

    shown: dict  # form -> value
    hidden: dict  # form -> nonzero (bool)
    relations: list
    extra_targets: list  # (name, expr) e.g. complements


def system_from_model(m: Model) -> System:
    shown: dict = {}
    nonzero: dict = {}
    for a in m.appearances:
        if a.value is not None:
            shown.setdefault(a.form, a.value)
    for a in m.appearances:
        if a.value is None and a.form not in shown:
            nonzero[a.form] = nonzero.get(a.form, True) and a.nonzero
    extra = []
    for num, den in m.complements:
        if num in nonzero or den in nonzero:
            expr: dict = {}
            _lin(den, 1.0, expr)
            _lin(num, -1.0, expr)
            extra.append((f"complement of {form_name(num)}", expr))
    return System(shown, nonzero, m.relations + m.observed, extra)


class _UnionFind:
    def __init__(self):
        self.p: dict = {}

    def find(self, x):
        p = self.p
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, xs):
        it = iter(xs)
        first = next(it, None)
        if first is None:
            return
        r = self.find(first)
        for x in it:
            s = self.find(x)
            if s != r:
                self.p[s] = r


class Solver:
    """Bounds hidden cells component by component (cells that share no base count or relation are
    independent), so a council's 10,000 published counts become many small linear programs."""

    def __init__(self, system: System, workers: int | None = None):
        self.system, self.workers = system, workers
        uf = _UnionFind()
        for f in list(system.shown) + list(system.hidden):
            uf.union(_expr(f).keys())
        for expr, _, _ in system.relations:
            uf.union(expr.keys())
        for _, expr in system.extra_targets:
            uf.union(expr.keys())
        self.uf = uf
        self._roots: dict = {}  # form -> its component (the union-find is complete: never changes)
        self.rel_by_root: dict = defaultdict(list)
        for rel in system.relations:
            if rel[0]:
                self.rel_by_root[uf.find(next(iter(rel[0])))].append(rel)
        self.forms_by_root: dict = defaultdict(list)
        for f in list(system.shown) + list(system.hidden):
            self.forms_by_root[uf.find(next(iter(_expr(f))))].append(f)

    def root(self, form: Form):
        r = self._roots.get(form)
        if r is None:
            r = self._roots[form] = self.uf.find(next(iter(_expr(form))))
        return r

    def bound(
        self,
        shown: dict,
        hidden: dict,
        extra: list | None = None,
        only: set | None = None,
        certify: float | None = None,
    ):
        """Min and max of each hidden form and extra target (name, expr), component by component.

        shown: form -> value; hidden: form -> nonzero. `only` limits the targets bounded. With
        `certify`, a target is not bounded by its own linear programs once two feasible points (every
        solution found in its component) already give it a range at least that wide: its range is then
        those points' (a part of its true range, so never wider than it), and most of a component's
        targets need no program of their own. Returns ({name: (lo, hi, form|None)}, [infeasible
        names], {names whose range is the points', not their own programs'}).
        """
        extra = self.system.extra_targets if extra is None else extra
        targets: dict = defaultdict(list)
        for f in hidden:
            targets[self.root(f)].append((form_name(f), f, _expr(f)))
        for name, expr in extra:
            targets[self.uf.find(next(iter(expr)))].append((name, None, expr))
        work = []
        for root, ts in targets.items():
            ts.sort(key=lambda t: t[0])  # deterministic: the same audit from the same data
            todo = [t for t in ts if only is None or t[0] in only]
            if todo:
                work.append((root, todo))

        def component(i: int):
            root, todo = work[i]
            bounds, infeasible, certified = {}, [], []
            lp = ComponentLP(self, root, shown, hidden, [e for _, _, e in todo])
            seen = _Seen(lp.idx, None, certify)
            seen.add([(name, e) for name, _, e in todo])
            lp.probe(seen)
            for k, (name, f, e) in enumerate(todo):
                if seen.certified[k]:
                    bounds[name] = (*seen.range(k), f)
                    certified.append(name)
                    continue
                got = lp.minmax(e, seen, k, duals=False)
                if got is None:
                    infeasible.append(name)
                    continue
                lo, hi, _, exact = got
                bounds[name] = (lo, hi, f)
                if not exact:
                    certified.append(name)
            return bounds, infeasible, certified

        bounds, infeasible, certified = {}, [], set()
        sizes = [len(self.forms_by_root.get(root, ())) + len(todo) for root, todo in work]
        for b, i, c in each_component(component, sizes, self.workers):
            bounds.update(b)
            infeasible += i
            certified.update(c)
        return bounds, infeasible, certified


class ComponentLP:
    """One component's linear program, loaded into the process's HiGHS instance (one at a time): a row
    per form (a shown count equals its value; a hidden one is at least 1, or 0 where a zero may be
    hidden) and per relation. Hiding a form changes its row's bounds in place."""

    def __init__(self, solver: Solver, root, shown: dict, hidden: dict, exprs: list):
        import highspy

        self.hs = highspy
        rows, self.row_of, self.shown_rows = [], {}, []
        for f in solver.forms_by_root[root]:
            if f in shown:
                self.row_of[f] = len(rows)
                self.shown_rows.append((len(rows), f))
                rows.append((_expr(f), shown[f], shown[f]))
            elif f in hidden:
                self.row_of[f] = len(rows)
                rows.append((_expr(f), 1.0 if hidden[f] else 0.0, math.inf))
        rows += solver.rel_by_root.get(root, [])
        idx: dict = {}
        for e, *_ in rows:
            for v in e:
                idx.setdefault(v, len(idx))
        for e in exprs:
            for v in e:
                idx.setdefault(v, len(idx))
        self.idx, n = idx, len(idx)
        start, index, value = [0], [], []
        for e, *_ in rows:
            for v, c in e.items():
                index.append(idx[v])
                value.append(c)
            start.append(len(index))
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(rows)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, inf)
        lp.row_lower_ = np.array([lo if lo > -math.inf else -inf for _, lo, _ in rows], dtype=float)
        lp.row_upper_ = np.array([hi if hi < math.inf else inf for _, _, hi in rows], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(start, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        self.h = h = _highs()
        h.clearModel()
        h.passModel(lp)
        self.allcols = np.arange(n, dtype=np.int32)
        status = highspy.HighsModelStatus
        self.settled = {status.kOptimal, status.kUnbounded, status.kInfeasible}

    def probe(self, seen: _Seen, point: dict | None = None) -> None:
        """Two programs for many targets at once: the sum of every target not yet certified pushed up,
        then down, with each column held below a feasible point plus twice the interval (so both are
        bounded and feasible): `point` (column -> value: the true values, where known; a column it
        lacks is held below UNKNOWN_CAP, far above any count) or the first solution found. Their
        solutions are feasible points, and a target they already spread by the interval needs no
        program of its own. docs/decisions.md, "Disclosure control at scale"."""
        open_ = ~seen.certified
        if seen.certify is None or open_.sum() < 2:
            return
        hs, h = self.hs, self.h
        n = len(self.idx)
        zeros = np.zeros(n)
        if point is None:
            h.changeColsCost(n, self.allcols, zeros)
            if _run(h, self.settled) != hs.HighsModelStatus.kOptimal:
                return  # infeasible: the targets' own programs say so
            at = np.asarray(h.getSolution().col_value)
            seen.observe(at)  # a feasible point too
        else:
            at = np.array([point.get(v, UNKNOWN_CAP) for v in self.idx], dtype=float)
        rows, cols, coefs = (np.asarray(a) for a in (seen.rows, seen.cols, seen.coefs))
        h.changeColsBounds(n, self.allcols, zeros, at + 2 * seen.certify)
        h.changeColsCost(n, self.allcols, np.bincount(cols, weights=coefs * open_[rows], minlength=n))
        for sense in (hs.ObjSense.kMaximize, hs.ObjSense.kMinimize):
            h.changeObjectiveSense(sense)
            if _run(h, self.settled) == hs.HighsModelStatus.kOptimal:
                seen.observe(h.getSolution().col_value)
        h.changeColsBounds(n, self.allcols, zeros, np.full(n, hs.kHighsInf))

    def hide(self, form, nonzero: bool) -> None:
        """The form's equality becomes 'at least 1' (or 0): a relaxation the true values still meet."""
        j = self.row_of[form]
        self.h.changeRowBounds(j, 1.0 if nonzero else 0.0, self.hs.kHighsInf)
        self.shown_rows = [(i, f) for i, f in self.shown_rows if i != j]

    def minmax(self, expr: dict, seen: _Seen, k: int, duals: bool):
        """(lo, hi, shown forms whose equality binds a bound, exact) of one target, or None when
        infeasible. The maximum is skipped when the minimum's solution certifies the target (`seen`):
        the range is then the points' and not exact."""
        hs, h = self.hs, self.h
        n = len(self.idx)
        c = np.zeros(n)
        for v, coef in expr.items():
            c[self.idx[v]] += coef
        h.changeColsCost(n, self.allcols, c)
        out, binds = [], set()
        for sense in (hs.ObjSense.kMinimize, hs.ObjSense.kMaximize):
            if out and seen.certified[k]:  # the minimum's solution widened it enough
                return (*seen.range(k), binds, False)
            h.changeObjectiveSense(sense)
            status = _run(h, self.settled)
            if status == hs.HighsModelStatus.kUnbounded:
                out.append(-math.inf if sense == hs.ObjSense.kMinimize else math.inf)
                continue
            if status != hs.HighsModelStatus.kOptimal:
                return None
            out.append(h.getInfo().objective_function_value)
            solution = h.getSolution()
            seen.observe(solution.col_value)
            if duals and self.shown_rows:
                dual = np.asarray(solution.row_dual)
                binds |= {f for j, f in self.shown_rows if abs(dual[j]) > 1e-9}
        lo, hi = out
        # counts are integers: round inward (with a little slack for floating point)
        lo = math.ceil(lo - 1e-6) if math.isfinite(lo) else lo
        hi = math.floor(hi + 1e-6) if math.isfinite(hi) else hi
        return lo, hi, binds, True


class _Seen:
    """The range of each target over the feasible points seen so far in one component (the solutions
    of its linear programs, and the true values when known), and which targets that range already
    certifies as at least `certify` wide (rounded inward, as the bounds are). Targets are added as
    they arise; a point seen stays feasible when cells are hidden (hiding only relaxes)."""

    def __init__(self, idx: dict, known: dict | None, certify: float | None):
        self.idx, self.known, self.certify = idx, known or {}, certify
        self.rows, self.cols, self.coefs = [], [], []
        self.lo, self.hi = np.zeros(0), np.zeros(0)
        self.certified = np.zeros(0, dtype=bool)
        self.points: list = []
        self._arrays = None  # rows, cols, coefs as arrays, for as long as no target is added

    def add(self, targets: list) -> None:
        """Targets (name, expr), each given the range of the points seen so far and its true value."""
        k0 = len(self.lo)
        lo, hi = [], []
        for k, (name, expr) in enumerate(targets, start=k0):
            for v, c in expr.items():
                self.rows.append(k)
                self.cols.append(self.idx[v])
                self.coefs.append(c)
            true = self.known.get(name) if self.certify is not None else None
            lo.append(np.inf if true is None else true)
            hi.append(-np.inf if true is None else true)
        lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
        entries = sum(len(e) for _, e in targets)
        if self.points and entries:
            rows = np.asarray(self.rows[-entries:]) - k0
            cols, coefs = np.asarray(self.cols[-entries:]), np.asarray(self.coefs[-entries:])
            for x in self.points:
                vals = np.bincount(rows, weights=coefs * x[cols], minlength=len(targets))
                np.minimum(lo, vals, out=lo)
                np.maximum(hi, vals, out=hi)
        self.lo, self.hi = np.concatenate([self.lo, lo]), np.concatenate([self.hi, hi])
        self.certified = np.concatenate([self.certified, self._wide(lo, hi)])

    def _wide(self, lo, hi):
        if self.certify is None:
            return np.zeros_like(np.asarray(lo), dtype=bool)
        return (np.floor(np.asarray(hi) + 1e-6) - np.ceil(np.asarray(lo) - 1e-6)) >= self.certify

    def observe(self, x) -> None:
        if self.certify is None or not self.rows:
            return
        x = np.asarray(x)
        self.points.append(x.copy())
        if self._arrays is None or len(self._arrays[0]) != len(self.rows):
            self._arrays = (np.asarray(self.rows), np.asarray(self.cols), np.asarray(self.coefs))
        rows, cols, coefs = self._arrays
        vals = np.bincount(rows, weights=coefs * x[cols], minlength=len(self.lo))
        np.minimum(self.lo, vals, out=self.lo)
        np.maximum(self.hi, vals, out=self.hi)
        self.certified = self._wide(self.lo, self.hi)

    def range(self, k: int) -> tuple[float, float]:
        return math.ceil(self.lo[k] - 1e-6), math.floor(self.hi[k] + 1e-6)


def _run(h, settled: set):
    """Solve, and again from scratch without presolve when HiGHS ends undecided (presolve's 'unbounded
    or infeasible'; 'unknown' when a warm start from the last objective's basis stalls, seen on a
    four-cell safeguarding quarter whose maximum is unbounded): only a settled status is believed."""
    h.run()
    status = h.getModelStatus()
    if status not in settled:
        h.clearSolver()
        h.setOptionValue("presolve", "off")
        h.run()
        status = h.getModelStatus()
        h.setOptionValue("presolve", "choose")
    return status


_HIGHS = None


def _highs():
    """One quiet HiGHS instance per process, reused for every component (its banner prints once)."""
    global _HIGHS
    if _HIGHS is None:
        # HiGHS prints a banner from C++ when created: keep it out of the build's output
        import os
        import sys

        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                _HIGHS = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _HIGHS.setOptionValue("output_flag", False)
        # one thread: the programs are small, and a process with no HiGHS worker threads can be forked
        # safely (`each_component`)
        _HIGHS.setOptionValue("threads", 1)
    return _HIGHS


# A cap no true count reaches (`ComponentLP.probe`).
UNKNOWN_CAP = 1e9
# Below this many components the fork costs more than it saves.
PARALLEL_FROM = 64
# Forked workers copy the pages of the parent they touch (about 200 MiB each at 50 councils): above this
# resident size the work stays in one process, so a pooled publication keeps the build under 4 GiB.
PARALLEL_MAX_RSS = 2 << 30
_WORK = None  # the forked workers' task (`each_component`): inherited by fork, never pickled


def _call(i: int):
    return i, _WORK(i)


def workers_available() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def each_component(work, sizes: list[int], workers: int | None = None) -> list:
    """[work(i) for i, _ in enumerate(sizes)]: component i's linear programs, in forked workers when
    there are enough components. Components share no cell or relation, so each result depends on its
    component alone and the answer is the one a single process gives (a test checks). The largest
    components go first so that no worker is left with a long one at the end. `workers`: processes
    (None: every core this process may use; 1: none forked); none are forked either while this process
    holds more than PARALLEL_MAX_RSS."""
    global _WORK
    workers = workers_available() if workers is None else workers
    n = len(sizes)
    if workers <= 1 or n < PARALLEL_FROM or multiprocessing.current_process().daemon or _rss() > PARALLEL_MAX_RSS:
        return [work(i) for i in range(n)]
    order = sorted(range(n), key=lambda i: -sizes[i])
    out: list = [None] * n
    _WORK = work
    # the garbage collector writes to every object it scans: frozen, the workers' collections leave the
    # parent's objects alone and their pages stay shared instead of being copied into each worker
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(min(workers, n), initializer=_quiet_signals)
    try:
        for i, result in pool.imap_unordered(_call, order, chunksize=1):
            out[i] = result
        pool.close()  # done: let the workers exit on their own
    except BaseException:
        pool.terminate()  # a worker failed or the run was interrupted: stop the rest now
        raise
    finally:
        pool.join()
        gc.unfreeze()
        _WORK = None
    return out


def _rss() -> int:
    """This process's resident memory in bytes (0 where /proc is not there: no limit known)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _quiet_signals() -> None:
    """A forked worker inherits the parent's signal handlers (Dagster's turns SIGTERM into an exception
    with a traceback): it ignores Ctrl-C, which the parent handles by stopping the pool, and dies
    quietly when the pool stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_EXPR_CACHE: dict = {}


def _expr(form: Form) -> dict:
    e = _EXPR_CACHE.get(form)
    if e is None:
        e = {v: 1.0 for v in form_vars(form)}
        if len(_EXPR_CACHE) > 200000:
            _EXPR_CACHE.clear()
        _EXPR_CACHE[form] = e
    return e


def audit(
    tables: dict[str, pd.DataFrame],
    catalogue: pd.DataFrame,
    *,
    threshold: int,
    interval: int,
    workers: int | None = None,
) -> AuditResult:
    """Bound every hidden cell of the published tables by linear programming over all their relations
    (`workers`: see `each_component`)."""
    started = time.perf_counter()
    m = build_model(tables, catalogue, threshold)
    system = system_from_model(m)
    solver = Solver(system, workers)
    bounds, infeasible, certified = solver.bound(system.shown, system.hidden, certify=interval)
    # A certified range is a part of the true one: bound exactly those that might be the narrowest, so
    # the smallest interval reported is exact (every other is at least its part, itself at least that).
    exact = min((hi - lo for name, (lo, hi, _) in bounds.items() if name not in certified), default=math.inf)
    again = {name for name in certified if bounds[name][1] - bounds[name][0] < exact}
    if again:
        more, more_infeasible, _ = solver.bound(system.shown, system.hidden, only=again)
        bounds.update(more)
        infeasible += more_infeasible
    result = [Bound(name, lo, hi) for name, (lo, hi, _) in bounds.items()]
    # hidden in one place, shown in another (e.g. ytd at June hidden, Q1 shown): recovered exactly
    exposed = {a.form for a in m.appearances if a.value is None and a.form in system.shown}
    result += [Bound(form_name(f), system.shown[f], system.shown[f]) for f in sorted(exposed, key=form_name)]
    return AuditResult(
        hidden_cells=len(system.hidden) + len(exposed),
        bounds=result,
        flag_leaks=m.flag_leaks,
        small_published=m.small_published,
        interval=interval,
        seconds=time.perf_counter() - started,
        infeasible=infeasible,
    )
