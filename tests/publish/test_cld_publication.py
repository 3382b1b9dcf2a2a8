"""The revised ASCOF (`ascof_cld`) in the published database: suppressed with everything else,
its Total rows one cell with the CLD_* indicators, and its breakdowns audited through the relations
between them (issue 13). Hand-made tables; the recovery check is a small LP written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from dagster_project.publish import disclosure
from dagster_project.publish.disclosure import audit
from dagster_project.publish.suppression import protect

CATALOGUE = pd.DataFrame(
    [
        ("CLD_2A", "2A", "%", "cld", "bigger", 1, 0.05, "financial_year"),
        ("CLD_2B", "2B", "per 100k", "cld", "smaller", 1, 0.05, "financial_year"),
    ],
    columns=[
        "indicator_code",
        "ascof_ref",
        "unit",
        "kind",
        "polarity",
        "decimals",
        "tolerance",
        "dashboard_period_type",
    ],
)
FY, END = "2024/25", pd.Timestamp("2025-03-31")
CLD_COLUMNS = [
    "la_code",
    "financial_year",
    "measure",
    "part",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "dhsc_value",
    "difference",
    "suppressed",
    "indicator_code",
]


def tables(a18: int, a65: int, total: int, dens=(20, 50, 70)) -> dict[str, pd.DataFrame]:
    """2A by age band and in total (unknown ages count in Total only), 2B, as the marts have them."""
    d18, d65, dt = dens
    cld = pd.DataFrame(
        [
            ("L", FY, "ASCOF 2A", "", "18 to 64", a18, d18, 100 * a18 / d18, None, None, False, None),
            ("L", FY, "ASCOF 2A", "", "65 and above", a65, d65, 100 * a65 / d65, None, None, False, None),
            (
                "L",
                FY,
                "ASCOF 2A",
                "",
                "Total",
                total,
                dt,
                100 * total / dt,
                60.0,
                100 * total / dt - 60,
                False,
                "CLD_2A",
            ),
            ("L", FY, "ASCOF 2B", "", "18 to 64", 12, 400000, 3.0, 2.9, 0.1, False, "CLD_2B"),
        ],
        columns=CLD_COLUMNS,
    ).astype({"numerator": float, "denominator": float})
    iv = pd.DataFrame(
        [
            (
                "L",
                "CLD_2A",
                "financial_year",
                END,
                FY,
                float(total),
                float(dt),
                100 * total / dt,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                False,
                "computed",
                None,
                None,
            ),
            (
                "L",
                "CLD_2B",
                "financial_year",
                END,
                FY,
                12.0,
                400000.0,
                3.0,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                False,
                "computed",
                None,
                None,
            ),
        ],
        columns=[
            "la_code",
            "indicator_code",
            "period_type",
            "period_end",
            "financial_year",
            "numerator",
            "denominator",
            "value",
            "display_value",
            "target",
            "target_source",
            "rag",
            "direction_prev",
            "direction_yoy",
            "watch",
            "is_override",
            "value_source",
            "value_note",
            "population_note",
        ],
    )
    ascof = pd.DataFrame(
        [
            (
                "L",
                FY,
                "2A",
                "CLD_2A",
                float(total),
                float(dt),
                100 * total / dt,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                False,
            ),
        ],
        columns=[
            "la_code",
            "financial_year",
            "ascof_code",
            "indicator_code",
            "numerator",
            "denominator",
            "value",
            "target",
            "rag",
            "direction_of_travel",
            "previous_year_value",
            "family_group_rank",
            "england_quartile",
            "family_group_avg",
            "is_override",
        ],
    )
    return {"indicator_values": iv.assign(suppressed=False), "ascof": ascof.assign(suppressed=False), "ascof_cld": cld}


def bands_bounds(cld: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """What an adversary gets for each hidden 2A numerator from ascof_cld alone: 18-64 + 65+ <= Total,
    each numerator <= its denominator, a shown value with its denominator, counts >= 0."""
    rows = cld[cld["measure"] == "ASCOF 2A"].set_index("breakdown")
    names = ["18 to 64", "65 and above", "Total"]
    a_eq, b_eq = [], []
    for i, b in enumerate(names):
        if not pd.isna(rows.at[b, "numerator"]):
            a_eq.append(np.eye(3)[i]), b_eq.append(rows.at[b, "numerator"])
    a_ub = [[1, 1, -1]] + [list(np.eye(3)[i]) for i in range(3)]
    b_ub = [0] + [rows.at[b, "denominator"] for b in names]
    out = {}
    for i, b in enumerate(names):
        if pd.isna(rows.at[b, "numerator"]):
            c = np.eye(3)[i]
            lo = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, A_ub=a_ub, b_ub=b_ub, method="highs")
            hi = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, A_ub=a_ub, b_ub=b_ub, method="highs")
            out[b] = (lo.fun, -hi.fun)
    return out


def test_a_small_age_band_is_not_recovered_from_the_total_and_the_other_band():
    out, _ = protect(tables(3, 30, 33), CATALOGUE, 4, 3)
    cld = out["ascof_cld"]
    assert cld["suppressed"].tolist() == [True, True, False, False]  # 18-64 (small) and 65+ (secondary)
    assert cld.loc[:1, ["numerator", "value"]].isna().all().all()
    bounds = bands_bounds(cld)
    assert all(hi - lo >= 3 for lo, hi in bounds.values()), bounds
    assert audit(out, CATALOGUE, threshold=4, interval=3).passed


def test_the_audit_bounds_a_band_through_the_total():
    """Only the small band hidden: Total - 65+ = 3 pins it to 1..3; the audit must see that."""
    t = tables(3, 30, 33)
    t["ascof_cld"] = t["ascof_cld"].assign(suppressed=[True, False, False, False])
    t["ascof_cld"].loc[0, ["numerator", "value"]] = None
    result = audit(t, CATALOGUE, threshold=4, interval=3)
    assert not result.passed
    narrowed = {b.target: (b.low, b.high) for b in result.narrowed}
    assert narrowed == {
        "L ascof_cld:ASCOF 2A//18 to 64.num 2025-03": (1, 3),
        "complement of L ascof_cld:ASCOF 2A//18 to 64.num 2025-03": (17, 19),
    }, narrowed


def test_a_small_total_is_hidden_in_every_table_that_shows_it():
    out, _ = protect(tables(1, 1, 2, dens=(30, 40, 70)), CATALOGUE, 4, 3)
    assert out["ascof_cld"].loc[2, "suppressed"] and pd.isna(out["ascof_cld"].loc[2, "numerator"])
    assert pd.isna(out["ascof_cld"].loc[2, "difference"]) and out["ascof_cld"].loc[2, "dhsc_value"] == 60.0
    iv = out["indicator_values"].set_index("indicator_code")
    assert iv.at["CLD_2A", "suppressed"] and pd.isna(iv.at["CLD_2A", "numerator"]) and pd.isna(iv.at["CLD_2A", "value"])
    assert out["ascof"].loc[0, "suppressed"] and pd.isna(out["ascof"].loc[0, "numerator"])
    assert not iv.at["CLD_2B", "suppressed"]
    assert audit(out, CATALOGUE, threshold=4, interval=3).passed


def test_a_total_row_and_its_indicator_are_one_cell():
    m = disclosure.build_model(tables(10, 30, 45), CATALOGUE, 4)
    forms = {
        (a.table, a.column): a.form
        for a in m.appearances
        if a.column == "numerator"
        and a.table in ("indicator_values", "ascof", "ascof_cld")
        and "CLD_2A" in a.form[1][0]
    }
    assert len(forms) == 3 and len(set(forms.values())) == 1, forms


def test_per_100k_rows_take_their_unit_from_the_catalogue():
    m = disclosure.build_model(tables(10, 30, 45), CATALOGUE, 4)
    two_b = [rf for (t, i), rf in m.row_forms.items() if t == "ascof_cld" and i == 3]
    assert two_b[0].unit == "per 100k" and two_b[0].den is None and two_b[0].den_const == 400000


def test_an_ascof_row_without_its_financial_year_value_is_modelled_from_its_own_year():
    """The audit's own year-end lookup once shadowed periods.fy_end, so an ascof row with no
    financial-year indicator_values row beside it crashed publication with 'dict is not callable'."""
    t = tables(10, 30, 45)
    t["indicator_values"] = t["indicator_values"][t["indicator_values"]["indicator_code"] != "CLD_2A"]
    m = disclosure.build_model(t, CATALOGUE, 4)
    [two_a] = [rf for (table, i), rf in m.row_forms.items() if table == "ascof" and i == 0]
    assert two_a.num[3] == END.year * 12 + END.month - 1  # the form ends at its own year's March
