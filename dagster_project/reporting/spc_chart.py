"""The report card's XmR chart (NHS England's "Making Data Count") and its two icons.

The SPC figures are computed once, in dbt (macros/spc.sql -> marts.spc_series, and the icons in
marts.indicator_values); this module only draws them. Every card shows the same window (the
last `WINDOW` months to the report month), month labels like the dashboard's ("Mar 17") at month
ends, and a legend entry only for what is drawn. The icons are badges with words and colour, never
colour alone.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WINDOW = 24  # months on every card (dbt var spc_window_months)

# icon -> (words, text colour, fill): dark text on a light fill, WCAG AA contrast
VARIATION = {
    "common_cause": ("Common cause", "#3b3b3b", "#e7e6e6"),
    "special_cause_improving": ("Special cause: improving", "#0b3d91", "#dbe7f7"),
    "special_cause_concerning": ("Special cause: concerning", "#8a4500", "#fde6cc"),
    "special_cause_neither": ("Special cause: neither better nor worse", "#4b2a7b", "#ebe1f5"),
}
ASSURANCE = {
    "consistently_pass": ("Target: consistently passed", "#0b3d91", "#dbe7f7"),
    "consistently_fail": ("Target: consistently failed", "#8a4500", "#fde6cc"),
    "hit_and_miss": ("Target: hit and miss", "#3b3b3b", "#e7e6e6"),
}
POINT_COLOUR = {
    "special_cause_improving": "#1f6fd1",
    "special_cause_concerning": "#e07b00",
    "special_cause_neither": "#7a4fb5",
}
TARGET_COLOUR = "#c00000"
FORECAST_COLOUR = "#1f4e79"


def icon_words(variation: str | None, assurance: str | None) -> tuple[str, str]:
    """The two icons in words ("" when there is none)."""
    return (
        VARIATION.get(variation, ("",))[0] if isinstance(variation, str) else "",
        ASSURANCE.get(assurance, ("",))[0] if isinstance(assurance, str) else "",
    )


def icon_spans(variation: str | None, assurance: str | None, short: bool = False) -> str:
    """The icons as Markdown spans (class spc-<icon>) carrying their words."""
    parts = []
    for table, key in ((VARIATION, variation), (ASSURANCE, assurance)):
        if isinstance(key, str) and key in table:
            words = table[key][0]
            if short:
                words = SHORT[key]
            parts.append(f"[{words}]{{.spc .spc-{key.replace('_', '-')}}}")
    # the long form is read as a sentence where the badge styling is lost (the PDF): two clauses, not one run
    return (" " if short else "; ").join(parts)


SHORT = {
    "common_cause": "Common",
    "special_cause_improving": "Improving",
    "special_cause_concerning": "Concerning",
    "special_cause_neither": "Special",
    "consistently_pass": "Pass",
    "consistently_fail": "Fail",
    "hit_and_miss": "Hit & miss",
}


def unavailable_reason(points: pd.DataFrame) -> str:
    """Why a card has no SPC icons: suppressed small numbers in its series, or too few values."""
    if points["suppressed"].fillna(False).astype(bool).any():
        return "not shown, because some monthly values are suppressed small numbers"
    return "not yet available: fewer than 12 monthly values since the series began or last broke"


def month_ends(last: dt.date, n: int = WINDOW) -> list[pd.Timestamp]:
    end = pd.Timestamp(last) + pd.offsets.MonthEnd(0)
    return [end - pd.offsets.MonthEnd(k) for k in reversed(range(n))]


def _plain(text: str, limit: int | None = None) -> str:
    """Text from a landing file (a break's description) drawn as it is: matplotlib would read `$...$`
    as mathematics, and a long one would run off the chart."""
    text = " ".join(str(text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _canvas(height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(7.6, height), dpi=110)
    return fig, FigureCanvasAgg(fig).get_renderer()


def _header(fig: Figure, renderer, title: str, badges: list[tuple[str, str, str]], note: str = "") -> float:
    """The title (wrapped, never clipped) and the icon badges under it; returns where the plot may start."""
    t = fig.text(0.01, 0.985, textwrap.fill(_plain(title), 100), fontsize=8.5, fontweight="bold", va="top", ha="left")
    box = t.get_window_extent(renderer=renderer).transformed(fig.transFigure.inverted())
    y = box.y0 - 0.06
    x = 0.01
    for words, fg, bg in badges:
        b = fig.text(
            x,
            y,
            words,
            fontsize=7.5,
            color=fg,
            va="center",
            ha="left",
            bbox={"boxstyle": "round,pad=0.3", "facecolor": bg, "edgecolor": fg, "linewidth": 0.8},
        )
        x += b.get_window_extent(renderer=renderer).width / fig.bbox.width + 0.025
    if note:
        fig.text(x, y, note, fontsize=7, color="#3b3b3b", va="center", ha="left")
    return (y - 0.06) if (badges or note) else (box.y0 - 0.03)


def _month_axis(ax, months: list[pd.Timestamp], unit: str, until: pd.Timestamp | None = None) -> None:
    """Month-end ticks every third month ending at the report month, labelled like the dashboard;
    `until` (a year-end forecast's March) stretches the axis to it, with a tick of its own."""
    last = max(months[-1], until) if until is not None else months[-1]
    ax.set_xlim(months[0] - pd.Timedelta(days=20), last + pd.Timedelta(days=20))
    ticks = [m for m in months if (months[-1].month - m.month) % 3 == 0]
    ax.set_xticks(ticks + ([until] if until is not None and until > months[-1] else []))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))
    ax.tick_params(axis="both", labelsize=7)
    ax.set_ylabel(unit, fontsize=7)
    ax.grid(alpha=0.25)


def _legend(ax, handles) -> None:
    if handles:  # only what is drawn has an entry
        ax.legend(
            handles=handles,
            fontsize=6.5,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=min(len(handles), 4),
            frameon=False,
        )


def _breaks(ax, p: pd.DataFrame, months: list[pd.Timestamp]) -> list:
    """A vertical line, labelled, before the first month of each segment that starts inside the window."""
    handles = []
    if "series_break" not in p:
        return handles
    for label, seg in p[p["series_break"].notna()].groupby("series_break", sort=False):
        first = seg["period_end"].min()
        if first <= months[0]:
            continue
        x = first - pd.Timedelta(days=15)
        line = ax.axvline(x, color="#6a1b9a", linewidth=1.2, label="Series break")
        ax.annotate(
            f"Break: {_plain(label, 60)}",
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -10),
            textcoords="offset points",
            fontsize=7,
            color="#6a1b9a",
            va="top",
            zorder=5,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        )
        if not handles:
            handles.append(line)
    return handles


def xmr_figure(
    points: pd.DataFrame,
    *,
    title: str,
    unit: str,
    report_month: dt.date,
    variation: str | None,
    assurance: str | None,
    family: float | None = None,
    forecast=None,
) -> Figure:
    """The XmR chart of one card (with `forecast`, a YearEndForecast, drawn at the year's March).
    `points`: period_end, value, suppressed, target, mean, lower_limit,
    upper_limit, special_cause, variation, segment_start, series_break (marts.spc_series joined to
    the monthly values of marts.indicator_values, for the card's window)."""
    months = month_ends(report_month)
    fig, renderer = _canvas(3.4)
    badges = [
        table[key]
        for table, key in ((VARIATION, variation), (ASSURANCE, assurance))
        if isinstance(key, str) and key in table
    ]
    note = "" if isinstance(variation, str) else "SPC " + unavailable_reason(points)
    top = _header(fig, renderer, title, badges, note)
    ax = fig.add_axes([0.08, 0.24, 0.9, top - 0.26])
    p = points.copy()
    p["period_end"] = pd.to_datetime(p["period_end"]) + pd.offsets.MonthEnd(0)
    p = p[(p["period_end"] >= months[0]) & (p["period_end"] <= months[-1])].sort_values("period_end")
    hidden = p["suppressed"].fillna(False).astype(bool)
    shown = p[~hidden & p["value"].notna()]
    handles = []
    if not shown.empty:  # a hidden or missing month leaves a gap: no line is drawn across it
        full = pd.DataFrame({"period_end": months}).merge(p[~hidden][["period_end", "value"]], how="left")
        handles += ax.plot(
            full["period_end"],
            full["value"],
            color="#5a5a5a",
            linewidth=1.2,
            marker="o",
            markersize=3.5,
            label="Monthly value",
            zorder=3,
        )
    # mean and limits, one line per segment (they restart at a series break)
    with_limits = p[p["mean"].notna()]
    for i, (_, seg) in enumerate(
        with_limits.groupby(with_limits["segment_start"].fillna(pd.Timestamp("1900-01-01")), sort=True)
    ):
        x = seg["period_end"]
        (line_mean,) = ax.plot(x, seg["mean"], color="#000000", linewidth=1, label="Mean")
        (line_lim,) = ax.plot(
            x, seg["upper_limit"], color="#7f7f7f", linewidth=1, linestyle="--", label="Process limits"
        )
        ax.plot(x, seg["lower_limit"], color="#7f7f7f", linewidth=1, linestyle="--")
        if i == 0:
            handles += [line_mean, line_lim]
    special = shown[shown["special_cause"].fillna(False).astype(bool)]
    for kind, label in (
        ("special_cause_improving", "Special cause: improving"),
        ("special_cause_concerning", "Special cause: concerning"),
        ("special_cause_neither", "Special cause"),
    ):
        pts = special[special["variation"] == kind]
        if not pts.empty:
            handles.append(
                ax.scatter(pts["period_end"], pts["value"], s=30, color=POINT_COLOUR[kind], zorder=4, label=label)
            )
    handles += _target_and_family(ax, p, family)
    handles += _forecast(ax, forecast)
    handles += _breaks(ax, p, months)
    _month_axis(ax, months, unit, _until(forecast))
    _legend(ax, handles)
    return fig


def _until(forecast) -> pd.Timestamp | None:
    return (
        forecast.year_end if forecast is not None and forecast.value is not None and not forecast.suppressed else None
    )


def _forecast(ax, forecast) -> list:
    """The year-end forecast (reporting.forecast.YearEndForecast) at the year's March: a diamond with
    its interval as an error bar, and the annual target as a bar of the target's colour."""
    handles = []
    if forecast is None or forecast.suppressed or forecast.value is None:
        return handles
    x = forecast.year_end
    if forecast.target is not None:
        handles.append(
            ax.scatter(
                [x],
                [forecast.target],
                marker="_",
                s=260,
                linewidths=2.2,
                color=TARGET_COLOUR,
                zorder=5,
                label=f"Annual target {forecast.financial_year}",
            )
        )
    label = f"Forecast for {forecast.financial_year}"
    if forecast.has_interval:
        label += f" ({forecast.coverage:.0%} interval)"
        ax.errorbar(
            [x],
            [forecast.value],
            yerr=[[forecast.value - forecast.lower], [forecast.upper - forecast.value]],
            fmt="none",
            ecolor=FORECAST_COLOUR,
            elinewidth=1.4,
            capsize=4,
            zorder=5,
        )
    handles.append(ax.scatter([x], [forecast.value], marker="D", s=34, color=FORECAST_COLOUR, zorder=6, label=label))
    return handles


def _target_and_family(ax, frame: pd.DataFrame, family: float | None) -> list:
    """The target (a step, as targets are profiled) and the family-group average: both charts draw
    them the same way."""
    handles = []
    targets = frame[frame["target"].notna()]
    if not targets.empty:
        handles += ax.step(
            targets["period_end"],
            targets["target"],
            where="mid",
            color=TARGET_COLOUR,
            linestyle="-.",
            linewidth=1.2,
            label="Target",
        )
    if family is not None:
        handles.append(
            ax.axhline(
                family, color="#2e7d32", linestyle=":", linewidth=1.2, label="Family group average (latest year)"
            )
        )
    return handles


def window_figure(
    series: pd.DataFrame,
    *,
    title: str,
    unit: str,
    report_month: dt.date,
    label: str,
    family: float | None = None,
    forecast=None,
) -> Figure:
    """The card's series at its dashboard period type when that is not a month (e.g. rolling 12
    months against a 12-month target): same window and month labels as the XmR chart; `forecast`
    (rolling 12 months at March is the year's outturn) at the year's March."""
    months = month_ends(report_month)
    fig, renderer = _canvas(2.8)
    top = _header(fig, renderer, title, [])
    ax = fig.add_axes([0.08, 0.28, 0.9, top - 0.3])
    s = series.copy()
    s["period_end"] = pd.to_datetime(s["period_end"]) + pd.offsets.MonthEnd(0)
    s = s[(s["period_end"] >= months[0]) & (s["period_end"] <= months[-1])].sort_values("period_end")
    hidden = s["suppressed"].fillna(False).astype(bool)
    shown = s[~hidden & s["value"].notna()]
    handles = []
    if not shown.empty:
        full = pd.DataFrame({"period_end": months}).merge(s[~hidden][["period_end", "value"]], how="left")
        handles += ax.plot(full["period_end"], full["value"], marker="o", markersize=3.5, color="#1f4e79", label=label)
    handles += _target_and_family(ax, s, family)
    handles += _forecast(ax, forecast)
    _month_axis(ax, months, unit, _until(forecast))
    _legend(ax, handles)
    return fig
