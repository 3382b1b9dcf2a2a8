"""The card's XmR chart draws what marts.spc_series says, on the same window and month labels."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from dagster_project.reporting.spc_chart import WINDOW, icon_spans, unavailable_reason, xmr_figure

REPORT = dt.date(2017, 3, 31)


def points(n=30, with_break=True, hidden=()):
    ends = pd.date_range(end="2017-03-31", periods=n, freq="ME")
    seg = [pd.Timestamp("2016-04-01") if with_break and e >= pd.Timestamp("2016-04-01") else pd.NaT for e in ends]
    return pd.DataFrame(
        {
            "period_end": ends,
            "value": [50.0 + (i % 3) for i in range(n)],
            "suppressed": [i in hidden for i in range(n)],
            "target": 52.0,
            "mean": [51.0] * n,
            "lower_limit": [45.0] * n,
            "upper_limit": [57.0] * n,
            "special_cause": [i == n - 1 for i in range(n)],
            "variation": ["special_cause_concerning" if i == n - 1 else "common_cause" for i in range(n)],
            "segment_start": seg,
            "series_break": ["Care First to Liquid Logic" if pd.notna(s) else None for s in seg],
        }
    )


def labels(fig):
    ax = fig.axes[0]
    return ax, [t.get_text() for t in ax.get_legend().get_texts()]


def test_window_ticks_legend_and_break():
    fig = xmr_figure(
        points(),
        title="A title long enough to need wrapping " * 4,
        unit="%",
        report_month=REPORT,
        variation="special_cause_concerning",
        assurance="hit_and_miss",
    )
    fig.canvas.draw()
    ax, legend = labels(fig)
    assert legend == ["Monthly value", "Mean", "Process limits", "Special cause: concerning", "Target", "Series break"]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[-1] == "Mar 17" and ticks[0] == "Jun 15" and len(ticks) == WINDOW // 3  # month ends, dashboard style
    left, right = ax.get_xlim()
    assert right - left < (WINDOW + 2) * 31  # the 24 months only, though 30 were given
    texts = [t.get_text() for t in fig.texts]
    assert "Special cause: concerning" in texts and "Target: hit and miss" in texts
    assert any("\n" in t for t in texts)  # the title wraps rather than being clipped
    assert any(a.get_text() == "Break: Care First to Liquid Logic" for a in ax.texts)


def test_nothing_drawn_has_no_legend_entry():
    p = points(with_break=False).assign(target=None, special_cause=False, variation="common_cause")
    p["mean"] = None
    fig = xmr_figure(p, title="t", unit="%", report_month=REPORT, variation=None, assurance=None)
    _, legend = labels(fig)
    assert legend == ["Monthly value"]
    assert any(t.get_text().startswith("SPC not yet available") for t in fig.texts)


def test_suppressed_values_leave_a_gap_and_say_why():
    p = points(hidden={25})
    line = xmr_figure(p, title="t", unit="%", report_month=REPORT, variation=None, assurance=None).axes[0].lines[0]
    ys = list(line.get_ydata())
    assert pd.isna(ys[19]) and sum(pd.notna(y) for y in ys) == WINDOW - 1
    assert unavailable_reason(p).startswith("not shown, because some monthly values are suppressed")


def test_icons_carry_words_not_only_colour():
    spans = icon_spans("special_cause_improving", "consistently_fail")
    assert "Special cause: improving" in spans and "Target: consistently failed" in spans
    assert ".spc-special-cause-improving" in spans
    assert "}; [Target" in spans  # two clauses in the card's sentence ("...concerning Target: ..." ran on)
    assert icon_spans(None, None) == ""


def test_a_hostile_break_description_is_drawn_as_text():
    p = points()
    p.loc[p["series_break"].notna(), "series_break"] = "cost $\\frac{1}$ moved " + "x" * 200
    fig = xmr_figure(p, title="t", unit="%", report_month=REPORT, variation=None, assurance=None)
    fig.savefig(io.BytesIO(), format="png")  # raises on bad mathtext unless escaped
    (label,) = [a.get_text() for a in fig.axes[0].texts]
    assert label.startswith("Break: cost \\$") and label.endswith("…")
