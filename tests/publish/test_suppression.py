"""Small-number suppression (outputs.md): primary, complement and secondary."""
from __future__ import annotations

import pandas as pd

from dagster_project.publish.suppression import is_small, secondary, suppress_ratio_table


def test_counts_one_to_threshold_are_small_and_zero_is_not():
    assert is_small(pd.Series([0, 1, 4, 5, None]), 4).tolist() == [False, True, True, False, False]
    assert is_small(pd.Series([5]), 5).tolist() == [True]  # the threshold is a setting


def test_primary_suppression_hides_the_count_and_what_is_derived_from_it():
    df = pd.DataFrame({"numerator": [3, 0, 40], "denominator": [100, 100, 100], "value": [3.0, 0.0, 40.0]})
    out = suppress_ratio_table(df, 4, count_denominator=pd.Series([True] * 3), derived=["value"])
    assert out["suppressed"].tolist() == [True, False, False]
    assert pd.isna(out.loc[0, "numerator"]) and pd.isna(out.loc[0, "value"])
    assert out.loc[1, "value"] == 0.0  # zero is not suppressed


def test_a_small_complement_hides_the_numerator():
    # 97 of 100: the 3 who were not are recoverable as denominator - numerator
    df = pd.DataFrame({"numerator": [97], "denominator": [100], "value": [97.0]})
    out = suppress_ratio_table(df, 4, count_denominator=pd.Series([True]), derived=["value"])
    assert out["suppressed"].tolist() == [True] and pd.isna(out.loc[0, "numerator"])
    assert out.loc[0, "denominator"] == 100


def test_population_denominators_are_not_counts():
    df = pd.DataFrame({"numerator": [80], "denominator": [507180.0], "value": [15.77]})
    out = suppress_ratio_table(df, 4, count_denominator=pd.Series([False]), derived=["value"])
    assert not out["suppressed"].any()


def test_secondary_suppression_stops_recovery_by_subtraction_from_a_total():
    # three months add up to a published quarter: hiding only the 2 would let 2 = 30 - 12 - 16 be recovered
    df = pd.DataFrame({"numerator": [12, 2, 16], "denominator": [None] * 3, "value": [1.0, 0.1, 1.3]})
    groups = pd.DataFrame({"cell": [0, 1, 2], "group": ["q1"] * 3})
    out = suppress_ratio_table(df, 4, count_denominator=pd.Series([False] * 3), derived=["value"], groups=groups)
    assert out["suppressed"].tolist() == [True, True, False]  # the next smallest (12) goes too
    quarter_total = 30
    visible = out["numerator"].dropna().sum()
    assert quarter_total - visible == 14  # two hidden cells: the 2 cannot be told apart from the 12


def test_secondary_suppression_reaches_a_fixed_point_across_overlapping_groups():
    cells = pd.DataFrame({
        "cell": ["a", "b", "c", "b", "d"],
        "group": ["g1", "g1", "g1", "g2", "g2"],
        "count": [3, 10, 20, 10, 30],
    })
    hidden = secondary(cells, pd.Series({"a": True, "b": False, "c": False, "d": False}))
    # g1 hides b as its second cell; b then leaves g2 with a lone hidden cell, so d goes too
    assert hidden.to_dict() == {"a": True, "b": True, "c": False, "d": True}


def test_no_group_is_left_with_a_single_hidden_cell():
    cells = pd.DataFrame({"cell": list("abcdef"), "group": ["x", "x", "x", "y", "y", "y"],
                          "count": [1, 50, 60, 2, 3, 70]})
    hidden = secondary(cells, cells.set_index("cell")["count"].between(1, 4))
    per_group = cells.assign(h=cells["cell"].map(hidden)).groupby("group")["h"].sum()
    assert (per_group != 1).all()


def _iv(rows):
    return pd.DataFrame(rows, columns=["la_code", "indicator_code", "period_type", "period_end", "numerator",
                                       "denominator", "value"])


def test_a_hidden_month_cannot_be_recovered_from_consecutive_year_to_date_totals():
    from dagster_project.publish.database import _relations

    iv = _iv([
        ("L", "RC_REVIEWS_COMPLETED", "month", "2016-04-30", 10, None, 10),
        ("L", "RC_REVIEWS_COMPLETED", "month", "2016-05-31", 2, None, 2),
        ("L", "RC_REVIEWS_COMPLETED", "month", "2016-06-30", 30, None, 30),
        ("L", "RC_REVIEWS_COMPLETED", "ytd", "2016-04-30", 10, None, 10),
        ("L", "RC_REVIEWS_COMPLETED", "ytd", "2016-05-31", 12, None, 12),
        ("L", "RC_REVIEWS_COMPLETED", "ytd", "2016-06-30", 42, None, 42),
        ("L", "RC_REVIEWS_COMPLETED", "quarter", "2016-06-30", 42, None, 42),
    ])
    out = suppress_ratio_table(iv, 4, count_denominator=pd.Series([False] * len(iv)), derived=["value"],
                               groups=_relations(iv, {"RC_REVIEWS_COMPLETED"}))
    shown = out.set_index(["period_type", "period_end"])["numerator"]
    assert pd.isna(shown[("month", "2016-05-31")])
    # without secondary suppression May = ytd(May) - ytd(April) = 12 - 10; now one of them is hidden too
    assert pd.isna(shown[("ytd", "2016-05-31")]) or pd.isna(shown[("ytd", "2016-04-30")])
    # and the quarter cannot give May back either: 42 - 10 - 30
    assert pd.isna(shown[("quarter", "2016-06-30")]) or pd.isna(shown[("month", "2016-04-30")]) \
        or pd.isna(shown[("month", "2016-06-30")])


def test_every_relation_is_left_with_zero_or_at_least_two_hidden_cells():
    from dagster_project.publish.database import _relations

    rows = []
    values = [9, 3, 8, 7, 12, 1, 6, 9, 10, 11, 8, 2, 7, 5]
    for k, v in enumerate(values):
        y, m = 2016 + (3 + k) // 12, (3 + k) % 12 + 1
        end = pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)
        rows.append(("L", "RC_REVIEWS_COMPLETED", "month", end.date().isoformat(), v, None, v))
        if k >= 11:
            rows.append(("L", "RC_REVIEWS_COMPLETED", "rolling_12m", end.date().isoformat(),
                         sum(values[k - 11:k + 1]), None, 0))
    iv = _iv(rows)
    groups = _relations(iv, {"RC_REVIEWS_COMPLETED"})
    assert not groups.empty
    out = suppress_ratio_table(iv, 4, count_denominator=pd.Series([False] * len(iv)), derived=["value"],
                               groups=groups)
    hidden = groups.assign(h=groups["cell"].map(out["suppressed"]))
    assert (hidden.groupby("group")["h"].sum() != 1).all()
