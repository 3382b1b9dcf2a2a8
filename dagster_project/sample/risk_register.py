"""The risk-register snapshots of a sample council."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .. import contracts as K
from .codes import _code
from .councils import Council
from .timeline import Window

# --- risk register ---------------------------------------------------------------------------

RISKS = [  # id, name, date entered, original L, I, current L, I, target L, I, target date, prospects
    (
        "RM14079",
        "Failure to meet the long term needs of {la} citizens",
        "11/10/2012",
        5,
        5,
        4,
        5,
        2,
        4,
        "31/03/2030",
        "Amber",
    ),
    ("RM0207", "Failure to meet the needs of {la} citizens", "01/04/2011", 3, 4, 3, 4, 2, 4, "31/03/2018", "Amber"),
    ("RM13925", "Lack of capacity in ICT systems", "30/04/2011", 4, 4, 3, 4, 3, 2, "31/03/2018", "Amber"),
    ("RM14247", "Failure in the care market", "07/09/2015", 4, 3, 4, 3, 2, 3, "31/03/2018", "Amber"),
    ("RM14149", "Impact of the Care Act", "27/11/2013", 4, 3, 1, 5, 1, 3, "31/03/2020", "Green"),
    (
        "RM019",
        "Failure to deliver a new fit for purpose social care system on time and to budget",
        "06/02/2014",
        4,
        5,
        3,
        5,
        1,
        5,
        "30/09/2018",
        "Amber",
    ),
    (
        "RM014b",
        "Savings on Adult Social Services transport are not achieved",
        "20/03/2015",
        3,
        3,
        4,
        3,
        2,
        3,
        "31/03/2018",
        "Red",
    ),
    (
        "RM14250",
        "Failure to achieve the budget savings of the Promoting Independence programme",
        "01/04/2016",
        3,
        5,
        4,
        5,
        2,
        4,
        "31/03/2019",
        "Amber",
    ),
    (
        "RM14251",
        "Pressure on hospital discharges and delayed transfers of care",
        "01/06/2016",
        4,
        4,
        4,
        4,
        2,
        3,
        "31/03/2018",
        "Amber",
    ),
    (
        "RM14252",
        "Backlog of Deprivation of Liberty Safeguards assessments",
        "15/04/2014",
        4,
        4,
        4,
        4,
        2,
        4,
        "31/03/2019",
        "Red",
    ),
    (
        "RM14253",
        "Shortfall between funding and pressures through health and social care integration",
        "01/10/2015",
        3,
        5,
        3,
        5,
        2,
        5,
        "31/03/2019",
        "Amber",
    ),
    ("RM14254", "Holding list for assessment does not reduce", "01/07/2016", 4, 3, 4, 3, 2, 2, "31/03/2018", "Amber"),
    (
        "RM14255",
        "Practice and culture changes needed for strengths-based social work are not achieved",
        "01/04/2016",
        3,
        4,
        3,
        4,
        2,
        3,
        "31/03/2019",
        "Amber",
    ),
    ("RM14256", "Failure to follow data protection procedures", "12/01/2015", 3, 5, 2, 5, 2, 3, "31/03/2018", "Green"),
    (
        "RM14257",
        "Legal challenge to the fee uplift for care providers",
        "01/04/2016",
        3,
        4,
        3,
        4,
        1,
        4,
        "31/03/2018",
        "Amber",
    ),
    (
        "RM14258",
        "Failure of the home care market through recruitment difficulties",
        "01/09/2016",
        4,
        4,
        4,
        4,
        2,
        3,
        "31/03/2019",
        "Amber",
    ),
    (
        "RM14259",
        "Integration with the NHS adversely affects statutory responsibilities",
        "01/11/2015",
        3,
        5,
        2,
        5,
        1,
        5,
        "31/03/2019",
        "Green",
    ),
    (
        "RM14238",
        "Failure in our responsibilities towards carers",
        "01/01/2015",
        2,
        3,
        2,
        3,
        1,
        1,
        "31/03/2018",
        "Amber",
    ),
]
PREVIOUS_TITLES = {  # what each risk was called before a council retitled it
    "RM0207": "Failure to meet the needs of {la} citizens within available resources",
    "RM13925": "Lack of capacity in IT systems",
    "RM14247": "Failure of the care market",
    "RM14149": "Implementation of the Care Act",
    "RM019": "Failure to deliver a new social care system on time and to budget",
    "RM014b": "Transport savings not achieved",
    "RM14250": "Failure to achieve budget savings",
    "RM14251": "Pressure on acute services and hospital discharges",
    "RM14252": "Deprivation of Liberty Safeguards backlog",
    "RM14253": "Shortfall between funding and pressures",
    "RM14254": "Size of the holding list",
    "RM14255": "Staff behaviour and practice changes not achieved",
    "RM14256": "Data protection breaches",
    "RM14257": "Judicial review into the fee uplift",
    "RM14258": "Recruitment and retention in the home care market",
    "RM14259": "Integration adversely affecting statutory responsibilities",
    "RM14238": "Failure in our responsibilities to carers",
}
OWNERS = {
    "E10000020": ["James Bullion", "Sera Hall", "Janice Dane", "Lorna Bright", "Catherine Underwood"],
    None: [
        "Director of Adult Social Services",
        "Director of Commissioning",
        "Director of Operations",
        "Head of Finance",
        "Head of Safeguarding",
    ],
}
REVIEWERS = {
    "E10000020": ["Debbie Bartlett", "Sarah Rank", "Steve Holland", "Emma Bugg", "Helen Thacker"],
    None: ["Risk Management Officer", "Head of Performance", "Business Support Manager"],
}


def _uk(day: int) -> str:
    y, m, d = str(np.datetime64(day, "D")).split("-")
    return f"{d}/{m}/{y}"


def _risk_snapshots(seed: int, index: int, c: Council, w: Window) -> list[tuple[int, pd.DataFrame]]:
    """Two snapshots three months apart: one risk new, one closed, two score changes, one renamed."""
    rng = np.random.default_rng([seed, index, zlib.crc32(b"risk register")])
    latest = w.end
    previous = int(w.month_ends[-4]) if len(w.month_ends) >= 4 else w.end - 91
    ids = [r[0] for r in RISKS]
    if index == 0:  # Norfolk's own changes between January and May 2017 (seed 002, Appendix C)
        new, closed, rescored, renamed = "RM14149", "RM14238", ["RM14247", "RM14251"], "RM13925"
    else:
        pool = [i for i in ids if i != "RM14079"]
        pick = rng.permutation(len(pool))
        new, closed, renamed = pool[pick[0]], pool[pick[1]], pool[pick[2]]
        rescored = [pool[pick[3]], pool[pick[4]]]
    # other councils' registers differ a little from Norfolk's (once per risk, the same in both snapshots)
    shift = {rid: (0 if index == 0 or rid == "RM14079" else int(rng.integers(-1, 2))) for rid in ids}
    owners = OWNERS.get(c.la_code, OWNERS[None])
    reviewers = REVIEWERS.get(c.la_code, REVIEWERS[None])
    out = []
    for when in (previous, latest):
        rows = []
        for i, (rid, name, entered, ol, oi, cl, ci, tl, ti, target_date, prospects) in enumerate(RISKS):
            if (when == previous and rid == new) or (when == latest and rid == closed):
                continue
            name = (PREVIOUS_TITLES[rid] if when == previous and rid == renamed else name).format(la=c.name)
            cl = int(np.clip(cl + shift[rid], max(1, tl), 5))
            if when == previous and rid == rescored[0]:  # likelihood rose since the previous snapshot
                cl = cl - 1 if cl > max(1, tl) else cl + 1
            if when == previous and rid == rescored[1]:  # impact rose since
                ci = ci - 1 if ci > 1 else ci + 1
            overdue = rid in ("RM014b", "RM14252")
            review = when - int(rng.integers(10, 40)) if overdue else when + int(rng.integers(30, 100))
            rows.append(
                {
                    "la_code": c.la_code,
                    "risk_id": rid,
                    "risk_name": name,
                    "risk_description": (
                        f"If the council cannot manage this risk ({name[0].lower() + name[1:]}), outcomes "
                        "for people who use services may worsen and the council may face legal, "
                        "financial and reputational consequences."
                    ),
                    "area": "Adult Social Services",
                    "date_entered": entered,
                    "original_likelihood": ol,
                    "original_impact": oi,
                    "current_likelihood": cl,
                    "current_impact": ci,
                    "target_likelihood": tl,
                    "target_impact": ti,
                    "target_date": target_date,
                    "prospects": _code(K.PROSPECTS, prospects),
                    "tasks": "1) Mitigation plan agreed by the senior management team "
                    "2) Monthly monitoring of progress 3) Escalation to the committee where off track",
                    "progress_update": (
                        "Actions on track; reviewed with the risk owner this quarter."
                        if prospects == "Green"
                        else "Some actions behind schedule; recovery plan agreed with the risk owner."
                    ),
                    "risk_owner": owners[i % len(owners)],
                    "reviewed_by": reviewers[i % len(reviewers)],
                    "review_date": _uk(review),
                    "original_score": ol * oi,
                    "current_score": cl * ci,
                    "target_score": tl * ti,
                }
            )
        out.append((when, pd.DataFrame(rows, columns=K.FEEDS["risk_register"].column_names)))
    return out
