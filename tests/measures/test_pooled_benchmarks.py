"""Pooled benchmarking end to end: a sample holding Norfolk's whole CIPFA family group (15 councils)
ranks and averages the family from the warehouse's own values; the supplied benchmarks stay for the
region and England (the sample holds neither whole) and for a two-council sample (test_golden_ascof
and the end-to-end test keep theirs)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dagster_project.build_runner import run_everything
from dagster_project.dbt_runtime import scratch_build
from dagster_project.sample import generate
from dagster_project.sample.councils import COUNCILS
from tests.conftest import query, sample_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def whole_family(tmp_path_factory):
    root = tmp_path_factory.mktemp("pooled")
    generate(root / "landing", councils=len(COUNCILS), years=1, scale=0.05, seed=11)
    settings = sample_settings(root / "landing", root / "home")
    outcome = run_everything(settings, reports=False)
    assert outcome.success, outcome.failures
    return settings.warehouse_path


def _by_hand(rows: list[tuple[str, float]], bigger: bool) -> dict[str, int]:
    """Competition ranking ("1,2,2,4"), 1 = best: one more than the councils strictly better."""
    return {la: 1 + sum((v > own) if bigger else (v < own) for _, v in rows) for la, own in rows}


def test_the_whole_family_is_ranked_and_averaged_from_its_own_values(whole_family):
    measures = query(
        whole_family,
        "select distinct a.indicator_code, a.financial_year, k.polarity from marts.ascof as a "
        "join marts.indicator_catalogue as k using (indicator_code) "
        "where a.value is not null and k.kind <> 'cld' "
        "group by all having count(*) = ?",
        [len(COUNCILS)],
    )
    assert measures, "no ASCOF measure has a value for all 15 councils"
    for code, year, polarity in measures:
        rows = query(
            whole_family,
            "select la_code, value, family_group_rank, family_group_size, family_group_avg, comparator_source "
            "from marts.ascof where indicator_code = ? and financial_year = ?",
            [code, year],
        )
        expected = _by_hand([(r[0], r[1]) for r in rows], polarity == "bigger")
        mean = sum(r[1] for r in rows) / len(rows)
        for la, _, rank, size, avg, source in rows:
            assert (rank, size) == (expected[la], len(COUNCILS)), (code, year, la)
            assert avg == pytest.approx(mean, rel=1e-12), (code, year, la)
            # the sample holds no whole region (East of England has 11 councils, 5 here) nor England
            assert source.startswith("family group pooled"), (code, year, la, source)
            assert "region pooled" not in source and "England pooled" not in source, source


def test_a_family_member_missing_from_the_warehouse_falls_back_to_the_supplied_figures(whole_family, tmp_path):
    """Leicester joins the family group but has no data: the pool is short of one council, so the
    supplied average stands and the council's own value is ranked among the supplied ones."""
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(whole_family, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw.family_groups (la_code, family_group) values ('E06000016', 'CIPFA-Norfolk')")
    done = scratch_build(
        ["stg_family_groups", "int_benchmarks_pooled", "int_benchmarks_resolved", "ascof"], warehouse, tmp_path
    )
    assert done.returncode == 0, done.stdout[-3000:]
    supplied = query(
        warehouse,
        "select b.indicator_code, b.financial_year, b.area_type, b.area_code, b.value, k.polarity "
        "from staging.stg_benchmarks as b join marts.indicator_catalogue as k using (indicator_code)",
    )
    family_avg = {(c, y): v for c, y, t, _, v, _ in supplied if t == "Family group"}
    assert family_avg
    checked = 0
    for (code, year), avg in family_avg.items():
        polarity = next(p for c, y, _, _, _, p in supplied if (c, y) == (code, year))
        others = {a: v for c, y, t, a, v, _ in supplied if (c, y, t) == (code, year, "LA")}
        rows = query(
            warehouse,
            "select la_code, value, family_group_rank, family_group_avg, comparator_source from marts.ascof "
            "where indicator_code = ? and financial_year = ? and value is not null",
            [code, year],
        )
        for la, own, rank, got_avg, source in rows:
            better = sum((v > own) if polarity == "bigger" else (v < own) for a, v in others.items() if a != la)
            assert (rank, got_avg) == (1 + better, avg), (code, year, la)
            assert source == "family group supplied; region supplied; England supplied", source
            checked += 1
    assert checked >= 13 * len(COUNCILS)


def test_a_two_council_sample_keeps_every_supplied_benchmark(tmp_path):
    """Two of fifteen family members, two of eleven East of England councils: no pool is whole, so
    the comparators' source is the benchmarks feed row for row, as before pooling existed."""
    generate(tmp_path / "landing", councils=2, years=1, scale=0.05, seed=7)
    settings = sample_settings(tmp_path / "landing", tmp_path / "home")
    outcome = run_everything(settings, reports=False)
    assert outcome.success, outcome.failures
    columns = "indicator_code, financial_year, area_code, area_name, area_type, value, rank, rank_of"
    resolved = query(
        settings.warehouse_path, f"select {columns}, comparator_source from intermediate.int_benchmarks_resolved"
    )
    supplied = query(settings.warehouse_path, f"select {columns}, 'supplied' from staging.stg_benchmarks")
    assert sorted(resolved, key=str) == sorted(supplied, key=str)
    sources = query(
        settings.warehouse_path, "select distinct comparator_source from marts.ascof where value is not null"
    )
    assert {s for (s,) in sources} <= {"family group supplied; region supplied; England supplied", None}, sources
