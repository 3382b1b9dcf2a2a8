"""Small-number suppression: the one place every published output passes through.

Primary: a count from 1 to the threshold (default 4; some NHS publications use 5) is hidden,
with every value derived from it. Complement: when a proportion's numerator is shown its
denominator minus numerator is a count too, so a small complement hides the numerator.
Secondary: where published cells are bound by a linear relation (months and their quarter or
year, year-to-date and rolling totals and the months they move by), a relation with exactly
one hidden cell would give it away by subtraction, so the next smallest cell in it is hidden
as well, repeated until no relation has a lone hidden cell. Zero is never suppressed. The warehouse keeps the
true values; only published copies are suppressed.
"""
from __future__ import annotations

import pandas as pd


def is_small(count: pd.Series, threshold: int) -> pd.Series:
    c = pd.to_numeric(count, errors="coerce")
    return (c >= 1) & (c <= threshold)


def secondary(cells: pd.DataFrame, suppressed: pd.Series) -> pd.Series:
    """Hide more cells until no relation has exactly one hidden cell.

    `cells` has columns cell (id), group (a set of published cells bound by a linear relation,
    e.g. three months and their quarter, or ytd(m) = ytd(m-1) + month(m)) and count; a cell may
    sit in several groups. Returns the updated suppressed flag per cell id.
    """
    hidden = suppressed.copy()
    if cells.empty:
        return hidden
    for _ in range(1000):
        flagged = cells.assign(hidden=cells["cell"].map(hidden).fillna(False).astype(bool))
        per_group = flagged.groupby("group")["hidden"].sum()
        lonely = per_group[per_group == 1].index
        candidates = flagged[flagged["group"].isin(lonely) & ~flagged["hidden"] & (flagged["count"] > 0)]
        if candidates.empty:
            # done, or the only other cells are zero (a zero gives nothing away)
            return hidden
        picks = candidates.sort_values(["group", "count", "cell"]).groupby("group").head(1)["cell"]
        hidden.loc[picks.unique()] = True
    return hidden


def suppress_ratio_table(df: pd.DataFrame, threshold: int, *, count_denominator: pd.Series,
                         derived: list[str], groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Suppress numerator/denominator/value rows of a measures table.

    count_denominator says, per row, whether the denominator is a count of people (a
    proportion) rather than a population. `groups` optionally lists (cell=row index, group)
    memberships for secondary suppression of numerators.
    """
    out = df.copy()
    num = pd.to_numeric(out["numerator"], errors="coerce")
    den = pd.to_numeric(out["denominator"], errors="coerce")
    hide = is_small(num, threshold)
    hide |= count_denominator & is_small(den, threshold)
    hide |= count_denominator & is_small(den - num, threshold)
    if groups is not None and not groups.empty:
        cells = groups.assign(count=groups["cell"].map(num).fillna(0))
        hide = secondary(cells, hide)
    hide_den = count_denominator & is_small(den, threshold)
    out["suppressed"] = hide.astype(bool)
    out.loc[hide, "numerator"] = None
    out.loc[hide_den, "denominator"] = None
    for col in derived:
        if col in out:
            out.loc[hide, col] = None
    return out
