"""Every rule of extracts.md "What happens to bad input", each fed a bad file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.ingest.loader import LoadFailed, load_feed
from dagster_project.settings import SAMPLE_MARKER, SAMPLE_SALT, ConfigError, Settings

LA = "E10000020"
PEOPLE_HEADER = "person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death"


def person_rows(n: int, start: int = 1) -> list[str]:
    return [f"P{i},{LA},1950-01-01,Female,White,Sensory Support," for i in range(start, start + n)]


def write(landing: Path, folder: str, name: str, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = newline.join(lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


@pytest.fixture
def env(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", sample_data=True)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield settings, con
    con.close()


def digest(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


def count(con, sql):
    return con.execute(sql).fetchall()[0][0]


def test_raw_files_are_never_modified_and_loads_are_logged(env):
    settings, con = env
    good = write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *person_rows(10)])
    bad = write(settings.landing, "liquidlogic", "people_20170501.csv", [PEOPLE_HEADER, "P1,E10000020,oops"])
    before = {p: digest(p) for p in (good, bad)}
    with pytest.raises(LoadFailed):
        load_feed(con, settings, "people")
    assert {p: digest(p) for p in (good, bad)} == before
    assert good.exists() and bad.exists()
    log = con.execute(
        "select file, rows_read, rows_accepted, rows_rejected, status from raw._load_log order by loaded_at"
    ).fetchall()
    assert [r[4] for r in log] == ["loaded", "quarantined"]
    assert log[0][1:4] == (10, 10, 0)


def test_loading_the_same_file_twice_changes_nothing(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *person_rows(10)])
    load_feed(con, settings, "people")
    snapshot = con.execute("select * exclude (_loaded_at) from raw.people order by person_id").fetchall()
    outcomes = load_feed(con, settings, "people")
    assert [o.status for o in outcomes] == ["unchanged"]
    assert con.execute("select * exclude (_loaded_at) from raw.people order by person_id").fetchall() == snapshot
    assert count(con, "select count(*) from raw._rejects") == 0


def test_unparseable_file_is_quarantined_whole_and_last_good_data_kept(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *person_rows(10)])
    load_feed(con, settings, "people")
    write(
        settings.landing,
        "liquidlogic",
        "people_20170501.csv",
        [PEOPLE_HEADER, *person_rows(3, 100), 'P9,E10000020,1950-01-01,"unterminated'],
    )
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert "people_20170501.csv" in str(err.value)
    assert count(con, "select count(*) from raw.people") == 10  # the last good extract stays
    # person-level: the reason and the file's hash are kept, not a copy of the file (issue 12)
    assert not (settings.quarantine_path / "people" / "people_20170501.csv").exists()
    reason = (settings.quarantine_path / "people" / "people_20170501.csv.reason.txt").read_text()
    assert reason.count("\n") == 1 and "people_20170501.csv:" in reason


def test_missing_required_column_names_file_row_and_column(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", ["person_id,la_code,gender", f"P1,{LA},Female"])
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert "people_20170401.csv:1:date_of_birth: required column 'date_of_birth' is missing" in str(err.value)


def test_wrong_type_quarantines_with_row_and_column(env):
    settings, con = env
    write(
        settings.landing,
        "dtoc",
        "dtoc_20170401.csv",
        [
            "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days",
            f"2017-01,{LA},RM1,Acute,NHS,A,10",
            f"2017-01,{LA},RM1,Acute,Social Care,B,ten",
        ],
    )
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "dtoc")
    assert "dtoc_20170401.csv:3:delayed_days: 'ten' is not a number" in str(err.value)
    assert count(con, "select count(*) from raw.dtoc") == 0


def test_person_level_type_errors_do_not_echo_the_value(env):
    settings, con = env
    write(
        settings.landing,
        "liquidlogic",
        "people_20170401.csv",
        [PEOPLE_HEADER, f"P1,{LA},31/31/1950,Female,,Sensory Support,"],
    )
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert ":2:date_of_birth:" in str(err.value) and "31/31/1950" not in str(err.value)


@pytest.mark.parametrize(
    "feed,folder,header,bad_row,rule",
    [
        (
            "people",
            "liquidlogic",
            PEOPLE_HEADER,
            f"PX,{LA},1950-01-01,Martian,,Sensory Support,",
            "unknown code in gender",
        ),
        (
            "services",
            "liquidlogic",
            "service_id,person_id,la_code,client_type,service_type,support_setting,delivery_mechanism,start_date,end_date,funding_source",
            (
                f"SX,P1,{LA},Service User,Long Term Support: Community,Community,Direct Payment,"
                "2016-05-01,2016-04-01,Council"
            ),
            "end before start",
        ),
        (
            "people",
            "liquidlogic",
            PEOPLE_HEADER,
            f"PX,{LA},2999-01-01,Female,,Sensory Support,",
            "date of birth in the future",
        ),
        (
            "people",
            "liquidlogic",
            PEOPLE_HEADER,
            f"P1,{LA},1950-01-01,Female,,Sensory Support,",
            "duplicate key (la_code, person_id)",
        ),
        (
            "dtoc",
            "dtoc",
            "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days",
            f"2017-02,{LA},RM1,Acute,NHS,A,-3",
            "negative delayed days",
        ),
        (
            "risk_register",
            "risk_register",
            "la_code,risk_id,risk_name,original_likelihood,original_impact,current_likelihood,current_impact,"
            "target_likelihood,target_impact,prospects",
            f"{LA},RMX,Bad risk,6,3,3,3,1,1,Amber",
            "original likelihood outside 1-5",
        ),
    ],
)
def test_rule_breaking_rows_are_rejected_individually(env, feed, folder, header, bad_row, rule):
    settings = Settings(landing=env[0].landing, home=env[0].home, sample_data=True, reject_threshold=0.5)
    con = env[1]
    good = {
        "people": person_rows(5),
        "services": [
            f"S{i},P{i},{LA},Service User,Long Term Support: Community,Community,Direct Payment,2016-01-01,,Council"
            for i in range(5)
        ],
        "dtoc": [f"2017-01,{LA},RM{i},Acute,NHS,A,{i}" for i in range(5)],
        "risk_register": [f"{LA},RM{i},Risk {i},3,3,3,3,1,1,Green" for i in range(5)],
    }[feed]
    name = f"{feed}_20170401.csv"
    write(settings.landing, folder, name, [header, *good, bad_row])
    (outcome,) = load_feed(con, settings, feed)
    assert outcome.rows_accepted == 5 and outcome.rows_rejected == 1
    rules = [r[0] for r in con.execute("select rule from raw._rejects where row_number = 7").fetchall()]
    assert rule in rules
    assert count(con, f"select count(*) from raw.{feed}") == 5


def test_too_many_rejects_fail_the_load(env):
    settings, con = env
    rows = person_rows(10) + [f"PX{i},{LA},1950-01-01,Martian,,Sensory Support," for i in range(2)]
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *rows])
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert "2 of 12 rows rejected" in str(err.value) and "5% threshold" in str(err.value)
    assert count(con, "select count(*) from raw.people") == 0


def test_a_sharply_shrinking_extract_fails_unless_confirmed(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *person_rows(100)])
    load_feed(con, settings, "people")
    write(settings.landing, "liquidlogic", "people_20170501.csv", [PEOPLE_HEADER, *person_rows(70)])
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert "would shrink from 100 to 70 rows" in str(err.value) and "VITALSIGNS_CONFIRM_SHRINK" in str(err.value)
    assert count(con, "select count(*) from raw.people") == 100
    confirmed = Settings(landing=settings.landing, home=settings.home, sample_data=True, confirm_shrink=True)
    load_feed(con, confirmed, "people")
    assert count(con, "select count(*) from raw.people") == 70


def test_a_late_older_full_extract_does_not_roll_a_council_back(env):
    """An extract dated before the one already loaded arrives late: the newer extract stays, the
    council absent from the newer one is still replaced, and the late file is not re-read nightly."""
    settings, con = env
    other = "E10000024"
    write(settings.landing, "liquidlogic", "people_20170501.csv", [PEOPLE_HEADER, *person_rows(10)])
    load_feed(con, settings, "people")
    before = con.execute("select * exclude (_loaded_at) from raw.people order by person_id").fetchall()
    late = [PEOPLE_HEADER, *person_rows(12, start=50), *(r.replace(LA, other) for r in person_rows(3, start=90))]
    write(settings.landing, "liquidlogic", "people_20170401.csv", late)
    outcomes = {o.file.name: o for o in load_feed(con, settings, "people")}
    late_outcome = outcomes["people_20170401.csv"]
    assert late_outcome.ok and "older than the people extract already loaded for E10000020" in late_outcome.message
    assert (
        con.execute(
            "select * exclude (_loaded_at) from raw.people where la_code = ? order by person_id", [LA]
        ).fetchall()
        == before
    )
    assert count(con, f"select count(*) from raw.people where la_code = '{other}'") == 3
    (settings.landing / "liquidlogic" / "people_20170501.csv").unlink()  # only the late file left
    write(settings.landing, "liquidlogic", "people_20170402.csv", [PEOPLE_HEADER, *person_rows(12, start=50)])
    [_, stale] = load_feed(con, settings, "people")
    assert stale.status == "superseded" and count(con, f"select count(*) from raw.people where la_code = '{LA}'") == 10
    assert [o.status for o in load_feed(con, settings, "people")] == ["unchanged", "unchanged"]


def test_council_formats_are_accepted(env):
    """UTF-8 BOM, Windows line endings, DD/MM/YYYY dates, Y/N booleans, codes in odd case or with an en dash."""
    settings, con = env
    write(
        settings.landing,
        "liquidlogic",
        "reablement_20170401.csv",
        [
            "episode_id,person_id,la_code,start_date,end_date,hospital_discharge,sequel,status_at_91_days",
            f"E1,P1,{LA},01/10/2016,2016-10-20,Y,ongoing low level  support,at home",
            f"E2,P2,{LA},2016-10-01,20/10/2016,No,No Services Provided \u2013 No identified needs,Not known",
        ],
        newline="\r\n",
        bom=True,
    )
    (outcome,) = load_feed(con, settings, "reablement")
    assert outcome.rows_accepted == 2, outcome.rejects
    rows = con.execute(
        "select start_date::varchar, hospital_discharge, sequel, status_at_91_days "
        "from raw.reablement order by start_date, sequel"
    ).fetchall()
    assert rows[0] == ("2016-10-01", False, "No Services Provided - No identified needs", "Not known")
    assert rows[1] == ("2016-10-01", True, "Ongoing Low Level Support", "At home")


def test_column_mapping_file_is_applied_before_validation(env):
    settings, con = env
    write(
        settings.landing,
        "liquidlogic",
        "people_20170401.csv",
        [
            "LAS Person ID,LA,DOB,Sex,Ethnic Origin,PSR,Died",
            f"P1,{LA},1950-01-01,Male,White,Social Support,",
        ],
    )
    (settings.landing / "liquidlogic" / "people.mapping.yml").write_text(
        "LAS Person ID: person_id\nLA: la_code\nDOB: date_of_birth\nSex: gender\n"
        "Ethnic Origin: ethnicity\nPSR: primary_support_reason\nDied: date_of_death\n"
    )
    (outcome,) = load_feed(con, settings, "people")
    assert outcome.rows_accepted == 1


def test_header_only_file_is_valid_and_reported(env):
    settings, con = env
    write(
        settings.landing,
        "liquidlogic",
        "reviews_20170401.csv",
        ["review_id,person_id,la_code,review_date,review_type,review_outcome"],
    )
    (outcome,) = load_feed(con, settings, "reviews")
    assert outcome.status == "empty"
    assert count(con, "select count(*) from raw._load_log where status = 'empty'") == 1


def test_a_missing_feed_is_reported_not_fatal(env):
    settings, con = env
    assert load_feed(con, settings, "holding_list") == []
    (status, message) = con.execute("select status, message from raw._load_log").fetchall()[0]
    assert status == "missing" and "no holding_list file" in message


def test_person_ids_are_pseudonymised_before_the_warehouse(env, tmp_path):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, *person_rows(3)])
    load_feed(con, settings, "people")
    con.execute("checkpoint")
    ids = {r[0] for r in con.execute("select person_id from raw.people").fetchall()}
    assert not ids & {"P1", "P2", "P3"} and all(len(i) == 24 for i in ids)
    assert b"P1," not in (tmp_path / "wh.duckdb").read_bytes()


def test_salt_is_required_outside_the_sample(tmp_path):
    settings = Settings(landing=tmp_path, home=tmp_path)
    with pytest.raises(ConfigError, match="VITALSIGNS_SALT"):
        settings.pseudonymisation_salt()
    assert Settings(landing=tmp_path, home=tmp_path, salt="s3cret").pseudonymisation_salt() == "s3cret"


def test_the_public_sample_salt_is_refused_on_real_data(tmp_path):
    """The build, not only `check`, refuses it: pseudonyms made with a published salt are reversible."""
    settings = Settings(landing=tmp_path, home=tmp_path, salt=SAMPLE_SALT)
    with pytest.raises(ConfigError, match="built-in sample salt, which is public"):
        settings.pseudonymisation_salt()
    (tmp_path / SAMPLE_MARKER).write_text("synthetic\n")  # on a folder `vitalsigns sample` wrote it is what it is for
    assert settings.pseudonymisation_salt() == SAMPLE_SALT


def test_risk_register_xlsx_with_merged_cells_and_uk_dates(env):
    settings, con = env
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "la_code",
            "risk_id",
            "risk_name",
            "area",
            "date_entered",
            "original_likelihood",
            "original_impact",
            "current_likelihood",
            "current_impact",
            "target_likelihood",
            "target_impact",
            "target_date",
            "prospects",
            "risk_owner",
            "review_date",
            "current_score",
        ]
    )
    ws.append(
        [
            LA,
            "RM14079",
            "Failure to meet the long term needs of Norfolk citizens",
            "Adult Social Care",
            "11/10/2012",
            5,
            5,
            4,
            5,
            2,
            4,
            "31/03/2030",
            "Amber",
            "James Bullion",
            "31/05/2017",
            20,
        ]
    )
    ws.append(
        [
            None,
            "RM0207",
            "Failure to meet the needs of Norfolk citizens",
            None,
            "01/04/2011",
            3,
            4,
            3,
            4,
            2,
            4,
            "31/03/2018",
            "Amber",
            "James Bullion",
            "31/05/2017",
            16,
        ]
    )
    ws.append([None] * 16)  # a blank row, as spreadsheets have
    ws.merge_cells("A2:A3")  # la_code merged over both risks
    ws.merge_cells("D2:D3")
    path = settings.landing / "risk_register" / "risk_register_20170531.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    (outcome,) = load_feed(con, settings, "risk_register")
    assert outcome.rows_accepted == 2, outcome.rejects
    rows = con.execute(
        "select risk_id, la_code, area, target_date::varchar, current_score, snapshot_date::varchar "
        "from raw.risk_register order by risk_id"
    ).fetchall()
    assert rows[0] == ("RM0207", LA, "Adult Social Care", "2018-03-31", 16, "2017-05-31")
    assert rows[1][:5] == ("RM14079", LA, "Adult Social Care", "2030-03-31", 20)


def test_risk_register_problems_are_reported_as_file_row_column(env):
    settings = Settings(landing=env[0].landing, home=env[0].home, sample_data=True, reject_threshold=0.9)
    con = env[1]
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170531.csv",
        [
            "la_code,risk_id,risk_name,current_likelihood,current_impact,prospects",
            f"{LA},RM1,Fine,3,4,Amber",
            f"{LA},RM1,Duplicate,3,4,Amber",
            f"{LA},,No id,3,4,Amber",
            f"{LA},RM2,Impact too big,3,7,Red",
        ],
    )
    (outcome,) = load_feed(con, settings, "risk_register")
    lines = {r.line(outcome.file).split(str(settings.landing))[-1] for r in outcome.rejects}
    assert "/risk_register/risk_register_20170531.csv:3:risk_id: duplicate key (la_code, risk_id)" in lines
    assert "/risk_register/risk_register_20170531.csv:4:risk_id: missing risk_id" in lines
    assert "/risk_register/risk_register_20170531.csv:5:current_impact: current impact outside 1-5" in lines


def test_risk_register_without_la_code_is_loaded_as_sent(env):
    """The load only loads the file: the council of a register without la_code is inferred in dbt
    (stg_risk_register, unit-tested there), not by the loader querying other feeds' tables."""
    settings, con = env
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170531.csv",
        ["risk_id,risk_name,current_likelihood,current_impact", "RM1,One,3,4", "RM2,Two,2,2"],
    )
    (outcome,) = load_feed(con, settings, "risk_register")  # no other feed loaded: no council to infer
    assert outcome.status == "loaded", outcome.message
    assert con.execute("select risk_id, la_code from raw.risk_register order by 1").fetchall() == [
        ("RM1", None),
        ("RM2", None),
    ]
