"""Norfolk's provisional ASCOF 2016/17 (seed 002) reproduced from record-level extracts."""

from __future__ import annotations

import pytest

from tests.conftest import build, query
from tests.fixtures import norfolk_2016_17 as norfolk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("norfolk")
    norfolk.build(root / "landing")
    outcome, settings = build(root / "landing", root / "home")
    assert outcome.success, outcome.failures
    return settings.warehouse_path


@pytest.mark.parametrize("code", sorted(norfolk.GOLDEN))
def test_ascof_golden_figure(warehouse, code):
    numerator, denominator, published = norfolk.GOLDEN[code]
    rows = query(
        warehouse,
        "select numerator, denominator, value from marts.ascof "
        "where la_code = ? and financial_year = '2016/17' and ascof_code = ?",
        [norfolk.LA, code],
    )
    assert len(rows) == 1, rows
    num, den, value = rows[0]
    assert (num, den) == (numerator, denominator)
    rounded = float(f"{value + 1e-12:.1f}")
    assert rounded == published


def test_dtoc_rate_uses_days_in_month_and_latest_population(warehouse):
    rows = query(
        warehouse,
        "select delayed_days, days_in_month, population_18_plus, rate_per_100k, population_note "
        "from marts.dtoc_monthly where la_code = ? and period = '2017-06' "
        "and responsible_org = 'Social Care'",
        [norfolk.LA],
    )
    assert rows[0][:3] == (700, 30, 720945)
    (value,) = query(
        warehouse,
        "select value from marts.indicator_values where la_code = ? and "
        "indicator_code = 'VS_DTOC_SOCIAL_CARE' and period_type = 'month' "
        "and period_end = '2017-06-30'",
        [norfolk.LA],
    )[0]
    assert value == pytest.approx(744 / 30 / 720945 * 100000)
    assert "mid-2017 not available; used mid-2016" in rows[0][4]


def test_rates_never_divide_by_zero(warehouse):
    rows = query(warehouse, "select count(*) from marts.indicator_values where isinf(value) or isnan(value)")
    assert rows[0][0] == 0
