"""A council whose extracts hold only people and services (requests header-only, which
extracts.md says is valid) still gets its ASCOF 2A and long-term-support measures: a council's
months come from every feed a measure counts events from, not only requests, reablement,
assessments and DToC. Measures of the feeds it lacks are null with the reason."""

from __future__ import annotations

import pytest

from tests.conftest import build, query
from tests.fixtures import norfolk_2016_17 as norfolk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("people_and_services")
    landing = norfolk.build(root / "landing")
    requests = landing / "liquidlogic" / "requests_20170415.csv"
    requests.write_text(requests.read_text().splitlines()[0] + "\n")  # header only: nothing happened
    for path in [
        landing / "liquidlogic" / "reablement_20170415.csv",
        landing / "liquidlogic" / "client_status_20170415.csv",
        *(landing / "dtoc").glob("*.csv"),
    ]:
        path.unlink()
    outcome, settings = build(landing, root / "home")
    assert outcome.success, outcome.failures
    return settings.warehouse_path


@pytest.mark.parametrize("code", ["2A(1)", "2A(2)", "1C(1A)", "1C(2A)", "1C(1B)", "1C(2B)"])
def test_people_and_services_alone_give_the_golden_figures(warehouse, code):
    numerator, denominator, published = norfolk.GOLDEN[code]
    rows = query(
        warehouse,
        "select numerator, denominator, value from marts.ascof "
        "where la_code = ? and financial_year = '2016/17' and ascof_code = ?",
        [norfolk.LA, code],
    )
    assert len(rows) == 1, rows
    assert rows[0][:2] == (numerator, denominator)
    assert float(f"{rows[0][2] + 1e-12:.1f}") == published


@pytest.mark.parametrize(
    "code,reason",
    [
        ("1E", "no client_status file received yet"),
        ("2B(1)", "no reablement file received yet"),
        ("2D", "no reablement file received yet"),
    ],
)
def test_measures_of_the_missing_feeds_are_null_with_the_reason(warehouse, code, reason):
    rows = query(
        warehouse,
        "select value, value_note from marts.ascof where la_code = ? and financial_year = '2016/17' and ascof_code = ?",
        [norfolk.LA, code],
    )
    assert rows == [(None, reason)]


def test_a_header_only_feed_is_no_data_not_zero(warehouse):
    rows = query(
        warehouse,
        "select distinct value, value_note from marts.indicator_values where la_code = ? "
        "and indicator_code = 'VS_ENQUIRIES_RESOLVED'",
        [norfolk.LA],
    )
    assert rows == [(None, "no requests data: the feed arrived header-only (no rows)")]
    rows = query(
        warehouse,
        "select distinct value, value_note from marts.indicator_values where la_code = ? "
        "and indicator_code = 'RC_REVIEWS_COMPLETED'",
        [norfolk.LA],
    )
    assert rows == [(None, "no reviews data: the feed arrived header-only (no rows)")]
