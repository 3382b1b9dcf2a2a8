"""One full build with every payload planted in every free-text and code field a landing file
can carry (issue 12, "Done when"): every HTML, PDF and XLSX output stays inert, nothing is
written outside the home, misnamed files and bogus councils are reported, not published."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from dagster_project.sample import generate
from tests.conftest import build, query

from .conftest import LA, tree_digest
from .inert import PAYLOADS, html_problems, pdf_text

pytestmark = pytest.mark.slow

TEXT_FIELDS = ["risk_name", "risk_description", "area", "tasks", "progress_update", "risk_owner", "reviewed_by"]


def _plant_register(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    payloads = list(PAYLOADS.values())
    for i, row in enumerate(rows):
        for j, field in enumerate(TEXT_FIELDS):
            row[field] = f"{payloads[(i + j) % len(payloads)]} {row[field][:40]}"
        row["prospects"] = "Red" if i % 2 else "Amber"  # plenty reported by exception, in full
        row["current_likelihood"], row["current_impact"] = "4", "4"
    rows[0]["risk_id"], rows[1]["risk_id"] = PAYLOADS["formula"], PAYLOADS["script"]
    # issue 12 case 5 alone in one risk, so nothing else in the row changes how it parses
    rows[2].update({f: f"Plain {f}" for f in TEXT_FIELDS})
    rows[2]["risk_description"] = "Exposure to @SUM(1) and @x in the budget"
    rows.append(dict(rows[3], la_code=PAYLOADS["traversal"], risk_id="RMX"))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _plant_column(path: Path, column: str, value) -> None:
    """Every row's `column` rewritten by value(old) (kept distinct where the column is in a key)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row[column] = value(row[column])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    landing, home = root / "landing", root / "home"
    generate(landing, councils=1, years=2, scale=0.05, seed=11)
    (landing / ".vitalsigns-sample").write_text("sample\n")
    _plant_register(landing / "risk_register" / "risk_register_20170331.csv")
    for md in (landing / "commentary").rglob("*.md"):
        md.write_text(
            md.read_text().replace(
                "## Action required\n",
                "## Action required\n"
                + "\n".join(
                    [
                        PAYLOADS["script"],
                        PAYLOADS["img"],
                        PAYLOADS["link"],
                        PAYLOADS["cite"],
                        PAYLOADS["typst"],
                        "![x](/etc/passwd)",
                        "[ok](https://example.org)",
                        "",
                    ]
                ),
            )
        )
    # the other free-text and code fields a landing file carries
    _plant_column(landing / "reference" / "family_groups_20170401.csv", "family_group", lambda v: PAYLOADS["script"])
    _plant_column(landing / "reference" / "benchmarks_20170401.csv", "area_name", lambda v: PAYLOADS["img"] + v)
    _plant_column(landing / "liquidlogic" / "holding_list_20170401.csv", "team", lambda v: PAYLOADS["formula"] + v)
    _plant_column(landing / "liquidlogic" / "people_20170401.csv", "ethnicity", lambda v: PAYLOADS["cite"])
    _plant_column(landing / "dtoc" / "dtoc_20170401.csv", "provider_code", lambda v: PAYLOADS["formula"] + v)
    header = (landing / "dtoc" / "dtoc_20170401.csv").read_text().splitlines()[0]
    (landing / "dtoc" / "dtoc_20171345.csv").write_text(header + f"\n2017-03,{LA},RCX,Acute,Social Care,A,34965\n")
    extra = [f"2017-03,{LA},RP{i:02d},Acute,NHS,A,1" for i in range(40)]
    (landing / "dtoc" / "dtoc_20170415.csv").write_text(
        "\n".join([header, *extra, f"2017-03,{LA},RZZ,Acute,Social Care,B,1000000000"]) + "\n"
    )
    (landing / "dtoc" / "notes.txt").write_text("not an extract\n")
    (landing / "extras").mkdir()
    (landing / "extras" / "people_20170401.csv").write_text("person_id\n")
    stale = home / "published" / ".vitalsigns.duckdb.99999.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a database")
    before = tree_digest(landing)
    mp = pytest.MonkeyPatch()
    mp.setenv("VITALSIGNS_REJECT_THRESHOLD", "0.2")
    try:
        outcome, settings = build(landing, home)
    finally:
        mp.undo()
    return root, landing, before, outcome, settings, stale


def test_build_succeeds_and_leaves_the_landing_folder_untouched(hostile_build):
    root, landing, before, outcome, settings, stale = hostile_build
    assert outcome.success, outcome.failures
    assert tree_digest(landing) == before
    assert not stale.exists()  # a killed publish's leftover is removed by the next build


def test_nothing_is_written_outside_the_home(hostile_build):
    root, landing, _, outcome, settings, _ = hostile_build
    assert sorted(p.name for p in root.iterdir()) == ["home", "landing"]
    assert not any((p / "vs-escape").exists() for p in [root, *root.parents])
    for path in outcome.report_paths:
        assert settings.home.resolve() in path.resolve().parents
    assert {r[0] for r in query(settings.published_path, "select distinct la_code from marts.risk_register")} == {LA}
    assert {p.name for p in settings.reports_path.iterdir()} == {LA}


def test_every_html_report_is_inert(hostile_build):
    *_, outcome, settings, _ = hostile_build
    htmls = [p for p in outcome.report_paths if p.suffix == ".html"]
    assert len(htmls) == 2
    for path in htmls:
        html = path.read_text()
        assert html_problems(html) == [], path.name
    summary = (settings.reports_path / LA / "2017-03" / "risk_register_summary.html").read_text()
    assert (
        "&lt;script&gt;alert(&quot;vs-script&quot;)&lt;/script&gt;" in summary
        or '&lt;script&gt;alert("vs-script")&lt;/script&gt;' in summary
    )
    assert "@SUM(1)" in summary and "=1+1" in summary
    committee = (settings.reports_path / LA / "2017-03" / "committee_report.html").read_text()
    assert '<a href="https://example.org">ok</a>' in committee and "vs-click" in committee


def test_every_pdf_shows_the_text_as_written(hostile_build):
    *_, outcome, settings, _ = hostile_build
    pdfs = [p for p in outcome.report_paths if p.suffix == ".pdf"]
    assert len(pdfs) == 2
    summary = " ".join(pdf_text(settings.reports_path / LA / "2017-03" / "risk_register_summary.pdf").split())
    assert "Exposure to @SUM(1) and @x in the budget" in summary
    assert "#vs-hash" in summary and "=1+1" in summary


def test_the_workbook_has_no_formula(hostile_build):
    *_, outcome, settings, _ = hostile_build
    (xlsx,) = [p for p in outcome.report_paths if p.suffix == ".xlsx"]
    wb = openpyxl.load_workbook(xlsx)
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_misnamed_files_unknown_folders_and_implausible_rows_are_reported_not_published(hostile_build):
    *_, outcome, settings, _ = hostile_build
    dq = query(
        settings.published_path,
        "select file, status, message from marts.data_quality where status = 'not_loaded' order by file",
    )
    assert [r[0] for r in dq] == ["dtoc_20171345.csv", "extras", "notes.txt"]
    social_care_march = query(
        settings.warehouse_path,
        "select delayed_days, rate_per_100k from marts.dtoc_monthly "
        "where period = '2017-03' and responsible_org = 'Social Care'",
    )
    days = query(
        settings.warehouse_path,
        "select sum(delayed_days) from raw.dtoc where period = '2017-03' and "
        "responsible_org = 'Social Care' and _source_file = 'dtoc_20170401.csv'",
    )
    assert social_care_march[0][0] == days[0][0] < 34965
    assert query(settings.published_path, "select max(rate_per_100k) from marts.dtoc_monthly")[0][0] < 1000
    rejected = query(settings.warehouse_path, "select rule from raw._rejects where file like '%dtoc_20170415.csv'")
    assert [r[0] for r in rejected] == [
        "delayed days for one provider in one month above 100,000 (VITALSIGNS_MAX_DELAYED_DAYS)"
    ]
