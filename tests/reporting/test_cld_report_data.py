"""What the committee report reads for the revised ASCOF and the CLD annex: editions split, years
chosen, and every string from outside (file names, submitted values) escaped. A tiny published
database made here (only the tables these queries read)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from dagster_project.reporting.data import ReportData

HOSTILE = "<img src=x onerror=alert(1)>[x](javascript:alert(2)) `$x$` @cite"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "published.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.indicator_catalogue as select * from (values
            ('2A1', '2A(1)', 'salt', 'Admissions 18-64', 'per 100k', 'smaller', 1, null, null),
            ('CLD_2A', '2A', 'cld', 'Short-term support (CLD)', '%', 'bigger', 1, null, null))
            t(indicator_code, ascof_ref, kind, title, unit, polarity, decimals, dashboard_order, comparator_code)""")
        con.execute("""create table marts.ascof as select * from (values
            ('L', '2016/17', '2A(1)', '2A1', 10.0, 500000.0, 2.0, false),
            ('L', '2024/25', '2A', 'CLD_2A', 80.0, 100.0, 80.0, false))
            t(la_code, financial_year, ascof_code, indicator_code, numerator, denominator, value, suppressed)""")
        con.execute("""create table marts.ascof_cld as select * from (values
            ('L', '2023/24', 'ASCOF 2A', '', 'Total', 70.0, 90.0, 77.7, false, 'CLD_2A'),
            ('L', '2024/25', 'ASCOF 2A', '', 'Total', 80.0, 100.0, 80.0, false, 'CLD_2A'),
            ('L', '2025/26', 'ASCOF 2A', '', 'Total', null, 100.0, null, true, 'CLD_2A'))
            t(la_code, financial_year, measure, part, breakdown, numerator, denominator, value, suppressed,
              indicator_code)""")
        con.execute(f"""create table marts.cld_data_quality as select * from (values
            ('L', timestamp '2024-07-01', 'cld_L_20240701.csv', 'event_type', 1, null, false, 100),
            ('L', timestamp '2024-07-01', 'cld_L_20240701.csv', 'gender', -3, '{HOSTILE}', true, 7),
            ('L', timestamp '2024-07-01', 'cld_L_20240701.csv', 'primary_support_reason', -2, 'Unknown', false, 3))
            t(la_code, submitted_at, file, field, dq_code, invalid_value, is_new_value, row_count)""")
    return path


def test_editions_are_split_by_the_catalogue_kind(db):
    old = ReportData(db, "L", "2017-03")
    assert not old.revised_edition and old.ascof()["indicator_code"].tolist() == ["2A1"]
    new = ReportData(db, "L", "2025-03")
    assert new.revised_edition and new.ascof()["indicator_code"].tolist() == ["CLD_2A"]
    assert new.ascof(revised=False)["indicator_code"].tolist() == ["2A1"]


def test_the_years_shown_are_the_latest_to_the_report_or_the_latest_there_are(db):
    assert ReportData(db, "L", "2017-03").cld_years() == ["2023/24", "2024/25", "2025/26"]
    assert ReportData(db, "L", "2024-06").cld_years() == ["2023/24", "2024/25"]
    assert ReportData(db, "L", "2017-03").cld_years(2) == ["2024/25", "2025/26"]


def test_cld_annex_text_from_outside_is_escaped(db):
    r = ReportData(db, "L", "2017-03")
    unmapped = r.cld_unmapped()
    assert unmapped["rows"].tolist() == [7]
    value = unmapped["value"].iloc[0]
    assert not re.search(r"(?<!\\)[<>\[\]`$@]", value), value  # every mark escaped
    assert "\\<img" in value and "\\[x\\]\\(javascript" in value and "\\@cite" in value
    subs = r.cld_submissions()
    assert subs["rows"].tolist() == [100]
    assert subs["file"].iloc[0] == "cld\\_L\\_20240701\\.csv"
    assert subs["unmapped"].iloc[0] == "gender\\: 7" and subs["invalid"].iloc[0] == "primary support reason\\: 3"
    assert pd.isna(subs["blank_mandatory"].iloc[0])


def test_load_log_messages_are_shortened_then_escaped():
    """Failure lines and load-log messages quote landing file names, which come from outside."""
    from dagster_project.reporting.data import outside_message

    line = "raw/reviews: /srv/landing/liquidlogic/<script>alert(1)</script>_20170402.csv:1:0: @x is not a date"
    shown = outside_message(line)
    assert "/srv/landing" not in shown and "liquidlogic/" not in shown  # paths cut before escaping
    assert "<" not in shown.replace("\\<", "") and "\\@x" in shown  # nothing left for pandoc to read as markup
    assert len(outside_message("x" * 500, 200)) == 200
