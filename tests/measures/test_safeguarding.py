"""The safeguarding feed end to end on a hand-made extract: every SG_* figure, the breakdown's
counting rules (each person once, age at the first enquiry in the period, an enquiry under each
abuse type), the 24-hour and 28-day boundaries, rejected rows, and a feed that never arrived.

Figures are worked by hand from the rows below (Q1 2016/17 = April to June 2016)."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.dbt_runtime import scratch_build
from dagster_project.ingest.loader import ensure_raw_schema, load_feed
from dagster_project.settings import Settings

LA = "E10000020"
Q1 = "2016-06-30"
SELECTION = ["+int_indicator_computed", "+safeguarding_breakdown"]

PEOPLE = [
    "person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death",
    # P1 turns 65 on 20 April 2016: 64 at her first enquiry (5 April), 65 at her second (11 May)
    f"P1,{LA},1951-04-20,Female,White British,Physical Support: Personal Care Support,",
    f"P2,{LA},1990-01-01,Male,Asian or Asian British,Learning Disability Support,",
    f"P3,{LA},1930-05-01,Female,Not stated,,",
    f"P4,{LA},1941-07-01,Male,Black or Black British,Mental Health Support,",
]
HEADER = (
    "concern_id,person_id,la_code,concern_date,threshold_decision_date,threshold_met,enquiry_type,"
    "enquiry_start_date,action_to_make_safe_date,enquiry_end_date,abuse_types,location_of_risk,"
    "source_of_risk,risk_outcome,msp_asked,msp_outcomes_expressed,msp_outcomes_achieved"
)
CONCERNS = [
    HEADER,
    # made safe exactly one day after the decision (inside 24 hours); concluded exactly 28 days after
    # the start (inside 28 days); two abuse types; MSP fully achieved
    f"C1,P1,{LA},2016-04-04,2016-04-05,true,Section 42,2016-04-05,2016-04-06,2016-05-03,"
    "Physical;Neglect and Acts of Omission,Own Home,Service Provider,Risk identified and action taken,Yes,Yes,"
    "Fully achieved",
    # made safe two days after the decision (outside); concluded 29 days after the start (outside);
    # the code in odd case is matched
    f"C2,P1,{LA},2016-05-10,2016-05-10,true,Section 42,2016-05-11,2016-05-12,2016-06-09,"
    "psychological,Care Home - Residential,Other - Known to Individual,Risk identified and action taken,Yes,Yes,"
    "Partially achieved",
    # decided, threshold not met
    f"C3,P2,{LA},2016-04-20,2016-04-22,false,,,,,,,,,,,",
    # not decided yet: a concern received, in neither part of the conversion
    f"C4,P3,{LA},2016-06-28,,,,,,,,,,,,,",
    # threshold met, no action to make safe recorded (not within 24 hours), still open
    f"C5,P4,{LA},2016-06-01,2016-06-02,true,Section 42,2016-06-03,,,Financial or Material,Own Home,,,,,",
    # an enquiry that is not Section 42: in no Section 42 measure
    f"C6,P2,{LA},2016-06-05,2016-06-06,false,Other,2016-06-07,,2016-06-20,Physical,Own Home,,,,,",
    # made safe the day of the decision; no location (Not recorded); not asked about outcomes
    f"C7,P3,{LA},2016-04-10,2016-04-10,true,Section 42,2016-04-11,2016-04-10,2016-04-30,"
    "Neglect and Acts of Omission;Self-neglect,,,No risk identified and no action taken,No,,",
    # asked but expressed no outcomes: outside the MSP denominator
    f"C8,P4,{LA},2016-05-02,2016-05-03,true,Section 42,2016-05-03,2016-05-03,2016-05-20,Physical,Own Home,,,Yes,No,",
    # rejected: an enquiry started before its concern; an end before its start; an unknown abuse type
    f"R1,P1,{LA},2016-05-05,2016-05-05,true,Section 42,2016-05-01,,,Physical,Own Home,,,,,",
    f"R2,P2,{LA},2016-05-05,2016-05-06,true,Section 42,2016-05-10,,2016-05-08,Physical,Own Home,,,,,",
    f"R3,P3,{LA},2016-05-05,2016-05-06,true,Section 42,2016-05-07,,,Physical;Bogus,Own Home,,,,,",
]


def _landing(root, safeguarding: bool):
    (root / "liquidlogic").mkdir(parents=True)
    (root / "liquidlogic/people_20170401.csv").write_text("\n".join(PEOPLE) + "\n", encoding="utf-8")
    # one request a month from April 2015: the council's months (int_council_months)
    requests = ["request_id,person_id,la_code,request_date,route_of_access,request_outcome,outcome_date"] + [
        f"Q{y}{m:02d},P2,{LA},{y}-{m:02d}-15,,,"
        for y, m in [(2015 + (k + 3) // 12, (k + 3) % 12 + 1) for k in range(24)]
    ]
    (root / "liquidlogic/requests_20170401.csv").write_text("\n".join(requests) + "\n", encoding="utf-8")
    if safeguarding:
        (root / "safeguarding").mkdir()
        (root / "safeguarding/safeguarding_20170401.csv").write_text("\n".join(CONCERNS) + "\n", encoding="utf-8")


def _build(tmp, safeguarding: bool):
    settings = Settings(landing=tmp / "landing", home=tmp / "home", sample_data=True, reject_threshold=0.5)
    _landing(settings.landing, safeguarding)
    warehouse = tmp / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        outcomes = {f: load_feed(con, settings, f) for f in ("people", "requests", "safeguarding")}
    proc = scratch_build(SELECTION, warehouse, tmp)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return duckdb.connect(str(warehouse), read_only=True), outcomes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    con, outcomes = _build(tmp_path_factory.mktemp("safeguarding"), safeguarding=True)
    yield con, outcomes
    con.close()


def figures(con, period_type="quarter", period_end=Q1):
    rows = con.execute(
        "select indicator_code, numerator, denominator, value, value_note from intermediate.int_indicator_computed "
        "where la_code = ? and period_type = ? and period_end = ? and indicator_code like 'SG_%'",
        [LA, period_type, period_end],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def breakdown(con, name, period_type="quarter", period_end=Q1):
    rows = con.execute(
        "select category, people from marts.safeguarding_breakdown where la_code = ? and period_type = ? "
        "and period_end = ? and breakdown = ?",
        [LA, period_type, period_end, name],
    ).fetchall()
    return dict(rows)


def test_rows_breaking_the_date_order_or_with_an_unknown_abuse_type_are_rejected(built):
    con, outcomes = built
    (outcome,) = outcomes["safeguarding"]
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (11, 8, 3)
    rules = sorted((r.row, r.column, r.rule) for r in outcome.rejects)
    assert rules == [
        (10, "enquiry_start_date", "enquiry start before the concern"),
        (11, "enquiry_end_date", "enquiry end before its start"),
        (12, "abuse_types", "unknown code in abuse_types"),
    ]
    assert con.execute("select count(*) from raw.safeguarding where concern_id like 'R%'").fetchone()[0] == 0
    # person ids are pseudonymised like every person-level feed's
    assert con.execute("select count(*) from raw.safeguarding where person_id like 'P%'").fetchone()[0] == 0


def test_each_measure_for_the_quarter_by_hand(built):
    got = figures(built[0])
    assert got["SG_CONCERNS"][:1] == (8,)  # C1-C8
    assert got["SG_S42_CONVERSION"][:2] == (5, 7)  # met C1 C2 C5 C7 C8 of the decided (all but C4)
    assert got["SG_MAKE_SAFE_24H"][:2] == (3, 5)  # C1 (one day), C7 (action before the decision), C8
    assert got["SG_S42_28DAYS"][:2] == (3, 4)  # C1 (28 days), C7, C8; not C2 (29 days); C6 not Section 42
    assert got["SG_MSP_ACHIEVED"][:2] == (2, 2)  # C1 fully, C2 partially; C7 not asked, C8 none expressed
    assert got["SG_MSP_FULLY"][:2] == (1, 2)
    assert got["SG_MSP_PARTIALLY"][:2] == (1, 2)
    assert got["SG_S42_CONVERSION"][2] == pytest.approx(500 / 7)
    assert got["SG_MAKE_SAFE_24H"][2] == pytest.approx(60.0)
    assert got["SG_S42_28DAYS"][2] == pytest.approx(75.0)
    assert got["SG_MSP_FULLY"][2] == pytest.approx(50.0)


def test_every_period_type_carries_the_measures(built):
    con, _ = built
    assert figures(con, "month", "2016-04-30")["SG_CONCERNS"][:1] == (3,)  # C1 C3 C7
    assert figures(con, "ytd", Q1)["SG_S42_28DAYS"][:2] == (3, 4)  # year to date at June is Q1
    assert figures(con, "rolling_12m", "2017-03-31")["SG_CONCERNS"][:1] == (8,)
    # a quarter with no concluded enquiry: no value, with the reason, never a zero percentage
    empty = figures(con, "quarter", "2016-09-30")["SG_S42_28DAYS"]
    assert empty[2] is None and empty[3] == "denominator is zero or missing"


def test_people_are_counted_once_per_period_with_their_age_at_the_first_enquiry(built):
    con, _ = built
    # people with a Section 42 enquiry started in Q1: P1 (twice), P3, P4 (twice)
    assert breakdown(con, "age_band") == {"All": 3, "18-64": 1, "85-94": 1, "65-74": 1}
    assert breakdown(con, "sex") == {"All": 3, "Female": 2, "Male": 1}
    assert breakdown(con, "ethnic_group") == {
        "All": 3,
        "White": 1,
        "No data": 1,
        "Black, Black British, Caribbean or African": 1,
    }
    assert breakdown(con, "primary_support_reason") == {
        "All": 3,
        "Physical Support: Personal Care Support": 1,
        "Not recorded": 1,
        "Mental Health Support": 1,
    }
    # published for complete quarters only (decisions.md, "Safeguarding publication"): the report's period
    assert con.execute("select distinct period_type from marts.safeguarding_breakdown").fetchall() == [("quarter",)]


def test_concluded_enquiries_count_under_each_abuse_type(built):
    con, _ = built
    abuse = breakdown(con, "abuse_type")
    assert abuse == {"All": 4, "Physical": 2, "Neglect and Acts of Omission": 2, "Psychological": 1, "Self-neglect": 1}
    assert sum(v for k, v in abuse.items() if k != "All") == 6  # more than the 4 enquiries
    location = breakdown(con, "location_of_risk")
    assert location == {"All": 4, "Own Home": 2, "Care Home - Residential": 1, "Not recorded": 1}
    # a quarter with nothing concluded still has its All rows
    assert breakdown(con, "abuse_type", "quarter", "2016-09-30") == {"All": 0}


def test_an_absent_feed_leaves_the_measures_null_with_the_reason(tmp_path):
    con, outcomes = _build(tmp_path, safeguarding=False)
    try:
        assert outcomes["safeguarding"] == []
        got = figures(con)
        assert set(got) == {
            "SG_CONCERNS",
            "SG_S42_CONVERSION",
            "SG_MAKE_SAFE_24H",
            "SG_S42_28DAYS",
            "SG_MSP_ACHIEVED",
            "SG_MSP_FULLY",
            "SG_MSP_PARTIALLY",
        }
        for code, (num, den, value, note) in got.items():
            assert (num, den, value) == (None, None, None), code
            assert note == "no safeguarding file received yet", code
        assert con.execute("select count(*) from marts.safeguarding_breakdown").fetchone()[0] == 0
    finally:
        con.close()
