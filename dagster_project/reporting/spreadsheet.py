"""vital_signs.xlsx: the dashboard and the indicator values for analysts who live in Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .data import ReasonNotes, ReportData, fmt, value_cell

FILLS = {
    "G": PatternFill("solid", fgColor="C6EFCE"),
    "A": PatternFill("solid", fgColor="FFEB9C"),
    "R": PatternFill("solid", fgColor="FFC7CE"),
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


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


def _header(ws, names: list[str]) -> None:
    _append(ws, names)
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"


def write_vital_signs(data: ReportData, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dashboard"
    months = data.dashboard_months()
    _header(ws, ["Indicator", "Better"] + [m.strftime("%b %y") for m in months] + ["Target"])
    dash = data.dashboard()
    notes = ReasonNotes()
    for code, g in dash.groupby("indicator_code", sort=False):
        first = g.iloc[0]
        cells = {pd.Timestamp(v.period_end).date(): v for v in g.itertuples() if not pd.isna(v.period_end)}
        target = data.current_target(code)
        row = [first.title, first.polarity]
        for m in months:
            v = cells.get(m)
            if v is None:
                row.append(None)
            else:
                text = value_cell(v, first.unit, first.decimals, notes)
                row.append(f"{text} {v.rag}" if isinstance(v.rag, str) else text)
        row.append(fmt(target, first.unit, first.decimals) if target is not None else None)
        _append(ws, row)
        for j, m in enumerate(months):
            v = cells.get(m)
            if v is not None and isinstance(v.rag, str):
                ws.cell(ws.max_row, 3 + j).fill = FILLS[v.rag]
    ws.column_dimensions["A"].width = 60
    for j in range(len(months) + 2):
        ws.column_dimensions[get_column_letter(2 + j)].width = 11
    _append(ws, [])
    _append(
        ws,
        [
            "Letters give the rating as well as the colour: G meets target, A within tolerance, R off target; "
            "no letter = no target. * = suppressed small number. "
            "† = value supplied by the council (overrides the computed one). "
            "no data [n] = no figure can be given, for the reason in note n (never shown as zero)."
        ],
    )
    for line in notes.lines():
        ws.append([line])

    values = data.sql(
        """select v.indicator_code, k.title, v.period_type, v.period_end, v.numerator, v.denominator, v.value,
                  v.target, v.rag, v.direction_prev, v.direction_yoy, v.is_override, v.suppressed, v.value_note,
                  k.unit, k.decimals
           from marts.indicator_values v join marts.indicator_catalogue k using (indicator_code)
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
    ]
    _header(vs, cols)
    for rec in values[cols + ["decimals"]].itertuples(index=False):
        row = [None if (isinstance(x, float) and pd.isna(x)) or x is pd.NaT else x for x in rec[:-1]]
        row[3] = pd.Timestamp(row[3]).date() if row[3] is not None else None
        _append(vs, row)
        r = vs.max_row
        vs.cell(r, 4).number_format = "yyyy-mm-dd"
        places = int(rec[-1]) if not pd.isna(rec[-1]) else 1
        for c in (7, 8):
            vs.cell(r, c).number_format = "#,##0" + ("." + "0" * places if places else "")
        for c in (5, 6):
            vs.cell(r, c).number_format = "#,##0"
        if isinstance(rec[8], str) and rec[8] in FILLS:
            vs.cell(r, 9).fill = FILLS[rec[8]]
    vs.column_dimensions["B"].width = 50
    vs.auto_filter.ref = vs.dimensions
    write_ascof_sheet(data, wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


ASCOF_COLUMNS = [
    "edition",
    "financial_year",
    "ascof_code",
    "indicator_code",
    "measure",
    "part",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "target",
    "rag",
    "dhsc_value",
    "difference",
    "family_group_avg",
    "region_value",
    "england_value",
    "suppressed",
]


def write_ascof_sheet(data: ReportData, wb: Workbook) -> None:
    """Both ASCOF editions, one row per figure, numbers as numbers (a suppressed count is empty with
    suppressed TRUE): the SALT-era measures from `ascof`, the revised ones with every part and
    breakdown from `ascof_cld` (its Total rows carry the catalogue's comparators)."""
    rows = data.sql(
        """select 'SALT era' as edition, a.financial_year, a.ascof_code, a.indicator_code, k.title as measure,
                  null as part, null as breakdown, a.numerator, a.denominator, a.value, a.target, a.rag,
                  null::double as dhsc_value, null::double as difference, a.family_group_avg, a.region_value,
                  a.england_value, a.suppressed, k.decimals, a.ascof_code as sort_key
           from marts.ascof a join marts.indicator_catalogue k using (indicator_code)
           where a.la_code = ? and k.kind is distinct from 'cld'
           union all
           select x.edition, c.financial_year, k.ascof_ref, c.indicator_code, c.measure, c.part, c.breakdown,
                  c.numerator, c.denominator, c.value, a.target, a.rag, c.dhsc_value, c.difference,
                  a.family_group_avg, a.region_value, a.england_value, c.suppressed, 1,
                  format('{:02d} {} {:02d}', list_position(['ASCOF 2A', 'ASCOF 2B', 'ASCOF 2C', 'ASCOF 2E',
                         'ASCOF 2E LD', 'ASCOF 3D (Clients)', 'ASCOF 3D (Carers)'], c.measure), c.part,
                         list_position(['18 to 64', '65 and above', 'Male', 'Female', 'Total'], c.breakdown))
           from marts.ascof_cld c
           cross join (select any_value(edition) as edition from marts.cld_indicator_crosswalk) x
           left join marts.indicator_catalogue k using (indicator_code)
           left join marts.ascof a using (la_code, financial_year, indicator_code)
           where c.la_code = ?
           order by edition desc, financial_year, sort_key, measure""",
        [data.la_code, data.la_code],
    )
    ws = wb.create_sheet("ASCOF")
    _header(ws, ASCOF_COLUMNS)
    for rec in rows.itertuples(index=False):
        d = rec._asdict()
        row = [None if (isinstance(d[c], float) and pd.isna(d[c])) or d[c] is pd.NA else d[c] for c in ASCOF_COLUMNS]
        row = [bool(v) if c == "suppressed" and v is not None else v for c, v in zip(ASCOF_COLUMNS, row)]
        _append(ws, row)
        r = ws.max_row
        places = int(d["decimals"]) if not pd.isna(d["decimals"]) else 1
        for c in ("numerator", "denominator"):
            ws.cell(r, ASCOF_COLUMNS.index(c) + 1).number_format = "#,##0"
        for c in ("value", "target", "dhsc_value", "difference", "family_group_avg", "region_value", "england_value"):
            ws.cell(r, ASCOF_COLUMNS.index(c) + 1).number_format = "#,##0" + ("." + "0" * places if places else "")
        rag = d["rag"]
        if isinstance(rag, str) and rag in FILLS:
            ws.cell(r, ASCOF_COLUMNS.index("rag") + 1).fill = FILLS[rag]
    ws.column_dimensions["E"].width = 50
    ws.auto_filter.ref = ws.dimensions
