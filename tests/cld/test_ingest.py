"""CLD ingestion: raw.cld exactly as agreed (CLD_RAW.md), privacy at the door, loose headers,
additive submissions, and every bad-input case of cld.md with a clear message and nothing lost."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dagster_project.ingest import cld as cld_ingest
from dagster_project.ingest.cld import load_cld
from dagster_project.ingest.loader import LoadFailed, ensure_raw_schema, load_feed
from dagster_project.settings import Settings
from tests.cld.util import LA, REQUIRED, fingerprint, row, rows, write

# the interface agreed with the CLD dbt models (CLD_RAW.md), column by column, in order
AGREED = """_source_file varchar, _extract_date date, _loaded_at timestamp, _submitted_at timestamp,
_row_number integer, la_code varchar, reporting_period_start_date date, reporting_period_end_date date,
nhs_number varchar, la_person_unique_identifier varchar, gender varchar, ethnicity varchar, date_of_birth date,
date_of_death date, client_type varchar, primary_support_reason varchar, accommodation_status varchar,
employment_status varchar, has_unpaid_carer varchar, client_funding_status varchar, event_type varchar,
event_start_date date, event_end_date date, event_outcome varchar, request_route_of_access varchar,
assessment_type varchar, service_type varchar, service_component varchar, delivery_mechanism varchar,
adult_1_linked_person_id varchar, adult_2_linked_person_id varchar, adult_3_linked_person_id varchar,
gp_practice_code varchar, postcode_district varchar, autism_spectrum_disorder_asd varchar,
visual_impairment varchar, hearing_impairment varchar, dementia varchar, event_reference varchar,
event_description varchar, eligible_needs_identified varchar, method_of_assessment varchar,
total_hrs_caring_per_week varchar, no_of_adults_being_cared_for varchar, provider_cqc_location_id varchar,
provider_cqc_location_name varchar, review_reason varchar, review_outcomes_achieved varchar,
method_of_review varchar, unit_cost varchar, cost_frequency_unit_type varchar, planned_units_per_week varchar"""
DB_TYPES = {"varchar": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "integer": "INTEGER"}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setattr(cld_ingest, "today", lambda: dt.date(2025, 1, 31))
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", sample_data=True)
    (tmp_path / "landing").mkdir()
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield settings, con
    con.close()


def count(con, sql="select count(*) from raw.cld"):
    return con.execute(sql).fetchall()[0][0]


def table(con, sql="select * from raw.cld order by _source_file, _row_number") -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# --- the raw table -----------------------------------------------------------------------------


def test_raw_cld_exists_empty_with_exactly_the_agreed_columns(env):
    _, con = env
    ensure_raw_schema(con)
    got = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'cld' order by ordinal_position"
    ).fetchall()
    agreed = [tuple(c.split()) for c in AGREED.replace("\n", " ").split(", ")]
    assert got == [(n, DB_TYPES[t]) for n, t in agreed]
    assert count(con) == 0


def test_round_trip_keeps_fields_and_bookkeeping_and_reduces_identifiers(env):
    settings, con = env
    first = row(
        Postcode="NR1 2AB",
        GP_Practice_Code="D82001",
        GP_Practice_Name="The Surgery",
        First_Name="Alice",
        Last_Name="Smith",
        Dementia="Yes",
        Unit_Cost="123.45",
        Adult_1_Linked_Person_ID="P2",
    )
    second = row(
        LA_Code="",
        LA_Person_Unique_Identifier="P2",
        NHS_Number="",
        Date_of_Birth="12/11/1940",
        Date_of_Death="01/03/2024",
        Event_Type="Request",
        Event_End_Date="2024-01-04",
        Event_Outcome="NFA: Other",
        Request_Route_of_Access="Community or other route",
        Service_Type="",
        Service_Component="",
        Delivery_Mechanism="",
        Postcode="nr12ab",
        GP_Practice_Code="D82001",
        GP_Practice_Name="The Surgery",
        First_Name="Bob",
        Last_Name="Jones",
        Dementia="",
        Unit_Cost="",
        Adult_1_Linked_Person_ID="",
    )
    path = write(settings.landing, f"cld_{LA}_20240715.csv", [first, second])
    [outcome] = load_cld(con, settings)
    assert outcome.status == "loaded" and outcome.rows_read == 2
    a, b = table(con)
    assert a["_source_file"] == path.name and a["_extract_date"] == dt.date(2024, 7, 15)
    assert a["_submitted_at"] == dt.datetime(2024, 7, 15) and (a["_row_number"], b["_row_number"]) == (1, 2)
    assert a["la_code"] == b["la_code"] == LA  # a blank LA_Code takes the council of the file name
    assert a["reporting_period_end_date"] == dt.date(2024, 6, 30) and a["event_start_date"] == dt.date(2024, 1, 3)
    assert a["date_of_birth"] == dt.date(1950, 5, 1) and b["date_of_birth"] == dt.date(1940, 11, 1)
    assert b["date_of_death"] == dt.date(2024, 3, 1) and a["date_of_death"] is None
    assert (a["postcode_district"], b["postcode_district"]) == ("NR1", "NR1")
    assert a["gp_practice_code"] == "D82001" and a["dementia"] == "Yes" and a["unit_cost"] == "123.45"
    assert a["ethnicity"] == "White: Irish" and b["event_outcome"] == "NFA: Other"
    assert a["review_reason"] is None  # an optional column the file does not have
    for r in (a, b):
        assert len(r["la_person_unique_identifier"]) == 24 and r["la_person_unique_identifier"] not in ("P1", "P2")
    assert len(a["nhs_number"]) == 24 and b["nhs_number"] is None
    assert a["adult_1_linked_person_id"] == b["la_person_unique_identifier"]  # linked ids link


def test_ids_take_the_liquid_logic_pseudonym_and_nhs_numbers_a_national_one(env):
    settings, con = env
    (settings.landing / "liquidlogic").mkdir()
    (settings.landing / "liquidlogic" / "people_20240701.csv").write_text(
        "person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death\n"
        f"P1,{LA},1950-05-17,Female,White,Sensory Support,\n"
    )
    load_feed(con, settings, "people")
    write(settings.landing, f"cld_{LA}_20240715.csv", [row(NHS_Number="943 476 5919")])
    write(settings.landing, "cld_E10000024_20240716.csv", [row(LA_Code="E10000024", NHS_Number="943-476-5919")])
    load_cld(con, settings)
    person = count(con, "select person_id from raw.people")
    ids = con.execute(
        "select la_code, la_person_unique_identifier, nhs_number from raw.cld order by la_code"
    ).fetchall()
    assert ids[0][1] == person  # the same person in the same council: one pseudonym across feeds
    assert ids[1][1] != person  # another council's P1 is another person
    assert ids[0][2] == ids[1][2] != ids[0][1]  # an NHS number is national; spaces do not matter


def test_never_stored_fields_and_values_are_nowhere_in_the_warehouse(env):
    settings, con = env
    write(
        settings.landing,
        f"cld_{LA}_20240715.csv",
        [row(First_Name="Alice", Last_Name="Zebedee", GP_Practice_Name="Riverside Surgery", Postcode="NR1 2AB")],
    )
    load_cld(con, settings)
    secret = [
        "Alice",
        "Zebedee",
        "Riverside Surgery",
        "NR1 2AB",
        "NR12AB",
        "943 476 5919",
        "9434765919",
        "1950-05-17",
        "P1",
    ]
    columns = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall()
    names = {c for _, c in columns}
    assert not names & {"first_name", "last_name", "gp_practice_name", "postcode"}
    for t, c in columns:
        values = {str(v[0]) for v in con.execute(f'select distinct "{c}"::varchar from raw."{t}"').fetchall()}
        assert not values & set(secret), (t, c)
    assert not [t for t in con.execute("select table_name from duckdb_tables() where temporary").fetchall()]


# --- loose headers, dates, mapping -----------------------------------------------------------------


def test_headers_match_loosely_in_any_order_with_bom_unknown_columns_and_uk_dates(env):
    settings, con = env
    header = list(reversed(REQUIRED)) + ["Something Else", "Postcode"]
    rename = {h: h.replace("_", " ").upper() for h in REQUIRED[:10]}  # "LA CODE", "NHS NUMBER", ...
    rename["Event_Type"] = "event type"
    record = row(
        Reporting_Period_Start_Date="01/07/2023",
        Reporting_Period_End_Date="30/06/2024",
        **{"Something Else": "ignored", "Postcode": "PE30 1AA"},
    )
    write(settings.landing, f"cld_{LA}_20240715.csv", [record], header=header, rename=rename, bom=True)
    [outcome] = load_cld(con, settings)
    assert outcome.status == "loaded"
    [r] = table(con)
    assert r["la_code"] == LA and r["event_type"] == "Service" and r["gender"] == "Female"
    assert r["reporting_period_start_date"] == dt.date(2023, 7, 1) and r["postcode_district"] == "PE30"


def test_a_mapping_file_renames_a_council_s_own_column_names(env):
    settings, con = env
    (settings.landing / "cld").mkdir()
    (settings.landing / "cld" / "cld.mapping.yml").write_text(
        "Client ID: LA_Person_Unique_Identifier\nKind of event: Event_Type\n"
    )
    write(
        settings.landing,
        f"cld_{LA}_20240715.csv",
        [row()],
        rename={"LA_Person_Unique_Identifier": "Client ID", "Event_Type": "Kind of event"},
    )
    [outcome] = load_cld(con, settings)
    assert outcome.status == "loaded"
    assert count(con, "select event_type from raw.cld") == "Service"
    assert count(con, "select count(la_person_unique_identifier) from raw.cld") == 1


# --- additive submissions --------------------------------------------------------------------------


def test_every_submission_is_kept_resubmissions_included_and_the_same_file_loads_once(env):
    settings, con = env
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(3))
    load_cld(con, settings)
    write(settings.landing, f"cld_{LA}_20240715_143000.csv", rows(3, Event_Outcome="NFA: Support ended as planned"))
    write(settings.landing, f"cld_{LA}_20241015.csv", rows(4, Reporting_Period_End_Date="2024-09-30"))
    outcomes = load_cld(con, settings)
    assert [o.status for o in outcomes] == ["unchanged", "loaded", "loaded"]
    assert count(con) == 10
    got = con.execute(
        "select _source_file, _submitted_at, count(*), any_value(event_outcome) from raw.cld group by all order by 2"
    ).fetchall()
    assert [(g[1], g[2]) for g in got] == [
        (dt.datetime(2024, 7, 15), 3),
        (dt.datetime(2024, 7, 15, 14, 30), 3),
        (dt.datetime(2024, 10, 15), 4),
    ]
    assert got[1][3] == "NFA: Support ended as planned" and got[0][3] == "Continuation of support or services"
    assert [o.status for o in load_cld(con, settings)] == ["unchanged"] * 3
    assert count(con) == 10
    assert count(con, "select count(*) from raw._load_log where feed = 'cld' and status = 'loaded'") == 3


# --- bad input ---------------------------------------------------------------------------------------


def _bad_case(env, name, records, expect: list[str], keep: bool = False, **kw):
    """A good submission first, then the bad one: refused whole, with a clear reason; nothing lost.

    `records` None: an empty file, or (keep) the file already written under `name`."""
    settings, con = env
    good = write(settings.landing, f"cld_{LA}_20240415.csv", rows(2, Reporting_Period_End_Date="2024-03-31"))
    bad = settings.landing / "cld" / name
    held = bad.read_bytes() if keep else None
    if keep:
        bad.unlink()
    load_cld(con, settings)
    if records is not None:
        bad = write(settings.landing, name, records, **kw)
    else:
        bad.write_bytes(held if keep else b"")
    before = {p: fingerprint(p) for p in (good, bad)}
    with pytest.raises(LoadFailed) as err:
        load_cld(con, settings)
    message = str(err.value)
    assert "\n" not in message and str(bad) in message
    for piece in expect:
        assert piece in message, message
    assert {p: fingerprint(p) for p in (good, bad)} == before  # raw files untouched
    assert count(con) == 2 and count(con, "select count(distinct _source_file) from raw.cld") == 1  # last good kept
    assert (
        count(
            con,
            "select status from raw._load_log where file = ? order by loaded_at desc limit 1".replace(
                "?", repr(str(bad))
            ),
        )
        == "quarantined"
    )
    reason = settings.quarantine_path / "cld" / f"{bad.name}.reason.txt"
    assert reason.read_text().startswith(message + " [sha256 ")  # the reason and the file's hash ...
    assert not (settings.quarantine_path / "cld" / bad.name).exists()  # ... never a copy of person-level rows
    return message


def test_a_missing_required_column_quarantines_the_file(env):
    header = [h for h in REQUIRED if h != "Event_Type"]
    _bad_case(
        env,
        f"cld_{LA}_20240715.csv",
        [row()],
        [":1:Event_Type:", "required CLD column 'Event_Type' is missing"],
        header=header,
    )


def test_several_missing_columns_are_all_named(env):
    header = [h for h in REQUIRED if h not in ("Event_Type", "Gender")]
    m = _bad_case(env, f"cld_{LA}_20240715.csv", [row()], [":1:Gender:"], header=header)
    assert "Event_Type" in m


def test_la_code_rows_that_disagree_with_the_file_name_quarantine_it(env):
    records = rows(3)
    records[2]["LA_Code"] = "E10000024"
    _bad_case(
        env, f"cld_{LA}_20240715.csv", records, [":4:LA_Code:", "'E10000024'", f"({LA})", "one council's submission"]
    )


def test_a_file_name_without_an_ons_council_code_is_quarantined(env):
    _bad_case(env, "cld_NORFOLK_20240715.csv", [row()], [":0:0:", "'NORFOLK'", "not an ONS council code"])


def test_a_file_name_with_an_impossible_date_is_quarantined(env):
    _bad_case(env, f"cld_{LA}_20241332.csv", [row()], ["20241332", "not a real date"])


def test_a_date_that_is_not_a_date_quarantines_the_file_naming_row_and_column(env):
    records = rows(3)
    records[1]["Event_End_Date"] = "2024-02-30"
    _bad_case(env, f"cld_{LA}_20240715.csv", records, [":3:Event_End_Date:", "'2024-02-30' is not a date"])


def test_a_value_in_a_date_column_that_may_be_personal_is_not_shown(env):
    records = rows(2)
    records[1]["Event_Start_Date"] = "9434765919"  # a shifted column: an NHS number where a date belongs
    m = _bad_case(env, f"cld_{LA}_20240715.csv", records, [":3:Event_Start_Date:", "not shown", "is not a date"])
    assert "9434765919" not in m


def test_an_la_code_that_is_not_a_council_code_is_not_shown(env):
    records = rows(2)
    records[1]["LA_Code"] = "Alice Smith"
    m = _bad_case(env, f"cld_{LA}_20240715.csv", records, [":3:LA_Code:", "differs from the council"])
    assert "Alice" not in m


def test_a_person_s_bad_date_is_reported_without_its_value(env):
    records = rows(2)
    records[0]["Date_of_Birth"] = "17 May 1950"
    m = _bad_case(env, f"cld_{LA}_20240715.csv", records, [":2:Date_of_Birth:", "not shown", "is not a date"])
    assert "1950" not in m.split("Date_of_Birth:")[1]


@pytest.mark.parametrize("zero_bytes", [False, True])
def test_an_empty_submission_is_quarantined(env, zero_bytes):
    if zero_bytes:
        _bad_case(env, f"cld_{LA}_20240715.csv", None, ["empty"])
    else:
        _bad_case(
            env, f"cld_{LA}_20240715.csv", [], [":2:0:", "no data rows", "not a valid submission"], header=REQUIRED
        )


def test_a_submission_for_a_future_quarter_is_quarantined(env):
    records = rows(2)
    records[1]["Reporting_Period_End_Date"] = "2024-09-30"
    _bad_case(
        env,
        f"cld_{LA}_20240715.csv",
        records,
        [":3:Reporting_Period_End_Date:", "2024-09-30", "after the submission date 2024-07-15", "future quarter"],
    )


def test_a_period_ending_after_today_is_quarantined_even_in_a_future_dated_file(env):
    records = rows(1, Reporting_Period_End_Date="2025-03-31")  # today is 2025-01-31 here
    _bad_case(env, f"cld_{LA}_20250415.csv", records, [":2:Reporting_Period_End_Date:", "after today (2025-01-31)"])


def test_a_misnamed_file_is_reported_and_not_loaded(env):
    settings, con = env
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    odd = write(settings.landing, f"CLD {LA} July.csv", rows(2))
    outcomes = load_cld(con, settings)  # not a failure: reported
    assert {o.status for o in outcomes} == {"ignored", "loaded"}
    assert count(con) == 2
    [message] = [o.message for o in outcomes if o.status == "ignored"]
    assert str(odd) in message and "does not match cld_<la_code>_<YYYYMMDD>[_<HHMMSS>].csv" in message
    assert count(con, "select count(*) from raw._load_log where status = 'ignored'") == 1


def test_a_quarantined_file_does_not_stop_the_good_ones(env):
    settings, con = env
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    write(settings.landing, "cld_E10000024_20240716.csv", rows(2))  # LA_Code E10000020 inside
    write(settings.landing, f"cld_{LA}_20241015.csv", rows(3, Reporting_Period_End_Date="2024-09-30"))
    with pytest.raises(LoadFailed, match="E10000024"):
        load_cld(con, settings)
    assert count(con) == 5


def test_no_cld_folder_is_a_note_not_a_failure(env):
    settings, con = env
    assert load_cld(con, settings) == []
    assert count(con, "select status from raw._load_log where feed = 'cld'") == "missing"
    assert count(con) == 0


# --- vitalsigns check -----------------------------------------------------------------------------------


def test_vitalsigns_check_reports_every_cld_problem_as_file_row_column(env, capsys, monkeypatch):
    from dagster_project.cli import main

    settings, _ = env
    monkeypatch.setenv("VITALSIGNS_SAMPLE", "1")  # without a salt, check fails (a build would)
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    assert main(["check", "--landing", str(settings.landing)]) == 0
    bad = rows(2)
    bad[1]["Event_Start_Date"] = "yesterday"
    write(settings.landing, f"cld_{LA}_20241015.csv", bad)
    write(settings.landing, "cld_E10000024_20241016.csv", rows(1))
    write(settings.landing, "notes.csv", rows(1))
    capsys.readouterr()
    assert main(["check", "--landing", str(settings.landing)]) == 1
    out = capsys.readouterr().out
    assert f"cld_{LA}_20241015.csv:3:Event_Start_Date: the value (not shown: it may be personal) is not a date" in out
    assert "cld_E10000024_20241016.csv:2:LA_Code:" in out
    assert "notes.csv:0:0: file name does not match" in out


# --- privacy of the quarantine ------------------------------------------------------------------------


def test_a_quarantine_reason_never_holds_a_person_s_values(env):
    settings, con = env
    records = [row(First_Name="Alice", Date_of_Birth="1950-05-40")]
    write(settings.landing, f"cld_{LA}_20240715.csv", records)
    with pytest.raises(LoadFailed):
        load_cld(con, settings)
    text = (settings.quarantine_path / "cld" / f"cld_{LA}_20240715.csv.reason.txt").read_text()
    for secret in ("Alice", "1950-05-40", "943 476 5919", "P1"):
        assert secret not in text


def test_the_quarantine_keeps_no_copy_of_a_person_level_file(env):
    """The quarantine keeps the reason and the hash only (loader.quarantine, which CLD goes through)."""
    settings, con = env
    write(settings.landing, f"cld_{LA}_20240715.csv", [row(First_Name="Alice", Date_of_Birth="oops")])
    with pytest.raises(LoadFailed):
        load_cld(con, settings)
    kept = list((settings.quarantine_path / "cld").iterdir())
    assert [p.name for p in kept] == [f"cld_{LA}_20240715.csv.reason.txt"]
    for p in kept:
        assert "Alice" not in p.read_text(encoding="utf-8", errors="replace"), p


def test_the_same_bytes_under_another_submission_s_name_are_another_submission(env):
    settings, con = env
    first = write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    (settings.landing / "cld" / f"cld_{LA}_20240715_090000.csv").write_bytes(first.read_bytes())
    assert [o.status for o in load_cld(con, settings)] == ["loaded", "loaded"]
    assert count(con, "select count(distinct _submitted_at) from raw.cld") == 2


# --- the Dagster asset ----------------------------------------------------------------------------------


def _materialise(settings, monkeypatch):
    import dagster as dg

    from dagster_project.assets.ingestion import feed_assets
    from dagster_project.resources.warehouse import WarehouseResource

    monkeypatch.setenv("VITALSIGNS_SAMPLE", "1")
    [asset] = [a for a in feed_assets if a.key == dg.AssetKey(["raw", "cld"])]
    result = dg.materialize(
        [asset],
        resources={"warehouse": WarehouseResource(landing=str(settings.landing), home=str(settings.home))},
        raise_on_error=False,
    )
    [check] = result.get_asset_check_evaluations()
    return result, check


def test_the_asset_loads_and_its_load_ok_check_fails_on_a_quarantine_and_warns_on_a_misnamed_file(env, monkeypatch):
    import dagster as dg

    settings, con = env
    con.close()
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    result, check = _materialise(settings, monkeypatch)
    assert result.success and check.passed
    write(settings.landing, "cld_extra.csv", rows(1))
    _, check = _materialise(settings, monkeypatch)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN and "cld_extra.csv" in check.description
    write(settings.landing, f"cld_{LA}_20241015.csv", rows(1, Event_Start_Date="soon"))
    _, check = _materialise(settings, monkeypatch)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "Event_Start_Date: the value (not shown" in check.description
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as wh:
        assert wh.execute("select count(*) from raw.cld").fetchall()[0][0] == 2


def test_a_column_given_twice_under_loose_spellings_quarantines_the_file(env):
    header = REQUIRED + ["LA Code"]
    _bad_case(env, f"cld_{LA}_20240715.csv", [row(**{"LA Code": LA})], [":1:la_code:", "appears twice"], header=header)


def test_a_broken_mapping_file_quarantines_new_submissions_with_the_mapping_s_reason(env):
    settings, con = env
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    load_cld(con, settings)
    (settings.landing / "cld" / "cld.mapping.yml").write_text("- just\n- a list\n")
    write(settings.landing, f"cld_{LA}_20241015.csv", rows(2, Reporting_Period_End_Date="2024-09-30"))
    with pytest.raises(LoadFailed, match=r"cld.mapping.yml:1:0: column mapping must be a YAML map"):
        load_cld(con, settings)
    assert count(con) == 2
    assert (settings.quarantine_path / "cld" / f"cld_{LA}_20241015.csv.reason.txt").exists()


def test_an_unreadable_file_is_quarantined_naming_the_line_and_showing_none_of_it(env):
    settings, _ = env
    path = write(settings.landing, f"cld_{LA}_20240715.csv", rows(3, First_Name="Alice"))
    lines = path.read_text().splitlines()
    lines[2] += ',extra,"unterminated'
    path.write_text("\n".join(lines) + "\n")
    m = _bad_case(env, path.name, None, [":3:0:", "cannot be parsed as CSV"], keep=True)
    assert "Alice" not in m and "unterminated" not in m


def test_the_landing_sensor_sees_new_cld_submissions(env):
    from dagster_project.sensors import scan

    settings, _ = env
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(1))
    cursor, changed, _ = scan(settings.landing, {}, settle_seconds=0)
    assert changed == [f"cld/cld_{LA}_20240715.csv"]
    write(settings.landing, f"cld_{LA}_20240715_101500.csv", rows(2))
    _, changed, _ = scan(settings.landing, cursor, settle_seconds=0)
    assert changed == [f"cld/cld_{LA}_20240715_101500.csv"]


def test_a_file_without_its_header_row_is_refused_without_echoing_the_first_row(env):
    settings, _ = env
    path = write(settings.landing, f"cld_{LA}_20240715.csv", rows(3, First_Name="Alice"))
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    m = _bad_case(env, path.name, None, [":1:LA_Code:", "is the header row missing?"], keep=True)
    assert "Alice" not in m and "P1" not in m


def test_a_header_with_a_trailing_comma_loads_its_columns(env):
    settings, con = env
    path = write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    path.write_text("\n".join(line + "," for line in path.read_text().splitlines()) + "\n")  # as Excel writes
    [outcome] = load_cld(con, settings)
    assert outcome.status == "loaded" and count(con) == 2


def test_the_same_column_twice_is_named_plainly(env):
    _bad_case(
        env,
        f"cld_{LA}_20240715.csv",
        [row()],
        [":1:gender:", "appears twice in the header"],
        header=REQUIRED + ["Gender"],
    )


@pytest.mark.parametrize(
    "postcode, district",
    [
        ("NR1 2AB", "NR1"),
        ("nr12ab", "NR1"),
        ("SW1A 1AA", "SW1A"),
        ("EC1A1BB", "EC1A"),
        ("B1 1AA", "B1"),
        ("  PE30 1AA ", "PE30"),
        ("NR1", "NR1"),
        ("unknown", None),
        ("12345", None),
        ("", None),
    ],
)
def test_a_postcode_is_kept_as_its_district_or_not_at_all(postcode, district):
    value = "null" if not postcode else f"'{postcode}'"
    sql = cld_ingest._district_sql(f"nullif(trim({value}), '')")
    assert duckdb.sql(f"select {sql}").fetchall()[0][0] == district


def test_without_a_salt_nothing_is_written_and_the_message_says_how_to_set_it(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")  # real data, no VITALSIGNS_SALT
    write(settings.landing, f"cld_{LA}_20240715.csv", rows(2))
    from dagster_project.settings import ConfigError

    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        with pytest.raises(ConfigError, match="VITALSIGNS_SALT"):
            load_cld(con, settings)
        assert count(con) == 0
        assert count(con, "select count(*) from raw._load_log where status = 'loaded'") == 0
