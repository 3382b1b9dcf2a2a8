"""Golden figures for the revised ASCOF from CLD: the fixture (fixtures/cld_fixture.csv, built by
fixtures/build_fixture.py) is loaded into a fresh raw.cld, dbt builds the CLD models only, and
every figure of marts.ascof_cld must equal the one worked out by hand from DHSC's code
(fixtures/README.md gives the working, person by person)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt_runtime import scratch_build
from dagster_project.ingest.loader import ensure_raw_schema

FIXTURE = Path(__file__).parent / "fixtures" / "cld_fixture.csv"
LA = "E10000020"
FY = "2024/25"
POP_18_64, POP_65 = 500_000, 200_000

# (measure, part, breakdown): (numerator, denominator)
GOLDEN = {
    ("ASCOF 2A", "", "18 to 64"): (3, 3),
    ("ASCOF 2A", "", "65 and above"): (2, 3),
    ("ASCOF 2A", "", "Total"): (6, 7),  # R9 (no date of birth) counts in Total only
    ("ASCOF 2B", "", "18 to 64"): (1, POP_18_64),
    ("ASCOF 2C", "", "65 and above"): (2, POP_65),
    ("ASCOF 2E", "18 to 64", "Male"): (1, 1),
    ("ASCOF 2E", "18 to 64", "Female"): (2, 2),
    ("ASCOF 2E", "18 to 64", "Total"): (3, 3),
    ("ASCOF 2E", "65 and above", "Male"): (3, 5),
    ("ASCOF 2E", "65 and above", "Female"): (1, 5),
    ("ASCOF 2E", "65 and above", "Total"): (4, 10),
    ("ASCOF 2E LD", "18 to 64", "Male"): (1, 1),
    ("ASCOF 2E LD", "18 to 64", "Female"): (1, 1),
    ("ASCOF 2E LD", "18 to 64", "Total"): (2, 2),
    ("ASCOF 3D (Clients)", "1a", "18 to 64"): (2, 2),
    ("ASCOF 3D (Clients)", "1a", "65 and above"): (1, 2),
    ("ASCOF 3D (Clients)", "1a", "Total"): (3, 4),
    ("ASCOF 3D (Clients)", "2a", "18 to 64"): (1, 2),
    ("ASCOF 3D (Clients)", "2a", "65 and above"): (1, 2),
    ("ASCOF 3D (Clients)", "2a", "Total"): (2, 4),
    ("ASCOF 3D (Carers)", "1b", "18 to 64"): (1, 2),
    ("ASCOF 3D (Carers)", "1b", "65 and above"): (1, 1),
    ("ASCOF 3D (Carers)", "1b", "Total"): (2, 3),
    ("ASCOF 3D (Carers)", "2b", "18 to 64"): (1, 2),
    ("ASCOF 3D (Carers)", "2b", "65 and above"): (0, 1),
    ("ASCOF 3D (Carers)", "2b", "Total"): (1, 3),
}
DHSC_2A = 85.7  # DHSC's published (rounded) figure supplied in reference/benchmarks

CLD_SELECTION = ["+ascof_cld", "+cld_data_quality", "indicator_catalogue"]
CATALOGUE_SELECTION = ["+indicator_values", "+ascof"]


def load_fixture(con: duckdb.DuckDBPyConnection) -> None:
    ensure_raw_schema(con)
    con.execute(f"""insert into raw.cld by name
        select * from read_csv('{FIXTURE}', header = true, all_varchar = true, nullstr = '')""")
    con.execute(
        "insert into raw.population (la_code, year, sex, age, population) "
        "values (?, 2024, 'Persons', 30, ?), (?, 2024, 'Persons', 70, ?)",
        [LA, POP_18_64, LA, POP_65],
    )
    con.execute(
        "insert into raw.benchmarks (indicator_code, financial_year, area_code, area_name, area_type, value) "
        "values ('CLD_2A', ?, ?, 'Fixture council', 'LA', ?), ('CLD_2A', ?, 'E92000001', 'England', 'England', 80.0)",
        [FY, LA, DHSC_2A, FY],
    )
    # annual targets: 2A (bigger is better) met, 2C (smaller is better) missed
    con.execute(
        "insert into raw.targets (indicator_code, la_code, financial_year, target) values "
        "('CLD_2A', ?, ?, 80.0), ('CLD_2C', ?, ?, 0.5)",
        [LA, FY, LA, FY],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cld")
    warehouse = tmp / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        load_fixture(con)
    for selection in (CLD_SELECTION, CATALOGUE_SELECTION):
        started = time.perf_counter()
        proc = scratch_build(selection, warehouse, tmp)
        assert proc.returncode == 0, proc.stdout[-4000:]
        print(f"\ndbt build --select {' '.join(selection)} on the CLD fixture: {time.perf_counter() - started:.1f}s")
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def test_every_figure_matches_the_hand_worked_golden(built):
    rows = built.execute(
        "select measure, part, breakdown, numerator, denominator, value from marts.ascof_cld "
        "where la_code = ? and financial_year = ?",
        [LA, FY],
    ).fetchall()
    got = {(m, p, b): (n, d, v) for m, p, b, n, d, v in rows}
    assert set(got) == set(GOLDEN), sorted(set(got) ^ set(GOLDEN))
    for key, (num, den) in GOLDEN.items():
        n, d, v = got[key]
        scale = 100_000 if key[0] in ("ASCOF 2B", "ASCOF 2C") else 100
        assert (n, d) == (num, den), f"{key}: got {n}/{d}, expected {num}/{den}"
        assert v == pytest.approx(scale * num / den), key


def test_only_the_complete_financial_year_is_reported(built):
    years = built.execute("select distinct financial_year from marts.ascof_cld").fetchall()
    assert years == [(FY,)]  # 2023/24 starts before the first reference period (Jan 2024)


def test_dhsc_figure_sits_beside_ours_with_the_difference(built):
    value, dhsc, diff, suppressed = built.execute(
        "select value, dhsc_value, difference, suppressed from marts.ascof_cld "
        "where measure = 'ASCOF 2A' and breakdown = 'Total'"
    ).fetchone()
    assert dhsc == DHSC_2A
    assert diff == pytest.approx(600 / 7 - DHSC_2A)
    assert suppressed is False
    assert built.execute("select count(*) from marts.ascof_cld where dhsc_value is not null").fetchone()[0] == 1


def test_total_rows_enter_the_catalogue_computation(built):
    rows = dict(
        built.execute(
            "select indicator_code, value from intermediate.int_indicator_computed "
            "where indicator_code like 'CLD_%' and la_code = ? and period_type = 'financial_year'",
            [LA],
        ).fetchall()
    )
    assert rows == pytest.approx(
        {
            "CLD_2A": 600 / 7,
            "CLD_2B": 0.2,
            "CLD_2C": 1.0,
            "CLD_2E": 100.0,
            "CLD_2E_LD": 100.0,
            "CLD_3D1A": 75.0,
            "CLD_3D2A": 50.0,
            "CLD_3D1B": 200 / 3,
            "CLD_3D2B": 100 / 3,
        }
    )


def test_targets_rag_and_comparators_work_for_the_cld_indicators(built):
    rag = dict(
        built.execute(
            "select indicator_code, rag from marts.indicator_values where la_code = ? "
            "and period_type = 'financial_year' and indicator_code in ('CLD_2A', 'CLD_2C')",
            [LA],
        ).fetchall()
    )
    assert rag == {"CLD_2A": "G", "CLD_2C": "R"}
    row = built.execute(
        "select ascof_code, value, england_value from marts.ascof where indicator_code = 'CLD_2A' "
        "and la_code = ? and financial_year = ?",
        [LA, FY],
    ).fetchone()
    assert row[0] == "2A" and row[1] == pytest.approx(600 / 7) and row[2] == 80.0


def test_main_table_rules(built):

    def q(sql):
        return built.execute(sql).fetchall()

    # one file per quarter, the resubmission E2 replacing E for Jan-Mar 2025
    assert q(
        "select strftime(submitted_at, '%Y-%m-%d %H'), ref_period_start::varchar, ref_period_end::varchar "
        "from intermediate.int_cld_joined_submissions order by 1"
    ) == [
        ("2024-04-15 00", "2024-01-01", "2024-03-31"),
        ("2024-07-15 00", "2024-04-01", "2024-06-30"),
        ("2024-10-15 00", "2024-07-01", "2024-09-30"),
        ("2025-01-15 00", "2024-10-01", "2024-12-31"),
        ("2025-04-20 12", "2025-01-01", "2025-03-31"),
    ]
    # P11's open service is absent from the next quarter: cropped to the quarter end
    assert q("select der_event_end_date::varchar from intermediate.int_cld_unique_events where person_key = 'N26'") == [
        ("2024-06-30",)
    ]
    # P12 died in service: end corrected to the date of death
    assert q("select der_event_end_date::varchar from intermediate.int_cld_unique_events where person_key = 'N27'") == [
        ("2024-11-15",)
    ]
    # no person id at all: dropped; LA id only: combined id la_code + '_' + id
    assert q("select count(*) from intermediate.int_cld_unique_events where person_key is null") == [(0,)]
    assert q("select count(*) > 0 from intermediate.int_cld_unique_events where person_key = 'E10000020_LF1'") == [
        (True,)
    ]
    # the same open service sent in five files is one unique event
    assert q("select count(*) from intermediate.int_cld_unique_events where person_key = 'N01'") == [(1,)]


def test_quirks_in_the_2a_sequels(built):
    got = dict(
        built.execute(
            "select person_key, final_outcome || ' [' || sequel_type || ']' from intermediate.int_cld_ascof_2a_episodes"
        ).fetchall()
    )
    assert got == {
        "N11": "NFA: Referral to NHS services or NHS funded social care [4b]",  # request 4 days after
        "N12": "NFA: Support ended as planned [4a]",  # request 8 days after: outside the window
        "N14": "NFA: Support ended for other reason [4a]",  # LTS ended 92 days before: new client
        "N15": "Long term support: Community [3]",
        "N16": "NFA: Support ended as planned [4a]",  # the resubmission's outcome
        "N17": "NFA: Deceased [1]",
        "N18": "NFA: Support ended as planned [4a]",
        "N19": "NFA: Other [4a]",
        "N20": "Short term support: Ongoing low level [5]",
    }  # N13 (R3): long-term support ended 73 days before, not a new client


def test_data_quality_lists_unmapped_values(built):
    rows = built.execute(
        "select field, raw_value, dq_code, sum(row_count) from marts.cld_data_quality "
        "where is_new_value group by all order by 1, 2"
    ).fetchall()
    assert ("ethnicity", "Martian", -3) == rows[0][:3]
    assert all(r[0] == "ethnicity" for r in rows), rows
    known_invalid = built.execute(
        "select distinct field, raw_value from marts.cld_data_quality where dq_code = -2 order by 1, 2"
    ).fetchall()
    assert known_invalid == [("accommodation_status", "Living at home"), ("delivery_mechanism", "Personal budget")]
    # X sent a row with neither NHS number nor LA person id; R9 (one row, file C) has no date of birth
    no_id = built.execute(
        "select source_file, sum(row_count) from marts.cld_data_quality "
        "where field = 'person_id' and dq_code = -1 group by all"
    ).fetchall()
    assert no_id == [("cld_E10000020_20240715.csv", 1)]
    assert (
        built.execute(
            "select sum(row_count) from marts.cld_data_quality where field = 'date_of_birth' and dq_code = -1"
        ).fetchone()[0]
        == 1
    )
