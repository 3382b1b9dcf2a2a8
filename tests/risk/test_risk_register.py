"""The risk register from seed 002: scores, bands, exceptions and the reconciliation."""

from __future__ import annotations

import os

import pytest

from tests.conftest import build, query
from tests.fixtures import norfolk_risks as risks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("risks")
    landing = root / "landing"
    risks.write(landing, "20170131", risks.january_2017(), review_date="31/01/2017")
    risks.write(landing, "20170531", risks.MAY_2017, review_date="31/05/2017", typed_scores={"RM14247": 13})
    os.environ["VITALSIGNS_REPORT_DATE"] = "2017-05-31"  # the pack is made on the register's date
    try:
        outcome, settings = build(landing, root / "home")
    finally:
        os.environ.pop("VITALSIGNS_REPORT_DATE", None)
    assert outcome.success, outcome.failures
    return settings.warehouse_path


def test_scores_and_bands_are_computed_from_likelihood_and_impact(warehouse):
    rows = query(
        warehouse,
        "select risk_id, original_score, current_score, target_score, band, "
        "reported_by_exception from marts.risk_register where la_code = ?",
        [risks.LA],
    )
    got = {r[0]: tuple(r[1:]) for r in rows}
    assert got == risks.EXPECTED


def test_only_the_latest_snapshot_is_the_register(warehouse):
    (snap,) = query(warehouse, "select distinct snapshot_date::varchar from marts.risk_register")[0]
    assert snap == "2017-05-31"


def test_typed_score_that_disagrees_is_reported_not_trusted(warehouse):
    (current, note) = query(
        warehouse, "select current_score, score_disagreement from marts.risk_register where risk_id = 'RM14247'"
    )[0]
    assert current == 12
    assert note == "current score typed as 13, computed 12"


def test_changes_between_the_two_latest_snapshots(warehouse):
    rows = query(
        warehouse,
        "select risk_id, change_type, before, after from marts.risk_register_changes order by change_type, risk_id",
    )
    assert rows == [
        ("RM14238", "closed", "Failure in our responsibilities towards carers", None),
        ("RM14149", "new", None, "Impact of the Care Act"),
        ("RM14247", "score", "9", "12"),
        ("RM13925", "title", "Lack of capacity in IT systems", "Lack of capacity in ICT systems"),
    ]


def test_overdue_reviews_are_flagged(warehouse):
    rows = query(warehouse, "select count(*) filter (where overdue) from marts.risk_register")
    assert rows[0][0] == 0  # every review is due on 31 May 2017, the report date: not yet past
