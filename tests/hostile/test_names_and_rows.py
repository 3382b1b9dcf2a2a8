"""File names, council codes and plausibility (issue 12 failures 3 and 4; "File names",
"Plausibility checks", issue 11's "files that match no feed are reported")."""

from __future__ import annotations

import dataclasses

import pytest

from dagster_project.contracts import FEEDS, Feed
from dagster_project.ingest.loader import LoadFailed, load_feed

from .conftest import (
    DTOC_HEADER,
    LA,
    PEOPLE_HEADER,
    RISK_HEADER,
    dtoc_rows,
    people,
    raw_snapshot,
    tree_digest,
    with_limits,
    write,
)


def march_social_care_days(con):
    return con.execute(
        "select sum(delayed_days) from raw.dtoc where period = '2017-03' and responsible_org = 'Social Care'"
    ).fetchall()[0][0]


def test_a_name_with_no_real_date_is_reported_and_never_loaded(env, capsys):
    from dagster_project.ingest.landing import feed_files, not_loaded  # noqa: F401 - new in issue 12

    """dtoc_20171345.csv used to load with a null date and replace March 2017 (224 -> 34,965)."""
    settings, con = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows(days=10)])
    load_feed(con, settings, "dtoc")
    good, days = raw_snapshot(con, "dtoc"), march_social_care_days(con)
    bad = write(settings.landing, "dtoc", "dtoc_20171345.csv", [DTOC_HEADER, *dtoc_rows(days=3000)])
    before = tree_digest(settings.landing)
    load_feed(con, settings, "dtoc")
    assert raw_snapshot(con, "dtoc") == good and march_social_care_days(con) == days
    assert feed_files(settings.landing, FEEDS["dtoc"]) == [settings.landing / "dtoc" / "dtoc_20170401.csv"]
    (item,) = not_loaded(settings.landing)
    assert item.path == bad and "not a real date" in item.reason
    logged = con.execute("select feed, status, message from raw._load_log where status = 'not_loaded'").fetchall()
    assert logged == [("landing", "not_loaded", item.line())]
    load_feed(con, settings, "dtoc")  # reported once per file version, not once per build
    assert con.execute("select count(*) from raw._load_log where status = 'not_loaded'").fetchall()[0][0] == 1
    assert tree_digest(settings.landing) == before

    from dagster_project.cli import main

    assert main(["check", "--landing", str(settings.landing)]) == 1
    assert "dtoc_20171345.csv:0:0: not loaded: the date in the name is not a real date" in capsys.readouterr().out


def test_rows_loaded_with_a_null_date_by_an_earlier_version_are_removed_and_history_restored(env):
    settings, con = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows(days=10)])
    load_feed(con, settings, "dtoc")
    good, days = raw_snapshot(con, "dtoc"), march_social_care_days(con)
    # what the old loader did with dtoc_20171345.csv: replaced March with a null extract date
    con.execute("delete from raw.dtoc where period = '2017-03'")
    con.execute(
        "insert into raw.dtoc select * replace (delayed_days * 100 as delayed_days, "
        "'dtoc_20171345.csv' as _source_file, null::date as _extract_date) from "
        "(select * from raw.dtoc) where false"
    )
    con.execute(
        f"insert into raw.dtoc (period, la_code, provider_code, acute_or_non_acute, responsible_org, "
        f"reason_code, delayed_days, _source_file, _extract_date) values "
        f"('2017-03', '{LA}', 'RM1', 'Acute', 'Social Care', 'B', 34965, 'dtoc_20171345.csv', null)"
    )
    load_feed(con, settings, "dtoc")
    assert march_social_care_days(con) == days and raw_snapshot(con, "dtoc") == good
    (message,) = con.execute("select message from raw._load_log where status = 'purged'").fetchall()[0]
    assert "1 loaded from a file whose name had no real date" in message


def test_files_and_folders_that_match_no_feed_are_listed(env, capsys):
    from dagster_project.ingest.landing import feed_files, not_loaded  # noqa: F401 - new in issue 12

    settings, _ = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *people(2)])
    write(settings.landing, "liquidlogic", "people.mapping.yml", ["person_id: person_id"])
    write(settings.landing, "liquidlogic", "peeple_20170401.csv", [PEOPLE_HEADER])
    write(settings.landing, "dtoc", "DToC March 2017.csv", [DTOC_HEADER])
    write(settings.landing, "dtoc", "dtoc_20170401.xlsx", ["not a workbook"])
    write(settings.landing, "safeguarding_typo", "concerns_20170401.csv", ["x"])
    write(settings.landing, "commentary/VS_X", "March.md", ["# Why is this important?"])
    write(settings.landing, "", "people_20170401.csv", [PEOPLE_HEADER])
    (settings.landing / ".vitalsigns-sample").write_text("sample\n")
    reasons = {p.path.relative_to(settings.landing).as_posix(): p.reason for p in not_loaded(settings.landing)}
    assert set(reasons) == {
        "liquidlogic/peeple_20170401.csv",
        "dtoc/DToC March 2017.csv",
        "dtoc/dtoc_20170401.xlsx",
        "safeguarding_typo",
        "commentary/VS_X/March.md",
        "people_20170401.csv",
    }
    assert "name matches no liquidlogic feed" in reasons["liquidlogic/peeple_20170401.csv"]
    assert "unknown folder 'safeguarding_typo'" in reasons["safeguarding_typo"]
    from dagster_project.cli import main

    assert main(["check", "--landing", str(settings.landing)]) == 1
    out = capsys.readouterr().out
    assert all(f"{name}:0:0: not loaded" in out for name in reasons)


def test_file_patterns_are_per_feed_data(env):
    from dagster_project.ingest.landing import feed_files, not_loaded  # noqa: F401 - new in issue 12

    """A feed with its own pattern (the CLD feed's cld_<la_code>_<YYYYMMDD>[_<HHMMSS>].csv)."""
    settings, _ = env
    cld = dataclasses.replace(
        FEEDS["dtoc"],
        name="cld",
        folder="dtoc",
        file_pattern=r"cld_(?P<la>E\d{8})_(?P<date>\d{8})(?:_(?P<time>\d{6}))?\.(?P<ext>csv)",
    )
    ok = [
        write(settings.landing, "dtoc", n, ["x"])
        for n in ("cld_E10000020_20240630.csv", "cld_E10000020_20240630_101500.csv")
    ]
    write(settings.landing, "dtoc", "cld_E10000020_20240631.csv", ["x"])
    write(settings.landing, "dtoc", "cld_E10000020_20240630_256000.csv", ["x"])
    assert feed_files(settings.landing, cld) == ok


@pytest.mark.parametrize(
    "feed,folder,header,row",
    [
        ("people", "liquidlogic", PEOPLE_HEADER, "P9,{la},1950-01-01,Female,White,Sensory Support,"),
        ("dtoc", "dtoc", DTOC_HEADER, "2017-03,{la},RM2,Acute,NHS,A,5"),
        ("population", "population", "la_code,year,sex,age,population", "{la},2016,F,70,100"),
        ("targets", "reference", "indicator_code,la_code,period,target", "VS_X,{la},2017-03,5"),
        ("family_groups", "reference", "la_code,family_group", "{la},Norfolk"),
        (
            "indicator_values",
            "reference",
            "indicator_code,la_code,period_type,period_end,numerator,denominator,value",
            "VS_X,{la},month,2017-03-31,1,2,5",
        ),
        ("risk_register", "risk_register", RISK_HEADER, "{la},RM9,Name,d,t,p,o,3,3,Amber"),
    ],
)
@pytest.mark.parametrize("la", ["../../../../tmp/escape", "E1000002", "W06000001", "e10000020 "])
def test_a_council_code_that_is_not_an_ons_code_rejects_the_row(env, feed, folder, header, row, la):
    settings = dataclasses.replace(env[0], reject_threshold=0.9)
    con = env[1]
    good = row.format(la=LA)
    write(settings.landing, folder, f"{feed}_20170401.csv", [header, good, row.format(la=la)])
    (outcome,) = load_feed(con, settings, feed)
    assert outcome.rows_accepted == 1 and outcome.rows_rejected == 1
    assert [r.rule for r in outcome.rejects] == [
        "la_code is not an ONS council code (E06/E07/E08/E09/E10 and six digits, e.g. E10000020)"
    ]
    assert {r[0] for r in con.execute(f"select distinct la_code from raw.{feed}").fetchall()} == {LA}


def test_risk_register_council_inference_ignores_codes_an_earlier_version_let_in(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *people(3)])
    load_feed(con, settings, "people")
    con.execute(
        "insert into raw.people (person_id, la_code, _source_file, _extract_date) "
        "values ('x', '../../x', 'people_20170401.csv', DATE '2017-04-01')"
    )
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170331.csv",
        ["risk_id,risk_name,current_likelihood,current_impact", "RM1,Risk,3,3"],
    )
    load_feed(con, settings, "people")  # the next load of people removes the bogus row
    load_feed(con, settings, "risk_register")
    # the register is loaded as sent; dbt (stg_risk_register) infers its council from the
    # council-level feeds, which now hold only the real code
    assert con.execute("select distinct la_code from raw.risk_register").fetchall() == [(None,)]
    assert con.execute("select distinct la_code from raw.people").fetchall() == [(LA,)]


def test_a_billion_delayed_days_is_rejected_not_published_as_a_rate(env):
    settings, con = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    load_feed(con, settings, "dtoc")
    good = raw_snapshot(con, "dtoc")
    write(
        settings.landing,
        "dtoc",
        "dtoc_20170501.csv",
        [DTOC_HEADER, *dtoc_rows("2017-04"), f"2017-04,{LA},RM7,Acute,Social Care,A,1000000000"],
    )
    (old, new) = load_feed(con, dataclasses.replace(settings, reject_threshold=0.5), "dtoc")
    assert new.rows_rejected == 1
    assert new.rejects[0].rule == (
        "delayed days for one provider in one month above 100,000 (VITALSIGNS_MAX_DELAYED_DAYS)"
    )
    assert con.execute("select max(delayed_days) from raw.dtoc").fetchall()[0][0] < 1000
    assert set(good) <= set(raw_snapshot(con, "dtoc"))


def test_delayed_days_are_summed_per_provider_and_month(env):
    settings = dataclasses.replace(env[0], reject_threshold=0.9)
    con = env[1]
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows(days=10)])
    # 20 rows of 10..29 days: 390 for RM1 in March, over 300: every row of that provider-month goes
    with pytest.raises(LoadFailed, match="20 of 20 rows rejected"):
        load_feed(con, with_limits(settings, max_delayed_days=300), "dtoc")
    (outcome2,) = load_feed(con, with_limits(settings, max_delayed_days=400), "dtoc")
    assert outcome2.rows_rejected == 0


def test_population_per_single_year_of_age_is_bounded(env):
    settings = dataclasses.replace(env[0], reject_threshold=0.9)
    con = env[1]
    write(
        settings.landing,
        "population",
        "population_20170401.csv",
        ["la_code,year,sex,age,population", f"{LA},2016,F,70,9000", f"{LA},2016,M,70,9000000"],
    )
    (outcome,) = load_feed(con, settings, "population")
    assert [(r.row, r.rule) for r in outcome.rejects] == [
        (3, "population above 200,000 for one single year of age (VITALSIGNS_MAX_POPULATION_PER_AGE)")
    ]


def test_likelihood_and_impact_ranges_are_settings(env):
    settings = dataclasses.replace(env[0], reject_threshold=0.9)
    con = env[1]
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170331.csv",
        [RISK_HEADER, f"{LA},RM1,A,d,t,p,o,3,3,Amber", f"{LA},RM2,B,d,t,p,o,7,3,Amber"],
    )
    (outcome,) = load_feed(con, settings, "risk_register")
    assert [r.rule for r in outcome.rejects] == ["current likelihood outside 1-5"]
    con.execute("delete from raw._load_log")
    (outcome,) = load_feed(con, with_limits(settings, risk_scale_max=10), "risk_register")
    assert outcome.rows_rejected == 0


def test_every_feed_with_a_council_code_checks_it():
    assert all(any("la_code" in p for p, _ in f.rules) for f in FEEDS.values() if "la_code" in f.column_names)
    assert isinstance(FEEDS["dtoc"], Feed)


def test_the_build_summary_lists_what_was_not_loaded(env, monkeypatch, capsys):
    settings, _ = env
    write(settings.landing, "dtoc", "dtoc_20171345.csv", [DTOC_HEADER])
    (settings.landing / "misc").mkdir()
    from dagster_project import build_runner, cli

    monkeypatch.setattr(cli, "prepare_dbt_manifest", lambda: None)
    monkeypatch.setattr(build_runner, "run_everything", lambda *a, **kw: build_runner.BuildOutcome(True))
    assert cli.main(["build", "--landing", str(settings.landing), "--home", str(settings.home)]) == 0
    out = capsys.readouterr().out
    assert "NOT LOADED (2 file(s) or folder(s)" in out
    assert f"{settings.landing / 'dtoc' / 'dtoc_20171345.csv'}: the date in the name is not a real date" in out
    assert f"{settings.landing / 'misc'}: unknown folder 'misc'" in out


def test_a_purge_in_a_full_feed_does_not_replay_its_older_extracts(env):
    """Replaying people_20170101 (50 rows) over people_20170401 (100) would trip the shrink guard."""
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170101.csv", [PEOPLE_HEADER, *people(50)])
    load_feed(con, settings, "people")
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *people(100)])
    load_feed(con, dataclasses.replace(settings, confirm_shrink=True), "people")
    good = raw_snapshot(con, "people")
    con.execute(
        "insert into raw.people (person_id, la_code, _source_file, _extract_date) "
        "values ('x', '../../x', 'people_20170401.csv', DATE '2017-04-01')"
    )
    outcomes = load_feed(con, settings, "people")
    assert [o.status for o in outcomes] == ["unchanged", "unchanged"]
    assert raw_snapshot(con, "people") == good
