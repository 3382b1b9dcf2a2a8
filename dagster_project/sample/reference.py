"""The reference feeds of a sample: targets, benchmarks and published indicator values."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .. import contracts as K
from ..periods import fy_label
from .codes import _code
from .councils import COUNCILS, EAST, ENGLAND, FAMILY_GROUP, FAMILY_GROUP_NAME, Council
from .timeline import Window, _day, _iso

# --- reference data ---------------------------------------------------------------------------


TARGETS = {  # indicator: (target in the first month, in the last month), profiled linearly between
    "VS_ADMISSIONS_18_64": (18.2, 16.5),
    "VS_ADMISSIONS_65_PLUS": (600.0, 573.0),
    "VS_HOME_91_DAYS": (90.0, 90.0),
    "VS_DTOC_SOCIAL_CARE": (1.7, 1.5),
    "VS_LD_EMPLOYMENT": (3.8, 4.0),
    "VS_MH_EMPLOYMENT": (3.5, 3.7),
    "VS_REABLEMENT_NO_ONGOING": (69.0, 69.0),
}


def _targets(chosen: list[tuple[int, Council]], w: Window, seed: int) -> pd.DataFrame:
    frames = []
    n = len(w.months)
    k = np.arange(n) / max(1, n - 1)
    for index, c in chosen:
        r = np.random.default_rng([seed, index, zlib.crc32(b"targets")])
        for code, (a, b) in TARGETS.items():
            ambition = 1.0 if index == 0 else float(r.uniform(0.95, 1.05))
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_code": code,
                        "la_code": c.la_code,
                        "period": w.months.astype(str),
                        "target": np.round((a + (b - a) * k) * ambition, 2),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


ASCOF = {  # code: (typical value, spread between councils, bigger is better)
    "1C1A": (88.0, 6.0, True),
    "1C1B": (80.0, 12.0, True),
    "1C2A": (28.0, 5.0, True),
    "1C2B": (70.0, 15.0, True),
    "1E": (5.8, 2.0, True),
    "1G": (76.0, 6.0, True),
    "2A1": (13.0, 3.0, False),
    "2A2": (610.0, 80.0, False),
    "2B1": (83.0, 5.0, True),
    "2B2": (2.7, 0.8, True),
    "2C1": (13.0, 3.5, False),
    "2C2": (5.0, 1.8, False),
    "2D": (77.0, 7.0, True),
}


def _benchmarks(w: Window, seed: int, extra: list[Council] | None = None) -> pd.DataFrame:
    """Family-group members, family group, region and England per ASCOF measure and year. An `extra`
    council (the unitary one) gets its own LA row ranked among the members, from its own random
    stream, so the members' figures do not change when it is added."""
    rng = np.random.default_rng([seed, zlib.crc32(b"benchmarks")])
    rng_extra = np.random.default_rng([seed, zlib.crc32(b"benchmarks: extra councils")])
    members = COUNCILS
    # a Region row for every sample council's own region (East of England first, as it always was)
    rng_regions = np.random.default_rng([seed, zlib.crc32(b"benchmarks: other regions")])
    other_regions = sorted({(c.region_code, c.region_name) for c in [*members, *(extra or [])]} - {EAST})
    character = rng.normal(0, 1, (len(ASCOF), len(members)))
    rows = []
    for y, fy in enumerate(w.financial_years):
        for i, (code, (typical, spread, bigger)) in enumerate(ASCOF.items()):
            drift = (y - len(w.financial_years) + 1) * 0.02 * spread
            values = np.round(
                np.maximum(
                    0.1, typical + drift + spread * (0.85 * character[i] + 0.35 * rng.normal(0, 1, len(members)))
                ),
                1,
            )
            order = np.argsort(-values if bigger else values, kind="stable")
            rank = np.empty(len(members), dtype=np.int64)
            rank[order] = np.arange(1, len(members) + 1)
            for c, v, r in zip(members, values, rank):
                rows.append((code, fy_label(fy), c.la_code, c.name, "LA", float(v), str(r), str(len(members))))
            for c in extra or []:
                v = round(max(0.1, typical + drift + spread * rng_extra.normal(0, 1)), 1)
                better = int(np.sum(values > v if bigger else values < v))
                of = len(members) + len(extra)
                rows.append((code, fy_label(fy), c.la_code, c.name, "LA", float(v), str(1 + better), str(of)))
            rows.append(
                (
                    code,
                    fy_label(fy),
                    FAMILY_GROUP,
                    FAMILY_GROUP_NAME,
                    "Family group",
                    round(float(values.mean()), 1),
                    "",
                    "",
                )
            )
            rows.append(
                (
                    code,
                    fy_label(fy),
                    EAST[0],
                    EAST[1],
                    "Region",
                    round(float(typical + drift + rng.normal(0, spread / 4)), 1),
                    "",
                    "",
                )
            )
            for region in other_regions:  # from their own stream: the first region's figures stay as they were
                value = round(float(typical + drift + rng_regions.normal(0, spread / 4)), 1)
                rows.append((code, fy_label(fy), *region, "Region", value, "", ""))
            rows.append(
                (
                    code,
                    fy_label(fy),
                    *ENGLAND,
                    "England",
                    round(float(typical + drift + rng.normal(0, spread / 6)), 1),
                    "",
                    "",
                )
            )
    for row in rows:
        _code(K.AREA_TYPE, row[4])
    return pd.DataFrame(rows, columns=K.FEEDS["benchmarks"].column_names)


def _resources(c: Council, w: Window, rng) -> pd.DataFrame:
    """Budget and workforce lines at each quarter end, as Leicester reports them (seed 003): the forecast
    outturn against the net budget (£m, the budget as denominator), sickness days per FTE over 12
    months, agency and sessional staff and vacancy rates (%). Values only: no person is counted."""
    ends = [d for d in w.month_ends if str(_iso([d])[0])[5:7] in ("03", "06", "09", "12")]
    n = len(ends)
    budget = np.round(105.5 * c.size * rng.uniform(0.95, 1.05) * np.ones(n), 1)
    variance = np.round(budget * rng.normal(-0.02, 0.015, n), 1)
    sickness = np.round(np.linspace(11.5, 10.2, n) * rng.uniform(0.9, 1.1) + rng.normal(0, 0.2, n), 1)
    agency = np.clip(np.linspace(6.5, 5.0, n) * rng.uniform(0.8, 1.2) + rng.normal(0, 0.3, n), 0.5, 30)
    vacancy = np.clip(np.linspace(9.0, 8.0, n) * rng.uniform(0.8, 1.2) + rng.normal(0, 0.4, n), 0.5, 30)
    rows = []
    for code, period_type, values, denominators in (
        ("RES_BUDGET_VARIANCE", "quarter", variance, budget),
        ("RES_SICKNESS_DAYS", "rolling_12m", sickness, None),
        ("RES_AGENCY_PCT", "quarter", agency, None),
        ("RES_VACANCY_RATE", "quarter", vacancy, None),
    ):
        rows.append(
            pd.DataFrame(
                {
                    "indicator_code": code,
                    "la_code": c.la_code,
                    "period_type": period_type,
                    "period_end": _iso(ends),
                    "numerator": "",
                    "denominator": [f"{d:.1f}" for d in denominators] if denominators is not None else "",
                    "value": [f"{v:.2f}" for v in values],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _indicator_values(chosen: list[tuple[int, Council]], w: Window, scale: float, seed: int) -> pd.DataFrame:
    frames = []
    n = len(w.months)
    for index, c in chosen:
        rng = np.random.default_rng([seed, index, zlib.crc32(b"indicator values")])
        f = c.size * scale
        # CQC ratings of commissioned care: a growing share rated good or outstanding
        rated = np.maximum(5, np.round(np.linspace(300, 400, n) * f * rng.uniform(0.9, 1.1))).astype(np.int64)
        start, gain = (0.57, 0.16) if index == 0 else (rng.uniform(0.55, 0.75), rng.uniform(0.02, 0.15))
        share = np.clip(start + gain * np.arange(n) / max(1, n - 1) + rng.normal(0, 0.01, n), 0.2, 0.98)
        good = np.round(rated * share).astype(np.int64)
        frames.append(
            pd.DataFrame(
                {
                    "indicator_code": "VS_CQC_GOOD",
                    "la_code": c.la_code,
                    "period_type": "month",
                    "period_end": _iso(w.month_ends),
                    "numerator": good.astype(str),
                    "denominator": rated.astype(str),
                    "value": [f"{v:.4f}" for v in 100 * good / rated],
                }
            )
        )
        # 2B(2): NHS hospital discharges of people 65+ between 1 October and 31 December (the denominator only)
        fys = [fy for fy in w.financial_years if w.start <= _day(f"{fy}-10-01") and _day(f"{fy}-12-31") <= w.end]
        discharges = [str(int(round(20_000 * f * (1.02 ** (fy - 2016)) * rng.uniform(0.95, 1.05)))) for fy in fys]
        frames.append(
            pd.DataFrame(
                {
                    "indicator_code": "2B2",
                    "la_code": c.la_code,
                    "period_type": "financial_year",
                    "period_end": [f"{fy + 1}-03-31" for fy in fys],
                    "numerator": "",
                    "denominator": discharges,
                    "value": "",
                }
            )
        )
        frames.append(_resources(c, w, np.random.default_rng([seed, index, zlib.crc32(b"budget and workforce")])))
    frame = pd.concat(frames, ignore_index=True)
    for pt in frame["period_type"].unique():
        _code(K.PERIOD_TYPE, pt)
    return frame
