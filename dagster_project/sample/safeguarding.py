"""The sample's safeguarding extract: concerns about the council's own people (the people extract).

Volumes and rates are set to what councils report (Leicester's integrated report, seed 003, and
the Safeguarding Adults Collection): about 690 concerns a year per 100,000 population at Norfolk's
size (so some 6,000 a year at scale 1), a third leading to a Section 42 enquiry, nearly all made
safe within 24 hours of the decision, about half concluded within 28 days, and 9 in 10 people who
expressed their desired outcomes having them fully or partially met. Each council varies a little.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .. import contracts as K
from .timeline import EPOCH, OPEN, YEAR, Window, _iso

CONCERNS_PER_YEAR = 6000  # at Norfolk's size (council size 1.0) and scale 1
ABUSE = {
    "Neglect and Acts of Omission": 30,
    "Physical": 17,
    "Psychological": 15,
    "Financial or Material": 15,
    "Self-neglect": 7,
    "Domestic Abuse": 6,
    "Organisational": 5,
    "Sexual": 3,
    "Discriminatory": 0.6,
    "Sexual Exploitation": 0.6,
    "Modern Slavery": 0.4,
}
LOCATION = {
    "Own Home": 45,
    "Care Home - Residential": 18,
    "Care Home - Nursing": 9,
    "In a community service": 6,
    "In the community (excluding community services)": 6,
    "Hospital - Acute": 5,
    "Hospital - Mental Health": 2,
    "Hospital - Community": 1,
    "Other": 8,
}
SOURCE = {"Service Provider": 35, "Other - Known to Individual": 55, "Other - Unknown to Individual": 10}
RISK_OUTCOME = dict(zip(K.RISK_OUTCOME, [45, 8, 12, 5, 6, 14, 10]))
MSP_ASKED = {"Yes": 76, "No": 12, "Don't know": 4, "Not recorded": 8}


def _draw(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    names = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return names[rng.choice(len(names), n, p=p / p.sum())]


def _days(iso: pd.Series) -> np.ndarray:
    """ISO date text (empty = none) as day numbers, OPEN where empty."""
    d = pd.to_datetime(iso.replace("", None), format="%Y-%m-%d", errors="coerce")
    missing = d.isna().to_numpy()
    days = ((d.fillna(pd.Timestamp(EPOCH)).to_numpy(dtype="datetime64[D]") - EPOCH) // np.timedelta64(1, "D")).astype(
        np.int64
    )
    return np.where(missing, OPEN, days)


def safeguarding_extract(seed: int, index: int, la_code: str, people: pd.DataFrame, w: Window, size: float):
    """One council's safeguarding extract on the extract date, in contract columns."""
    rng = np.random.default_rng([seed % (1 << 63), index, zlib.crc32(b"safeguarding")])
    columns = K.FEEDS["safeguarding"].column_names
    if people.empty:
        return pd.DataFrame(columns=columns)
    conversion = 0.35 if index == 0 else float(rng.uniform(0.28, 0.40))
    make_safe = 0.90 if index == 0 else float(rng.uniform(0.82, 0.95))
    median_days = 28.0 if index == 0 else float(rng.uniform(24.0, 34.0))

    n = int(rng.poisson(CONCERNS_PER_YEAR * size * (w.end - w.start + 1) / YEAR))
    concern = np.sort(rng.integers(w.start, w.end + 1, n))
    dob, dod = _days(people["date_of_birth"]), _days(people["date_of_death"])
    # each concern about an adult alive on the day: redraw the few that are not
    who = rng.integers(0, len(people), n)
    for _ in range(8):
        bad = (concern - dob[who] < 18 * YEAR) | (dod[who] < concern)
        if not bad.any():
            break
        who[bad] = rng.integers(0, len(people), int(bad.sum()))
    keep = ~((concern - dob[who] < 18 * YEAR) | (dod[who] < concern))
    concern, who = concern[keep], who[keep]
    n = len(concern)

    decision = concern + rng.geometric(0.45, n) - 1  # most decided within a few days
    decided = decision <= w.end
    met = decided & (rng.random(n) < conversion)
    other = decided & ~met & (rng.random(n) < 0.08)  # an enquiry outside Section 42
    enquiry = met | other
    start = np.where(enquiry, decision + rng.integers(0, 3, n), OPEN)
    start = np.where(start <= w.end, start, OPEN)
    enquiry &= start < OPEN
    safe_gap = np.where(rng.random(n) < make_safe, rng.integers(0, 2, n), rng.integers(2, 12, n))
    safe = np.where(met, decision + safe_gap, OPEN)
    safe = np.where(safe <= w.end, safe, OPEN)
    length = np.maximum(1, np.round(rng.lognormal(np.log(median_days), 0.7, n))).astype(np.int64)
    end = np.where(enquiry, start + length, OPEN)
    concluded = enquiry & (end <= w.end)
    end = np.where(concluded, end, OPEN)

    k = rng.choice([1, 2, 3], n, p=[0.7, 0.22, 0.08])
    abuse_names = np.array(list(ABUSE), dtype=object)
    p = np.array(list(ABUSE.values()), dtype=float)
    p /= p.sum()
    abuse = np.array(
        [";".join(abuse_names[rng.choice(len(abuse_names), kk, replace=False, p=p)]) for kk in k], dtype=object
    )
    asked = _draw(rng, MSP_ASKED, n)
    expressed = np.where(asked == "Yes", np.where(rng.random(n) < 0.86, "Yes", "No"), "").astype(object)
    achieved = _draw(rng, {"Fully achieved": 55, "Partially achieved": 38, "Not achieved": 7}, n)
    achieved = np.where(expressed == "Yes", achieved, "").astype(object)

    def when(mask, values) -> np.ndarray:
        return np.where(mask, values, "").astype(object)

    frame = pd.DataFrame(
        {
            "concern_id": np.array([f"SG{index + 1:02d}{i:07d}" for i in range(n)], dtype=object),
            "person_id": people["person_id"].to_numpy()[who],
            "la_code": la_code,
            "concern_date": _iso(concern),
            "threshold_decision_date": _iso(np.where(decided, decision, OPEN)),
            "threshold_met": when(decided, np.where(met, "true", "false")),
            "enquiry_type": when(enquiry, np.where(met, "Section 42", "Other")),
            "enquiry_start_date": _iso(start),
            "action_to_make_safe_date": _iso(safe),
            "enquiry_end_date": _iso(end),
            "abuse_types": when(enquiry, abuse),
            "location_of_risk": when(enquiry, _draw(rng, LOCATION, n)),
            "source_of_risk": when(enquiry, _draw(rng, SOURCE, n)),
            "risk_outcome": when(concluded, _draw(rng, RISK_OUTCOME, n)),
            "msp_asked": when(concluded, asked),
            "msp_outcomes_expressed": when(concluded, expressed),
            "msp_outcomes_achieved": when(concluded, achieved),
        }
    )
    return frame[columns]
