"""`vitalsigns build` prints one line per stage and hides Dagster's and dbt's log unless --verbose.

The fast tests run the real command line (`main(["build", ...])`, the real instance, lock and
summary) over a small stand-in job whose assets sit in the pipeline's groups, so the output's
shape is tested in seconds; the slow one builds a tiny sample for real.
"""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.constants import (
    ALL_ASSETS_JOB,
    INGESTION,
    INTERMEDIATE,
    MARTS,
    PUBLISHING,
    REPORT_MONTHS,
    REPORTS,
    REPORTS_JOB,
    STAGING,
)


def stand_in_definitions(fail_publish: bool = False):
    @dg.asset(
        key=["raw", "people"],
        group_name=INGESTION,
        check_specs=[dg.AssetCheckSpec("load_ok", asset=dg.AssetKey(["raw", "people"]))],
    )
    def people(context):
        context.log.info("DEBUG-NOISE from an asset")
        yield dg.MaterializeResult(
            metadata={"dagster/row_count": 1200, "files_loaded_now": 1, "files_unchanged": 0, "rows_rejected_now": 7}
        )
        yield dg.AssetCheckResult(check_name="load_ok", passed=not fail_publish, severity=dg.AssetCheckSeverity.ERROR)

    @dg.asset(key=["raw", "dtoc"], group_name=INGESTION)
    def dtoc():
        return dg.MaterializeResult(
            metadata={"dagster/row_count": 300, "files_loaded_now": 0, "files_unchanged": 1, "rows_rejected_now": 0}
        )

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(["staging", "stg_people"], group_name=STAGING, deps=[people, dtoc]),
            dg.AssetSpec(
                ["intermediate", "int_x"], group_name=INTERMEDIATE, deps=[dg.AssetKey(["staging", "stg_people"])]
            ),
            dg.AssetSpec(["marts", "ascof"], group_name=MARTS, deps=[dg.AssetKey(["intermediate", "int_x"])]),
        ],
        check_specs=[dg.AssetCheckSpec("not_null", asset=dg.AssetKey(["marts", "ascof"]))],
        name="warehouse_models",
    )
    def models():
        print("1 of 3 START sql table model staging.stg_people ... [RUN]")  # as dagster-dbt echoes dbt
        for key in (["staging", "stg_people"], ["intermediate", "int_x"], ["marts", "ascof"]):
            yield dg.MaterializeResult(asset_key=key)
        yield dg.AssetCheckResult(asset_key=["marts", "ascof"], check_name="not_null", passed=True)

    @dg.asset(key=["published", "vitalsigns"], group_name=PUBLISHING, deps=[dg.AssetKey(["marts", "ascof"])])
    def published():
        if fail_publish:
            raise dg.Failure(description="not published because a load failed: raw/people: bad file")
        return dg.MaterializeResult(
            metadata={"latest_month_by_council": dg.MetadataValue.json({"E10000020": "2017-03"})}
        )

    # reports are partitioned by month and run as their own job after a publication, as in jobs.py
    months = dg.DynamicPartitionsDefinition(name=REPORT_MONTHS)

    @dg.asset(group_name=REPORTS, deps=[published], partitions_def=months)
    def committee_report():
        return dg.MaterializeResult(metadata={"outputs": dg.MetadataValue.json(["a.html", "a.pdf"])})

    build = dg.define_asset_job(ALL_ASSETS_JOB, selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORTS))
    reports = dg.define_asset_job(REPORTS_JOB, selection=dg.AssetSelection.groups(REPORTS), partitions_def=months)
    return dg.Definitions(assets=[people, dtoc, models, published, committee_report], jobs=[build, reports])


@pytest.fixture
def stand_in(monkeypatch, tmp_path):
    import dagster_project.build_runner as runner
    import dagster_project.definitions as definitions

    def use(fail_publish=False):
        monkeypatch.setattr(definitions, "make_definitions", lambda settings: stand_in_definitions(fail_publish))
        monkeypatch.setattr(runner, "full_refresh_run_config", lambda full_refresh: {})

    landing = tmp_path / "landing"
    (landing / "dtoc").mkdir(parents=True)
    return use, landing, tmp_path / "home"


def run_build(capfd, landing, home, *extra):
    from dagster_project.cli import main

    capfd.readouterr()
    code = main(["build", "--landing", str(landing), "--home", str(home), *extra])
    captured = capfd.readouterr()
    return code, captured.out, captured.err


def test_a_build_prints_one_line_per_stage_with_counts_and_times_and_no_dagster_log(stand_in, capfd):
    use, landing, home = stand_in
    use()
    code, out, err = run_build(capfd, landing, home)
    assert code == 0, out + err
    stages = [line for line in out.splitlines() if line.split(" ", 1)[0] in ("ingest", "dbt", "publish", "reports")]
    assert [s.split()[0] for s in stages] == ["ingest", "dbt", "publish", "reports"]
    assert stages[0].startswith("ingest   2 feeds: 1 file(s) loaded, 1 unchanged, 7 row(s) rejected; 1,500 rows in raw")
    assert stages[1].startswith("dbt      staging 1, intermediate 1, marts 1 models; 1 tests passed")
    assert stages[2].startswith("publish  published") and stages[3].startswith("reports  1 report asset(s), 2 file(s)")
    assert all(s.rstrip().endswith("s)") and "(" in s for s in stages)  # elapsed seconds
    assert "DEBUG-NOISE" not in out + err and "START sql table model" not in out + err
    assert "STEP_START" not in out + err
    assert len((out + err).splitlines()) < 20


def test_verbose_shows_dagsters_log(stand_in, capfd):
    use, landing, home = stand_in
    use()
    code, out, err = run_build(capfd, landing, home, "--verbose")
    assert code == 0
    assert "DEBUG-NOISE" in out + err and "START sql table model" in out + err


def test_a_failed_stage_is_named_and_the_exit_code_is_1(stand_in, capfd):
    use, landing, home = stand_in
    use(fail_publish=True)
    code, out, err = run_build(capfd, landing, home)
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if ln.startswith("ingest")]
    assert "1 feed(s) FAILED to load (a file quarantined): people" in line
    (line,) = [ln for ln in out.splitlines() if ln.startswith("publish")]
    assert "NOT published" in line and "FAILED: published/vitalsigns" in line
    assert "FAILED:" in err and "not published because a load failed: raw/people: bad file" in err
    assert "reports  not run (an earlier step failed)" in out.splitlines()  # never ran: no line claims it did


@pytest.mark.slow
def test_a_real_build_of_a_tiny_sample_prints_a_few_lines(tmp_path, capfd, monkeypatch):
    from dagster_project.cli import main

    assert (
        main(["sample", "--out", str(tmp_path / "landing"), "--councils", "1", "--years", "1", "--scale", "0.05"]) == 0
    )
    code, out, err = run_build(capfd, tmp_path / "landing", tmp_path / "home")
    assert code == 0, out + err
    lines = (out + err).splitlines()
    assert len(lines) < 40, "\n".join(lines)
    for stage in ("ingest   18 feeds:", "dbt      staging ", "publish  published", "reports  4 report asset(s)"):
        assert any(ln.startswith(stage) for ln in lines), stage
    assert "tests passed" in out and "FAILED" not in out
