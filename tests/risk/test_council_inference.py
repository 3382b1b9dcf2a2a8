"""A register without la_code takes the council of a one-council landing folder, in dbt
(stg_risk_register); with several councils the build fails naming the empty la_code."""

from __future__ import annotations

import csv
import os

import pytest

from tests.conftest import build, query
from tests.fixtures import norfolk_risks as risks

pytestmark = pytest.mark.slow


def test_council_of_a_register_without_la_code(tmp_path):
    landing = tmp_path / "landing"
    path = risks.write(landing, "20170531", risks.MAY_2017)
    rows = list(csv.reader(path.open()))
    with path.open("w", newline="") as fh:  # the same register with la_code left empty
        csv.writer(fh).writerows([rows[0]] + [["", *r[1:]] for r in rows[1:]])
    groups = landing / "reference" / "family_groups_20170401.csv"
    groups.parent.mkdir(parents=True)
    groups.write_text(f"la_code,family_group\n{risks.LA},CIPFA-Norfolk\n")
    os.environ["VITALSIGNS_REPORT_DATE"] = "2017-05-31"
    try:
        outcome, settings = build(landing, tmp_path / "home")
        assert outcome.success, outcome.failures
        assert query(settings.warehouse_path, "select distinct la_code from marts.risk_register") == [(risks.LA,)]

        # a second council in the folder: the register's council can no longer be inferred
        (landing / "reference" / "family_groups_20170402.csv").write_text(
            f"la_code,family_group\n{risks.LA},CIPFA-Norfolk\nE10000024,CIPFA-Norfolk\n"
        )
        outcome, _ = build(landing, tmp_path / "home")
    finally:
        os.environ.pop("VITALSIGNS_REPORT_DATE", None)
    assert not outcome.success
    assert any("stg_risk_register" in f and "la_code" in f for f in outcome.failures), outcome.failures
