"""Norfolk's exception lists (measures.md) from its dashboard figures and targets."""

from __future__ import annotations

import pytest

from tests.conftest import build, query
from tests.fixtures import norfolk_dashboards as dash

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["DECEMBER_2016", "MARCH_2017"])
def scenario(request, tmp_path_factory):
    dashboard = getattr(dash, request.param)
    root = tmp_path_factory.mktemp(request.param.lower())
    dash.build(root / "landing", dashboard)
    outcome, settings = build(root / "landing", root / "home")
    assert outcome.success, outcome.failures
    return dashboard, settings.warehouse_path


def _exceptions(warehouse, report):
    return query(
        warehouse,
        "select indicator_code, rag, reasons, value, target from marts.exceptions "
        "where la_code = ? and strftime(period_end, '%Y-%m') = ?",
        [dash.LA, report],
    )


def test_exception_list_matches_the_committee_report(scenario):
    dashboard, warehouse = scenario
    got = {r[0] for r in _exceptions(warehouse, dashboard["report"])}
    assert got == dashboard["exceptions"]


def test_every_exception_is_off_target_and_says_so(scenario):
    dashboard, warehouse = scenario
    for code, rag, reasons, _value, _target in _exceptions(warehouse, dashboard["report"]):
        assert rag == "R", code
        assert "off target" in reasons


def test_reablement_91_days_is_green_in_march(scenario):
    dashboard, warehouse = scenario
    if dashboard["report"] != "2017-03":
        pytest.skip("seed 002 states the 91-day rating for March 2017 only")
    (rag, value) = query(
        warehouse,
        "select rag, display_value from marts.indicator_values where la_code = ? "
        "and indicator_code = 'VS_HOME_91_DAYS' and period_end = '2017-03-31'",
        [dash.LA],
    )[0]
    assert (rag, value) == ("G", 94.2)


def test_untargeted_indicators_are_never_exceptions(scenario):
    dashboard, warehouse = scenario
    untargeted = {c for c, (_, t) in dashboard["series"].items() if t is None}
    rows = query(warehouse, "select distinct indicator_code from marts.exceptions")
    assert not untargeted & {r[0] for r in rows}


def test_supplied_values_are_flagged(scenario):
    _, warehouse = scenario
    rows = query(warehouse, "select distinct value_source, is_override from marts.indicator_values")
    assert rows == [("supplied", True)]
