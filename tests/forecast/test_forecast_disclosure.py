"""A year-end forecast is a ratio or sum of published values (this and last year's year to date,
last year's outturn) and its interval is sized from earlier years' errors: published only while
all of those are shown, and the audit counts any that is not hidden as a leak."""

from __future__ import annotations

import pandas as pd

from dagster_project.publish.disclosure import build_model
from dagster_project.publish.suppression import hide_forecast
from dagster_project.settings import DBT_PROJECT_DIR

CODE = "VS_ADMISSIONS_65_PLUS"


def iv_row(la, ptype, end, value, hidden=False):
    return {
        "la_code": la,
        "indicator_code": CODE,
        "period_type": ptype,
        "period_end": pd.Timestamp(end),
        "financial_year": None,
        "numerator": None if hidden else value,
        "denominator": 100000.0,
        "value": None if hidden else value,
        "display_value": None if hidden else value,
        "target": None,
        "rag": None,
        "direction_prev": None,
        "direction_yoy": None,
        "watch": None,
        "value_source": "computed",
        "suppressed": hidden,
        "spc_variation": None,
        "spc_assurance": None,
    }


def forecasts() -> pd.DataFrame:
    """Two councils' December forecasts of 2016/17 (A and B) and B's of 2015/16."""
    base = {
        "indicator_code": CODE,
        "months_elapsed": 9,
        "months_remaining": 3,
        "method": "seasonal share",
        "interval_coverage": 0.8,
        "interval_errors": 9,
        "interval_note": None,
        "annual_target": 40.0,
        "forecast_note": None,
    }
    rows = [
        ("A", "2016-12-31", "2016/17", 30.0, 24.0, 32.0, 40.0, 38.0, 42.0, "G", None),
        ("B", "2016-12-31", "2016/17", 20.0, 15.0, 20.0, 26.7, 25.0, 29.0, "G", None),
        ("B", "2015-12-31", "2015/16", 15.0, 12.0, 16.0, 20.0, 19.0, 21.0, "G", 20.0),
    ]
    return pd.DataFrame(
        [
            {
                **base,
                "la_code": la,
                "as_of": pd.Timestamp(at),
                "financial_year": fy,
                "ytd_value": ytd,
                "last_year_ytd_value": ly,
                "last_year_outturn": lo,
                "forecast": fc,
                "forecast_lower": lo_b,
                "forecast_upper": hi_b,
                "forecast_rag": rag,
                "outturn": out,
            }
            for la, at, fy, ytd, ly, lo, fc, lo_b, hi_b, rag, out in rows
        ]
    )


def test_a_forecast_using_a_hidden_value_is_hidden_with_its_rating_and_interval():
    # A's year to date at December 2016 is hidden (a small count): A's forecast would give it back
    iv = pd.DataFrame([iv_row("A", "ytd", "2016-12-31", 30.0, hidden=True), iv_row("B", "ytd", "2016-12-31", 20.0)])
    out = hide_forecast(forecasts(), "year_end_forecast", iv)
    a = out[out["la_code"] == "A"].iloc[0]
    assert a["suppressed"]
    assert pd.isna(a["forecast"]) and pd.isna(a["forecast_rag"]) and pd.isna(a["forecast_lower"])
    assert pd.isna(a["ytd_value"]) and a["last_year_ytd_value"] == 24.0  # only the hidden input
    b = out[(out["la_code"] == "B") & (out["financial_year"] == "2016/17")].iloc[0]
    assert not b["suppressed"] and b["forecast"] == 26.7 and b["forecast_upper"] == 29.0


def test_an_interval_sized_from_a_hidden_earlier_year_is_hidden_for_every_council():
    # B's outturn of 2015/16 is hidden: B's 2015/16 error (outturn - forecast) sized 2016/17's
    # intervals, so every council's 2016/17 interval goes; B's 2016/17 forecast uses it too
    iv = pd.DataFrame([iv_row("B", "financial_year", "2016-03-31", 20.0, hidden=True)])
    out = hide_forecast(forecasts(), "year_end_forecast", iv).set_index(["la_code", "financial_year"])
    assert pd.isna(out.loc[("A", "2016/17"), "forecast_lower"]) and pd.isna(out.loc[("A", "2016/17"), "forecast_upper"])
    assert out.loc[("A", "2016/17"), "forecast"] == 40.0 and not out.loc[("A", "2016/17"), "suppressed"]
    assert "suppressed small numbers" in out.loc[("A", "2016/17"), "interval_note"]
    assert out.loc[("B", "2016/17"), "suppressed"] and pd.isna(out.loc[("B", "2016/17"), "last_year_outturn"])
    # 2015/16's own outturn column is the hidden value: blanked; its forecast used only 2014/15's
    assert pd.isna(out.loc[("B", "2015/16"), "outturn"]) and out.loc[("B", "2015/16"), "forecast"] == 20.0
    # nothing hidden: nothing changes
    clean = hide_forecast(forecasts(), "year_end_forecast", pd.DataFrame([iv_row("B", "ytd", "2016-12-31", 20.0)]))
    assert clean["forecast_lower"].notna().all() and not clean["suppressed"].any()


def test_the_audit_counts_a_forecast_beside_a_hidden_value_as_a_leak():
    catalogue = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv")
    iv = pd.DataFrame([iv_row("A", "ytd", "2016-12-31", 30.0, hidden=True), iv_row("B", "ytd", "2016-12-31", 20.0)])
    leaky = build_model({"indicator_values": iv, "year_end_forecast": forecasts()}, catalogue, threshold=4)
    leaks = [x for x in leaky.flag_leaks if "year_end_forecast" in x]
    assert any("forecast uses a hidden value" in x for x in leaks)
    assert any("ytd_value uses a hidden value" in x for x in leaks)
    clean = build_model(
        {"indicator_values": iv, "year_end_forecast": hide_forecast(forecasts(), "year_end_forecast", iv)},
        catalogue,
        threshold=4,
    )
    assert not [x for x in clean.flag_leaks if "year_end_forecast" in x]
