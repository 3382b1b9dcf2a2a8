"""Leicester's quarterly integrated performance report (seed 003): which councils and months get it,
the strategic priorities it groups its KPI tables by, and the tables it prints (KPIs by priority,
budget and workforce lines, the safeguarding section, ASCOF with the England ranking). Figures come
from the published marts; nothing here recomputes a measure."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..councils import has_report
from ..periods import financial_year, fy_end, fy_label, fy_start_year
from .data import (
    RAG_NAMES,
    SUPPRESSED,
    ReasonNotes,
    ReportData,
    cell_text,
    fmt,
    fmt_count,
    md_escape,
    missing_marker,
    month_end,
    rag_span,
)

REPORT = "integrated_report"
QUARTER_END_MONTHS = (6, 9, 12, 3)  # Q1..Q4 of a financial year
# Leicester's six strategic priorities for 2017/18 (seed 003, 3.1.1): code -> (heading, statement)
PRIORITIES = {
    "SP1": (
        "Keeping people safe",
        "We will work with partners to protect adults who need care and support from harm and abuse.",
    ),
    "SP2": (
        "Prevention and independence",
        "We will embed a strength-based, preventative model of support, to promote wellbeing, self-care and "
        "independence.",
    ),
    "SP3": (
        "Working-age adults",
        "We will improve the opportunities for those of working age to live independently in a home of their "
        "own and continue to reduce our reliance on the use of residential care.",
    ),
    "SP4": (
        "Older people",
        "We will improve our offer to older people, supporting more of them to remain at home and to continue to "
        "reduce our reliance on the use of residential care.",
    ),
    "SP5": (
        "Transition to adulthood",
        "We will continue the work with children's social care, education (SEN) and health partners to improve "
        "our support for young people and their families in transition into adulthood.",
    ),
    "SP6": (
        "Customer experience",
        "We will improve the customer experience by increasing our understanding of the impact and benefit of "
        "what we do. We will use this knowledge to innovate and improve the way we work and commission services.",
    ),
}
NOT_SUPPLIED = "Safeguarding data not yet supplied"
NOT_AVAILABLE = "N/A"  # no figure for that period (the paper's "N/A"); a figure missing for a reason is "no data [n]"
# the safeguarding feed's indicators as the paper's "Quarter performance" table names them (3.2.5)
SAFEGUARDING_MEASURES = [
    ("SG_CONCERNS", "Safeguarding concerns (alerts) received"),
    ("SG_S42_CONVERSION", "Concerns progressing to a safeguarding enquiry (threshold met)"),
    (
        "SG_MAKE_SAFE_24H",
        "Cases where action to make safe took place within 24 hours of the decision that the threshold was met",
    ),
    ("SG_S42_28DAYS", "Safeguarding enquiries completed within 28 days"),
    ("SG_MSP_ACHIEVED", "People whose desired safeguarding outcomes were fully or partially met"),
    ("SG_MSP_FULLY", "Desired outcomes fully met"),
    ("SG_MSP_PARTIALLY", "Desired outcomes partially met"),
]
# people with a Section 42 enquiry started in the period, each once
PEOPLE_BREAKDOWNS = [
    ("age_band", "Age"),
    ("sex", "Sex"),
    ("ethnic_group", "Ethnic group"),
    ("primary_support_reason", "Primary support reason"),
]
# Section 42 enquiries concluded in the period (an enquiry counts under each of its abuse types)
ENQUIRY_BREAKDOWNS = [
    ("abuse_type", "Type of abuse"),
    ("location_of_risk", "Location of risk"),
]


def renders_for(la_code: str, period: str) -> bool:
    """The report is made for quarter-end months only, for councils whose `reports` column in the
    councils seed names it."""
    return int(period[5:7]) in QUARTER_END_MONTHS and has_report(la_code, REPORT)


def quarter_ends(period: str) -> list[dt.date]:
    """The quarter ends of the period's financial year, up to and including the period's month."""
    end = month_end(period)
    start_year = end.year if end.month >= 4 else end.year - 1
    ends = [month_end(f"{start_year + (m < 4)}-{m:02d}") for m in QUARTER_END_MONTHS]
    return [e for e in ends if e <= end]


def quarter_label(period: str) -> str:
    """'2016/17 Quarter 4' for March 2017."""
    return f"{financial_year(month_end(period))} Quarter {len(quarter_ends(period))}"


def kpi_period_type(dashboard_period_type: str | None, kind: str | None) -> str:
    """The period type a measure's quarter columns show: a year-long measure its year to date (as the
    paper's cumulative measures), a monthly count or rate of events its quarter, a position (snapshot)
    or a monthly figure the council supplies (nothing sums it into quarters) its value at the quarter
    end; otherwise the period type the catalogue shows it at."""
    if dashboard_period_type == "financial_year":
        return "ytd"
    if dashboard_period_type == "month" and kind not in ("snapshot", "supplied"):
        return "quarter"
    return dashboard_period_type or "quarter"


def measures(r: ReportData, section: str) -> pd.DataFrame:
    """The catalogue's measures for a priority (`SP1`..) or a resources section (`budget`,
    `workforce`); ASCOF measures are in the ASCOF table instead."""
    cat = r.catalogue
    if "strategic_priority" not in cat:
        return cat.iloc[0:0]
    rows = cat[(cat["strategic_priority"] == section) & cat["ascof_ref"].isna()]
    return rows.sort_values(["dashboard_order", "indicator_code"], na_position="last")


def _values(r: ReportData, code: str, period_type: str, ends: list[dt.date]) -> pd.DataFrame:
    marks = ", ".join("?" for _ in ends)
    return r.sql(
        f"""select period_type, period_end, value, display_value, numerator, denominator, target, rag,
                   suppressed, is_override, value_note, direction_yoy
            from marts.indicator_values where la_code = ? and indicator_code = ? and period_type = ?
              and period_end in ({marks}) order by period_end""",
        [r.la_code, code, period_type, *ends],
    )


def _cell(rows: pd.DataFrame, end: dt.date, unit: str, decimals: int, notes: ReasonNotes, dagger: bool = True) -> str:
    """A figure as the tables print it; † marks one the council supplied over a computed measure
    (`dagger`: a measure only ever supplied, as the budget and workforce lines, goes unmarked)."""
    hit = rows[pd.to_datetime(rows["period_end"]).dt.date == end] if len(rows) else rows
    if hit.empty:
        return NOT_AVAILABLE
    x = next(hit.itertuples())
    return missing_marker(x, notes) or fmt(x.display_value, unit, decimals) + ("†" if dagger and x.is_override else "")


def kpi_table(r: ReportData, rows: pd.DataFrame, notes: ReasonNotes) -> tuple[list[str], list[list[str]], list[str]]:
    """Baseline (where the measure stood at the end of the previous financial year, in the same terms as
    the quarters: the year's outturn for a year-to-date, rolling or snapshot measure), Q1..Qn of the
    report's year as far as reached, target and rating of each measure (the latest quarter's)."""
    ends = quarter_ends(r.period)
    prev_march = month_end(f"{ends[0].year}-03")
    fy = financial_year(ends[-1])
    prev_fy = financial_year(prev_march)
    header = ["Measure", "Better", f"Baseline {prev_fy}"] + [f"{fy} Q{i + 1}" for i in range(len(ends))]
    header += ["Since last year"]
    out, with_target = [], False
    for k in rows.itertuples():
        unit, decimals = k.unit, int(k.decimals) if not pd.isna(k.decimals) else 1
        period_type = kpi_period_type(k.dashboard_period_type, k.kind)
        quarters = _values(r, k.indicator_code, period_type, ends)
        base = _values(r, k.indicator_code, period_type, [prev_march])
        if base.empty:
            base = _values(r, k.indicator_code, "financial_year", [prev_march])
        dagger = k.kind != "supplied"
        latest = quarters[quarters["value"].notna() | quarters["suppressed"].astype(bool)].tail(1)
        target = rating = direction = ""
        if not latest.empty:
            x = next(latest.itertuples())
            direction = cell_text(x.direction_yoy)  # the mart's, against the same period last year
            target = fmt(x.target, unit, decimals)
            with_target = with_target or not pd.isna(x.target)
            rag = None if pd.isna(x.rag) or bool(x.suppressed) else str(x.rag)
            rating = rag_span(RAG_NAMES[rag], rag) if rag in RAG_NAMES else ""
        out.append(
            [
                md_escape(k.title),
                "High" if k.polarity == "bigger" else "Low",
                _cell(base, prev_march, unit, decimals, notes, dagger),
            ]
            + [_cell(quarters, e, unit, decimals, notes, dagger) for e in ends]
            + [direction, target, rating]
        )
    align = ["l", "l"] + ["r"] * (len(header) - 3) + ["l"]
    if not with_target:  # no measure has a target: an empty column would read as missing data
        return header, [row[:-2] for row in out], align
    return header + ["Target", "Rating"], out, align + ["r", "c"]


def rating_counts(r: ReportData) -> dict[str, int]:
    """How many KPI measures (every priority) are rated Green, Amber and Red at the latest quarter, and
    how many are Improving, Worsening or show No change against the same period last year."""
    counts = {"G": 0, "A": 0, "R": 0, "Improving": 0, "Worsening": 0, "No change": 0}
    end = quarter_ends(r.period)[-1]
    for section in PRIORITIES:
        for k in measures(r, section).itertuples():
            rows = _values(r, k.indicator_code, kpi_period_type(k.dashboard_period_type, k.kind), [end])
            for x in rows.itertuples():
                if not bool(x.suppressed) and isinstance(x.rag, str) and x.rag in counts:
                    counts[x.rag] += 1
                if isinstance(x.direction_yoy, str) and x.direction_yoy in counts:
                    counts[x.direction_yoy] += 1
    return counts


def budget_sentence(r: ReportData) -> str | None:
    """The paper's 3.3.1 sentence from the latest quarter's forecast variance and net budget."""
    end = quarter_ends(r.period)[-1]
    rows = _values(r, "RES_BUDGET_VARIANCE", "quarter", [end])
    if rows.empty or rows["value"].isna().all() or bool(rows["suppressed"].iloc[0]):
        return None
    x = next(rows.itertuples())
    amount = fmt(abs(float(x.display_value)), "£m", 1)
    budget = fmt(x.denominator, "£m", 1) if not pd.isna(x.denominator) else None
    of = f" than the budget of £{budget}m" if budget else " than the budget"
    if float(x.display_value) == 0:
        return "The department is forecasting to spend" + (f" its budget of £{budget}m." if budget else " its budget.")
    more = "less" if float(x.display_value) < 0 else "more"
    return f"The department is forecasting to spend £{amount}m {more}{of}."


# --- safeguarding --------------------------------------------------------------------------


def has_table(r: ReportData, name: str) -> bool:
    return bool(
        r.sql(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [name]
        ).iloc[0, 0]
    )


def safeguarding_values(r: ReportData) -> pd.DataFrame:
    """The safeguarding indicators' quarter and year-to-date values for the report's year."""
    ends = quarter_ends(r.period)
    marks = ", ".join("?" for _ in ends)
    codes = [c for c, _ in SAFEGUARDING_MEASURES]
    return r.sql(
        f"""select v.indicator_code, v.period_type, v.period_end, v.value, v.display_value, v.numerator,
                   v.denominator, v.suppressed, v.is_override, v.value_note, k.unit, k.decimals
            from marts.indicator_values v left join marts.indicator_catalogue k using (indicator_code)
            where v.la_code = ? and v.indicator_code in ({", ".join("?" for _ in codes)})
              and v.period_type in ('quarter', 'ytd') and v.period_end in ({marks})""",
        [r.la_code, *codes, *ends],
    )


def safeguarding_breakdown(r: ReportData) -> pd.DataFrame:
    """People in enquiries started in the report's quarter, by each breakdown (marts.safeguarding_breakdown)."""
    if not has_table(r, "safeguarding_breakdown"):
        return pd.DataFrame()
    return r.sql(
        """select breakdown, category, people, suppressed from marts.safeguarding_breakdown
           where la_code = ? and period_type = 'quarter' and period_end = ?""",
        [r.la_code, quarter_ends(r.period)[-1]],
    )


def safeguarding_supplied(values: pd.DataFrame, breakdown: pd.DataFrame) -> bool:
    return not values.empty or not breakdown.empty


def safeguarding_table(r: ReportData, values: pd.DataFrame, notes: ReasonNotes):
    """The paper's "Quarter performance" measures (3.2.5): each quarter of the year and the year to date."""
    ends = quarter_ends(r.period)
    fy = financial_year(ends[-1])
    header = ["Measure"] + [f"{fy} Q{i + 1}" for i in range(len(ends))] + ["Year to date"]
    rows = []
    for code, label in SAFEGUARDING_MEASURES:
        mine = values[values["indicator_code"] == code]
        if mine.empty:
            continue
        unit = next((u for u in mine["unit"] if isinstance(u, str)), "count" if code == "SG_CONCERNS" else "%")
        decimals = next((int(d) for d in mine["decimals"] if not pd.isna(d)), 0 if unit == "count" else 1)
        quarters = mine[mine["period_type"] == "quarter"]
        ytd = mine[mine["period_type"] == "ytd"]
        rows.append(
            [label]
            + [_with_counts(quarters, e, unit, decimals, notes) for e in ends]
            + [_with_counts(ytd, ends[-1], unit, decimals, notes)]
        )
    return header, rows, ["l"] + ["r"] * (len(header) - 1)


def _with_counts(rows: pd.DataFrame, end: dt.date, unit: str, decimals: int, notes: ReasonNotes) -> str:
    """A percentage with its numerator and denominator, as the paper writes "85.2% (87/102)"."""
    text = _cell(rows, end, unit, decimals, notes)
    hit = rows[pd.to_datetime(rows["period_end"]).dt.date == end] if len(rows) else rows
    if unit == "%" and not hit.empty:
        x = next(hit.itertuples())
        if not bool(x.suppressed) and not pd.isna(x.numerator) and not pd.isna(x.denominator) and text[:1].isdigit():
            text += f" ({fmt_count(x.numerator)}/{fmt_count(x.denominator)})"
    return text


def people(breakdown: pd.DataFrame, name: str, category: str) -> str | None:
    """People in one category of a breakdown as text ('*' when suppressed); None when not there."""
    hit = breakdown[(breakdown["breakdown"] == name) & (breakdown["category"] == category)]
    if hit.empty:
        return None
    x = next(hit.itertuples())
    return SUPPRESSED if bool(x.suppressed) else fmt_count(x.people)


NATURAL_ORDER = ("age_band", "sex")  # shown in their categories' order; the others largest first


def breakdown_rows(breakdown: pd.DataFrame, name: str) -> list[list[str]]:
    """One breakdown's categories, 'All' last; suppressed cells show '*'."""
    part = breakdown[(breakdown["breakdown"] == name) & (breakdown["category"] != "All")].copy()
    if name in NATURAL_ORDER:
        part = part.sort_values("category")
    else:
        part["order"] = pd.to_numeric(part["people"], errors="coerce").fillna(-1)
        part = part.sort_values(["order", "category"], ascending=[False, True])
    rows = [
        [md_escape(cell_text(x.category)), SUPPRESSED if bool(x.suppressed) else fmt_count(x.people)]
        for x in part.itertuples()
    ]
    total = people(breakdown, name, "All")
    if total is not None:
        rows.append(["All", total])
    return rows


def breakdown_table(breakdown: pd.DataFrame, breakdowns=PEOPLE_BREAKDOWNS) -> list[list[str]]:
    """Breakdowns of one kind in one table (characteristic named on its first row), as the paper's
    3.2.2-3.2.4: people and concluded enquiries are different units, so they are never one table."""
    out = []
    for name, title in breakdowns:
        for i, (category, count) in enumerate(breakdown_rows(breakdown, name)):
            out.append([f"**{title}**" if i == 0 else "", category, count])
    return out


# --- ASCOF ---------------------------------------------------------------------------------


def rank_text(rank, rank_of) -> str:
    if rank is None or pd.isna(rank):
        return ""
    return f"{int(rank)}/{int(rank_of)}" if rank_of is not None and not pd.isna(rank_of) else f"{int(rank)}"


def rank_direction(x) -> str:
    """The paper's "England Rank DoT": the direction and the previous year's ranking ("From 147/150")."""
    direction = cell_text(getattr(x, "england_rank_direction", None))
    if not direction:
        return ""
    before = rank_text(x.previous_england_rank, x.previous_england_rank_of)
    return direction if direction == "Unchanged" else f"{direction}, from {before}"


def ascof_table(r: ReportData, a: pd.DataFrame, notes: ReasonNotes):
    """The paper's Appendix 3: last year and this year, England average, England ranking and its
    direction of travel, the report year's quarters (year to date) where the measure has them,
    target and rating."""
    from .data import value_cell

    year = a["financial_year"].iloc[0]
    ends = quarter_ends(r.period)
    fy = financial_year(ends[-1])
    show_quarters = fy != year or len(ends) < 4
    prev_year = fy_label(fy_start_year(fy_end(year)) - 1)
    header = ["Ref", "Measure", prev_year, year, "England average", "England ranking", "England rank direction"]
    if show_quarters:
        header += [f"{fy} Q{i + 1}" for i in range(len(ends))]
    with_target = bool(a["target"].notna().any())  # an empty column reads as missing data
    header += ["Target", "Rating"] if with_target else []
    rows = []
    for x in a.itertuples():
        row = [
            x.ascof_code,
            md_escape(x.title),
            fmt(x.previous_year_value, x.unit, x.decimals),
            value_cell(x, x.unit, x.decimals, notes),
            fmt(x.england_value, x.unit, x.decimals),
            rank_text(x.england_rank, x.england_rank_of),
            rank_direction(x),
        ]
        if show_quarters:
            q = _values(r, x.indicator_code, "ytd", ends)
            row += [_cell(q, e, x.unit, x.decimals, notes) for e in ends]
        rag = None if pd.isna(x.rag) or bool(x.suppressed) else str(x.rag)
        if with_target:
            row += [fmt(x.target, x.unit, x.decimals), rag_span(RAG_NAMES[rag], rag) if rag in RAG_NAMES else ""]
        rows.append(row)
    return header, rows, ["l", "l"] + ["r"] * (len(header) - 2 - with_target) + (["c"] if with_target else [])
