"""The report card's year-end forecast: the sentence and the point on the chart, from one row of
marts.year_end_forecast (nothing is forecast in the report)."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import pandas as pd

from dagster_project.reporting.forecast import YearEndForecast, forecast_sentence
from dagster_project.reporting.spc_chart import window_figure, xmr_figure


def row(**kw) -> pd.Series:
    base = {
        "financial_year": "2016/17",
        "forecast": 612.4,
        "forecast_lower": 580.2,
        "forecast_upper": 649.6,
        "interval_coverage": 0.8,
        "annual_target": 600.0,
        "forecast_rag": "A",
        "forecast_note": None,
        "interval_note": None,
    }
    return pd.Series({**base, **kw})


def test_the_sentence_gives_the_forecast_its_interval_and_the_target_with_the_rating():
    f = YearEndForecast.from_row(row())
    assert f.year_end == pd.Timestamp("2017-03-31")
    assert forecast_sentence(f, "per 100k", 0) == (
        "**Forecast for 2016/17:** 612 (80% interval 580 to 650) against a target of 600: [Amber A]{.rag .rag-a}."
    )
    pct = YearEndForecast.from_row(row(forecast=82.04, forecast_lower=80.0, forecast_upper=84.55, annual_target=85.0))
    assert "82.0% (80% interval 80.0% to 84.6%) against a target of 85.0%" in forecast_sentence(pct, "%", 1)


def test_without_an_interval_or_a_forecast_the_sentence_says_why_never_zero():
    f = YearEndForecast.from_row(
        row(forecast_lower=None, forecast_upper=None, interval_coverage=None, interval_note="too few earlier years")
    )
    assert "612 (no interval: too few earlier years) against a target of 600" in forecast_sentence(f, "per 100k", 0)
    none = YearEndForecast.from_row(
        row(
            forecast=None,
            forecast_lower=None,
            forecast_upper=None,
            forecast_rag=None,
            forecast_note="no outturn for last year",
        )
    )
    text = forecast_sentence(none, "per 100k", 0)
    assert text == "**Forecast for 2016/17:** none (no outturn for last year)." and "0" not in text.split("**")[-1]
    hidden = YearEndForecast.from_row(row(forecast=None, forecast_rag=None, suppressed=True))
    assert "suppressed small numbers" in forecast_sentence(hidden, "per 100k", 0)


def _points_at(fig, x: dt.date):
    """(y, colour) of every single scatter point drawn at x."""
    ax = fig.axes[0]
    out = []
    for c in ax.collections:
        for ox, oy in c.get_offsets():
            if abs(ox - mdates.date2num(pd.Timestamp(x))) < 0.5:
                out.append(round(float(oy), 3))
    return out


def test_the_chart_draws_the_forecast_and_the_annual_target_at_march_past_the_report_month():
    f = YearEndForecast.from_row(row())
    series = pd.DataFrame(
        {
            "period_end": pd.date_range("2015-01-31", "2016-12-31", freq="ME"),
            "value": [600.0] * 24,
            "target": [600.0] * 24,
            "suppressed": [False] * 24,
        }
    )
    fig = window_figure(
        series, title="Admissions", unit="per 100k", report_month=dt.date(2016, 12, 31), label="L", forecast=f
    )
    assert sorted(_points_at(fig, dt.date(2017, 3, 31))) == [600.0, 612.4]
    ax = fig.axes[0]
    assert ax.get_xlim()[1] > mdates.date2num(pd.Timestamp("2017-03-31"))
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert "Forecast for 2016/17 (80% interval)" in labels and "Annual target 2016/17" in labels
    # the interval is an error bar from 580.2 to 649.6
    segs = [s for c in ax.collections for s in getattr(c, "get_segments", lambda: [])()]
    assert any(round(s[0][1], 1) == 580.2 and round(s[1][1], 1) == 649.6 for s in segs if len(s) == 2)
    # without a forecast the axis ends at the report month
    plain = window_figure(series, title="Admissions", unit="per 100k", report_month=dt.date(2016, 12, 31), label="L")
    assert plain.axes[0].get_xlim()[1] < mdates.date2num(pd.Timestamp("2017-02-01"))
    assert _points_at(plain, dt.date(2017, 3, 31)) == []


def test_the_xmr_chart_takes_the_forecast_of_a_monthly_measure():
    f = YearEndForecast.from_row(row(forecast=82.0, forecast_lower=80.0, forecast_upper=84.0, annual_target=85.0))
    months = pd.date_range("2015-01-31", "2016-12-31", freq="ME")
    points = pd.DataFrame(
        {
            "period_end": months,
            "value": [80.0 + (i % 3) for i in range(24)],
            "suppressed": False,
            "target": 85.0,
            "mean": 81.0,
            "lower_limit": 77.0,
            "upper_limit": 85.0,
            "special_cause": False,
            "variation": "common_cause",
            "segment_start": None,
            "series_break": None,
        }
    )
    fig = xmr_figure(
        points,
        title="Pct",
        unit="%",
        report_month=dt.date(2016, 12, 31),
        variation="common_cause",
        assurance="hit_and_miss",
        forecast=f,
    )
    assert sorted(_points_at(fig, dt.date(2017, 3, 31))) == [82.0, 85.0]
