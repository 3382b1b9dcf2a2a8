"""The year-end forecast on a report card: read from marts.year_end_forecast (computed once, in dbt:
int_year_end_forecast) and put into words and onto the chart. Nothing is forecast here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..periods import fy_end
from .data import RAG_NAMES, fmt, rag_span


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _text(v) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


@dataclass(frozen=True)
class YearEndForecast:
    """One row of marts.year_end_forecast: a targeted measure's forecast at the report month."""

    financial_year: str
    year_end: pd.Timestamp
    value: float | None
    lower: float | None
    upper: float | None
    coverage: float | None
    target: float | None
    rag: str | None
    note: str | None
    interval_note: str | None
    suppressed: bool

    @classmethod
    def from_row(cls, row: pd.Series) -> YearEndForecast:
        return cls(
            financial_year=str(row["financial_year"]),
            year_end=pd.Timestamp(fy_end(str(row["financial_year"]))),
            value=_num(row["forecast"]),
            lower=_num(row["forecast_lower"]),
            upper=_num(row["forecast_upper"]),
            coverage=_num(row["interval_coverage"]),
            target=_num(row["annual_target"]),
            rag=_text(row["forecast_rag"]),
            note=_text(row["forecast_note"]),
            interval_note=_text(row["interval_note"]),
            suppressed=bool(row.get("suppressed", False)) if not pd.isna(row.get("suppressed", False)) else False,
        )

    @property
    def has_interval(self) -> bool:
        return self.value is not None and self.lower is not None and self.upper is not None


def forecast_sentence(f: YearEndForecast, unit: str, decimals: int) -> str:
    """The card's line, e.g. "Forecast for 2017/18: 612 (80% interval 580 to 650) against a target of
    600: Amber." A forecast that cannot be made or shown says why, never a blank or a zero."""
    head = f"**Forecast for {f.financial_year}:** "
    if f.suppressed:
        return head + "not shown, as it would reveal suppressed small numbers."
    if f.value is None:
        return head + (f"none ({f.note})." if f.note else "none.")
    value = fmt(f.value, unit, decimals)
    if f.has_interval:
        interval = f" ({f.coverage:.0%} interval {fmt(f.lower, unit, decimals)} to {fmt(f.upper, unit, decimals)})"
    else:
        interval = f" (no interval: {f.interval_note})" if f.interval_note else ""
    if f.target is None:
        return head + f"{value}{interval}; no annual target."
    return (
        head
        + f"{value}{interval} against a target of {fmt(f.target, unit, decimals)}: "
        + rag_span(RAG_NAMES.get(f.rag or "", ""), f.rag)
        + "."
    )
