"""A feed that never arrives, then arrives and is quarantined on its first load (issue 11).

Build A: the sample without its reviews feed. A missing feed is valid: the build succeeds and
publishes, and "Reviews completed" is null with the reason, never 0, in the warehouse, the
published database, the committee report and the workbook; the summary lists the feed.

Build B (through the CLI, as a person or scheduler would run it): a reviews file lacking a
required column is quarantined on its first load. The warehouse says why the measure is null;
the Dagster run itself fails (not only the CLI's exit code); the failure alert fires, from the
CLI and from the run-failure sensor the daemon runs for UI, schedule and sensor runs; the
published database and reports are byte-identical to build A's; the would-be database is held
aside, and its committee report says it was not published and why.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil

import openpyxl
import pytest

from dagster_project.sample import generate
from tests.conftest import build, query

pytestmark = pytest.mark.slow

LA = "E10000020"
CODE = "RC_REVIEWS_COMPLETED"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    import dagster as dg

    from dagster_project import cli

    root = tmp_path_factory.mktemp("missing_feed")
    landing, home = root / "landing", root / "home"
    generate(landing, councils=2, years=2, scale=0.05, seed=7)
    good_reviews = landing / "liquidlogic" / "reviews_20170401.csv"
    kept = root / "reviews.csv"
    shutil.move(good_reviews, kept)

    outcome_a, settings = build(landing, home)
    sql = "select value, numerator, value_note from marts.indicator_values where la_code = ? and indicator_code = ?"
    after_a = {db: query(db, sql, [LA, CODE]) for db in (settings.warehouse_path, settings.published_path)}
    report = settings.reports_path / LA / "2017-03" / "committee_report.html"
    before = {p: _digest(p) for p in (settings.published_path, report)}

    # the feed's first file lacks a required column (review_date): quarantined whole
    lines = kept.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("review_date")
    bad = landing / "liquidlogic" / "reviews_20170402.csv"
    bad.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines) + "\n")

    alert = root / "alert.txt"
    saved = dict(os.environ)
    os.environ.update({"VITALSIGNS_SAMPLE": "1", "VITALSIGNS_FAILURE_COMMAND": f"cat > {alert}"})
    try:
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            code = cli.main(["build", "--landing", str(landing), "--home", str(home)])
        instance = dg.DagsterInstance.from_config(str(home / "dagster"))  # the CLI's run history
    finally:
        os.environ.clear()
        os.environ.update(saved)
    runs = instance.get_runs(limit=1)
    return {
        "a": outcome_a,
        "settings": settings,
        "before": before,
        "report": report,
        "code": code,
        "alert": alert,
        "instance": instance,
        "after_a": after_a,
        "printed": printed.getvalue(),
        "run": runs[0] if runs else None,
        "root": root,
    }


def test_a_missing_feed_builds_and_its_measure_is_null_with_the_reason_not_zero(builds):
    assert builds["a"].success, builds["a"].failures
    settings = builds["settings"]
    for db, rows in builds["after_a"].items():
        assert rows, db
        assert {r[0] for r in rows} == {None} and {r[1] for r in rows} == {None}, db
        assert {r[2] for r in rows} == {"no reviews file received yet"}, db
    # measures from feeds that did arrive still have figures
    (n,) = query(
        settings.published_path,
        "select count(*) from marts.indicator_values where la_code = ? "
        "and indicator_code = 'VS_ENQUIRIES_RESOLVED' and value is not null",
        [LA],
    )[0]
    assert n > 0


def test_the_report_shows_the_reason_where_the_number_would_be_and_lists_the_feed(builds):
    html = " ".join(builds["report"].read_text().split())  # pandoc wraps lines
    assert "Data not available" in html and "<strong>reviews</strong>: no file received yet" in html
    row = html[html.index("Reviews completed") :]
    row = row[: row.index("</tr>")]
    assert row.count("no data [") == 13 and ">0<" not in row
    assert "no reviews file received yet" in html
    wb = openpyxl.load_workbook(builds["report"].parent / "vital_signs.xlsx")
    cells = [[c.value for c in r] for r in wb["Dashboard"].iter_rows()]
    at = next(i for i, r in enumerate(cells) if r[0] == "Reviews completed")
    assert all(v is None for v in cells[at][4:17])  # the figures: empty, never 0
    assert cells[at + 1][1] == "Rating" and all(str(v).startswith("no data [") for v in cells[at + 1][4:17])
    assert any(r[0] and "no reviews file received yet" in str(r[0]) for r in cells)


def test_a_feed_quarantined_on_its_first_load_fails_the_run_and_says_why(builds):
    settings = builds["settings"]
    assert builds["code"] == 1
    assert "(not replaced by this build)" in builds["printed"] and "held:" in builds["printed"]
    # the Dagster run itself failed: the same job the nightly schedule, the landing sensor and
    # the UI launch, so it fails however it was started
    from dagster_project.constants import ALL_ASSETS_JOB
    from dagster_project.definitions import defs
    from dagster_project.sensors import landing_sensor

    run = builds["run"]
    assert run.job_name == ALL_ASSETS_JOB == defs().resolve_schedule_def("nightly_build").job_name
    assert ALL_ASSETS_JOB in {t.job_name for t in landing_sensor.targets}
    assert run.status.value == "FAILURE"
    (note,) = {
        r[0]
        for r in query(
            settings.warehouse_path,
            "select value_note from marts.indicator_values where la_code = ? and indicator_code = ?",
            [LA, CODE],
        )
    }
    assert note.startswith("no reviews data: reviews_20170402.csv was quarantined on load")
    alert = builds["alert"].read_text()
    assert "raw/reviews" in alert and "not published" in alert


def test_the_published_database_and_reports_are_not_replaced(builds):
    for path, digest in builds["before"].items():
        assert _digest(path) == digest, path
    held = builds["settings"].held_path
    assert held.exists() and "raw/reviews" in (held.parent / "HELD.txt").read_text()


def test_the_run_failure_sensor_alerts_with_the_reason(builds, monkeypatch):
    import dagster as dg

    from dagster_project.alerts import AlertsResource, failure_hook

    instance, run = builds["instance"], builds["run"]
    (failure,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    out = builds["root"] / "sensor_alert.txt"
    context = dg.build_run_status_sensor_context(
        sensor_name="failure_hook", dagster_instance=instance, dagster_run=run, dagster_event=failure.dagster_event
    ).for_run_failure()
    failure_hook(context, alerts=AlertsResource(failure_command=f"cat > {out}"))
    text = out.read_text()
    assert "published__vitalsigns" in text and "not published" in text and "raw/reviews" in text


def test_the_held_report_says_it_was_not_published_and_why(builds):
    import dagster as dg

    from dagster_project.assets.reports import committee_report
    from dagster_project.definitions import build_resources

    settings = builds["settings"]
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        result = dg.materialize(
            [committee_report],
            resources=build_resources(settings),
            run_config={"ops": {"committee_report": {"config": {"council": LA, "period": "2017-03", "held": True}}}},
        )
    finally:
        os.environ.pop("VITALSIGNS_SAMPLE", None)
    assert result.success
    page = settings.held_path.parent / "reports" / LA / "2017-03" / "committee_report.html"
    html = " ".join(page.read_text().split())
    assert "NOT PUBLISHED" in html and "raw/reviews" in html
    assert "reviews_20170402.csv was quarantined on load" in html
    assert "(failed this build)" in html
    assert _digest(builds["report"]) == builds["before"][builds["report"]]


def test_a_run_started_from_the_ui_with_only_the_feed_or_only_publication_fails_too(builds):
    """The UI can launch any selection: a run of the failed feed alone, or of publication alone
    after the failed nightly run, fails and publishes nothing."""
    import dagster as dg

    from dagster_project.assets.ingestion import feed_assets
    from dagster_project.assets.publishing import published_database_definition
    from dagster_project.definitions import build_resources

    settings, instance = builds["settings"], builds["instance"]
    reviews = next(a for a in feed_assets if a.key == dg.AssetKey(["raw", "reviews"]))
    resources = build_resources(settings)
    feed_run = dg.materialize([reviews], instance=instance, resources=resources, raise_on_error=False)
    assert not feed_run.success
    publish_run = dg.materialize(
        [published_database_definition()], instance=instance, resources=resources, raise_on_error=False
    )
    assert not publish_run.success
    (failure,) = publish_run.get_step_failure_events()
    assert "not published" in failure.step_failure_data.user_failure_data.description
    for path, digest in builds["before"].items():
        assert _digest(path) == digest, path


def test_a_suppressed_month_never_reads_as_a_lagging_feed(builds, tmp_path):
    """The annex said "latest data Dec 2016 (feeds lag)" on a March 2017 dashboard when January to
    March were hidden as small numbers: false, and it told the reader which months were hidden."""
    import duckdb

    from dagster_project.reporting.quarto import render
    from dagster_project.settings import REPORTS_DIR

    db = tmp_path / "published.duckdb"
    shutil.copy(builds["settings"].published_path, db)
    with duckdb.connect(str(db)) as con:
        hidden = con.execute(
            "update marts.indicator_values set value = null, display_value = null, rag = null, suppressed = true "
            "where la_code = ? and indicator_code = 'VS_ENQUIRIES_RESOLVED' and period_end >= '2017-01-01'",
            [LA],
        ).fetchall()[0][0]
    assert hidden >= 3
    result = render(
        REPORTS_DIR / "committee_report.qmd",
        tmp_path / "out",
        formats=("html",),
        params={"la_code": LA, "period": "2017-03", "db": str(db), "landing": "", "held": ""},
        output_name="committee_report",
    )
    html = " ".join(result.outputs["html"].read_text().split())
    lag = html[html.index("Data-quality annex", html.index("Data-quality annex") + 1) :]
    assert "Enquiries resolved" not in lag


def test_a_failed_dbt_test_fails_the_run_and_publishes_nothing(builds, tmp_path):
    """A failed check of any kind, not only a load: a duplicate risk breaks a dbt data test."""
    import dagster as dg
    import duckdb

    from dagster_project.build_runner import run_everything
    from tests.conftest import sample_settings

    root = builds["root"]
    shutil.copytree(root / "landing", tmp_path / "landing")
    shutil.copytree(root / "home", tmp_path / "home", ignore=shutil.ignore_patterns("dagster", "held"))
    (tmp_path / "landing" / "liquidlogic" / "reviews_20170402.csv").unlink()  # no failed load this time
    home = tmp_path / "home"
    with duckdb.connect(str(home / "warehouse" / "vitalsigns.duckdb")) as con:
        con.execute("insert into raw.risk_register select * from raw.risk_register limit 1")
    published = home / "published" / "vitalsigns.duckdb"
    before = _digest(published)
    instance = dg.DagsterInstance.ephemeral()
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        outcome = run_everything(sample_settings(tmp_path / "landing", home), instance, reports=False)
    finally:
        os.environ.pop("VITALSIGNS_SAMPLE", None)
    assert not outcome.success
    assert any("stg_risk_register" in f and "failed" in f for f in outcome.failures), outcome.failures
    assert instance.get_run_by_id(outcome.run_id).status == dg.DagsterRunStatus.FAILURE
    assert _digest(published) == before


def test_requests_still_open_are_outside_the_request_based_measures(builds):
    wh = builds["settings"].warehouse_path
    (open_now,) = query(
        wh,
        "select count(*) from raw.requests where la_code = ? and request_outcome is null "
        "and request_date >= '2017-03-01'",
        [LA],
    )[0]
    assert open_now > 0, "the sample leaves the latest requests undecided"
    (decided,) = query(
        wh,
        "select count(*) from raw.requests where la_code = ? and request_outcome is not null "
        "and request_date between '2017-03-01' and '2017-03-31'",
        [LA],
    )[0]
    for code in ("VS_ENQUIRIES_RESOLVED", "RC_REQUESTS_TO_ASSESSMENT"):
        (denominator,) = query(
            wh,
            "select denominator from marts.indicator_values where la_code = ? and "
            "indicator_code = ? and period_type = 'month' and period_end = '2017-03-31'",
            [LA, code],
        )[0]
        assert denominator == decided, code


def test_admissions_rates_are_rated_only_over_twelve_months(builds):
    db = builds["settings"].published_path
    rows = dict(
        query(
            db,
            "select period_type, count(*) filter (where target is not null or rag is not null) "
            "from marts.indicator_values where indicator_code like 'VS_ADMISSIONS%' group by 1",
        )
    )
    assert rows["month"] == rows["quarter"] == 0
    assert rows["rolling_12m"] > 0
    (short_ytd,) = query(
        db,
        "select count(*) from marts.indicator_values where indicator_code like 'VS_ADMISSIONS%' "
        "and period_type = 'ytd' and month(period_end) <> 3 and target is not null",
    )[0]
    assert short_ytd == 0
