"""Text the committee reads: no "nan", one officer block per report card, no empty ASCOF Target
column, and no developer wording (seeds, spec files, code) in any sentence a report can print."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.reporting.data import ReasonNotes, ReportData, ascof_table, risk_change_rows
from dagster_project.reporting.qmd import parse_qmd

ROOT = Path(__file__).parents[2]
DEVELOPER_WORDS = re.compile(
    r"\bseeds?\b|\bspec\b|\bdbt\b|\.py\b|\bmarts?\b|VITALSIGNS_|typed scores|\bcatalogue's\b", re.IGNORECASE
)


def test_a_new_or_closed_risk_shows_an_empty_cell_not_nan():
    changes = pd.DataFrame(
        {
            "risk_id": ["RM1", "RM2", "RM3"],
            "change_type": ["new", "closed", "score"],
            "before": [float("nan"), "Old title", "9"],
            "after": ["New title", None, "12"],
        }
    )
    rows = risk_change_rows(changes)
    assert rows == [
        ["New risk", "RM1", "", "New title"],
        ["Closed risk", "RM2", "Old title", ""],
        ["Current score changed", "RM3", "9", "12"],
    ]
    # what the summary printed before: a pandas NaN is truthy, so `before or ""` was the text "nan"
    assert str(changes["before"].iloc[0] or "") == "nan"


def ascof_rows(target):
    return pd.DataFrame(
        [
            dict(
                ascof_code="1E",
                title="Learning disability employment",
                polarity="bigger",
                unit="%",
                decimals=1,
                numerator=30,
                denominator=667,
                target=target,
                value=4.4977,
                display_value=4.5,
                rag="G" if target else None,
                suppressed=False,
                is_override=False,
                value_note=None,
                previous_year_value=3.7,
                direction_of_travel=float("nan"),
                family_group_avg=6.4,
                family_group_rank=12,
                family_group_size=15,
                region_value=5.9,
                england_value=6.0,
                england_quartile=3,
            )
        ]
    )


def test_the_ascof_table_has_a_target_column_only_when_a_measure_has_a_target():
    header, rows, align, widths = ascof_table(ascof_rows(None), "2016/17", ReasonNotes())
    assert "Target" not in header and len(rows[0]) == len(header) == len(align) == len(widths)
    assert "nan" not in rows[0]  # a missing direction of travel printed "nan" before
    header, rows, _, _ = ascof_table(ascof_rows(4.0), "2016/17", ReasonNotes())
    assert rows[0][header.index("Target")] == "4.0%"


@pytest.fixture
def report_data(tmp_path):
    db = tmp_path / "published.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.indicator_catalogue as select * from (values "
            "('VS_A', 'Director of Community Social Work', 'Business Intelligence & Performance Team', null), "
            "('VS_B', 'Director of Integrated Care', 'BI team', null)) "
            "t(indicator_code, lead_officer, data_owner, comparator_code)"
        )
    landing = tmp_path / "landing"
    (landing / "commentary" / "VS_A").mkdir(parents=True)
    (landing / "commentary" / "VS_A" / "2017-03.md").write_text(
        "## Why is this important?\nBecause.\n\n## Responsible officers\nLead: Jane Smith\nData owner: BI Service\n"
    )
    (landing / "commentary" / "VS_B").mkdir(parents=True)
    (landing / "commentary" / "VS_B" / "2017-03.md").write_text("## Why is this important?\nBecause.\n")
    data = ReportData(db, "E10000020", "2017-03", landing)
    yield data
    data.close()


def test_a_report_card_names_one_set_of_officers_the_commentarys_else_the_catalogues(report_data):
    given = report_data.commentary("VS_A")["Responsible officers"]
    assert "Jane Smith" in given and "BI Service" in given and "Director" not in given
    fallback = report_data.commentary("VS_B")["Responsible officers"]
    assert fallback == "Lead: Director of Integrated Care  \nData owner: BI team"
    # the card prints the sections and nothing else about officers (it printed the catalogue's too)
    qmd = (ROOT / "reports" / "committee_report.qmd").read_text()
    assert "lead_officer" not in qmd and "**Lead:**" not in qmd


def _printed_strings(source: str) -> list[str]:
    """String literals of a chunk except docstrings, SQL and dictionary keys / column names (single words)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value
            if " " in s.strip() and not re.match(r"\s*(select|with|from|create)\b", s, re.IGNORECASE):
                out.append(s)
    docstrings = {
        ast.get_docstring(n, clean=False)
        for n in ast.walk(ast.parse(source))
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
    }
    return [s for s in out if s not in docstrings]


@pytest.mark.parametrize("name", ["committee_report.qmd", "risk_register_summary.qmd", "integrated_report.qmd"])
def test_no_developer_wording_in_what_a_report_prints(name):
    _, parts = parse_qmd((ROOT / "reports" / name).read_text())
    found = []
    for kind, payload in parts:
        if kind == "md":
            text = re.sub(r"^---.*?^---", "", payload, flags=re.S | re.M)  # front matter
            found += DEVELOPER_WORDS.findall(text)
        else:
            found += [s for s in _printed_strings(payload[1]) if DEVELOPER_WORDS.search(s)]
    assert not found


@pytest.mark.parametrize("module", ["data.py", "spreadsheet.py", "integrated.py"])
def test_no_developer_wording_in_the_reporting_modules_output(module):
    source = (ROOT / "dagster_project" / "reporting" / module).read_text()
    assert not [s for s in _printed_strings(source) if DEVELOPER_WORDS.search(s)]
