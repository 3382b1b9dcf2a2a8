"""What the report documents read: queries on the published (aggregate-only, suppressed)
database and display formatting. Reports never recompute a measure; they show the marts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from ..councils import council_name
from ..periods import financial_year

RAG_NAMES = {"G": "Green", "A": "Amber", "R": "Red"}
PERIOD_TYPE_NAMES = {
    "month": "month",
    "quarter": "quarter",
    "ytd": "year to date",
    "rolling_12m": "rolling 12 months",
    "financial_year": "financial year",
}
SUPPRESSED = "*"
REVISED_FROM = "2023/24"  # the first financial year of the revised ASCOF (2023-24 handbook, from CLD)
COMMENTARY_SECTIONS = [
    "Why is this important?",
    "What explains current performance?",
    "What will success look like?",
    "Action required",
    "Responsible officers",
]


class ReportData:
    """One council and report month, read from the published database."""

    def __init__(self, db: str | Path, la_code: str, period: str, landing: str | Path | None = None):
        self.db = Path(db)
        self.la_code = la_code
        self.period = period
        self.period_end = month_end(period)
        self.landing = Path(landing) if landing else None
        self._con = duckdb.connect(str(self.db), read_only=True)
        self.catalogue = self.sql("select * from marts.indicator_catalogue")
        self._cat = self.catalogue.set_index("indicator_code")

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        return self._con.execute(query, params or []).df()

    def close(self) -> None:
        self._con.close()

    # --- identity ------------------------------------------------------------------
    @property
    def council_name(self) -> str:
        return md_escape(council_name(self.la_code))

    @property
    def period_label(self) -> str:
        return self.period_end.strftime("%B %Y")

    # --- dashboard -----------------------------------------------------------------
    def dashboard_months(self, n: int = 13) -> list[dt.date]:
        return [month_end(add_months(self.period, -k)) for k in reversed(range(n))]

    def dashboard(self) -> pd.DataFrame:
        """Rolling 13 months of each dashboard indicator, from `marts.dashboard` (which decides the
        period type each indicator is shown at)."""
        months = self.dashboard_months()
        return self.sql(
            """
            select k.dashboard_order, k.indicator_code, k.title, k.polarity, k.unit, k.decimals,
                   v.period_end, v.value, v.display_value, v.numerator, v.denominator, v.target, v.rag,
                   v.watch, v.is_override, v.suppressed, v.value_note, v.spc_variation, v.spc_assurance
            from marts.indicator_catalogue k
            left join marts.dashboard v
              on v.indicator_code = k.indicator_code and v.la_code = ? and v.period_end between ? and ?
            where k.dashboard_order is not null
            order by k.dashboard_order, v.period_end
            """,
            [self.la_code, months[0], months[-1]],
        )

    def current_target(self, code: str) -> float | None:
        """The latest target on the dashboard up to the report month."""
        rows = self.sql(
            "select target from marts.dashboard where la_code = ? and indicator_code = ? and target is not null "
            "and period_end <= ? order by period_end desc limit 1",
            [self.la_code, code, self.period_end],
        )
        return None if rows.empty else float(rows.iloc[0, 0])

    # --- exceptions ----------------------------------------------------------------
    def exceptions(self) -> pd.DataFrame:
        return self.sql(
            """select e.*, k.title, k.unit, k.decimals, k.polarity, k.lead_officer, k.data_owner, k.comparator_code
               from marts.exceptions e join marts.indicator_catalogue k using (indicator_code)
               where e.la_code = ? and e.period_end = ? order by k.dashboard_order""",
            [self.la_code, self.period_end],
        )

    def series(self, code: str, months: int = 24) -> pd.DataFrame:
        """The indicator's last `months` on the dashboard (its dashboard period type)."""
        return self.sql(
            "select period_end, value, display_value, target, suppressed from marts.dashboard where la_code = ? "
            "and indicator_code = ? and period_end between ? and ? order by period_end",
            [self.la_code, code, month_end(add_months(self.period, -(months - 1))), self.period_end],
        )

    def dashboard_period_type(self, code: str) -> str | None:
        """The period type the dashboard shows this indicator at (decided once, in marts.dashboard)."""
        rows = self.sql(
            "select period_type from marts.dashboard where la_code = ? and indicator_code = ? limit 1",
            [self.la_code, code],
        )
        return None if rows.empty else str(rows.iloc[0, 0])

    def spc(self, code: str, months: int = 24) -> tuple[pd.DataFrame, str | None, str | None]:
        """The card's XmR chart as it stood at the latest month with a value up to the report month
        (marts.spc_series), over the monthly values of the last `months`, and that month's two icons."""
        start = month_end(add_months(self.period, -(months - 1)))
        as_of = self.sql(
            "select max(as_of) from marts.spc_series where la_code = ? and indicator_code = ? and as_of <= ?",
            [self.la_code, code, self.period_end],
        ).iloc[0, 0]
        points = self.sql(
            """select v.period_end, v.value, v.suppressed, v.target, s.mean, s.lower_limit, s.upper_limit,
                      s.special_cause, s.variation, s.segment_start, s.series_break
               from marts.indicator_values v
               left join marts.spc_series s
                 on s.la_code = v.la_code and s.indicator_code = v.indicator_code and s.period_end = v.period_end
                and s.as_of = ?
               where v.la_code = ? and v.indicator_code = ? and v.period_type = 'month'
                 and v.period_end between ? and ? order by v.period_end""",
            [as_of, self.la_code, code, start, self.period_end],
        )
        icons = self.sql(
            "select spc_variation, spc_assurance from marts.indicator_values where la_code = ? "
            "and indicator_code = ? and period_type = 'month' and period_end = ?",
            [self.la_code, code, as_of],
        )
        if icons.empty:
            return points, None, None
        variation, assurance = icons.iloc[0]
        return points, (None if pd.isna(variation) else variation), (None if pd.isna(assurance) else assurance)

    def forecast(self, code: str):
        """The measure's year-end forecast at the report month (marts.year_end_forecast: targeted
        measures, April to February), or None: nothing is shown for the others."""
        from .forecast import YearEndForecast

        rows = self.sql(
            "select * from marts.year_end_forecast where la_code = ? and indicator_code = ? and as_of = ?",
            [self.la_code, code, self.period_end],
        )
        return None if rows.empty else YearEndForecast.from_row(rows.iloc[0])

    def family_average(self, code: str) -> float | None:
        comparator = self._cat.loc[code, "comparator_code"] if code in self._cat.index else None
        if not isinstance(comparator, str) or not comparator:
            return None
        rows = self.sql(
            "select family_group_avg from marts.ascof where la_code = ? and indicator_code = ? "
            "and family_group_avg is not null order by financial_year desc limit 1",
            [self.la_code, comparator],
        )
        return None if rows.empty else float(rows.iloc[0, 0])

    def commentary(self, code: str) -> dict[str, str]:
        """Report-card sections from commentary/<code>/<YYYY-MM>.md; missing ones say so.

        The text is the council's Markdown made inert (`safe_markdown`): no raw HTML, no links
        but http(s), no images, attributes or citations."""
        text = ""
        if self.landing:
            path = self.landing / "commentary" / code / f"{self.period}.md"
            if path.exists():
                text = path.read_text(encoding="utf-8-sig", errors="replace")[: MAX_TEXT * 5]
        sections = {}
        current = None
        for line in text.splitlines():
            heading = re.match(r"^#+\s*(.+?)\s*$", line)
            if heading and heading.group(1).rstrip(":") in COMMENTARY_SECTIONS:
                current = heading.group(1).rstrip(":")
                sections[current] = ""
            elif current:
                sections[current] += line + "\n"
        texts = safe_markdown_parts([sections.get(s) or "" for s in COMMENTARY_SECTIONS])
        out = {s: t.strip() or "_Commentary not yet provided._" for s, t in zip(COMMENTARY_SECTIONS, texts)}
        # one officer block per card: the commentary's when it names them, else the catalogue's
        officers = texts[COMMENTARY_SECTIONS.index("Responsible officers")].strip()
        # officers are one per line in the source: keep the line breaks
        out["Responsible officers"] = officers.replace("\n", "  \n") if officers else self.catalogue_officers(code)
        return out

    def catalogue_officers(self, code: str) -> str:
        """The catalogue's lead officer and data owner, as the commentary would name them."""
        row = self._cat.loc[code] if code in self._cat.index else {}
        lines = [
            f"{label}: {md_escape(cell_text(row.get(col)))}"
            for label, col in (("Lead", "lead_officer"), ("Data owner", "data_owner"))
            if cell_text(row.get(col))
        ]
        return "  \n".join(lines) or "_Not yet named._"

    # --- ASCOF, data quality, risks --------------------------------------------------
    @property
    def revised_edition(self) -> bool:
        """True when the report's financial year is in the revised ASCOF's era (from 2023/24)."""
        return financial_year(self.period_end) >= REVISED_FROM

    def ascof(self, revised: bool | None = None) -> pd.DataFrame:
        """One edition's rows of `marts.ascof` for the latest year to the report's with a figure: the
        SALT-era measures, or the revised ones (CLD_* indicators, kind 'cld')."""
        revised = self.revised_edition if revised is None else revised
        fy = financial_year(self.period_end)
        edition = "k.kind = 'cld'" if revised else "k.kind is distinct from 'cld'"
        latest = self.sql(
            f"select max(a.financial_year) as fy from marts.ascof a join marts.indicator_catalogue k "
            f"using (indicator_code) where a.la_code = ? and a.financial_year <= ? and {edition} "
            "and a.value is not null",
            [self.la_code, fy],
        ).iloc[0, 0]
        return self.sql(
            f"""select a.*, k.title, k.polarity, k.unit, k.decimals from marts.ascof a
               join marts.indicator_catalogue k using (indicator_code)
               where a.la_code = ? and a.financial_year = ? and {edition} order by a.ascof_code""",
            [self.la_code, latest or fy],
        )

    def cld_years(self, n: int = 3) -> list[str]:
        """The financial years of the revised ASCOF to show: the latest `n` up to the report's year or,
        for a report from before CLD began (2023/24), the latest `n` the council has."""
        years = [
            y
            for y in self.sql(
                "select distinct financial_year from marts.ascof_cld where la_code = ? order by 1", [self.la_code]
            )["financial_year"]
        ]
        fy = financial_year(self.period_end)
        upto = [y for y in years if y <= fy]
        return (upto or years)[-n:]

    def ascof_cld(self, years: list[str]) -> pd.DataFrame:
        """The revised ASCOF as DHSC's dashboard lays it out (all parts and breakdowns), with the
        catalogue's reference of each Total row; text columns Markdown-escaped."""
        if not years:
            return pd.DataFrame()
        marks = ", ".join("?" for _ in years)
        return md_escape_frame(
            self.sql(
                f"""select c.*, k.ascof_ref from marts.ascof_cld c
                left join marts.indicator_catalogue k using (indicator_code)
                where c.la_code = ? and c.financial_year in ({marks})
                order by list_position(['ASCOF 2A', 'ASCOF 2B', 'ASCOF 2C', 'ASCOF 2E', 'ASCOF 2E LD',
                                        'ASCOF 3D (Clients)', 'ASCOF 3D (Carers)'], c.measure) nulls last, c.measure,
                         c.part, list_position(['18 to 64', '65 and above', 'Male', 'Female', 'Total'], c.breakdown),
                         c.breakdown, c.financial_year""",
                [self.la_code, *years],
            ),
            ["measure", "part", "breakdown", "ascof_ref"],
        )

    def cld_crosswalk(self) -> pd.DataFrame:
        """The revised measures and the SALT-era codes they replace (seed cld_indicator_crosswalk)."""
        return md_escape_frame(
            self.sql(
                """select k.ascof_ref, x.indicator_code, x.measure, x.part, x.breakdown, x.edition, x.old_ascof_ref,
                      x.crosswalk_note
               from marts.cld_indicator_crosswalk x join marts.indicator_catalogue k using (indicator_code)
               order by list_position(['ASCOF 2A', 'ASCOF 2B', 'ASCOF 2C', 'ASCOF 2E', 'ASCOF 2E LD',
                                       'ASCOF 3D (Clients)', 'ASCOF 3D (Carers)'], x.measure) nulls last,
                        x.measure, x.part"""
            )
        )

    def cld_edition(self) -> str:
        names = self.sql("select distinct edition from marts.cld_indicator_crosswalk")["edition"].dropna()
        return md_escape(names.iloc[0]) if len(names) else "ASCOF 2023-24"

    def cld_submissions(self) -> pd.DataFrame:
        """CLD data quality per submission: rows, and per AGEM code the fields with their counts."""
        return md_escape_frame(
            self.sql(
                """with q as (select * from marts.cld_data_quality where la_code = ?),
                    per_field as (
                        select file, submitted_at, replace(field, '_', ' ') as field, dq_code, sum(row_count) as n
                        from q where dq_code < 1
                        group by all)
               select s.file, s.submitted_at, s.rows,
                      (select string_agg(field || ': ' || n, '; ' order by n desc, field) from per_field f
                        where f.file = s.file and f.dq_code = -1) as blank_mandatory,
                      (select string_agg(field || ': ' || n, '; ' order by n desc, field) from per_field f
                        where f.file = s.file and f.dq_code = -2) as invalid,
                      (select string_agg(field || ': ' || n, '; ' order by n desc, field) from per_field f
                        where f.file = s.file and f.dq_code = -3) as unmapped
               from (select file, submitted_at, sum(row_count) filter (where field = 'event_type') as rows
                     from q group by all) s
               order by s.submitted_at, s.file""",
                [self.la_code],
            ),
            ["file", "blank_mandatory", "invalid", "unmapped"],
        )

    def cld_unmapped(self) -> pd.DataFrame:
        """Each value in no mapping table (DHSC's "NEW INVALID ... FOUND") with its rows, over all
        submissions, the most frequent first; values Markdown-escaped."""
        return md_escape_frame(
            self.sql(
                """select replace(field, '_', ' ') as field, invalid_value as value, sum(row_count) as rows,
                      count(distinct file) as submissions
               from marts.cld_data_quality where la_code = ? and dq_code = -3
               group by all order by rows desc, field, value""",
                [self.la_code],
            ),
            ["field", "value"],
        )

    def feeds_without_data(self) -> pd.DataFrame:
        """Feeds that have never loaded a row: no file yet, header-only, or quarantined/failed with no
        earlier good data. From the load log (data quality), one row per feed with its latest attempt."""
        frame = self.sql(
            """select feed, arg_max(status, loaded_at) as status, arg_max(file, loaded_at) as file,
                      arg_max(message, loaded_at) as message
               from marts.data_quality group by feed
               having not bool_or(status = 'loaded' and rows_accepted > 0)
               order by feed"""
        )
        for col in ("file", "message"):
            frame[col] = frame[col].map(lambda v: outside_message(v, 200))
        return frame

    def latest_periods(self) -> pd.DataFrame:
        """Each indicator's latest month with a figure, suppressed or not: a hidden small count is
        data that arrived, so it never reads as a lagging feed (and no sentence reveals which
        months were hidden). Months with no figure at all are the ones whose feeds lag."""
        return self.sql(
            "select indicator_code, max(period_end) as latest from marts.indicator_values where la_code = ? "
            "and period_type = 'month' and (value is not null or suppressed) group by 1",
            [self.la_code],
        )

    def data_quality(self) -> pd.DataFrame:
        frame = self.sql(
            """select feed, file, status, rows_read, rows_accepted, rows_rejected, message, rejected_rules,
                      loaded_at from marts.data_quality
               qualify row_number() over (partition by feed order by loaded_at desc) = 1
               order by feed"""
        )
        for col in ("file", "message", "rejected_rules"):
            frame[col] = frame[col].map(lambda v: outside_message(v, 160) if cell_text(v) else None)
        return frame

    def risks(self) -> pd.DataFrame:
        """The register's risks; every text is Markdown-escaped (`md_escape`), safe to interpolate."""
        return md_escape_frame(
            self.sql(
                "select * from marts.risk_register where la_code = ? order by current_score desc, risk_id",
                [self.la_code],
            )
        )

    def risk_changes(self) -> pd.DataFrame:
        return md_escape_frame(
            self.sql(
                "select * from marts.risk_register_changes where la_code = ? order by change_type, risk_id",
                [self.la_code],
            )
        )


# --- tables the reports print ---------------------------------------------------------------


def ascof_table(
    a: pd.DataFrame, fy: str, notes: ReasonNotes
) -> tuple[list[str], list[list[str]], list[str], list[int]]:
    """The ASCOF section's table (header, rows, alignment, widths). A Target column only when a
    measure has a target: the SALT-era measures have none, and an empty column reads as missing data."""
    with_target = bool(a["target"].notna().any()) if "target" in a else False
    header = (
        ["Ref", "Measure", "Better", "Numerator", "Denominator"]
        + (["Target"] if with_target else [])
        + [
            f"{fy}",
            "Previous year",
            "Direction",
            "Family group avg",
            "Rank in family",
            "Region",
            "England",
            "England quartile",
        ]
    )
    rows = []
    for x in a.itertuples():
        rank = "" if pd.isna(x.family_group_rank) else f"{int(x.family_group_rank)} of {int(x.family_group_size)}"
        rows.append(
            [
                x.ascof_code,
                x.title,
                "High" if x.polarity == "bigger" else "Low",
                fmt_count(x.numerator, bool(x.suppressed)),
                fmt_count(x.denominator)
                if x.unit == "%"
                else f"{x.denominator:,.0f}"
                if not pd.isna(x.denominator)
                else "",
            ]
            + ([fmt(x.target, x.unit, x.decimals)] if with_target else [])
            + [
                rag_span(value_cell(x, x.unit, x.decimals, notes), None if pd.isna(x.rag) else x.rag),
                fmt(x.previous_year_value, x.unit, x.decimals),
                cell_text(x.direction_of_travel),
                fmt(x.family_group_avg, x.unit, x.decimals),
                rank,
                fmt(x.region_value, x.unit, x.decimals),
                fmt(x.england_value, x.unit, x.decimals),
                "" if pd.isna(x.england_quartile) else f"Q{int(x.england_quartile)}",
            ]
        )
    n = len(header)
    return header, rows, ["l", "l", "l"] + ["r"] * (n - 3), [5, 30, 4, 7, 8] + [6] * (n - 5)


CHANGE_WORDS = {"new": "New risk", "closed": "Closed risk", "score": "Current score changed", "title": "Title changed"}


def risk_change_rows(changes: pd.DataFrame) -> list[list[str]]:
    """The changes since the last snapshot as table rows: a new risk has no "before", a closed one no
    "after" (empty cells, never "nan")."""
    return [
        [
            CHANGE_WORDS.get(c.change_type, cell_text(c.change_type)),
            cell_text(c.risk_id),
            cell_text(c.before),
            cell_text(c.after),
        ]
        for c in changes.itertuples()
    ]


# --- display helpers --------------------------------------------------------------------


def month_end(period: str | dt.date) -> dt.date:
    if isinstance(period, dt.date):
        return period.replace(day=calendar.monthrange(period.year, period.month)[1])
    y, m = map(int, period[:7].split("-"))
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def add_months(period: str, k: int) -> str:
    y, m = map(int, period[:7].split("-"))
    idx = y * 12 + (m - 1) + k
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


NO_DATA = "no data"


class ReasonNotes:
    """Numbered notes for cells that show "no data": each distinct reason once, under the table."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def mark(self, reason: str) -> str:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return f"[{self.reasons.index(reason) + 1}]"

    def lines(self) -> list[str]:
        return [f"[{i}] {r}" for i, r in enumerate(self.reasons, 1)]


def value_cell(v, unit: str, decimals: int, notes: ReasonNotes) -> str:
    """What a dashboard cell shows: '*' when suppressed; the value (with † when the council supplied
    it); where there is no value, "no data" and the note giving the reason. Never a zero for no data."""
    return missing_marker(v, notes) or fmt_display(v.display_value, unit, decimals) + ("†" if v.is_override else "")


def missing_marker(v, notes: ReasonNotes) -> str | None:
    """The marker of a figure that cannot be shown: '*' when suppressed, "no data [n]" (n the note
    giving the reason) when there is no value; None when there is a value to show."""
    if bool(v.suppressed):
        return SUPPRESSED
    if v.value is None or pd.isna(v.value):
        note = getattr(v, "value_note", None)
        return f"{NO_DATA} {notes.mark(str(note))}" if isinstance(note, str) and note else NO_DATA
    return None


def fmt_display(display_value, unit: str, decimals: int, suppressed: bool = False) -> str:
    """A mart's `display_value` (already rounded, in dbt, half away from zero) as text; '*' when suppressed."""
    if suppressed:
        return SUPPRESSED
    if display_value is None or (isinstance(display_value, float) and pd.isna(display_value)):
        return ""
    text = f"{float(display_value):,.{int(decimals)}f}"
    return text + "%" if unit == "%" else text


def fmt(value, unit: str, decimals: int, suppressed: bool = False) -> str:
    """A figure no mart rounds for display (a target, a comparator) at the catalogue's precision
    (half away from zero, as dbt's round_half_away), '*' when suppressed."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return SUPPRESSED if suppressed else ""
    return fmt_display(round_half_away(float(value), int(decimals)), unit, decimals, suppressed)


def round_half_away(x: float, places: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def short_paths(text: str) -> str:
    """A message with file paths cut to the file name: a committee needs the file, not the server's folders."""
    return re.sub(r"(?:[A-Za-z]:)?[/\\](?:[^\s/\\:]+[/\\])+", "", text)


def cell_text(value) -> str:
    """A cell's text, empty for null (pandas gives NaN for missing strings)."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def fmt_count(value, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None or pd.isna(value):
        return ""
    return f"{int(round(value)):,}"


def rag_span(text: str, rag: str | None) -> str:
    """A markdown span that carries the RAG letter as well as the colour class."""
    if not rag or pd.isna(rag):
        return text or " "
    return f"[{text} {rag}]{{.rag .rag-{rag.lower()}}}"


# --- text from outside ---------------------------------------------------------------------
# Every string that came from a landing file is shown as text, never read as markup: pandoc
# reads the reports as Markdown (HTML and typst are made from it), so escaping it for Markdown
# escapes it for all three (`<` becomes &lt; in HTML; `@`, `#`, `$` are literal in typst).

MAX_TEXT = 32_767  # a longer text (none passes ingestion) is cut, so no cell can flood a renderer
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark: pandoc lets each be escaped
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_escape(value):
    """Text from outside, as Markdown that renders exactly that text; None/NaN pass through.

    Each line is trimmed (no indented code blocks), blank lines dropped and lines joined by
    hard breaks; every ASCII punctuation mark is backslash-escaped, so nothing is a tag, link,
    emphasis, heading, list, citation (`@x`), math (`$`) or table cell separator."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return value
    text = str(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "…"
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return "\\\n".join(_PUNCTUATION.sub(r"\\\1", ln) for ln in lines)


def outside_message(value, limit: int | None = None):
    """A load-log or failure message as report text: paths cut to file names, cut to `limit`
    characters, then Markdown-escaped (file names and messages quote landing files, which come
    from outside). Shortening comes first: it cannot see a path once its slashes are escaped."""
    text = short_paths(cell_text(value))
    return md_escape(text[:limit] if limit else text)


def md_escape_frame(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """`md_escape` applied to the text columns of a frame (all of them unless named)."""
    frame = frame.copy()
    for col in columns if columns is not None else frame.columns:
        if col in frame and (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            frame[col] = frame[col].astype(object).map(md_escape)
    return frame


_SAFE_READER = (
    "markdown-raw_html-raw_attribute-raw_tex-citations-tex_math_dollars-tex_math_single_backslash"
    "-native_divs-native_spans-fenced_divs-bracketed_spans-link_attributes-inline_code_attributes"
    "-fenced_code_attributes-header_attributes-implicit_figures-markdown_in_html_blocks"
)
_ATTR_AT = {"Code": 0, "CodeBlock": 0, "Header": 1, "Div": 0, "Span": 0, "Link": 0, "Image": 0, "Table": 0, "Figure": 0}


def _inert(node):
    """Walk pandoc's JSON AST: drop raw HTML/TeX, keep only http(s) links, images as their alt
    text, no attributes. Returns a list (a node may become its children)."""
    if isinstance(node, list):
        out = []
        for item in node:
            res = _inert(item)
            if isinstance(item, dict) and "t" in item and isinstance(res, list):
                out.extend(res)
            else:
                out.append(res)
        # `{...}` right after code or a link would be read back as its attributes: a zero-width
        # space between them keeps the text as text
        for i in range(len(out) - 1, 0, -1):
            prev, nxt = out[i - 1], out[i]
            if (
                isinstance(prev, dict)
                and prev.get("t") in ("Code", "Link", "Span")
                and isinstance(nxt, dict)
                and nxt.get("t") == "Str"
                and str(nxt.get("c", "")).startswith("{")
            ):
                out.insert(i, {"t": "Str", "c": "\u200b"})
        return out
    if not isinstance(node, dict) or "t" not in node:
        return node
    kind, content = node["t"], node.get("c")
    if kind in ("RawInline", "RawBlock"):
        return []
    if kind == "Image":
        return _inert(content[1])
    if kind == "Link":
        url = str(content[2][0]).strip()
        if not re.match(r"^https?://", url, re.IGNORECASE):
            return _inert(content[1])
    if kind in ("Cite",):
        return _inert(content[1])
    if kind in _ATTR_AT and isinstance(content, list):
        content = list(content)
        content[_ATTR_AT[kind]] = ["", [], []]
    new = dict(node)
    if content is not None:
        new["c"] = _inert(content) if isinstance(content, list) else content
    return [new]


def _live(node) -> bool:
    """Anything left that is more than text: raw code, an image, a citation, math, a link that
    is not http(s), or an attribute other than the id pandoc derives from a heading's text."""
    if isinstance(node, list):
        return any(_live(n) for n in node)
    if not isinstance(node, dict) or "t" not in node:
        return False
    kind, content = node["t"], node.get("c")
    if kind in ("RawInline", "RawBlock", "Image", "Cite", "Math"):
        return True
    if kind == "Link" and not re.match(r"^https?://", str(content[2][0]).strip(), re.IGNORECASE):
        return True
    if kind in _ATTR_AT and isinstance(content, list):
        attr = content[_ATTR_AT[kind]]
        if attr[1] or attr[2] or (attr[0] and kind != "Header"):
            return True
    return isinstance(content, list) and _live(content)


_BREAK = "VITALSIGNSPARTBREAK"


def safe_markdown_parts(parts: list[str]) -> list[str]:
    """`safe_markdown` of several texts in one pandoc pass (a report card has five)."""
    if not any(p.strip() for p in parts):
        return ["" for _ in parts]
    joined = safe_markdown(f"\n\n{_BREAK}\n\n".join(p.replace(_BREAK, "") for p in parts))
    out = [p.strip() for p in joined.split(_BREAK)]
    return out if len(out) == len(parts) else [safe_markdown(p) for p in parts]


def safe_markdown(text: str) -> str:
    """A council's commentary Markdown with raw HTML disabled (tags stay visible text), links
    restricted to http(s), no images (nothing local can be embedded), no attributes, citations
    or math; written back by pandoc, whose writer escapes whatever would read as markup."""
    import json

    import pypandoc

    if not text.strip():
        return text
    ast = json.loads(pypandoc.convert_text(text, "json", format=_SAFE_READER))
    ast["blocks"] = _inert(ast["blocks"])
    out = pypandoc.convert_text(json.dumps(ast), "markdown", format="json", extra_args=["--wrap=preserve"])
    # proof on the reader the reports use: pandoc's writer does not escape everything (a `{`
    # after code or a link reads as attributes), so anything still live falls back to plain text
    check = json.loads(pypandoc.convert_text(out, "json", format="markdown"))
    if _live(check["blocks"]):
        return "\n\n".join(md_escape(p) for p in re.split(r"\n\s*\n", text) if p.strip())
    return out


def md_table(
    header: list[str], rows: list[list[str]], align: list[str] | None = None, widths: list[int] | None = None
) -> str:
    """A pipe table (renders in HTML and PDF alike).

    `widths` are relative column widths: pandoc takes them from the number of dashes in the
    separator line when a row is wider than the page, which keeps long titles readable in PDF.
    """

    def cell(s) -> str:
        # a pipe not already escaped (md_escape'd text escapes its own) would split the cell
        return re.sub(r"(?<!\\)\|", r"\\|", str(s)).replace("\n", " ")

    align = align or ["l"] + ["r"] * (len(header) - 1)
    widths = widths or [3] * len(header)

    def mark(a: str, w: int) -> str:
        dashes = "-" * max(3, w)
        return {"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes + ":"}[a]

    lines = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "| " + " | ".join(mark(a, w) for a, w in zip(align, widths)) + " |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
