"""SPC figures are functions of every monthly value up to their month: published only while all of
those are shown, and the audit counts any that is not hidden as a leak."""

from __future__ import annotations

import pandas as pd

from dagster_project.publish.disclosure import build_model
from dagster_project.publish.suppression import hide_spc
from dagster_project.settings import DBT_PROJECT_DIR

CODE = "RC_REVIEWS_COMPLETED"  # a count: one cell per month
MONTHS = pd.to_datetime(["2017-01-31", "2017-02-28", "2017-03-31", "2017-04-30"])


def indicator_values(hidden_month: int | None) -> pd.DataFrame:
    rows = []
    for i, end in enumerate(MONTHS):
        hidden = i == hidden_month
        rows.append(
            {
                "la_code": "L",
                "indicator_code": CODE,
                "period_type": "month",
                "period_end": end,
                "financial_year": "2016/17",
                "numerator": None if hidden else 40.0 + i,
                "denominator": None,
                "value": None if hidden else 40.0 + i,
                "display_value": None if hidden else 40.0 + i,
                "target": None,
                "rag": None,
                "direction_prev": None,
                "direction_yoy": None,
                "watch": None,
                "value_source": "computed",
                "suppressed": hidden,
                "spc_variation": "common_cause",
                "spc_assurance": None,
            }
        )
    return pd.DataFrame(rows)


def spc_series() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "la_code": "L",
                "indicator_code": CODE,
                "as_of": a,
                "period_end": p,
                "mean": 41.0,
                "lower_limit": 30.0,
                "upper_limit": 52.0,
                "special_cause": False,
                "special_cause_rule": "common cause",
                "variation": "common_cause",
            }
            for a in MONTHS
            for p in MONTHS
            if p <= a
        ]
    )


def test_spc_is_hidden_from_the_first_hidden_month_on():
    iv = indicator_values(hidden_month=2)
    published = hide_spc(iv, "indicator_values", iv)
    assert published["spc_variation"].isna().tolist() == [False, False, True, True]
    spc = hide_spc(spc_series(), "spc_series", iv)
    assert (spc["mean"].isna() == (spc["as_of"] >= MONTHS[2])).all()
    assert (spc["variation"].isna() == (spc["as_of"] >= MONTHS[2])).all()
    # nothing hidden: everything stays
    shown = indicator_values(hidden_month=None)
    assert hide_spc(spc_series(), "spc_series", shown)["mean"].notna().all()


def test_the_audit_counts_spc_beside_a_hidden_value_as_a_leak():
    catalogue = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv")
    iv = indicator_values(hidden_month=2)
    leaky = build_model({"indicator_values": iv, "spc_series": spc_series()}, catalogue, threshold=4)
    spc_leaks = [x for x in leaky.flag_leaks if "spc" in x or "mean" in x or "variation" in x]
    assert any("indicator_values" in x and "spc_variation" in x for x in spc_leaks)
    assert any("spc_series" in x and "mean" in x for x in spc_leaks)
    hidden = hide_spc(iv, "indicator_values", iv)
    clean = build_model(
        {"indicator_values": hidden, "spc_series": hide_spc(spc_series(), "spc_series", iv)}, catalogue, threshold=4
    )
    assert not [x for x in clean.flag_leaks if "uses a hidden value" in x]
