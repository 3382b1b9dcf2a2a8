"""Financial years in Python, defined once (dbt's twin is macros/dates.sql fy_label/fy_start_year).

English local-government financial years run April to March and are labelled `YYYY/YY`.
"""

from __future__ import annotations

import datetime as dt


def fy_start_year(d: dt.date) -> int:
    """First calendar year of the financial year containing `d` (2017-03-31 -> 2016)."""
    return d.year if d.month >= 4 else d.year - 1


def fy_label(start_year: int) -> str:
    """'YYYY/YY' label of the financial year starting in April of `start_year` (1999 -> 1999/00)."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year(d: dt.date) -> str:
    """The label of the financial year containing `d`."""
    return fy_label(fy_start_year(d))


def fy_end(label: str) -> dt.date:
    """31 March, the last day of the financial year labelled 'YYYY/YY' (2016/17 -> 2017-03-31)."""
    return dt.date(int(label[:4]) + 1, 3, 31)
