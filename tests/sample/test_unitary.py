"""`sample --unitary`: Leicester City joins the county councils without changing their data, with the
benchmark ranking and the budget and workforce lines the integrated report reads."""

from __future__ import annotations

import pandas as pd

from dagster_project.councils import has_report
from dagster_project.sample import generate
from dagster_project.sample.councils import UNITARY

NORFOLK = "E10000020"


def read(root, feed, folder="reference"):
    return pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((root / folder).glob(f"{feed}_*.csv"))]
    )


def test_the_unitary_council_is_added_and_the_counties_are_unchanged(tmp_path):
    generate(tmp_path / "a", councils=1, years=1, scale=0.05, seed=5)
    generate(tmp_path / "b", councils=1, years=1, scale=0.05, seed=5, unitary=True)
    assert UNITARY.la_code == "E06000016" and has_report(UNITARY.la_code, "integrated_report")
    assert not has_report(NORFOLK, "integrated_report")
    for feed in ("benchmarks", "indicator_values", "targets"):
        a, b = read(tmp_path / "a", feed), read(tmp_path / "b", feed)
        counties = b[b.get("area_code", b.get("la_code")) != UNITARY.la_code].reset_index(drop=True)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), counties, check_dtype=False)
    people = read(tmp_path / "b", "people", "liquidlogic")
    assert UNITARY.la_code in set(people["la_code"])
    bench = read(tmp_path / "b", "benchmarks")
    mine = bench[bench["area_code"] == UNITARY.la_code]
    assert len(mine) == 13 and (mine["area_type"] == "LA").all()
    assert (mine["rank"].astype(int).between(1, 16)).all() and (mine["rank_of"] == "16").all()
    families = read(tmp_path / "b", "family_groups")
    assert UNITARY.la_code not in set(families["la_code"])  # not in Norfolk's CIPFA family


def test_budget_and_workforce_lines_at_every_quarter_end(tmp_path):
    generate(tmp_path, councils=1, years=1, scale=0.05, seed=5, unitary=True)
    values = read(tmp_path, "indicator_values")
    res = values[values["indicator_code"].str.startswith("RES_")]
    assert set(res["indicator_code"]) == {
        "RES_BUDGET_VARIANCE",
        "RES_SICKNESS_DAYS",
        "RES_AGENCY_PCT",
        "RES_VACANCY_RATE",
    }
    for la in (NORFOLK, UNITARY.la_code):
        mine = res[res["la_code"] == la]
        assert set(mine["period_end"]) == {"2016-06-30", "2016-09-30", "2016-12-31", "2017-03-31"}
    budget = res[res["indicator_code"] == "RES_BUDGET_VARIANCE"]
    assert (budget["denominator"].astype(float) > 0).all() and (budget["numerator"] == "").all()
