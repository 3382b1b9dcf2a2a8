"""The integrated performance report (Leicester's, seed 003): who gets it and when, its KPI and
safeguarding tables, and the safeguarding section rendered from a hand-made published database
that carries the safeguarding feed's interface (SG_* indicators and marts.safeguarding_breakdown),
so the populated section is checked before that feed exists. Set VITALSIGNS_SCREENSHOTS=<folder> to
keep the safeguarding page as a PNG."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import pytest

from dagster_project.reporting.data import ReasonNotes, ReportData
from dagster_project.reporting.integrated import (
    NOT_SUPPLIED,
    breakdown_rows,
    budget_sentence,
    kpi_period_type,
    kpi_table,
    measures,
    quarter_ends,
    quarter_label,
    rank_direction,
    renders_for,
    safeguarding_breakdown,
    safeguarding_supplied,
    safeguarding_table,
    safeguarding_values,
)

ROOT = Path(__file__).parents[2]
LEICESTER, NORFOLK = "E06000016", "E10000020"
Q1, Q2 = dt.date(2017, 6, 30), dt.date(2017, 9, 30)

SG_CATALOGUE = [  # the safeguarding feed's indicators as its branch will add them (unit, decimals)
    ("SG_CONCERNS", "Safeguarding concerns received", "count", "bigger", 0),
    ("SG_S42_CONVERSION", "Concerns leading to a section 42 enquiry", "%", "bigger", 1),
    ("SG_MAKE_SAFE_24H", "Made safe within 24 hours", "%", "bigger", 1),
    ("SG_S42_28DAYS", "Enquiries completed within 28 days", "%", "bigger", 1),
    ("SG_MSP_ACHIEVED", "Desired outcomes fully or partially met", "%", "bigger", 1),
    ("SG_MSP_FULLY", "Desired outcomes fully met", "%", "bigger", 1),
    ("SG_MSP_PARTIALLY", "Desired outcomes partially met", "%", "bigger", 1),
]
# Leicester's quarter 2 2017/18 (seed 003, 3.2.2 to 3.2.5); quarter 1 invented
SG_VALUES = [  # code, period_type, period_end, numerator, denominator, value
    ("SG_CONCERNS", "quarter", Q1, 580, None, 580.0),
    ("SG_CONCERNS", "quarter", Q2, 604, None, 604.0),
    ("SG_CONCERNS", "ytd", Q2, 1184, None, 1184.0),
    ("SG_S42_CONVERSION", "quarter", Q1, 98, 580, 16.9),
    ("SG_S42_CONVERSION", "quarter", Q2, 103, 604, 17.1),
    ("SG_S42_CONVERSION", "ytd", Q2, 201, 1184, 17.0),
    ("SG_MAKE_SAFE_24H", "quarter", Q2, 86, 101, 85.1485),
    ("SG_S42_28DAYS", "quarter", Q2, 60, 100, 60.0),
    ("SG_MSP_ACHIEVED", "quarter", Q2, 70, 74, 94.5946),
    ("SG_MSP_FULLY", "quarter", Q2, 38, 73, 52.0548),
    ("SG_MSP_PARTIALLY", "quarter", Q2, None, 73, None),  # 3 of 73: withheld, as publication suppresses it
]
BREAKDOWN = {  # breakdown: [(category, people)], None = suppressed
    "age_band": [("18-64", 42), ("65+", 45), ("All", 87)],
    "sex": [("Female", 60), ("Male", 27), ("All", 87)],
    "ethnic_group": [("White", 62), ("Asian", 9), ("Black", 6), ("Mixed", None), ("Not known", 8), ("All", 87)],
    "primary_support_reason": [("Physical support", 26), ("Mental health support", 14), ("Sensory support", None)],
    "abuse_type": [("Neglect and acts of omission", 48), ("Psychological", 31), ("Physical", 30)],
    "location_of_risk": [("Care home", 35), ("Own home", 26), ("Hospital", None)],
}


def make_db(path: Path, safeguarding: bool = True) -> Path:
    """A published database with what the integrated report reads: the catalogue (the seed, plus the
    safeguarding indicators), indicator values, ASCOF, and (optionally) the safeguarding feed's tables."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    seed = ROOT / "dbt" / "seeds" / "indicator_catalogue.csv"
    con.execute(f"create table marts.indicator_catalogue as select * from read_csv('{seed}', header = true)")
    con.execute(
        """create table marts.indicator_values (la_code varchar, indicator_code varchar, period_type varchar,
           period_end date, financial_year varchar, numerator double, denominator double, value double,
           display_value double, target double, rag varchar, suppressed boolean, is_override boolean,
           value_note varchar, direction_yoy varchar)"""
    )

    def value(code, period_type, end, value, numerator=None, denominator=None, target=None, rag=None, **kw):
        con.execute(
            "insert into marts.indicator_values values (?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, false, ?, ?)",
            [
                LEICESTER,
                code,
                period_type,
                end,
                numerator,
                denominator,
                value,
                None if value is None else round(value, 1),
                target,
                rag,
                kw.get("suppressed", False),
                kw.get("note"),
                kw.get("direction"),
            ],
        )

    # a prevention measure: baseline (last year's outturn), two quarters, target and rating
    value("VS_REABLEMENT_NO_ONGOING", "financial_year", dt.date(2017, 3, 31), 61.9)
    value("VS_REABLEMENT_NO_ONGOING", "quarter", Q1, 71.4, 50, 70, 68.0, "G")
    value("VS_REABLEMENT_NO_ONGOING", "quarter", Q2, 69.4, 59, 85, 68.0, "G", direction="Improving")
    value("VS_ENQUIRIES_RESOLVED", "quarter", Q1, None, note="no requests feed loaded")
    value("VS_ENQUIRIES_RESOLVED", "quarter", Q2, None, suppressed=True)
    value("RES_BUDGET_VARIANCE", "quarter", Q2, -3.6, None, 105.5)
    value("RES_AGENCY_PCT", "quarter", Q2, 5.24, target=6.0, rag="G")
    if safeguarding:
        for code, title, unit, polarity, decimals in SG_CATALOGUE:
            con.execute(
                """insert into marts.indicator_catalogue by name select ? as indicator_code, ? as title,
                   ? as unit, ? as polarity, ? as decimals, 'supplied' as kind, 'SP1' as strategic_priority,
                   'quarter' as dashboard_period_type""",
                [code, title, unit, polarity, decimals],
            )
        for code, period_type, end, num, den, v in SG_VALUES:
            value(code, period_type, end, v, num, den, suppressed=v is None)
        con.execute(
            """create table marts.safeguarding_breakdown (la_code varchar, period_type varchar, period_end date,
               breakdown varchar, category varchar, people integer, suppressed boolean)"""
        )
        for name, rows in BREAKDOWN.items():
            for category, people in rows:
                con.execute(
                    "insert into marts.safeguarding_breakdown values (?, 'quarter', ?, ?, ?, ?, ?)",
                    [LEICESTER, Q2, name, category, people, people is None],
                )
        # another quarter and council, which the report must not show
        con.execute(
            "insert into marts.safeguarding_breakdown values (?, 'quarter', ?, 'age_band', 'All', 999, false)",
            [LEICESTER, Q1],
        )
    con.execute(
        """create table marts.ascof as select * from (values
           (?, '2016/17', '1C(1A)', '1C1A', 3689.0, 3698.0, 99.757, 99.8, 99.0, 'G', false, 'Improving', 98.7,
            89.4, 28, 152, 31, 152, 'Improved', false, null)) t(la_code, financial_year, ascof_code, indicator_code,
            numerator, denominator, value, display_value, target, rag, suppressed, direction_of_travel,
            previous_year_value, england_value, england_rank, england_rank_of, previous_england_rank,
            previous_england_rank_of, england_rank_direction, is_override, value_note)""",
        [LEICESTER],
    )
    con.close()
    return path


@pytest.fixture
def fixture_db(tmp_path):
    return make_db(tmp_path / "published.duckdb")


def test_it_is_made_for_quarter_end_months_of_enabled_councils_only():
    assert renders_for(LEICESTER, "2017-09") and renders_for(LEICESTER, "2018-03")
    assert not renders_for(LEICESTER, "2017-08")
    assert not renders_for(NORFOLK, "2017-09")  # the councils seed does not enable it for Norfolk


def test_quarters_run_april_to_march_as_far_as_the_report_month():
    assert quarter_ends("2017-09") == [Q1, Q2]
    assert quarter_ends("2018-03")[-1] == dt.date(2018, 3, 31) and len(quarter_ends("2018-03")) == 4
    assert quarter_label("2017-12") == "2017/18 Quarter 3"


def test_a_quarter_column_shows_ytd_for_yearly_measures_the_quarter_for_events_the_position_for_snapshots():
    assert kpi_period_type("financial_year", "cohort") == "ytd"
    assert kpi_period_type("month", "event") == "quarter"
    assert kpi_period_type("month", "snapshot") == "month"
    assert kpi_period_type("month", "supplied") == "month"  # a monthly supplied figure is not summed
    assert kpi_period_type("rolling_12m", "event") == "rolling_12m"


def test_every_kpi_the_report_shows_has_a_priority():
    import pandas as pd

    cat = pd.read_csv(ROOT / "dbt" / "seeds" / "indicator_catalogue.csv")
    assert cat["strategic_priority"].notna().all()
    assert set(cat.loc[cat["indicator_code"].str.startswith("RES_"), "strategic_priority"]) == {"budget", "workforce"}


def test_kpi_rows_give_baseline_quarters_target_and_a_lettered_rating(fixture_db):
    r = ReportData(fixture_db, LEICESTER, "2017-09")
    try:
        notes = ReasonNotes()
        rows = measures(r, "SP2")
        header, body, _ = kpi_table(r, rows[rows["indicator_code"].isin(["VS_REABLEMENT_NO_ONGOING"])], notes)
        assert header == [
            "Measure",
            "Better",
            "Baseline 2016/17",
            "2017/18 Q1",
            "2017/18 Q2",
            "Since last year",
            "Target",
            "Rating",
        ]
        assert body[0][2:] == ["61.9%", "71.4%", "69.4%", "Improving", "68.0%", "[Green G]{.rag .rag-g}"]
        header, body, _ = kpi_table(r, rows[rows["indicator_code"] == "VS_ENQUIRIES_RESOLVED"], notes)
        # no figure for a reason says so (never 0); a withheld one is '*'; no row at all is N/A
        assert body[0][2:] == ["N/A", "no data [1]", "*", ""] and notes.reasons == ["no requests feed loaded"]
        assert header[-1] == "Since last year"  # no target in the table: no empty Target and Rating columns
        assert budget_sentence(r) == "The department is forecasting to spend £3.6m less than the budget of £105.5m."
    finally:
        r.close()


def test_the_safeguarding_tables_show_the_quarter_with_suppressed_cells_as_suppressed(fixture_db):
    r = ReportData(fixture_db, LEICESTER, "2017-09")
    try:
        values, breakdown = safeguarding_values(r), safeguarding_breakdown(r)
        assert safeguarding_supplied(values, breakdown)
        assert breakdown_rows(breakdown, "ethnic_group") == [
            ["White", "62"],
            ["Asian", "9"],
            ["Not known", "8"],
            ["Black", "6"],
            ["Mixed", "*"],
            ["All", "87"],
        ]
        header, rows, _ = safeguarding_table(r, values, ReasonNotes())
        assert header == ["Measure", "2017/18 Q1", "2017/18 Q2", "Year to date"]
        assert rows[0][1:] == ["580", "604", "1,184"]
        assert rows[2][2] == "85.1% (86/101)"
        assert rows[-1][2] == "*"  # a suppressed figure shows as suppressed, with no counts beside it
    finally:
        r.close()


def test_without_the_safeguarding_feed_nothing_is_supplied(tmp_path):
    r = ReportData(make_db(tmp_path / "bare.duckdb", safeguarding=False), LEICESTER, "2017-09")
    try:
        assert not safeguarding_supplied(safeguarding_values(r), safeguarding_breakdown(r))
    finally:
        r.close()


def test_the_rank_direction_reads_as_the_paper():
    class Row:
        england_rank_direction = "Improved"
        previous_england_rank, previous_england_rank_of = 147, 150

    assert rank_direction(Row) == "Improved, from 147/150"
    Row.england_rank_direction = None
    assert rank_direction(Row) == ""


def render_september(db: Path, out: Path):
    """Leicester's report for September 2017 from a hand-made database: the render result, and the
    HTML's text with tags dropped and spaces collapsed."""
    from dagster_project.reporting.quarto import render

    result = render(
        ROOT / "reports" / "integrated_report.qmd",
        out,
        params={"la_code": LEICESTER, "period": "2017-09", "db": str(db), "landing": "", "held": ""},
        output_name="integrated_report",
    )
    html = result.outputs["html"].read_text(encoding="utf-8")
    return result, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_the_populated_safeguarding_section_renders(fixture_db, tmp_path):
    """The whole report from the fixture: the section reads as the paper's 3.2, suppressed cells as '*'."""
    result, text = render_september(fixture_db, tmp_path / "out")
    assert NOT_SUPPLIED not in text
    assert "87 individuals were involved in a safeguarding enquiry" in text
    assert "Quarter 2 performance" in text and "85.1% (86/101)" in text
    assert "Mixed *" in text and "999" not in text
    assert "Age 18-64 42 65+ 45 All 87" in text  # age in its natural order, the total last
    # people and concluded enquiries are different units: two tables, abuse types under "Enquiries"
    people_part, _, enquiry_part = text.partition("Enquiries concluded in quarter 2")
    assert "Type of abuse" in enquiry_part and "Type of abuse" not in people_part
    assert "Improved, from 31/152" in text and "28/152" in text
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(result.outputs["pdf"]))
    page = next(p for p in doc if "Quarter 2 performance" in p.get_textpage().get_text_range())
    keep = os.environ.get("VITALSIGNS_SCREENSHOTS")
    if keep:
        page.render(scale=1.5).to_pil().convert("RGB").save(Path(keep) / "integrated_safeguarding.png")


@pytest.mark.slow
def test_a_council_without_the_safeguarding_feed_is_told_it_is_not_yet_supplied(tmp_path):
    """The section says the feed has not arrived (never a blank, a zero or an empty table); the sample
    now carries the feed, so this hand-made council is what keeps the wording tested end to end."""
    _, text = render_september(make_db(tmp_path / "bare.duckdb", safeguarding=False), tmp_path / "out")
    section = text.split("Keeping people safe")[-1].partition("Managing our resources")[0]  # after the contents
    assert f"{NOT_SUPPLIED}. No safeguarding figures have been loaded for" in section
    assert "individuals were involved" not in section and "Quarter 2 performance" not in section


def test_the_asset_renders_enabled_councils_at_quarter_ends_and_says_what_it_left_out(monkeypatch, tmp_path):
    import logging
    from types import SimpleNamespace

    from dagster_project.assets import reports
    from dagster_project.reporting.outputs import RenderResult

    from ..conftest import sample_settings

    settings = sample_settings(tmp_path / "landing", tmp_path / "home")
    asked = [(LEICESTER, "2017-09"), (LEICESTER, "2017-08"), (NORFOLK, "2017-09")]
    monkeypatch.setattr(reports, "targets", lambda *a, **k: asked)
    made = []

    def fake_render(qmd, out_dir, params, output_name):
        made.append((params["la_code"], params["period"], Path(qmd).name))
        return RenderResult("fake", {"html": out_dir / f"{output_name}.html"}, "", 0.0)

    monkeypatch.setattr(reports, "render", fake_render)
    context = SimpleNamespace(log=logging.getLogger("test"), has_partition_key=False)
    result = reports._render_all(
        context, SimpleNamespace(settings=settings), reports.ReportConfig(), "integrated_report", renders_for
    )
    assert made == [(LEICESTER, "2017-09", "integrated_report.qmd")]
    assert result.metadata["not_made"].data == [f"{LEICESTER} 2017-08", f"{NORFOLK} 2017-09"]
    made.clear()
    reports._render_all(context, SimpleNamespace(settings=settings), reports.ReportConfig(), "committee_report")
    assert len(made) == 3  # the committee pack is made for every council and month, as before
