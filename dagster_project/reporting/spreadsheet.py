"""vital_signs.xlsx: the committee's figures as a workbook an analyst can chart, sum and print.

Every figure is a number with a number format (never text such as "88.5% G"); a cell with no
figure is empty, never 0, and the reason sits beside it in words (the reports' markers). RAG is a
fill with a contrasting text colour and, in its own cell, the letter. Read, like the reports, from
the published (aggregate, suppressed) database only.

Sheets: Dashboard (the report's 13 months, with numerator and denominator rows), ASCOF (both
editions, with the England, region and family-group comparators), Exceptions, Risks, Values (every
published figure, one row each, for filters and pivots) and Notes (what the markers mean).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..councils import council_name
from .data import CHANGE_WORDS, NO_DATA, SUPPRESSED, ReasonNotes, ReportData, missing_marker
from .pack import DEPARTMENT
from .palette import RAG

SOURCE = "the vitalsigns published database (aggregate figures, small numbers suppressed)"

# (fill, text) from the one palette the HTML and PDF packs use (palette.py: WCAG AA contrast)
RAG_COLOURS = {k: (s.fill.lstrip("#").upper(), s.ink.lstrip("#").upper()) for k, s in RAG.items()}
BAND_RAG = {"High": "R", "Medium": "A", "Low": "G"}  # the heat map's colours for the risk bands
PROSPECTS_RAG = {"Green": "G", "Amber": "A", "Red": "R"}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SUB_ROW_FONT = Font(italic=True, color="404040")
THIN = Side(style="thin", color="BFBFBF")
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
NO_FIGURE_YET = "–"  # as the report: a month with no figure yet (feeds lag)
SPC_COLUMNS = ["spc_variation", "spc_assurance"]

LEGEND = [
    "Numbers are numbers: percentages are Excel percentages (88.5% is stored as 0.885); rates per 100,000 "
    "and counts are stored as shown. Each figure is shown to the precision the committee report uses.",
    "Ratings: G Green meets or beats the target; A Amber misses it by less than the tolerance (5% of the target "
    "unless set otherwise); R Red misses it by the tolerance or more. The colour is always accompanied by its "
    "letter, in the Rating row (Dashboard) or the Rating column (other sheets). No letter: no target.",
    f"{SUPPRESSED} = a small number suppressed to protect privacy (a count from 1 to the suppression threshold, "
    "and any figure made from it): the number cell is left empty and the figure is not given anywhere in the "
    "workbook.",
    f"{NO_DATA} [n] = no figure can be given, for the reason in note n (a missing or failed feed is never shown "
    "as zero); the number cell is left empty.",
    f"{NO_FIGURE_YET} = no figure for that month yet (feeds lag); the number cell is left empty.",
    "† = a value supplied by the council, overriding the computed one. ⚑ watch = an untargeted indicator that has "
    "worsened three periods running.",
    "Admissions are rolling 12-month rates; targets are profiled, so a rating can change while the value does not.",
]


@dataclass(frozen=True)
class Title:
    """What the title block of every printed sheet says."""

    council: str
    la_code: str
    period_label: str
    made: dt.date
    held: str = ""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _append(ws, row: list) -> None:
    """Append a row with every string stored as text: never a formula (openpyxl makes one of any
    "=..."), and with Excel's quote prefix where a leading = + - @ would turn into one on edit
    or in a CSV export; characters XML cannot hold are dropped rather than failing the file."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_START):
                cell.quotePrefix = True


# --- figures as numbers -----------------------------------------------------------------------


def _missing(x) -> bool:
    return x is None or x is pd.NaT or x is pd.NA or (isinstance(x, float) and pd.isna(x))


def number_format(unit: str, decimals) -> str:
    """Excel's format for a figure of the catalogue's unit at its display precision."""
    places = int(decimals) if not _missing(decimals) else 1
    tail = "." + "0" * places if places else ""
    return f"0{tail}%" if unit == "%" else f"#,##0{tail}"


def stored(value, unit: str) -> float | None:
    """A figure as the workbook stores it: a percentage as Excel's fraction, empty (None) when missing."""
    if _missing(value):
        return None
    return float(value) / 100 if unit == "%" else float(value)


def count(value) -> int | float | None:
    """A count as an integer; a non-whole one (a mean) keeps its value, and its format shows it whole."""
    if _missing(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def as_date(value) -> dt.date | None:
    return None if _missing(value) else pd.Timestamp(value).date()


def text(value) -> str | None:
    return None if _missing(value) else str(value)


def _rag(cell, letter) -> None:
    """Colour a cell for its rating (fill and a text colour with AA contrast)."""
    if isinstance(letter, str) and letter in RAG_COLOURS:
        fill, ink = RAG_COLOURS[letter]
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(color=ink, bold=cell.font.bold)


def spc_words(value) -> str | None:
    """`special_cause_improving` → "Special cause improving"."""
    return None if _missing(value) or not str(value) else str(value).replace("_", " ").capitalize()


# --- sheet furniture ----------------------------------------------------------------------------


def _title_block(ws: Worksheet, title: Title, subject: str) -> None:
    """Council, department and subject, period, date made and source; `subject` may name its own
    date with "{period}" standing for the report month."""
    _append(ws, [f"{title.council} ({title.la_code})"])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=14)
    line = (
        subject.format(period=title.period_label)
        if "{period}" in subject
        else f"{subject}, to the end of {title.period_label}"
    )
    _append(ws, [f"{DEPARTMENT}: {line}"])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    _append(ws, [f"Made {title.made:%d %B %Y} from {SOURCE}. See the Notes sheet for what the markers mean."])
    if title.held:
        _append(
            ws,
            [
                "NOT PUBLISHED: made from a build that failed and was held back; the published figures are "
                f"still the previous ones. {title.held}"
            ],
        )
        ws.cell(ws.max_row, 1).font = Font(bold=True, color="9C0006")
    _append(ws, [])


def _header(ws: Worksheet, names: list[str], freeze_col: str = "C") -> int:
    """The column headings, styled, frozen with the columns before `freeze_col`, repeated on every
    printed page; returns their row."""
    _append(ws, names)
    row = ws.max_row
    for cell in ws[row]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"{freeze_col}{row + 1}"
    ws.print_title_rows = f"{row}:{row}"
    return row


def _print_setup(ws: Worksheet, title: Title) -> None:
    """A4 landscape, one page wide, the council and period in every page header, pages numbered."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    ws.oddHeader.left.text = f"{title.council}: {ws.title}".replace("&", "&&")
    ws.oddHeader.right.text = title.period_label
    ws.oddFooter.left.text = f"{DEPARTMENT}, made {title.made:%d/%m/%Y}"
    ws.oddFooter.right.text = "Page &P of &N"


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[col].width = w


def _grid(ws: Worksheet, first_row: int, last_row: int, last_col: int | None = None) -> None:
    """Thin borders and top alignment on a table (the printed page has no gridlines)."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=last_col):
        for cell in row:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            if cell.alignment.vertical is None:
                cell.alignment = Alignment(vertical="top", wrap_text=cell.alignment.wrap_text)


def _lines(ws: Worksheet, lines: list[str]) -> None:
    """Text under a table, each line wrapped across the table's width: text overflowing into empty
    cells would be cut at the print area's edge. Excel does not fit a merged row's height, so it is set."""
    last = ws.max_column
    chars = sum(ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, last + 1))
    for line in lines:
        _append(ws, [line])
        r = ws.max_row
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        if last > 1 and line:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
            ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(line) * 1.1 / chars))


CENTRED = {"rating", "note", "band", "prospects", "off", "worse", "budget", "overdue", "exception"}


def _table(ws: Worksheet, columns: list[tuple], rows: list[dict], freeze_col: str = "B") -> tuple[int, int]:
    """A header and one row per dict. `columns` are (heading, key, number_format or None, width);
    a key's `<key>__rag` entry colours that cell. Returns (header row, last row)."""
    head = _header(ws, [c[0] for c in columns], freeze_col)
    for r in rows:
        _append(ws, [r.get(c[1]) for c in columns])
        for j, (_, key, fmt, _) in enumerate(columns, 1):
            cell = ws.cell(ws.max_row, j)
            if fmt:
                cell.number_format = fmt
            _rag(cell, r.get(f"{key}__rag"))
            if key in CENTRED:
                cell.alignment = Alignment(horizontal="center", vertical="top")
            elif isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, c in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(j)].width = c[3]
    _grid(ws, head, ws.max_row, len(columns))
    return head, ws.max_row


# --- the dashboard ----------------------------------------------------------------------------


def dashboard_sheet(
    wb: Workbook,
    title: Title,
    dash: pd.DataFrame,
    months: list[dt.date],
    targets: dict[str, float | None],
    notes: ReasonNotes,
    forecasts: dict | None = None,
) -> Worksheet:
    """The report's dashboard: per indicator a Value row (numbers, filled by rating), a Rating row
    (the letter, or the marker of a cell with no figure) and, where the measure has them, Numerator
    and Denominator rows; the current target and rating at the end, the SPC icons' words when
    the data carries them (`spc_variation`, `spc_assurance`), and the year-end forecast with its
    interval, the annual target and the forecast's rating when some measure has one (`forecasts`:
    indicator_code -> reporting.forecast.YearEndForecast at the report month)."""
    ws = wb.active
    ws.title = "Dashboard"
    _title_block(ws, title, "vital signs dashboard")
    spc = [c for c in SPC_COLUMNS if c in dash.columns]
    forecasts = forecasts or {}
    fy = next(iter(forecasts.values())).financial_year if forecasts else None
    first_month = 5
    head = _header(
        ws,
        ["Indicator", "Row", "Better", "Unit"]
        + [m.strftime("%b %y") for m in months]
        + ["Target", "Latest rating"]
        + [c.replace("spc_", "SPC ") for c in spc]
        + ([f"Forecast {fy}", "Forecast low", "Forecast high", "Annual target", "Forecast rating"] if fy else []),
        "E",
    )
    target_col = first_month + len(months)
    units = {"%": "%", "per 100k": "per 100,000", "count": "count"}
    for code, g in dash.groupby("indicator_code", sort=False):
        first = g.iloc[0]
        unit, fmt = first.unit, number_format(first.unit, first.decimals)
        cells = {pd.Timestamp(v.period_end).date(): v for v in g.itertuples() if not _missing(v.period_end)}
        shown = [cells.get(m) for m in months]
        judged = [v for v in shown if v is not None and not _missing(v.value)]
        latest = judged[-1] if judged else None
        watch = bool(g["watch"].fillna(False).iloc[-1]) if "watch" in g else False
        name = first.title + (" ⚑ watch" if watch else "")
        value_row = [
            name,
            "Value",
            "Higher" if first.polarity == "bigger" else "Lower" if first.polarity == "smaller" else None,
            units.get(unit, unit),
        ]
        value_row += [None if v is None or bool(v.suppressed) else stored(v.display_value, unit) for v in shown]
        value_row += [
            stored(targets.get(code), unit),
            latest.rag if latest is not None and isinstance(latest.rag, str) else None,
        ]
        value_row += [spc_words(getattr(latest, c)) if latest is not None else None for c in spc]
        f = forecasts.get(code)
        if fy:
            shown_f = f is not None and not f.suppressed
            value_row += [stored(getattr(f, a), unit) if shown_f else None for a in ("value", "lower", "upper")]
            value_row += [stored(f.target, unit) if f is not None else None, f.rag if shown_f else None]
        _append(ws, value_row)
        r = ws.max_row
        if fy:
            fc = target_col + 2 + len(spc)
            for j in range(4):
                ws.cell(r, fc + j).number_format = fmt
            _rag(ws.cell(r, fc + 4), ws.cell(r, fc + 4).value)
            ws.cell(r, fc + 4).alignment = Alignment(horizontal="center", vertical="top")
        ws.cell(r, 1).font = Font(bold=True)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        for j, v in enumerate(shown):
            cell = ws.cell(r, first_month + j)
            cell.number_format = fmt
            if v is not None and cell.value is not None:
                _rag(cell, v.rag)
        ws.cell(r, target_col).number_format = fmt
        _rag(ws.cell(r, target_col + 1), ws.cell(r, target_col + 1).value)
        ws.cell(r, target_col + 1).alignment = Alignment(horizontal="center", vertical="top")

        markers = []
        for v in shown:
            if v is None:
                markers.append(NO_FIGURE_YET)
                continue
            missing = missing_marker(v, notes)
            letter = v.rag if isinstance(v.rag, str) else ""
            markers.append(missing or (letter + (" †" if bool(v.is_override) else "")).strip() or None)
        if any(m and m != NO_FIGURE_YET for m in markers):  # no row for a series with no rating and no gap
            _append(ws, [None, "Rating", None, None] + markers)
            r = ws.max_row
            ws.cell(r, 2).font = SUB_ROW_FONT
            for j, v in enumerate(shown):
                cell = ws.cell(r, first_month + j)
                cell.alignment = Alignment(horizontal="center", vertical="top")
                if v is not None and not bool(v.suppressed) and not _missing(v.value):
                    _rag(cell, v.rag)
        for label, col in (("Numerator", "numerator"), ("Denominator", "denominator")):
            # the counts of a figure that is shown or hidden (the published database has emptied a
            # hidden count); none beside "no data", where a count would read as the missing figure
            counts = [
                None if v is None or (_missing(v.value) and not bool(v.suppressed)) else count(getattr(v, col))
                for v in shown
            ]
            if all(c is None for c in counts):
                continue
            _append(ws, [None, label, None, None] + counts)
            r = ws.max_row
            ws.cell(r, 2).font = SUB_ROW_FONT
            for j in range(len(months)):
                ws.cell(r, first_month + j).number_format = COUNT_FORMAT
    last = ws.max_row
    _grid(ws, head, last)
    _widths(ws, {"A": 44, "B": 13, "C": 7, "D": 12})
    for j in range(len(months)):
        ws.column_dimensions[get_column_letter(first_month + j)].width = 8.5
    _widths(ws, {get_column_letter(target_col): 9, get_column_letter(target_col + 1): 8})
    for j in range(len(spc)):  # wide enough for the longest words ("Special cause concerning"), never clipped
        ws.column_dimensions[get_column_letter(target_col + 2 + j)].width = 2 + max(
            len(spc_words(k)) for k in ("special_cause_concerning", "special_cause_improving", "consistently_pass")
        )
    for j in range(5 if fy else 0):
        ws.column_dimensions[get_column_letter(target_col + 2 + len(spc) + j)].width = 10
    _append(ws, [])
    _lines(ws, LEGEND)
    if notes.reasons:
        _lines(ws, ["Why there is no figure:"] + notes.lines())
    _print_setup(ws, title)
    return ws


def dashboard_frame(data: ReportData) -> pd.DataFrame:
    """The report's dashboard rows, with the SPC columns of `marts.dashboard` when the mart has them."""
    dash = data.dashboard()
    have = set(
        data.sql(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'dashboard'"
        )["column_name"]
    )
    extra = [c for c in SPC_COLUMNS if c in have and c not in dash.columns]
    if extra:
        spc = data.sql(
            f"select indicator_code, period_end, {', '.join(extra)} from marts.dashboard where la_code = ?",
            [data.la_code],
        )
        dash = dash.merge(spc, on=["indicator_code", "period_end"], how="left")
    return dash


# --- ASCOF, exceptions, risks ------------------------------------------------------------------

ASCOF_SQL = """
select 'SALT era' as edition, a.financial_year, a.ascof_code, a.indicator_code, k.title as measure,
       null as part, null as breakdown, k.polarity, k.unit, k.decimals, a.numerator, a.denominator, a.value,
       a.display_value, a.target, a.rag, a.is_override, a.value_note, a.previous_year_value,
       a.direction_of_travel, a.family_group_avg, a.family_group_rank, a.family_group_size, a.region_name,
       a.region_value, a.england_value, a.england_quartile, null::double as dhsc_value, null::double as difference,
       a.suppressed, a.ascof_code as sort_key
from marts.ascof a join marts.indicator_catalogue k using (indicator_code)
where a.la_code = ? and k.kind is distinct from 'cld'
union all
select x.edition, c.financial_year, k.ascof_ref, c.indicator_code, c.measure, c.part, c.breakdown,
       -- a breakdown row has no catalogue indicator: it takes its measure's (the Total row's)
       max(k.polarity) over (partition by c.measure), max(k.unit) over (partition by c.measure),
       max(k.decimals) over (partition by c.measure), c.numerator, c.denominator, c.value, null, a.target, a.rag,
       a.is_override, a.value_note, a.previous_year_value, a.direction_of_travel, a.family_group_avg,
       a.family_group_rank, a.family_group_size, a.region_name, a.region_value, a.england_value,
       a.england_quartile, c.dhsc_value, c.difference, c.suppressed,
       format('{:02d} {} {:02d}', list_position(['ASCOF 2A', 'ASCOF 2B', 'ASCOF 2C', 'ASCOF 2E',
              'ASCOF 2E LD', 'ASCOF 3D (Clients)', 'ASCOF 3D (Carers)'], c.measure), c.part,
              list_position(['18 to 64', '65 and above', 'Male', 'Female', 'Total'], c.breakdown))
from marts.ascof_cld c
cross join (select any_value(edition) as edition from marts.cld_indicator_crosswalk) x
left join marts.indicator_catalogue k using (indicator_code)
left join marts.ascof a using (la_code, financial_year, indicator_code)
where c.la_code = ?
order by edition desc, financial_year, sort_key, measure"""


def ascof_sheet(wb: Workbook, title: Title, rows: pd.DataFrame, notes: ReasonNotes) -> Worksheet:
    """Both ASCOF editions, one row per figure with its comparators (family group, region, England)
    and, for the revised measures, DHSC's own figure; the Target column only when a figure has one."""
    ws = wb.create_sheet("ASCOF")
    _title_block(ws, title, "Adult Social Care Outcomes Framework (ASCOF) with comparators")
    out = []
    for x in rows.to_dict("records"):
        unit, fmt = x["unit"], number_format(x["unit"], x["decimals"])
        hidden = bool(x["suppressed"])
        value = x["display_value"] if not _missing(x["display_value"]) else x["value"]
        rank = (
            f"{int(x['family_group_rank'])} of {int(x['family_group_size'])}"
            if not _missing(x["family_group_rank"])
            else None
        )
        note = missing_marker(pd.Series(x), notes) if (hidden or _missing(x["value"])) else None
        out.append(
            {
                "edition": x["edition"],
                "year": x["financial_year"],
                "ref": text(x["ascof_code"]),
                "measure": text(x["measure"]),
                "part": text(x["part"]),
                "breakdown": text(x["breakdown"]),
                "better": {"bigger": "Higher", "smaller": "Lower"}.get(x["polarity"]),
                # the published database has already emptied each hidden count
                "numerator": count(x["numerator"]),
                "denominator": count(x["denominator"]),
                "value": None if hidden else stored(value, unit),
                "value__fmt": fmt,
                "value__rag": None if hidden else x["rag"],
                "rating": None if hidden else text(x["rag"]),
                "rating__rag": None if hidden else x["rag"],
                "note": note or ("†" if not _missing(x["is_override"]) and bool(x["is_override"]) else None),
                "target": stored(x["target"], unit),
                "previous": stored(x["previous_year_value"], unit),
                "direction": text(x["direction_of_travel"]),
                "family": stored(x["family_group_avg"], unit),
                "rank": rank,
                "region": stored(x["region_value"], unit),
                "region_name": text(x["region_name"]),
                "england": stored(x["england_value"], unit),
                "quartile": None if _missing(x["england_quartile"]) else f"Q{int(x['england_quartile'])}",
                "dhsc": stored(x["dhsc_value"], unit),
                "difference": stored(x["difference"], unit),
            }
        )
    with_target = any(r["target"] is not None for r in out)
    regions = sorted({r["region_name"] for r in out if r["region_name"]})
    columns = [
        ("Edition", "edition", None, 16),
        ("Year", "year", None, 9),
        ("Ref", "ref", None, 8),
        ("Measure", "measure", None, 40),
        ("Part", "part", None, 9),
        ("Breakdown", "breakdown", None, 12),
        ("Better", "better", None, 7),
        ("Numerator", "numerator", COUNT_FORMAT, 11),
        ("Denominator", "denominator", COUNT_FORMAT, 12),
        ("Value", "value", "", 9),
        ("Rating", "rating", None, 7),
        ("Note", "note", None, 10),
    ]
    columns += [("Target", "target", "", 9)] if with_target else []
    columns += [
        ("Previous year", "previous", "", 9),
        ("Direction of travel", "direction", None, 11),
        ("Family group average", "family", "", 9),
        ("Rank in family", "rank", None, 9),
        (f"Region ({', '.join(regions)})" if len(regions) == 1 else "Region", "region", "", 11),
        ("England", "england", "", 9),
        ("England quartile", "quartile", None, 9),
        ("DHSC figure", "dhsc", "", 9),
        ("Difference from DHSC", "difference", "", 11),
    ]
    head, last = _table(ws, columns, out, freeze_col="E")
    # the figures' formats are per row (a row's unit): percent, or a rate at the catalogue's places
    figure_cols = [j for j, c in enumerate(columns, 1) if c[2] == ""]
    for i, r in enumerate(out):
        for j in figure_cols:
            ws.cell(head + 1 + i, j).number_format = r["value__fmt"]
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(columns))}{last}"
    _append(ws, [])
    _lines(
        ws,
        [
            "Direction of travel compares with the previous year (polarity-aware). Rank 1 is best in the CIPFA "
            "family group; England quartile Q1 is the best quarter of councils. The revised measures (from "
            "2023/24) are computed from the council's Client Level Data by DHSC's method; DHSC's figure is "
            "shown where it was supplied."
        ]
        + ([] if with_target else ["No ASCOF measure has a target set, so there is no Target column."])
        + (["Why there is no figure:"] + notes.lines() if notes.reasons else []),
    )
    _print_setup(ws, title)
    return ws


def exceptions_sheet(wb: Workbook, title: Title, exc: pd.DataFrame) -> Worksheet:
    """The indicators reported by exception this month, each reason a yes/no column as well as in words."""
    ws = wb.create_sheet("Exceptions")
    _title_block(ws, title, "vital signs reported by exception")
    out = []
    for x in exc.to_dict("records"):
        unit = x["unit"]
        hidden = bool(x["suppressed"])
        out.append(
            {
                "title": x["title"],
                "period": as_date(x["value_period_end"]),
                "value": None if hidden else stored(x["display_value"], unit),
                "value__fmt": number_format(unit, x["decimals"]),
                "value__rag": None if hidden else x["rag"],
                "rating": None if hidden else text(x["rag"]),
                "rating__rag": None if hidden else x["rag"],
                "note": SUPPRESSED if hidden else None,
                "target": stored(x["target"], unit),
                "off": "yes" if x["off_target"] else "",
                "worse": "yes" if x["deteriorating"] else "",
                "budget": "yes" if x["affects_budget"] else "",
                "risks": text(x["linked_risks"]),
                "reasons": text(x["reasons"]),
                "lead": text(x["lead_officer"]),
                "owner": text(x["data_owner"]),
            }
        )
    columns = [
        ("Indicator", "title", None, 40),
        ("Period of the value", "period", DATE_FORMAT, 11),
        ("Value", "value", "", 9),
        ("Rating", "rating", None, 7),
        ("Note", "note", None, 6),
        ("Target", "target", "", 9),
        ("Off target", "off", None, 7),
        ("Worse 3 periods running", "worse", None, 10),
        ("Affects budget", "budget", None, 8),
        ("Linked corporate risks", "risks", None, 18),
        ("Why reported", "reasons", None, 40),
        ("Lead officer", "lead", None, 22),
        ("Data owner", "owner", None, 22),
    ]
    head, last = _table(ws, columns, out)
    for i, r in enumerate(out):
        for j in (3, 6):
            ws.cell(head + 1 + i, j).number_format = r["value__fmt"]
    if not out:
        _append(ws, ["No vital sign meets the exception criteria this month."])
    _append(ws, [])
    _lines(
        ws,
        [
            "An indicator with a target is reported by exception when any holds: it is off target (Red, or 5% "
            "or more from target); it has worsened in each of the last three periods; it affects the council's "
            "ability to achieve its budget; or it is linked to a corporate risk scoring 12 or more."
        ],
    )
    _print_setup(ws, title)
    return ws


def risks_sheet(wb: Workbook, title: Title, risks: pd.DataFrame, changes: pd.DataFrame) -> Worksheet:
    """The register's latest snapshot: likelihood, impact and score (current, original, target) as
    numbers, the band and prospects filled in their colours with the word in the cell, then the
    changes since the previous snapshot. The long texts are on "Risk detail", so both print legibly."""
    ws = wb.create_sheet("Risks")
    snap = as_date(risks["snapshot_date"].iloc[0]) if not risks.empty else None
    _title_block(
        ws,
        title,
        "departmental risk register" + (f" as at {snap:%d %B %Y}" if snap else "") + " (for the report of {period})",
    )
    out = []
    for x in risks.to_dict("records"):
        row = {k: text(x[k]) for k in ("risk_id", "risk_name", "prospects", "owner", "score_disagreement", "band")}
        for stage in ("original", "current", "target"):
            for part in ("likelihood", "impact", "score"):
                row[f"{stage}_{part}"] = count(x[f"{stage}_{part}"])
        row["band__rag"] = row["current_score__rag"] = BAND_RAG.get(x["band"])
        row["prospects__rag"] = PROSPECTS_RAG.get(x["prospects"])
        row["target_date"], row["review_date"] = as_date(x["target_date"]), as_date(x["review_date"])
        row["overdue"] = "overdue" if x["overdue"] else ""
        row["exception"] = "yes" if x["reported_by_exception"] else ""
        out.append(row)

    def scores(*stages):
        return [
            (f"{stage.capitalize()} {part}", f"{stage}_{part}", "0", 8)
            for stage in stages
            for part in ("likelihood", "impact", "score")
        ]

    columns = [
        ("Risk", "risk_id", None, 10),
        ("Name", "risk_name", None, 32),
        *scores("current"),
        ("Band (current)", "band", None, 9),
        ("Prospects", "prospects", None, 9),
        *scores("original", "target"),
    ]
    columns += [
        ("Target date", "target_date", DATE_FORMAT, 11),
        ("Owner", "owner", None, 16),
        ("Review date", "review_date", DATE_FORMAT, 11),
        ("Review overdue", "overdue", None, 9),
        ("Reported by exception", "exception", None, 10),
        ("Typed score that disagrees", "score_disagreement", None, 16),
    ]
    head, last = _table(ws, columns, out, freeze_col="C")
    if out:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(len(columns))}{last}"
    else:
        _append(ws, ["No risk-register snapshot has been loaded yet."])
    _append(ws, [])
    _lines(
        ws,
        [
            "Score = likelihood × impact (each 1 to 5). Bands: High 16–25 (red), Medium 6–15 (amber), "
            "Low 1–5 (green). A risk is reported by exception when its current score is 12 or more and its "
            "prospects are Amber or Red. Description, tasks and progress: sheet Risk detail."
        ],
    )
    _print_setup(ws, title)

    detail = wb.create_sheet("Risk detail")
    _title_block(
        detail,
        title,
        "departmental risk register, description, mitigation and progress"
        + (f" as at {snap:%d %B %Y}" if snap else "")
        + " (for the report of {period})",
    )
    rows = [
        {k: text(x[k]) for k in ("risk_id", "risk_name", "risk_description", "tasks", "progress_update")}
        for x in risks.to_dict("records")
    ]
    _table(
        detail,
        [
            ("Risk", "risk_id", None, 10),
            ("Name", "risk_name", None, 30),
            ("Description", "risk_description", None, 48),
            ("Tasks to mitigate", "tasks", None, 48),
            ("Progress", "progress_update", None, 40),
        ],
        rows,
        freeze_col="C",
    )
    _append(detail, [])
    _append(detail, ["Changes since the last snapshot"])
    detail.cell(detail.max_row, 1).font = Font(bold=True, size=12)
    if changes.empty:
        _append(
            detail,
            [
                "No new or closed risks, score changes or title changes since the previous snapshot "
                "(or only one snapshot has been loaded)."
            ],
        )
    else:
        start = detail.max_row + 1
        _append(detail, ["Risk", "Change", "Before", "After"])
        for cell in detail[detail.max_row][:4]:
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        for c in changes.to_dict("records"):
            before, after = text(c["before"]), text(c["after"])
            if c["change_type"] == "score":  # a score is a number
                before, after = (int(v) if v and v.isdigit() else v for v in (before, after))
            _append(
                detail, [text(c["risk_id"]), CHANGE_WORDS.get(c["change_type"], text(c["change_type"])), before, after]
            )
            for cell in detail[detail.max_row][:4]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        _grid(detail, start, detail.max_row, 4)
    _print_setup(detail, title)
    return ws


def values_sheet(wb: Workbook, title: Title, data: ReportData) -> Worksheet:
    """Every published figure for the council, one row each with the database's column names: a
    plain table for filters and pivots (no title block, headings in row 1)."""
    values = data.sql(
        # the year-end forecast made at a month end stands on the year-to-date row it projects
        """select v.indicator_code, k.title, v.period_type, v.period_end, v.numerator, v.denominator, v.value,
                  v.target, v.rag, v.direction_prev, v.direction_yoy, v.is_override, v.suppressed, v.value_note,
                  v.spc_variation, v.spc_assurance, f.forecast, f.forecast_lower, f.forecast_upper,
                  f.annual_target, f.forecast_rag,
                  case when f.suppressed then 'not shown: it would reveal suppressed small numbers'
                       else f.forecast_note end as forecast_note, k.unit, k.decimals
           from marts.indicator_values v join marts.indicator_catalogue k using (indicator_code)
           left join marts.year_end_forecast f
             on f.la_code = v.la_code and f.indicator_code = v.indicator_code and f.as_of = v.period_end
            and v.period_type = 'ytd'
           where v.la_code = ? order by k.dashboard_order nulls last, v.indicator_code, v.period_type, v.period_end""",
        [data.la_code],
    )
    vs = wb.create_sheet("Values")
    cols = [
        "indicator_code",
        "title",
        "period_type",
        "period_end",
        "numerator",
        "denominator",
        "value",
        "target",
        "rag",
        "direction_prev",
        "direction_yoy",
        "is_override",
        "suppressed",
        "value_note",
        "spc_variation",
        "spc_assurance",
        "forecast",
        "forecast_lower",
        "forecast_upper",
        "annual_target",
        "forecast_rag",
        "forecast_note",
        "unit",
    ]
    head = _header(vs, cols)
    at = {c: i for i, c in enumerate(cols)}
    for rec in values.to_dict("records"):
        unit = rec["unit"]
        row = [None if _missing(rec[c]) else rec[c] for c in cols]
        row[3] = as_date(rec["period_end"])
        row[4], row[5] = count(rec["numerator"]), count(rec["denominator"])
        row[6], row[7] = stored(rec["value"], unit), stored(rec["target"], unit)
        for c in ("spc_variation", "spc_assurance"):
            row[at[c]] = spc_words(rec[c])
        for c in ("forecast", "forecast_lower", "forecast_upper", "annual_target"):
            row[at[c]] = stored(rec[c], unit)
        _append(vs, row)
        r = vs.max_row
        vs.cell(r, 4).number_format = DATE_FORMAT
        for c in (5, 6):
            vs.cell(r, c).number_format = COUNT_FORMAT
        for c in (7, 8, *(at[n] + 1 for n in ("forecast", "forecast_lower", "forecast_upper", "annual_target"))):
            vs.cell(r, c).number_format = number_format(unit, rec["decimals"])
        _rag(vs.cell(r, 9), rec["rag"])
        _rag(vs.cell(r, at["forecast_rag"] + 1), rec["forecast_rag"])
    _widths(vs, {"A": 26, "B": 50, "D": 11})
    vs.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{vs.max_row}"
    _print_setup(vs, title)
    return vs


def notes_sheet(wb: Workbook, title: Title, notes: ReasonNotes, spc: bool) -> Worksheet:
    ws = wb.create_sheet("Notes")
    _title_block(ws, title, "notes on the workbook")
    _lines(
        ws,
        [
            "Sheets: Dashboard (the committee report's dashboard, 13 months), ASCOF (both editions, with "
            "comparators), Exceptions (this month's), Risks (the register's latest snapshot: scores, bands and "
            "prospects), Risk detail (description, mitigation, progress and the changes since the last "
            "snapshot), Values (every published figure for the council, one row each, for filtering and "
            "pivots).",
            "Forecast: the year-end (March) outturn of a measure with an annual target, projected from the "
            "year to date and last year's seasonal profile, with the interval that would have held the "
            "outturn in 80% of earlier years' forecasts, rated against the annual target like the dashboard "
            "(Dashboard: at the report month; Values: on each year-to-date row).",
            "",
        ]
        + LEGEND,
    )
    if spc:
        _lines(
            ws,
            [
                'SPC variation and assurance (NHS England\'s "Making Data Count"), for the latest value: '
                "common cause = no signal; special cause improving or concerning = a signal in the better or "
                "worse direction; assurance consistently pass or fail = the target lies outside the process "
                "limits; hit and miss = inside them, so the target will be met some months and missed others."
            ],
        )
    if notes.reasons:
        _lines(
            ws, ["", "Why there is no figure (the notes numbered on the Dashboard and ASCOF sheets):"] + notes.lines()
        )
    _widths(ws, {"A": 140})
    for row in ws.iter_rows(min_row=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(ws, title)
    return ws


# --- the workbook ----------------------------------------------------------------------------


def _raw(data: ReportData, sql: str) -> pd.DataFrame:
    """Text as it is (the workbook stores strings as text; Markdown escaping is for the reports)."""
    return data.sql(sql, [data.la_code])


def write_vital_signs(data: ReportData, path: Path, made: dt.date | None = None, held: str = "") -> Path:
    """Write the workbook; `made` is the date in its title block (today unless given), `held` the
    reason a held (unpublished) build's workbook carries."""
    title = Title(
        council=council_name(data.la_code),
        la_code=data.la_code,
        period_label=data.period_label,
        made=made or dt.date.today(),
        held=" ".join(held.split()),
    )
    wb = Workbook()
    notes = ReasonNotes()
    months = data.dashboard_months()
    dash = dashboard_frame(data)
    targets = {code: data.current_target(code) for code in dash["indicator_code"].unique()}
    forecasts = {code: f for code in dash["indicator_code"].unique() if (f := data.forecast(code)) is not None}
    dashboard_sheet(wb, title, dash, months, targets, notes, forecasts)
    ascof_sheet(wb, title, data.sql(ASCOF_SQL, [data.la_code, data.la_code]), notes)
    exc = data.sql(
        """select e.*, k.title, k.unit, k.decimals, k.lead_officer, k.data_owner from marts.exceptions e
           join marts.indicator_catalogue k using (indicator_code)
           where e.la_code = ? and e.period_end = ? order by k.dashboard_order""",
        [data.la_code, data.period_end],
    )
    exceptions_sheet(wb, title, exc)
    risks_sheet(
        wb,
        title,
        _raw(data, "select * from marts.risk_register where la_code = ? order by current_score desc, risk_id"),
        _raw(data, "select * from marts.risk_register_changes where la_code = ? order by change_type, risk_id"),
    )
    values_sheet(wb, title, data)
    notes_sheet(wb, title, notes, any(c in dash.columns for c in SPC_COLUMNS))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
