"""vital_signs.xlsx opened as Excel would open it (openpyxl): figures are numbers with number formats,
RAG is a fill plus a letter in its own cell, no figure is empty (never 0) with its reason beside it,
a suppressed figure stays hidden, and every printed sheet has a title, print area and print titles."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from dagster_project.reporting.data import ReasonNotes
from dagster_project.reporting.spreadsheet import (
    RAG_COLOURS,
    Title,
    ascof_sheet,
    count,
    dashboard_sheet,
    number_format,
    risks_sheet,
    stored,
)
from tests.reporting.workbook_html import shown

TITLE = Title(
    council="Norfolk County Council", la_code="E10000020", period_label="March 2017", made=dt.date(2017, 4, 20)
)
MONTHS = [dt.date(2017, 1, 31), dt.date(2017, 2, 28), dt.date(2017, 3, 31)]


def dash_row(
    code,
    month,
    value,
    display=None,
    rag=None,
    numerator=None,
    denominator=None,
    suppressed=False,
    note=None,
    unit="%",
    decimals=1,
    title=None,
    **kw,
):
    return dict(
        dashboard_order=1,
        indicator_code=code,
        title=title or f"Indicator {code}",
        polarity="bigger",
        unit=unit,
        decimals=decimals,
        period_end=pd.Timestamp(month),
        value=value,
        display_value=display if display is not None else value,
        numerator=numerator,
        denominator=denominator,
        target=90.0 if rag else None,
        rag=rag,
        watch=False,
        is_override=False,
        suppressed=suppressed,
        value_note=note,
        **kw,
    )


def save_and_open(wb: Workbook, tmp_path: Path):
    wb.save(tmp_path / "book.xlsx")
    return load_workbook(tmp_path / "book.xlsx")


def rows_of(ws) -> list[list]:
    return [[c.value for c in r] for r in ws.iter_rows()]


def find_row(ws, first: str, second: str | None = None, after: int = 0) -> int:
    for r in range(after + 1, ws.max_row + 1):
        if (first is None or ws.cell(r, 1).value == first) and (second is None or ws.cell(r, 2).value == second):
            return r
    raise AssertionError(f"no row {first!r} / {second!r}")


@pytest.fixture
def dashboard(tmp_path):
    frame = pd.DataFrame(
        [
            # a targeted percentage: Green, Amber, then suppressed
            dash_row("P", MONTHS[0], 91.04, 91.0, "G", 91, 100),
            dash_row("P", MONTHS[1], 88.46, 88.5, "A", 92, 104),
            dash_row("P", MONTHS[2], None, None, None, None, 40, suppressed=True),
            # a rate: a real zero, no data (with a reason) and a month with no row at all
            dash_row("Z", MONTHS[0], 0.0, 0.0, None, 0, 216280, unit="per 100k", decimals=1),
            dash_row(
                "Z", MONTHS[1], None, None, None, 0, None, unit="per 100k", decimals=1, note="no reviews file yet"
            ),
            # a count without a denominator
            dash_row("C", MONTHS[0], 736.0, 736.0, None, 736, None, unit="count", decimals=0),
        ]
    )
    wb = Workbook()
    notes = ReasonNotes()
    dashboard_sheet(wb, TITLE, frame, MONTHS, {"P": 90.0, "Z": None, "C": None}, notes)
    return save_and_open(wb, tmp_path)["Dashboard"]


def test_number_formats_come_from_the_unit_and_the_catalogue_precision():
    assert number_format("%", 1) == "0.0%" and number_format("%", 0) == "0%"
    assert number_format("per 100k", 1) == "#,##0.0" and number_format("per 100k", 0) == "#,##0"
    assert number_format("count", 0) == "#,##0" and number_format("count", 2) == "#,##0.00"
    assert stored(88.5, "%") == pytest.approx(0.885) and stored(611.0, "per 100k") == 611.0
    assert stored(None, "%") is None and stored(float("nan"), "count") is None
    assert count(736.0) == 736 and isinstance(count(736.0), int) and count(2.5) == 2.5 and count(None) is None


def test_dashboard_figures_are_numbers_with_formats_and_ratings_in_their_own_cells(dashboard):
    ws = dashboard
    head = find_row(ws, "Indicator", "Row")
    header = [c.value for c in ws[head]]
    assert header[:4] == ["Indicator", "Row", "Better", "Unit"] and header[4:7] == ["Jan 17", "Feb 17", "Mar 17"]
    assert header[7:] == ["Target", "Latest rating"]
    p = find_row(ws, "Indicator P", "Value")
    jan, feb = ws.cell(p, 5), ws.cell(p, 6)
    assert isinstance(jan.value, float) and jan.value == pytest.approx(0.91) and jan.number_format == "0.0%"
    assert shown(jan) == "91.0%" and shown(feb) == "88.5%"
    assert ws.cell(p, 8).value == pytest.approx(0.9) and ws.cell(p, 8).number_format == "0.0%"  # the target
    # RAG: the fill and a text colour on the number, the letter in the Rating row below and the latest rating
    assert str(jan.fill.fgColor.rgb).endswith(RAG_COLOURS["G"][0]) and str(jan.font.color.rgb).endswith("006100")
    assert str(feb.fill.fgColor.rgb).endswith(RAG_COLOURS["A"][0])
    rating = find_row(ws, None, "Rating", p)
    assert [ws.cell(rating, c).value for c in (5, 6, 7)] == ["G", "A", "*"]
    assert str(ws.cell(rating, 5).fill.fgColor.rgb).endswith(RAG_COLOURS["G"][0])
    assert ws.cell(p, 9).value == "A"  # the latest month with a figure (March is suppressed)
    num = find_row(ws, None, "Numerator", p)
    den = find_row(ws, None, "Denominator", p)
    assert [ws.cell(num, c).value for c in (5, 6, 7)] == [91, 92, None]
    assert [ws.cell(den, c).value for c in (5, 6, 7)] == [100, 104, 40]
    assert ws.cell(num, 5).number_format == "#,##0" and isinstance(ws.cell(num, 5).value, int)


def test_a_suppressed_figure_stays_hidden_and_no_figure_is_empty_never_zero(dashboard):
    ws = dashboard
    p = find_row(ws, "Indicator P", "Value")
    assert ws.cell(p, 7).value is None  # suppressed: hidden, with "*" below
    z = find_row(ws, "Indicator Z", "Value")
    assert ws.cell(z, 5).value == 0.0 and shown(ws.cell(z, 5)) == "0.0"  # a real zero is a zero
    assert ws.cell(z, 6).value is None and ws.cell(z, 7).value is None  # no data, and no row at all
    rating = find_row(ws, None, "Rating", z)
    assert [ws.cell(rating, c).value for c in (5, 6, 7)] == [None, "no data [1]", "–"]
    # the count beside "no data" is not shown either: it would read as the missing figure
    num = find_row(ws, None, "Numerator", z)
    assert [ws.cell(num, c).value for c in (5, 6, 7)] == [0, None, None]
    text = [str(v) for r in rows_of(ws) for v in r if v is not None]
    assert "[1] no reviews file yet" in text
    # a count has no denominator row, and no Rating row when it has neither rating nor gap
    c = find_row(ws, "Indicator C", "Value")
    assert ws.cell(c, 5).value == 736.0 and ws.cell(c, 5).number_format == "#,##0"
    assert ws.cell(c + 1, 2).value == "Numerator" and ws.cell(c + 2, 2).value != "Denominator"


def test_no_figure_is_stored_as_text(dashboard):
    """The old workbook stored "88.5% G": a figure in text cannot be charted or summed."""
    looks_like_a_figure = re.compile(r"^-?[\d,]+(\.\d+)?%?( [GAR])?†?$")
    assert not [
        c.coordinate
        for r in dashboard.iter_rows()
        for c in r
        if isinstance(c.value, str) and looks_like_a_figure.match(c.value)
    ]


def test_the_dashboard_has_a_title_block_and_prints_landscape_a4_one_page_wide(dashboard):
    ws = dashboard
    assert ws["A1"].value == "Norfolk County Council (E10000020)" and ws["A1"].font.bold
    assert "Adult Social Services" in ws["A2"].value and "March 2017" in ws["A2"].value
    assert "20 April 2017" in ws["A3"].value and "published database" in ws["A3"].value
    head = find_row(ws, "Indicator", "Row")
    assert ws.print_title_rows == f"${head}:${head}"  # the header repeats on every page
    assert ws.freeze_panes == f"E{head + 1}"
    assert ws.print_area == f"'Dashboard'!$A$1:$I${ws.max_row}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert "Page &P of &N" in ws.oddFooter.right.text


def test_spc_columns_appear_only_when_the_data_has_them(tmp_path):
    frame = pd.DataFrame(
        [
            dash_row("P", MONTHS[0], 91.0, rag="G", spc_variation="common_cause", spc_assurance=None),
            dash_row(
                "P",
                MONTHS[2],
                95.0,
                rag="G",
                spc_variation="special_cause_improving",
                spc_assurance="consistently_pass",
            ),
        ]
    )
    wb = Workbook()
    dashboard_sheet(wb, TITLE, frame, MONTHS, {"P": 90.0}, ReasonNotes())
    ws = save_and_open(wb, tmp_path)["Dashboard"]
    head = find_row(ws, "Indicator", "Row")
    assert [c.value for c in ws[head]][-2:] == ["SPC variation", "SPC assurance"]
    p = find_row(ws, "Indicator P", "Value")
    assert [ws.cell(p, c).value for c in (10, 11)] == ["Special cause improving", "Consistently pass"]

    without = Workbook()
    dashboard_sheet(
        without, TITLE, frame.drop(columns=["spc_variation", "spc_assurance"]), MONTHS, {"P": 90.0}, ReasonNotes()
    )
    ws = save_and_open(without, tmp_path)["Dashboard"]
    assert not any("SPC" in str(c.value) for c in ws[find_row(ws, "Indicator", "Row")])


def test_the_year_end_forecast_is_on_the_dashboard_with_its_interval_target_and_rating(tmp_path):
    from dagster_project.reporting.forecast import YearEndForecast

    def forecast(**kw):
        base = dict(
            financial_year="2016/17",
            forecast=82.04,
            forecast_lower=80.0,
            forecast_upper=84.55,
            interval_coverage=0.8,
            annual_target=85.0,
            forecast_rag="A",
            forecast_note=None,
            interval_note=None,
        )
        return YearEndForecast.from_row(pd.Series({**base, **kw}))

    frame = pd.DataFrame(
        [
            dash_row("P", MONTHS[0], 91.0, rag="G", spc_variation="common_cause", spc_assurance=None),
            dash_row("Q", MONTHS[0], 50.0, rag="G", spc_variation="common_cause", spc_assurance=None),
            dash_row("H", MONTHS[0], 50.0, rag="G", spc_variation="common_cause", spc_assurance=None),
        ]
    )
    wb = Workbook()
    forecasts = {"P": forecast(), "H": forecast(suppressed=True)}
    dashboard_sheet(wb, TITLE, frame, MONTHS, {"P": 90.0}, ReasonNotes(), forecasts)
    ws = save_and_open(wb, tmp_path)["Dashboard"]
    head = find_row(ws, "Indicator", "Row")
    names = [c.value for c in ws[head]]
    assert names[-5:] == ["Forecast 2016/17", "Forecast low", "Forecast high", "Annual target", "Forecast rating"]
    first = len(names) - 4
    p = find_row(ws, "Indicator P", "Value")
    got = [ws.cell(p, first + j).value for j in range(5)]
    assert got[:4] == [pytest.approx(0.8204), pytest.approx(0.80), pytest.approx(0.8455), pytest.approx(0.85)]
    assert got[4] == "A" and ws.cell(p, first + 4).fill.fgColor.rgb.endswith(RAG_COLOURS["A"][0][-6:])
    assert ws.cell(p, first).number_format == number_format("%", 1)
    # a measure without a forecast has empty cells, never 0; a hidden forecast shows only the target
    q = find_row(ws, "Indicator Q", "Value")
    assert [ws.cell(q, first + j).value for j in range(5)] == [None] * 5
    h = find_row(ws, "Indicator H", "Value")
    assert [ws.cell(h, first + j).value for j in range(5)] == [None, None, None, pytest.approx(0.85), None]

    without = Workbook()
    dashboard_sheet(without, TITLE, frame, MONTHS, {"P": 90.0}, ReasonNotes())
    ws = save_and_open(without, tmp_path)["Dashboard"]
    assert not any("Forecast" in str(c.value) for c in ws[find_row(ws, "Indicator", "Row")])


def contrast(fg: str, bg: str) -> float:
    def luminance(hex_: str) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_rag_text_meets_wcag_aa_on_its_fill_and_matches_the_html_pack():
    from dagster_project.reporting.palette import RAG, css

    rules = css().lower()
    for letter, (fill, ink) in RAG_COLOURS.items():
        assert contrast(ink, fill) >= 4.5, letter
        assert (f"#{fill}".lower(), f"#{ink}".lower()) == (RAG[letter].fill.lower(), RAG[letter].ink.lower())
        assert f"#{fill}".lower() in rules and f"#{ink}".lower() in rules


def ascof_frame(target=None, suppressed=False):
    base = dict(
        edition="SALT era",
        financial_year="2016/17",
        ascof_code="1E",
        indicator_code="1E",
        measure="Adults with a learning disability in paid employment",
        part=None,
        breakdown=None,
        polarity="bigger",
        unit="%",
        decimals=1,
        numerator=None if suppressed else 30,
        denominator=667,
        value=None if suppressed else 4.4977,
        display_value=None if suppressed else 4.5,
        target=target,
        rag="G" if target and not suppressed else None,
        is_override=False,
        value_note=None,
        previous_year_value=3.7,
        direction_of_travel="Improving",
        family_group_avg=6.4,
        family_group_rank=12,
        family_group_size=15,
        region_name="East of England",
        region_value=5.9,
        england_value=6.0,
        england_quartile=3,
        dhsc_value=None,
        difference=None,
        suppressed=suppressed,
    )
    return pd.DataFrame([base])


def table(ws) -> list[dict]:
    head = find_row(ws, "Edition")
    names = [c.value for c in ws[head]]
    out = []
    for r in ws.iter_rows(min_row=head + 1):
        if r[0].value is None:
            break
        out.append({n: c for n, c in zip(names, r) if n})
    return out


def test_ascof_has_comparators_as_numbers_and_a_target_column_only_with_targets(tmp_path):
    wb = Workbook()
    ascof_sheet(wb, TITLE, ascof_frame(), ReasonNotes())
    ascof_sheet(wb, TITLE, ascof_frame(target=4.0), ReasonNotes())
    ascof_sheet(wb, TITLE, ascof_frame(suppressed=True), ReasonNotes())
    book = save_and_open(wb, tmp_path)
    (row,) = table(book["ASCOF"])
    assert "Target" not in row
    assert row["Value"].value == pytest.approx(0.045) and shown(row["Value"]) == "4.5%"
    for name, expected in (
        ("Family group average", "6.4%"),
        ("Region (East of England)", "5.9%"),
        ("England", "6.0%"),
        ("Previous year", "3.7%"),
    ):
        assert shown(row[name]) == expected, name
    assert row["Rank in family"].value == "12 of 15" and row["England quartile"].value == "Q3"
    assert row["Numerator"].value == 30 and row["Numerator"].number_format == "#,##0"
    (with_target,) = table(book["ASCOF1"])
    assert shown(with_target["Target"]) == "4.0%" and with_target["Rating"].value == "G"
    assert str(with_target["Value"].fill.fgColor.rgb).endswith(RAG_COLOURS["G"][0])
    (hidden,) = table(book["ASCOF2"])
    assert hidden["Value"].value is None and hidden["Numerator"].value is None and hidden["Note"].value == "*"
    assert hidden["Denominator"].value == 667


def test_risks_are_scored_numbers_with_bands_filled_and_changes_never_read_nan(tmp_path):
    risks = pd.DataFrame(
        [
            dict(
                la_code="E10000020",
                snapshot_date=pd.Timestamp("2017-03-31"),
                risk_id="RM14079",
                risk_name="Care market",
                risk_description='=HYPERLINK("x")',
                area="ASC",
                tasks="1) plan",
                progress_update=None,
                original_likelihood=5,
                original_impact=5,
                original_score=25,
                current_likelihood=4,
                current_impact=5,
                current_score=20,
                target_likelihood=2,
                target_impact=4,
                target_score=8,
                band="High",
                original_band="High",
                target_band="Medium",
                target_date=pd.Timestamp("2018-03-31"),
                prospects="Amber",
                owner="James Bullion",
                review_date=pd.Timestamp("2017-06-02"),
                overdue=False,
                reported_by_exception=True,
                score_disagreement=None,
            )
        ]
    )
    changes = pd.DataFrame(
        [
            dict(
                la_code="E10000020",
                risk_id="RM14149",
                change_type="new",
                before=float("nan"),
                after="Impact of the Care Act",
            ),
            dict(la_code="E10000020", risk_id="RM14238", change_type="closed", before="Old", after=float("nan")),
            dict(la_code="E10000020", risk_id="RM14079", change_type="score", before="16", after="20"),
        ]
    )
    wb = Workbook()
    risks_sheet(wb, TITLE, risks, changes)
    book = save_and_open(wb, tmp_path)
    ws = book["Risks"]
    assert "as at 31 March 2017" in ws["A2"].value
    head = find_row(ws, "Risk")
    names = [c.value for c in ws[head]]
    row = dict(zip(names, ws[head + 1]))
    assert row["Current score"].value == 20 and isinstance(row["Current score"].value, int)
    assert row["Current likelihood"].value == 4 and row["Target score"].value == 8
    assert row["Band (current)"].value == "High"
    assert str(row["Band (current)"].fill.fgColor.rgb).endswith(RAG_COLOURS["R"][0])
    assert str(row["Current score"].fill.fgColor.rgb).endswith(RAG_COLOURS["R"][0])
    assert str(row["Prospects"].fill.fgColor.rgb).endswith(RAG_COLOURS["A"][0])
    assert row["Review date"].value.date() == dt.date(2017, 6, 2) and row["Review date"].number_format == "dd/mm/yyyy"
    assert ws.print_title_rows == f"${head}:${head}" and ws.page_setup.orientation == "landscape"
    detail = book["Risk detail"]
    cells = rows_of(detail)
    assert any(r[:4] == ["RM14149", "New risk", None, "Impact of the Care Act"] for r in cells)
    assert any(r[:4] == ["RM14238", "Closed risk", "Old", None] for r in cells)
    assert any(r[:4] == ["RM14079", "Current score changed", 16, 20] for r in cells)
    assert not any(isinstance(v, str) and v.lower() == "nan" for r in cells for v in r)
    text = detail.cell(find_row(detail, "RM14079"), 3)
    assert text.value == '=HYPERLINK("x")' and text.data_type == "s"  # outside text is never a formula


def test_notes_say_what_the_markers_mean_and_a_held_workbook_says_it_is_not_published(tmp_path):
    from dagster_project.reporting.spreadsheet import notes_sheet

    notes = ReasonNotes()
    notes.mark("no reviews file received yet")
    wb = Workbook()
    held = Title(**{**TITLE.__dict__, "held": "raw/reviews: quarantined"})
    notes_sheet(wb, held, notes, spc=True)
    text = [str(r[0]) for r in rows_of(save_and_open(wb, tmp_path)["Notes"]) if r[0]]
    assert any(t.startswith("NOT PUBLISHED") and "raw/reviews: quarantined" in t for t in text)
    assert any(t.startswith("* = a small number suppressed") and "left empty" in t for t in text)
    assert any(t.startswith("no data [n] =") and "never shown as zero" in t for t in text)
    assert "[1] no reviews file received yet" in text and any("SPC variation" in t for t in text)
