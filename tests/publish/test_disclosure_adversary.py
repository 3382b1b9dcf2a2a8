"""The adversary: publish a sample, then try to recover every hidden count from the published
tables alone, and fail to narrow any below the protection interval (issue 11).

The attack is written here, independently of `dagster_project/publish/disclosure.py`: its own
variables (a council's count per stream and month), its own reading of every published table, and
scipy's `linprog` rather than the production HiGHS calls. What it knows: a month, quarter, year to
date, financial year or rolling year is a sum of months, whatever table or period type shows it;
2A(1)/2A(2) count the same admissions as the admissions vital signs and `admissions_rolling_12m`;
the two request measures share their requests and the two assessment measures their assessments;
2C(1) is every organisation's delayed days and 2C(2) and the DToC vital sign Social Care + Both;
numerators are parts of denominators; a shown value with its denominator gives the numerator;
counts are non-negative. For the revised ASCOF (`ascof_cld`): a Total row is the CLD_* indicator's
count in `indicator_values` and `ascof`; age bands and sexes are disjoint parts of Total; the
learning-disability 2E is part of 2E; direct payments are part of self-directed support, over one
denominator.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from dagster_project.build_runner import run_everything
from dagster_project.sample import generate
from tests.conftest import sample_settings

pytestmark = pytest.mark.slow

SAME = {
    ("2A1", "n"): "adm1864",
    ("VS_ADMISSIONS_18_64", "n"): "adm1864",
    ("2A2", "n"): "adm65",
    ("VS_ADMISSIONS_65_PLUS", "n"): "adm65",
    ("VS_ENQUIRIES_RESOLVED", "d"): "req",
    ("RC_REQUESTS_TO_ASSESSMENT", "d"): "req",
    ("VS_ASSESSMENT_INFO_ONLY", "d"): "ass",
    ("RC_ASSESSMENTS_TO_SERVICES", "d"): "ass",
}
ORGS = {
    "2C1": ["NHS", "Social Care", "Both"],
    "2C2": ["Social Care", "Both"],
    "VS_DTOC_SOCIAL_CARE": ["Social Care", "Both"],
}
SPAN = {"month": 1, "quarter": 3, "financial_year": 12, "rolling_12m": 12}


def month_no(d) -> int:
    d = pd.Timestamp(d)
    return d.year * 12 + d.month - 1


def months_of(period_type: str, end: int) -> range:
    if period_type == "ytd":
        return range(end - (end % 12 - 3) % 12, end + 1)
    return range(end - SPAN[period_type] + 1, end + 1)


def _dense(rows, at: dict):
    """Rows of (coefficients, bound) as a dense matrix over the columns `at` (variable -> column)."""
    if not rows:
        return None, None
    a = np.zeros((len(rows), len(at)))
    for i, (coef, _) in enumerate(rows):
        for j, c in coef.items():
            a[i, at[j]] += c
    return a, np.array([b for _, b in rows])


class Attack:
    def __init__(self):
        self.var: dict = {}
        self.eq: list = []  # (coefficients, value)
        self.le: list = []  # (coefficients, bound): sum <= bound
        self.targets: dict = {}  # name -> coefficients

    def v(self, *key) -> int:
        return self.var.setdefault(key, len(self.var))

    def cells(self, la, code, part, period_type, end, kind):
        stream = SAME.get((code, part), f"{code}.{part}")
        if kind == "dtoc":
            return tuple(self.v(la, "dtoc", o, m) for o in ORGS[code] for m in months_of(period_type, end))
        if kind == "event":
            return tuple(self.v(la, stream, m) for m in months_of(period_type, end))
        return (self.v(la, stream, end),)  # stocks and cohorts: the figure at the period end

    def observe(self, name, cells, value):
        coef = dict.fromkeys(cells, 1.0)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.targets[name] = coef
        else:
            self.eq.append((coef, float(value)))

    def bounds(self):
        """Min and max of each target, solved per connected component of the system (counts that share
        no equation are independent, so the bounds are those of the whole system, found much faster)."""
        parent = list(range(len(self.var)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for coef in [c for c, _ in self.eq + self.le] + list(self.targets.values()):
            first, *rest = coef
            for j in rest:
                parent[find(j)] = find(first)
        eq, le, targets = defaultdict(list), defaultdict(list), defaultdict(list)
        for rows, into in ((self.eq, eq), (self.le, le)):
            for coef, b in rows:
                into[find(next(iter(coef)))].append((coef, b))
        for name, coef in self.targets.items():
            targets[find(next(iter(coef)))].append((name, coef))
        out = {}
        for root, named in targets.items():
            cols = sorted({j for coef, _ in eq[root] + le[root] for j in coef} | {j for _, c in named for j in c})
            at = {j: i for i, j in enumerate(cols)}

            a_eq, b_eq = _dense(eq[root], at)
            a_ub, b_ub = _dense(le[root], at)
            for name, coef in named:
                c = np.zeros(len(cols))
                for j, k in coef.items():
                    c[at[j]] = k
                lo = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
                hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
                assert lo.status == 0, (name, lo.message)
                out[name] = (math.ceil(lo.fun - 1e-6), math.inf if hi.status == 3 else math.floor(-hi.fun + 1e-6))
        return out


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversary")
    # a small county: many counts from 1 to 4, so plenty to protect
    generate(root / "landing", councils=1, years=2, scale=0.1, seed=5)
    settings = sample_settings(root / "landing", root / "home")
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        outcome = run_everything(settings, reports=False)  # ingest, dbt, publish and its checks
    finally:
        os.environ.pop("VITALSIGNS_SAMPLE", None)
    assert outcome.success, outcome.failures
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {n: con.execute(f"select * from marts.{n}").df() for n in names}


def attack(t: dict) -> Attack:
    cat = t["indicator_catalogue"].set_index("indicator_code")
    a = Attack()
    iv = t["indicator_values"]
    per_row = {}
    for r in iv.itertuples():
        kind, unit = cat.at[r.indicator_code, "kind"], cat.at[r.indicator_code, "unit"]
        if r.value_source != "computed" or kind not in ("event", "snapshot", "cohort", "dtoc", "cld"):
            continue  # supplied figures are not sums of anything published
        end = month_no(r.period_end)
        n = a.cells(r.la_code, r.indicator_code, "n", r.period_type, end, kind)
        d = a.cells(r.la_code, r.indicator_code, "d", r.period_type, end, kind) if unit == "%" else None
        per_row[(r.la_code, r.indicator_code, r.period_type, end)] = (n, d)
        name = f"{r.indicator_code} {r.period_type} {pd.Timestamp(r.period_end).date()}"
        if r.suppressed or not pd.isna(r.numerator):
            a.observe(name + " numerator", n, r.numerator)
        if d is not None and (r.suppressed or not pd.isna(r.denominator)):
            a.observe(name + " denominator", d, r.denominator)
        if not pd.isna(r.value) and kind != "dtoc":  # a shown value gives the numerator back
            if unit == "count":
                a.eq.append((dict.fromkeys(n, 1.0), r.value))
            elif not pd.isna(r.denominator):
                scale = 100 if unit == "%" else 100000
                a.eq.append((dict.fromkeys(n, 1.0), round(r.value * r.denominator / scale)))  # counts are whole
        if d is not None and kind in ("event", "snapshot", "cohort", "cld"):
            for x, y in zip(n, d):
                a.le.append(({x: 1.0, y: -1.0}, 0.0))  # numerator <= denominator
    for r in t["ascof"].itertuples():
        end = (int(r.financial_year[:4]) + 1) * 12 + 2
        key = (r.la_code, r.indicator_code, "financial_year", end)
        if key in per_row:
            n, d = per_row[key]
            if r.suppressed or not pd.isna(r.numerator):
                a.observe(f"ascof {r.indicator_code} {r.financial_year} numerator", n, r.numerator)
            if d is not None and (r.suppressed or not pd.isna(r.denominator)):
                a.observe(f"ascof {r.indicator_code} {r.financial_year} denominator", d, r.denominator)
    attack_ascof_cld(a, t["ascof_cld"])
    for r in t["admissions_rolling_12m"].itertuples():
        code = "2A1" if r.age_band == "18-64" else "2A2"
        n = a.cells(r.la_code, code, "n", "rolling_12m", month_no(r.period_end), "event")
        a.observe(f"admissions_rolling_12m {r.age_band} {pd.Timestamp(r.period_end).date()}", n, r.admissions_12m)
    for r in t["dtoc_monthly"].itertuples():
        m = month_no(str(r.period) + "-01")
        a.observe(
            f"dtoc_monthly {r.period} {r.responsible_org}",
            (a.v(r.la_code, "dtoc", r.responsible_org, m),),
            r.delayed_days,
        )
        if not pd.isna(r.rate_per_100k):
            days = r.rate_per_100k * r.days_in_month * r.population_18_plus / 100000
            a.eq.append(({a.v(r.la_code, "dtoc", r.responsible_org, m): 1.0}, round(days)))
    return a


PER_100K = ("ASCOF 2B", "ASCOF 2C")


def attack_ascof_cld(a: Attack, cld: pd.DataFrame) -> None:
    """The revised ASCOF's rows, their shared cells with CLD_* indicators, and how its rows add up."""
    cell = {}
    for r in cld.itertuples():
        end = (int(r.financial_year[:4]) + 1) * 12 + 2
        if isinstance(r.indicator_code, str):
            n = a.cells(r.la_code, r.indicator_code, "n", "financial_year", end, "cld")
            d = a.cells(r.la_code, r.indicator_code, "d", "financial_year", end, "cld")
        else:
            n = (a.v(r.la_code, "cld", r.measure, r.part, r.breakdown, "n", end),)
            d = (a.v(r.la_code, "cld", r.measure, r.part, r.breakdown, "d", end),)
        name = f"ascof_cld {r.la_code} {r.financial_year} {r.measure} {r.part} {r.breakdown}"
        if r.suppressed or not pd.isna(r.numerator):
            a.observe(name + " numerator", n, r.numerator)
        if r.measure in PER_100K:
            continue
        if r.suppressed or not pd.isna(r.denominator):
            a.observe(name + " denominator", d, r.denominator)
        a.le.append(({n[0]: 1.0, d[0]: -1.0}, 0.0))
        if not pd.isna(r.value) and not pd.isna(r.denominator):
            a.eq.append(({n[0]: 1.0}, r.value * r.denominator / 100))
        cell[(r.la_code, r.financial_year, r.measure, r.part, r.breakdown)] = (n[0], d[0])

    def within(parts, whole, which=(0, 1), equal=False):
        if whole not in cell or any(p not in cell for p in parts):
            return
        for i in which:
            coef = {cell[whole][i]: -1.0}
            for p in parts:
                coef[cell[p][i]] = coef.get(cell[p][i], 0.0) + 1.0
            (a.eq if equal else a.le).append((coef, 0.0))

    for la, fy, measure, part, breakdown in list(cell):
        if breakdown != "Total":
            continue
        k = (la, fy, measure, part)
        if measure in ("ASCOF 2A", "ASCOF 3D (Clients)", "ASCOF 3D (Carers)"):
            within([k + ("18 to 64",), k + ("65 and above",)], k + ("Total",))
        if measure in ("ASCOF 2E", "ASCOF 2E LD"):
            within([k + ("Male",), k + ("Female",)], k + ("Total",))
    for la, fy, measure, part, breakdown in list(cell):
        if measure == "ASCOF 2E LD":
            within([(la, fy, measure, part, breakdown)], (la, fy, "ASCOF 2E", part, breakdown))
        for small, big in (("2a", "1a"), ("2b", "1b")):
            if part == small:
                within([(la, fy, measure, part, breakdown)], (la, fy, measure, big, breakdown), which=(0,))
                within([(la, fy, measure, part, breakdown)], (la, fy, measure, big, breakdown), which=(1,), equal=True)


def test_no_hidden_count_can_be_narrowed_below_the_protection_interval(published):
    a = attack(published)
    assert len(a.targets) > 10, "the sample should have something hidden"
    bounds = a.bounds()
    narrowed = {k: b for k, b in bounds.items() if b[1] - b[0] < 3}
    assert narrowed == {}, f"{len(narrowed)} of {len(bounds)} hidden counts narrowed: {list(narrowed.items())[:5]}"


def test_no_count_from_one_to_four_is_published(published):
    counts = [
        published["indicator_values"][["numerator", "denominator"]],
        published["ascof"][["numerator", "denominator"]],
        published["admissions_rolling_12m"][["admissions_12m"]],
        published["dtoc_monthly"][["delayed_days"]],
    ]
    small = sum(int(((c >= 1) & (c <= 4)).sum().sum()) for c in counts)
    iv = published["indicator_values"]
    cat = published["indicator_catalogue"].set_index("indicator_code")["unit"]
    prop = iv[iv["indicator_code"].map(cat).eq("%")]
    complement = prop["denominator"] - prop["numerator"]
    small += int(((complement >= 1) & (complement <= 4)).sum())
    cld = published["ascof_cld"]
    pct = cld[~cld["measure"].isin(PER_100K)]
    small += int(((cld["numerator"] >= 1) & (cld["numerator"] <= 4)).sum())
    small += int(((pct["denominator"] >= 1) & (pct["denominator"] <= 4)).sum())
    cld_complement = pct["denominator"] - pct["numerator"]
    small += int(((cld_complement >= 1) & (cld_complement <= 4)).sum())
    assert small == 0


def test_the_revised_ascof_is_published_suppressed_with_its_cells_hidden_everywhere(published):
    """Hidden where small, `suppressed` true there; a Total row hidden exactly where its CLD_* indicator is."""
    cld = published["ascof_cld"]
    assert len(cld) and cld["financial_year"].min() >= "2023/24"
    hidden = cld[cld["suppressed"].astype(bool)]
    assert len(hidden), "the small sample should have revised ASCOF counts to hide"
    assert hidden[["numerator", "value", "difference"]].isna().all().all()
    assert cld.loc[~cld["suppressed"].astype(bool), "numerator"].notna().all()
    iv = published["indicator_values"]
    iv = iv[iv["indicator_code"].str.startswith("CLD_")].set_index(["la_code", "indicator_code", "financial_year"])
    totals = cld[cld["indicator_code"].notna()].set_index(["la_code", "indicator_code", "financial_year"])
    joined = totals.join(iv[["numerator", "suppressed"]], rsuffix="_iv", how="inner")
    assert len(joined) == len(totals)
    assert (joined["numerator"].isna() == joined["numerator_iv"].isna()).all()
    assert (joined["numerator"].fillna(-1) == joined["numerator_iv"].fillna(-1)).all()


def test_no_flag_compares_with_a_hidden_value(published):
    iv = published["indicator_values"].sort_values(["la_code", "indicator_code", "period_type", "period_end"])
    hidden = iv["suppressed"].astype(bool)
    g = iv.groupby(["la_code", "indicator_code", "period_type"])["suppressed"]
    prev_hidden = g.shift(1).fillna(False).astype(bool)
    assert iv.loc[hidden | prev_hidden, "direction_prev"].isna().all()
    assert iv.loc[hidden, ["direction_yoy", "rag", "value"]].isna().all().all()
    back = prev_hidden | g.shift(2).fillna(False).astype(bool) | g.shift(3).fillna(False).astype(bool)
    assert iv.loc[hidden | back, "watch"].isna().all()
    ex = published["exceptions"]
    assert ex.loc[ex["suppressed"].astype(bool), ["value", "rag", "off_target"]].isna().all().all()


def test_the_audit_figures_are_published(published):
    audit = published["disclosure_audit"].set_index("figure")["value"]
    assert audit["passed"] == 1 and audit["narrowed_below_interval"] == 0 and audit["small_counts_published"] == 0
    assert audit["hidden_cells"] > 0 and audit["smallest_interval"] >= audit["protection_interval"]
