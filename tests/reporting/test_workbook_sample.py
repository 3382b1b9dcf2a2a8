"""The workbook and the reports' text on a built sample: every dashboard figure in the workbook is the
published one (a percentage as Excel's fraction), hidden ones stay hidden, and the rendered reports
print no "nan", one officer block per card and no developer wording."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from openpyxl import load_workbook

from dagster_project.build_runner import run_everything
from dagster_project.reporting.data import ReportData
from dagster_project.reporting.quarto import render
from dagster_project.reporting.spreadsheet import write_vital_signs
from dagster_project.sample import generate
from tests.conftest import query, sample_settings

pytestmark = pytest.mark.slow
LA, PERIOD = "E10000020", "2017-03"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("workbook")
    generate(root / "landing", councils=1, years=1, scale=0.05, seed=7)
    settings = sample_settings(root / "landing", root / "home")
    outcome = run_everything(settings, reports=False, dagster_log=False)
    assert outcome.success, outcome.failures
    data = ReportData(settings.published_path, LA, PERIOD, settings.landing)
    try:
        path = write_vital_signs(data, root / "out" / "vital_signs.xlsx", made=dt.date(2017, 4, 20))
    finally:
        data.close()
    return settings, load_workbook(path), root


def test_every_sheet_is_there_titled_and_set_up_for_printing(sample):
    _, wb, _ = sample
    assert wb.sheetnames == ["Dashboard", "ASCOF", "Exceptions", "Risks", "Risk detail", "Values", "Notes"]
    for ws in wb.worksheets:
        assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"], ws.title
        if ws.title == "Values":  # a plain table for filters and pivots: headings in row 1
            assert ws["A1"].value == "indicator_code" and ws.auto_filter.ref.startswith("A1:")
            continue
        assert ws["A1"].value == "Norfolk County Council (E10000020)", ws.title
        assert "March 2017" in ws["A2"].value and "20 April 2017" in ws["A3"].value
        assert ws.print_area and ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        if ws.title != "Notes":
            assert re.fullmatch(r"\$(\d+):\$\1", ws.print_title_rows), ws.title


def test_dashboard_figures_are_the_published_ones_and_hidden_ones_stay_hidden(sample):
    settings, wb, _ = sample
    ws = wb["Dashboard"]
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Indicator")
    months = {ws.cell(head, c).value: c for c in range(5, 18)}
    rows = query(
        settings.published_path,
        "select k.title, k.unit, v.period_end, v.display_value, v.rag, v.suppressed "
        "from marts.dashboard v join marts.indicator_catalogue k using (indicator_code) "
        "where v.la_code = ? and k.dashboard_order is not null and v.period_end between ? and ?",
        [LA, dt.date(2016, 3, 31), dt.date(2017, 3, 31)],
    )
    value_row = {
        ws.cell(r, 1).value.replace(" ⚑ watch", ""): r
        for r in range(head + 1, ws.max_row + 1)
        if ws.cell(r, 2).value == "Value"
    }
    hidden = 0
    for title, unit, period_end, display, rag, suppressed in rows:
        r, c = value_row[title], months[period_end.strftime("%b %y")]
        cell = ws.cell(r, c)
        rating = ws.cell(r + 1, c) if ws.cell(r + 1, 2).value == "Rating" else None
        if suppressed:
            hidden += 1
            assert cell.value is None and rating.value == "*", (title, period_end)
        elif display is None:
            assert cell.value is None and rating.value.startswith("no data"), (title, period_end)
        else:
            expected = display / 100 if unit == "%" else display
            assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(expected), (title, period_end)
            assert cell.number_format in ("0.0%", "0%", "#,##0", "#,##0.0"), cell.number_format
            assert (rating.value if rating else None) == rag or rating.value.startswith(rag or "")
    assert hidden, "the sample is small enough to have suppressed figures"
    # no figure anywhere in the workbook is stored as text
    figure_text = re.compile(r"^-?[\d,]+(\.\d+)?%?( [GAR])?$")
    assert not [
        f"{w.title}!{c.coordinate}"
        for w in wb.worksheets
        for r in w.iter_rows()
        for c in r
        if isinstance(c.value, str) and figure_text.match(c.value)
    ]


def test_ascof_and_exceptions_sheets_carry_the_published_figures(sample):
    settings, wb, _ = sample
    ws = wb["ASCOF"]
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Edition")
    names = [c.value for c in ws[head]]
    table = [dict(zip(names, r)) for r in ws.iter_rows(min_row=head + 1) if r[0].value]
    table = [r for r in table if r["Edition"].value in ("SALT era",) or "ASCOF" in r["Edition"].value]
    has_target = query(settings.published_path, "select count(target) from marts.ascof where la_code = ?", [LA])[0][0]
    assert ("Target" in names) == (has_target > 0)
    england = [r for r in table if r["England"].value is not None]
    assert england and all(isinstance(r["England"].value, float) for r in england)
    hidden = [r for r in table if r["Note"].value == "*"]
    # the value goes; a count stays only where the published database kept it (its suppression decides)
    assert all(r["Value"].value is None and r["Rating"].value is None for r in hidden)
    published = query(
        settings.published_path,
        "select count(*) filter (where suppressed), "
        "count(numerator) filter (where suppressed) from marts.ascof_cld where la_code = ?",
        [LA],
    )[0]
    assert sum(r["Numerator"].value is not None for r in hidden if r["Edition"].value != "SALT era") == published[1]
    (n,) = query(
        settings.published_path,
        "select count(*) from marts.exceptions where la_code = ? and period_end = ?",
        [LA, dt.date(2017, 3, 31)],
    )[0]
    exc = wb["Exceptions"]
    head = next(r for r in range(1, 10) if exc.cell(r, 1).value == "Indicator")
    rated = [exc.cell(r, 4).value for r in range(head + 1, head + 1 + n)]
    assert n and all(letter in ("G", "A", "R") for letter in rated)


def test_the_workbook_screenshot(sample):
    """The Dashboard as Excel shows it (number formats and fills applied), for looking at it."""
    from tests.reporting.workbook_html import sheet_html

    _, wb, root = sample
    page = sheet_html(root / "out" / "vital_signs.xlsx", "Dashboard")
    assert "background:#C6EFCE" in page.replace("c6efce", "C6EFCE") or "background:#FFC7CE" in page
    assert re.search(r">\d+\.\d%<", page)


@pytest.fixture(scope="module")
def rendered(sample):
    settings, _, root = sample
    params = {"la_code": LA, "period": PERIOD, "db": str(settings.published_path), "landing": str(settings.landing)}
    out = {}
    for doc in ("committee_report", "risk_register_summary"):
        result = render(settings_reports() / f"{doc}.qmd", root / "rendered", params, formats=("html",))
        page = re.sub(r"<script.*?</script>|<style.*?</style>", "", result.outputs["html"].read_text(), flags=re.S)
        out[doc] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return out


def settings_reports():
    from dagster_project.settings import REPORTS_DIR

    return REPORTS_DIR


def test_the_reports_print_no_nan_one_officer_block_and_no_developer_wording(rendered):
    for doc, text in rendered.items():
        assert not re.search(r"\bnan\b", text, re.IGNORECASE), doc
        assert not re.search(r"\bseed\b|typed scores|VITALSIGNS_|\bdbt\b|\.py\b", text), doc
    report = rendered["committee_report"]
    cards = report.count("Why reported:")
    assert cards and report.count("Responsible officers") == cards
    assert "Lead:" in report and report.count("Lead:") == cards  # the catalogue's line is gone
    ascof = report[report.rindex("ASCOF measures") :]  # the heading, not its table-of-contents entry
    header = ascof[: ascof.index("England quartile")]
    assert "Target" not in header  # the sample's ASCOF measures have no targets
    changes = rendered["risk_register_summary"]
    assert "Changes since the last snapshot" in changes
