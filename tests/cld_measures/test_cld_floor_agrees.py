"""An independent check of the CLD port: the benchmark's hand-written floor (benchmarks/cld_floor.sql,
straight from the raw CSVs with clear identifiers, full dates of birth and both date formats)
and the pipeline (load_cld, then dbt's CLD models) must give the same numerator and denominator
for every council, year, measure, part and breakdown of a small generated sample: two councils
(one with DD/MM/YYYY dates and spaced headers), quarterly files from June 2023 to June 2025
(Release 1 and Release 2 spellings), a resubmission each, invalid values."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dagster_project.sample import generate

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))
import cld_bench  # noqa: E402


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cld_floor")
    landing, home = tmp / "landing", tmp / "home"
    generate(landing, councils=2, years=1, scale=0.05, seed=11, cld_first="2023-06", cld_last="2025-06")
    with pytest.MonkeyPatch.context() as mp:  # cld_bench sets these for the pipeline; restored after
        for var in ("VITALSIGNS_LANDING", "VITALSIGNS_HOME", "VITALSIGNS_SAMPLE"):
            mp.setenv(var, "")
        loaded = cld_bench.ingest(landing, home)
        cld_bench.dbt_build(landing, home)
    _, con = cld_bench.floor(landing)
    yield con, loaded["warehouse"]
    con.close()


def test_floor_and_pipeline_agree_on_every_figure(both):
    con, warehouse = both
    result = cld_bench.compare(con, warehouse)
    assert result["mismatches"] == 0, result["examples"]
    # 2 councils x 2 complete financial years (2023/24, 2024/25) x 26 rows (measure, part, breakdown)
    assert result["matched"] == 2 * 2 * 26


def test_the_figures_compared_are_not_empty(both):
    con, _ = both
    empty = con.execute("""select measure, part from floor_ascof_cld
                           where breakdown in ('Total', '18 to 64', '65 and above')
                           group by all having sum(numerator) = 0 or sum(denominator) = 0""").fetchall()
    assert empty == []


def test_the_comparison_sees_a_difference(both):
    con, warehouse = both
    con.execute(
        "update floor_ascof_cld set numerator = numerator + 1 "
        "where measure = 'ASCOF 2A' and breakdown = 'Total' and financial_year = '2024/25'"
    )
    try:
        assert cld_bench.compare(con, warehouse)["mismatches"] == 2  # one row per council
    finally:
        con.execute(
            "update floor_ascof_cld set numerator = numerator - 1 "
            "where measure = 'ASCOF 2A' and breakdown = 'Total' and financial_year = '2024/25'"
        )


def test_floor_reproduces_the_hand_worked_golden_figures(tmp_path):
    """The floor on the golden fixture (written back as the submissions it records) gives every
    figure worked out by hand from DHSC's code (test_cld_golden.GOLDEN)."""
    import duckdb

    from tests.cld_measures.test_cld_golden import FIXTURE, FY, GOLDEN, LA, POP_18_64, POP_65

    (tmp_path / "cld").mkdir()
    (tmp_path / "population").mkdir()
    with duckdb.connect() as con:
        con.execute(f"create table fx as select * from read_csv('{FIXTURE}', header = true, all_varchar = true)")
        data = [
            c
            for (c,) in con.execute(
                "select column_name from (describe fx) where column_name not like '\\_%' escape '\\'"
            ).fetchall()
        ]
        for (name,) in con.execute("select distinct _source_file from fx").fetchall():
            # the fixture leaves out the linked-person columns it does not use; a submission has them
            extra = [f"null as {c}" for c in ("adult_2_linked_person_id", "adult_3_linked_person_id") if c not in data]
            con.execute(
                f"copy (select {', '.join(data + extra)} from fx "
                f"where _source_file = '{name}' order by _row_number::int) "
                f"to '{tmp_path / 'cld' / name}' (header)"
            )
    (tmp_path / "population" / "population_2024.csv").write_text(
        f"la_code,year,sex,age,population\n{LA},2024,Persons,30,{POP_18_64}\n{LA},2024,Persons,70,{POP_65}\n"
    )
    _, con = cld_bench.floor(tmp_path)
    rows = con.execute(
        "select measure, part, breakdown, numerator, denominator from floor_ascof_cld "
        "where la_code = ? and financial_year = ?",
        [LA, FY],
    ).fetchall()
    con.close()
    got = {(m, p, b): (n, d) for m, p, b, n, d in rows}
    assert got == {key: (float(n), float(d)) for key, (n, d) in GOLDEN.items()}
