"""Generate a small sample, materialise every asset, and follow the rows through to the reports."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from dagster_project.contracts import FEEDS
from dagster_project.publish.exposures import published_tables
from dagster_project.sample import generate
from tests.conftest import build, query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    counts = generate(root / "landing", councils=2, years=2, scale=0.05, seed=7)
    outcome, settings = build(root / "landing", root / "home")
    assert outcome.success, outcome.failures
    return counts, outcome, settings


def test_every_feed_arrives_whole_in_raw_and_staging(built):
    counts, _, settings = built
    wh = settings.warehouse_path
    for feed, n in counts.items():
        assert query(wh, f"select count(*) from raw.{feed}")[0][0] == n, feed
        if feed not in ("population", "cld"):  # CLD's staging: the CLD models' own tests
            assert query(wh, f"select count(*) from staging.stg_{feed}")[0][0] == n, feed
    statuses = {r[0] for r in query(wh, "select distinct status from raw._load_log")}
    assert statuses == {"loaded"}
    assert query(wh, "select count(*) from raw._rejects")[0][0] == 0


def test_every_mart_is_filled_for_every_council(built):
    _, _, settings = built
    for mart in (
        "indicator_values",
        "ascof",
        "exceptions",
        "dtoc_monthly",
        "admissions_rolling_12m",
        "safeguarding_breakdown",
        "risk_register",
        "risk_register_changes",
    ):
        councils = query(settings.warehouse_path, f"select count(distinct la_code) from marts.{mart}")[0][0]
        assert councils == 2, mart
    values = query(
        settings.warehouse_path,
        "select count(*) from marts.ascof where value is not null and financial_year = '2016/17'",
    )[0][0]
    assert values >= 2 * 12


def test_reports_render_for_each_council_with_exceptions_and_rag_letters(built):
    _, outcome, settings = built
    names = {p.name for p in outcome.report_paths}
    assert names == {
        "committee_report.html",
        "committee_report.pdf",
        "risk_register_summary.html",
        "risk_register_summary.pdf",
        "vital_signs.xlsx",
    }
    for la in ("E10000020", "E10000024"):
        folder = settings.reports_path / la / "2017-03"
        html = (folder / "committee_report.html").read_text()
        titles = query(
            settings.published_path,
            "select k.title from marts.exceptions e join "
            "marts.indicator_catalogue k using (indicator_code) "
            "where la_code = ? and period_end = '2017-03-31'",
            [la],
        )
        assert titles, "the sample is built to have exceptions"
        for (title,) in titles:
            assert title in html
        letters = set(re.findall(r'class="rag rag-([gar])"', html))
        assert letters >= {"r", "g"}
        assert "Rendered by fallback" in html or "Rendered by quarto" in html
        assert not re.search(r'<img[^>]+src="(?!data:)', html), "images must be embedded"
        assert (folder / "committee_report.pdf").read_bytes()[:4] == b"%PDF"
        risk_html = (folder / "risk_register_summary.html").read_text()
        assert "RM14079" in risk_html and "Heat map" in risk_html
        wb = openpyxl.load_workbook(folder / "vital_signs.xlsx")
        assert wb.sheetnames == ["Dashboard", "ASCOF", "Exceptions", "Risks", "Risk detail", "Values", "Notes"]
        head = next(r for r in range(1, 10) if wb["Dashboard"].cell(r, 1).value == "Indicator")
        assert wb["Dashboard"].freeze_panes == f"E{head + 1}"


def test_published_database_is_aggregate_only_and_flags_suppression(built):
    _, _, settings = built
    cols = query(settings.published_path, "select table_name, column_name from information_schema.columns")
    names = {c for _, c in cols}
    assert not names & {"person_id", "date_of_birth", "date_of_death"}
    assert ("indicator_values", "suppressed") in cols
    tables = {t for t, _ in cols}
    assert tables == set(published_tables()) | {"disclosure_audit"}  # the dbt exposure analysts_database
    small = query(
        settings.published_path, "select count(*) from marts.indicator_values where numerator between 1 and 4"
    )[0][0]
    assert small == 0


def test_a_rebuild_of_the_same_files_changes_nothing(built, tmp_path):
    _, _, settings = built
    before = query(settings.warehouse_path, "select count(*) from raw.services")[0][0]
    outcome, _ = build(settings.landing, settings.home)
    assert outcome.success, outcome.failures
    assert query(settings.warehouse_path, "select count(*) from raw.services")[0][0] == before
    unchanged = query(settings.warehouse_path, "select count(*) from raw._load_log where status = 'unchanged'")
    assert unchanged[0][0] == 0  # 'unchanged' is not logged as a load; the hash check skips the file
    loads = query(settings.warehouse_path, "select count(*) from raw._load_log where status = 'loaded'")[0][0]
    cld_files = len(list((settings.landing / "cld").glob("cld_*.csv")))  # every CLD submission, loaded once
    assert loads == len([f for f in FEEDS if f != "risk_register"]) + 2 + cld_files  # two register snapshots


@pytest.mark.skipif(not __import__("shutil").which("chromium"), reason="Chromium not installed (.ci/run installs it)")
def test_committee_report_renders_in_headless_chromium_without_broken_images_or_script_errors(built, tmp_path):
    import os
    import subprocess

    _, _, settings = built
    page = settings.reports_path / "E10000020" / "2017-03" / "committee_report.html"
    shot = Path(os.environ.get("VITALSIGNS_SCREENSHOT_DIR", tmp_path)) / "committee_report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome'}",
        "--window-size=1400,2400",
        "--enable-logging=stderr",
        "--v=0",
    ]
    run = subprocess.run(
        ["chromium", *flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    assert "Uncaught" not in run.stderr and "Failed to load resource" not in run.stderr
    # every image decodes: ask the page itself after load
    probe = tmp_path / "probe.html"
    probe.write_text(
        page.read_text().replace(
            "</body>",
            "<script>window.onload=()=>{const bad=[...document.images].filter(i=>!i.complete||i.naturalWidth===0)"
            ".length;document.title='images:'+document.images.length+' broken:'+bad;}</script></body>",
        )
    )
    dom = subprocess.run(
        ["chromium", *flags, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    title = re.search(r"<title>images:(\d+) broken:(\d+)</title>", dom)
    assert title and int(title.group(1)) >= 1 and int(title.group(2)) == 0, dom[:300]


def _committee_report(settings, period: str, out: Path) -> str:
    from dagster_project.reporting.quarto import render
    from dagster_project.settings import REPORTS_DIR

    result = render(
        REPORTS_DIR / "committee_report.qmd",
        out,
        formats=("html",),
        params={
            "la_code": "E10000020",
            "period": period,
            "db": str(settings.published_path),
            "landing": str(settings.landing),
            "held": "",
        },
    )
    return result.outputs["html"].read_text()


def _section(html: str, heading: str) -> str:
    """From the h2 whose text starts with `heading` (not its table-of-contents link) to the next h2."""
    words = r"\s+".join(re.escape(w) for w in heading.split())  # pandoc wraps long headings
    start = re.search(r"<h2[^>]*>(?:<[^>]+>)*\s*" + words, html).start()
    end = html.find("<h2", start + 1)
    return re.sub(r"\s+", " ", html[start : end if end > 0 else None])


def test_a_2024_25_report_shows_the_revised_ascof_with_its_edition_and_crosswalk(built, tmp_path):
    _, _, settings = built
    html = _committee_report(settings, "2025-03", tmp_path)
    ascof = _section(html, "ASCOF measures")
    assert "ASCOF 2023-24" in ascof and "Client Level Data" in ascof
    assert "2024/25" in ascof and "3D(1A)" in ascof and "2E(LD)" in ascof
    assert "1C(1A)" in ascof and "Crosswalk" in ascof  # the old codes beside the new
    assert "2A(1)" not in ascof.split("Crosswalk")[0]  # no SALT-era row in the revised table
    revised = _section(html, "Revised ASCOF from Client Level Data")
    assert "2024/25 value" in revised and "ASCOF 2E LD" in revised and "65 and above" in revised


def test_a_2016_17_report_keeps_the_salt_table_and_adds_the_revised_section(built, tmp_path):
    _, _, settings = built
    html = _committee_report(settings, "2017-03", tmp_path)
    ascof = _section(html, "ASCOF measures")
    assert "2A(1)" in ascof and "1C(1A)" in ascof and "2016/17" in ascof
    assert "CLD" not in ascof and "3D(1A)" not in ascof and "Client Level Data" not in ascof
    revised = _section(html, "Revised ASCOF from Client Level Data")
    years = re.findall(r"(20\d\d/\d\d) value", revised)
    assert years and all(y >= "2023/24" for y in years), years
    assert "later than this report" in revised and "Crosswalk" in revised
    cells = re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", revised)
    hidden = query(
        settings.published_path,
        "select count(*) from marts.ascof_cld where la_code = 'E10000020' "
        "and suppressed and financial_year in (" + ", ".join(f"'{y}'" for y in set(years)) + ")",
    )[0][0]
    assert (cells.count("*") > 0) == (hidden > 0)
    assert "Client Level Data submissions" in re.sub(r"\s+", " ", html) and "cld_E10000020_" in html


def test_the_workbook_ascof_sheet_has_both_editions_as_numbers(built):
    _, _, settings = built
    wb = openpyxl.load_workbook(settings.reports_path / "E10000020" / "2017-03" / "vital_signs.xlsx")
    ws = wb["ASCOF"]
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Edition")  # under the title block
    header = [c.value for c in ws[head]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=head + 1)]
    rows = rows[: next((i for i, r in enumerate(rows) if r["Edition"] is None), len(rows))]  # notes follow
    editions = {r["Edition"] for r in rows}
    assert "SALT era" in editions and any("2023-24" in e for e in editions)
    for r in rows:
        for col in ("Numerator", "Denominator", "Value", "DHSC figure", "Difference from DHSC"):
            assert r[col] is None or isinstance(r[col], (int, float)), (col, r[col])
        if r["Note"] == "*":  # the value goes (with a hidden count, or a DToC month it is a mean of)
            assert r["Value"] is None and r["Rating"] is None
    revised = [r for r in rows if r["Edition"] != "SALT era"]
    assert any(r["Breakdown"] == "Female" for r in revised) and all(r["Year"] >= "2023/24" for r in revised)
    assert sum(isinstance(r["Value"], float) for r in revised) > 10


def test_a_past_months_pack_is_a_run_of_its_month_partition(built):
    """Packs are partitioned by reporting month (issue 14): a past month's pack is a run (a backfill)
    of its partition, and the instance then lists that month as materialised."""
    import dagster as dg

    from dagster_project.assets.reports import data_months, report_assets
    from dagster_project.constants import REPORT_MONTHS, REPORTS_JOB
    from dagster_project.definitions import make_definitions

    _, _, settings = built
    months = data_months(settings.published_path)
    assert {"2016-12", "2017-03"} <= set(months)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(REPORT_MONTHS, months)
    result = (
        make_definitions(settings)
        .resolve_job_def(REPORTS_JOB)
        .execute_in_process(
            instance=instance,
            partition_key="2016-12",
            run_config={"ops": {a.op.name: {"config": {"council": "E10000020"}} for a in report_assets}},
        )
    )
    assert result.success
    folder = settings.reports_path / "E10000020" / "2016-12"
    assert {"committee_report.html", "risk_register_summary.html", "vital_signs.xlsx"} <= {
        p.name for p in folder.iterdir()
    }
    assert "December 2016" in " ".join((folder / "committee_report.html").read_text().split())
    assert instance.get_materialized_partitions(dg.AssetKey("committee_report")) == {"2016-12"}


def test_the_parquet_landing_zone_holds_what_raw_holds(built):
    """docs/lake.md: every feed's state replayed from the zone equals raw, row for row; CLD too."""
    import duckdb

    from dagster_project import lake

    _, _, settings = built
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for feed in FEEDS.values():
            cols = ", ".join(f'"{c}"' for c in feed.column_names) + (
                ", snapshot_date" if feed.mode == "snapshot" else ""
            )
            rel = lake.current(settings.lake_path, feed.name, con=con)  # noqa: F841 - read by name in the SQL
            for a, b in (("rel", f"raw.{feed.name}"), (f"raw.{feed.name}", "rel")):
                diff = f"select count(*) from (select {cols} from {a} except all select {cols} from {b})"
                assert con.execute(diff).fetchall()[0][0] == 0, (feed.name, a)
        cols = ", ".join(
            f'"{d[0]}"' for d in con.execute("select * from raw.cld limit 0").description if d[0] != "_loaded_at"
        )
        zone = lake.submissions_sql(settings.lake_path, "cld")
        for a, b in ((f"({zone})", "raw.cld"), ("raw.cld", f"({zone})")):
            assert (
                con.execute(
                    f"select count(*) from (select {cols} from {a} except all select {cols} from {b})"
                ).fetchall()[0][0]
                == 0
            )
        assert con.execute("select count(*) from raw.cld").fetchall()[0][0] > 0
    finally:
        con.close()
