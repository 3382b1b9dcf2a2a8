"""Synthetic Client Level Data submissions for the sample councils (`<out>/cld/`).

Each council's CLD world is simulated once over its whole span, then written as the council
would submit it: one rolling-12-month file per quarter from April 2023 (the first covers the
12 months to June 2023), submitted about a month after the quarter ends, plus a resubmission
of one quarter (same period, a later `_HHMMSS` file with some outcomes completed or corrected).
A file holds every event of its 12 months as known at the period end: requests, assessments and
reviews that ended in the period; services active in it (open ones without an end date or
outcome); deaths only once they happened.

The world, per council (Norfolk at --scale 1, about 40,000 events in a 12-month file):
- older people's permanent care-home admissions (about 600 per 100,000 65+ a year; some from
  support at home, a few moving home within days, most stays ending in death), working-age
  admissions (about 15 per 100,000 18-64), each after a request and an assessment;
- long-term support in the community for older people, working-age adults and people with a
  learning disability (direct payments about 27%, the rest mostly council-managed budgets);
- reablement (ST-Max) for new clients, most ending with no further support, some followed
  within days by long-term support, a few by a hospital admission or death;
- unpaid carers (linked to the person they care for) with assessments and direct-to-carer
  support, mostly direct payments; contacts that end in information and advice; planned reviews.
Coded values are DHSC's (`cld_mappings`): Release 2 spellings, Release 1 spellings in files
for periods before April 2025, and a handful of invalid values (known and new) so mapping and
data-quality reporting have something to do. Deterministic for a seed: each council's streams
are seeded by (seed, council, component), as in generator.py.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import cld_contract as C
from .councils import Council
from .timeline import OPEN, YEAR, _arrivals, _day

FIRST_QUARTER_END = "2023-06"  # the first rolling 12 months CLD covers (Q1 2023/24)
# The default last quarter: two whole financial years (2023/24, 2024/25), the same sample whatever
# the day it is generated (a span to "today" made the sample, and every test on it, drift).
LAST_QUARTER_END = "2025-03"
RELEASE_2_FROM = "2025-04-01"  # files for periods ending before this use some Release 1 spellings

# --- DHSC codes (Release 2, as in cld_mappings) --------------------------------------------
SU, CARER = "Service user", "Unpaid carer"
LT_RES, LT_NURS = "Long term support: Residential care", "Long term support: Nursing care"
LT_COM = "Long term support: Community"
ST_MAX, ST_OTHER = "Short term support: ST-Max", "Short term support: Other short term"
CARER_DIRECT = "Unpaid carer support: Direct to unpaid carer"
DP, MPB, COMM = "Direct payment", "CASSR managed personal budget", "CASSR commissioned support"
TO_ASSESS = "Progress to assessment, review or reassessment"
TO_SERVICES = "Progress to support planning or services"
TO_REABLEMENT = "Progress to reablement/ST-Max"
CONTINUE = "Continuation of support or services"
HOSPITAL = "Admitted to hospital"
NFA_PLANNED, NFA_DECEASED = "NFA: Support ended as planned", "NFA: Deceased"
NFA_INFO, NFA_OTHER_REASON = "NFA: Information and advice or signposting", "NFA: Support ended for other reason"
NFA_MOVED, NFA_SELF = (
    "NFA: Responsibility moved to another local authority",
    "NFA: Self-funded client or under 12wk disregard",
)
NFA_DECLINED, NFA_NO_SERVICE = "NFA: Support declined", "NFA: No services offered for other reason"
NFA_REFERRAL, NFA_OTHER = "NFA: Referral to other service within the local authority", "NFA: Other"
ROUTE_HOSPITAL, ROUTE_COMMUNITY = "Discharge from hospital", "Community or other route"
ROUTE_DIVERSION, ROUTE_TRANSITION = "Diversion from hospital services", "Planned entry (transition)"
LONG_TERM_ASSESSMENT, CARER_ASSESSMENT = "Long term assessment", "Unpaid carer assessment"
LD = "Learning disability support"
CARE_HOME, NURSING_HOME = "Registered care home", "Registered nursing home"
HOME_OLD = {
    "Owner occupier or shared ownership scheme": 52,
    "Tenant: Local authority or other social housing provider": 20,
    "Tenant: Private landlord": 5,
    "Settled mainstream housing with family or friends": 10,
    "Sheltered housing, extra care housing or other sheltered housing": 9,
    "Unknown": 4,
}
HOME_YOUNG = {
    "Owner occupier or shared ownership scheme": 25,
    "Tenant: Local authority or other social housing provider": 30,
    "Tenant: Private landlord": 12,
    "Settled mainstream housing with family or friends": 20,
    "Supported accommodation, supported lodgings or supported group home": 6,
    "Rough sleeper or squatting": 0.5,
    "Placed in temporary accommodation by the council (inc. homelessness resettlement)": 1.5,
    "Unknown": 5,
}
HOME_LD = {
    "Settled mainstream housing with family or friends": 44,
    "Supported accommodation, supported lodgings or supported group home": 30,
    "Tenant: Local authority or other social housing provider": 10,
    "Shared Lives scheme": 6,
    "Owner occupier or shared ownership scheme": 2,
    "Registered care home": 3,
    "Unknown": 5,
}
PSR_OLD = {
    "Physical support: Personal care support": 55,
    "Physical support: Access and mobility only": 10,
    "Support with memory and cognition": 25,
    "Mental health support": 4,
    "Sensory support: Support for visual impairment": 2,
    "Social support: Support for social isolation or other": 4,
}
PSR_YOUNG = {
    "Physical support: Personal care support": 40,
    "Physical support: Access and mobility only": 15,
    "Mental health support": 30,
    "Social support: Substance misuse support": 5,
    "Sensory support: Support for hearing impairment": 3,
    "Support with memory and cognition": 7,
}
EMPLOYMENT_OLD = {"Not in paid employment: Not actively seeking work or retired": 93, "Unknown": 7}
EMPLOYMENT_YOUNG = {
    "Not in paid employment: Not actively seeking work or retired": 55,
    "Not in paid employment: Seeking work": 10,
    "Not in paid employment: Voluntary work only": 5,
    "Paid: Less than 16 hours a week": 7,
    "Paid: 16 or more hours a week": 5,
    "Paid: Hours per week unknown": 2,
    "Unknown": 16,
}
ETHNICITY = {
    "White: English, Welsh, Scottish, Northern Irish or British": 89,
    "White: Any other White background": 3.5,
    "White: Irish": 0.5,
    "Asian or Asian British: Indian": 0.6,
    "Asian or Asian British: Any other Asian background": 0.6,
    "Black, Black British, Caribbean or African: African": 0.6,
    "Mixed or multiple ethnic groups: White and Asian": 0.5,
    "Other ethnic group: Any other ethnic group": 0.4,
    "No data: Undeclared or not known": 3.8,
    "No data: Refused": 0.5,
}
COMMUNITY_COMPONENTS = {
    "Home support or domiciliary care": 68,
    "Day support": 14,
    "Extra care housing": 5,
    "Community supported living": 6,
    "Equipment": 3,
    "Meals": 4,
}

# Release 1 spellings councils still sent (raw values in cld_mappings that map to the R2 value)
RELEASE_1 = {
    "client_type": {CARER: "Carer"},
    "event_outcome": {
        TO_ASSESS: "Progress to Assessment",
        TO_SERVICES: "Progress to Support Planning / Services",
        CONTINUE: "No change in package",
        NFA_PLANNED: "Service ended as planned",
        NFA_DECEASED: "NFA - Deceased",
        NFA_MOVED: "NFA - Moved to another LA",
        NFA_INFO: "NFA - Information & Advice / Signposting only",
        NFA_SELF: "NFA - Self-funded client (Inc. 12wk disregard)",
        NFA_DECLINED: "NFA - Support declined",
        NFA_OTHER_REASON: "NFA - Support ended: Other reason",
        NFA_NO_SERVICE: "NFA - No services offered: Other reason",
        NFA_OTHER: "NFA- Other",
    },
    "service_type": {CARER_DIRECT: "Carer Support: Direct to Carer"},
    "service_component": {
        "Home support or domiciliary care": "Home Support",
        "Unpaid carer respite": "Carer Respite",
        "Other unpaid carer support": "Other Carer Support",
    },
    "accommodation_status": {
        "Tenant: Private landlord": "Tenant - private landlord",
        "Settled mainstream housing with family or friends": "Settled mainstream housing with family / friends",
        "Supported accommodation, supported lodgings or supported group home": (
            "Supported accommodation / supported lodgings / supported group home"
        ),
        "Sheltered housing, extra care housing or other sheltered housing": (
            "Sheltered housing / extra care housing / other sheltered housing"
        ),
    },
    "employment_status": {
        "Not in paid employment: Not actively seeking work or retired": (
            "Not in Paid Employment (not actively seeking work / retired)"
        ),
        "Not in paid employment: Seeking work": "Not in Paid Employment (seeking work)",
        "Not in paid employment: Voluntary work only": "Not in Paid Employment (voluntary work only)",
    },
    "primary_support_reason": {
        "Physical support: Access and mobility only": "Physical Support: Access & mobility only",
        "Support with memory and cognition": "Support with Memory & Cognition",
        "Social support: Support for social isolation or other": "Social Support: Support for Social Isolation/Other",
        "Social support: Support to unpaid carer": "Social Support: Support to Carer",
    },
}
# invalid values a council really sends: known to DHSC's tables ("Invalid and not mapped") and new ones
INVALID = {
    "gender": ["Not recorded", "F"],
    "client_type": ["Client"],
    "accommodation_status": ["Living at home"],
    "service_component": ["Package of care"],
    "primary_support_reason": ["Physical support"],
    "ethnicity": ["White", "British"],
}
INVALID_RATE = 0.002


# --- the span of submissions ------------------------------------------------------------------


def default_last_quarter(today: dt.date | None = None) -> str:
    """The latest quarter whose submission (up to 40 days after it ends) has been made by today."""
    today = today or dt.date.today()
    month = last = np.datetime64(FIRST_QUARTER_END, "M")
    while (month + 1).astype("datetime64[D]").astype(dt.date) + dt.timedelta(days=40) <= today:
        last, month = month, month + 3
    return str(last)


def quarters(first: str = FIRST_QUARTER_END, last: str | None = None) -> list[tuple[int, int]]:
    """(start, end) day numbers of each rolling 12 months ending at a quarter end from `first` to `last`."""
    a, b = np.datetime64(first, "M"), np.datetime64(last or LAST_QUARTER_END, "M")
    if int(a.astype(int)) % 3 != 2 or int(b.astype(int)) % 3 != 2 or b < a:
        raise ValueError(f"CLD span must run between quarter-end months (Mar/Jun/Sep/Dec), got {first}..{last}")
    out = []
    m = a
    while m <= b:
        end = _day((m + 1).astype("datetime64[D]")) - 1
        start = _day((m - 11).astype("datetime64[D]"))
        out.append((start, end))
        m += 3
    return out


# --- the simulated world ------------------------------------------------------------------------


def _pick(rng, weights: dict[str, float], n: int) -> np.ndarray:
    names = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return names[rng.choice(len(names), size=n, p=p / p.sum())]


class World:
    """One council's people and events over the whole span (true dates; censored per file)."""

    def __init__(self, seed: int, index: int, council: Council, scale: float, periods: list[tuple[int, int]]):
        self.seed, self.index, self.la = seed % (1 << 63), index, council.la_code
        self.f = council.size * scale
        self.t0 = periods[0][0]
        self.h0 = self.t0 - int(3 * YEAR)  # arrivals from three years before the first period
        self.t1 = periods[-1][1]
        self.p: dict[str, list] = {
            k: []
            for k in (
                "dob",
                "dod",
                "gender",
                "ethnicity",
                "psr",
                "home",
                "care_home",
                "care_from",
                "employment",
                "carer",
                "funding",
            )
        }
        self.n = 0
        self.e: dict[str, list] = {
            k: []
            for k in (
                "person",
                "type",
                "start",
                "end",
                "outcome",
                "route",
                "atype",
                "stype",
                "comp",
                "mech",
                "linked",
                "cqc",
            )
        }

    def rng(self, part: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, zlib.crc32(b"cld:" + part.encode())])

    # -- registries ---------------------------------------------------------------------------------
    def people(
        self,
        rng,
        at: np.ndarray,
        age_years: np.ndarray,
        female: float,
        psr,
        home: dict[str, float],
        employment: dict[str, float],
        funding: dict[str, float] | None = None,
    ) -> np.ndarray:
        n = len(at)
        dob = at - (age_years * YEAR).astype(np.int64) - rng.integers(0, 365, n)
        gender = np.where(rng.random(n) < female, "Female", "Male").astype(object)
        odd = rng.random(n)
        gender[odd < 0.002] = "Unknown"
        gender[(odd >= 0.002) & (odd < 0.003)] = "Other"
        self._append(
            dob=dob,
            dod=np.full(n, OPEN),
            gender=gender,
            ethnicity=_pick(rng, ETHNICITY, n),
            psr=psr if isinstance(psr, np.ndarray) else np.full(n, psr, dtype=object),
            home=_pick(rng, home, n),
            care_home=np.full(n, None, dtype=object),
            care_from=np.full(n, OPEN),
            employment=_pick(rng, employment, n),
            carer=_pick(rng, {"Yes": 35, "No": 50, "Unknown": 15}, n),
            funding=_pick(
                rng, funding or {"Fully social care funded": 80, "Joint client and social care funded": 20}, n
            ),
        )
        ids = np.arange(self.n, self.n + n)
        self.n += n
        return ids

    def _append(self, **cols):
        for k, v in cols.items():
            self.p[k].append(np.asarray(v))

    def events(
        self,
        kind: str,
        person,
        start,
        end,
        outcome,
        route=None,
        atype=None,
        stype=None,
        comp=None,
        mech=None,
        linked=None,
        cqc=None,
    ):
        n = len(person)

        def col(v, dtype=object):
            if v is None:
                return np.full(n, None, dtype=dtype)
            return np.full(n, v, dtype=dtype) if np.isscalar(v) else np.asarray(v, dtype=dtype)

        for k, v in (
            ("person", np.asarray(person, np.int64)),
            ("type", col(kind)),
            ("start", np.asarray(start, np.int64)),
            ("end", np.asarray(end, np.int64)),
            ("outcome", col(outcome)),
            ("route", col(route)),
            ("atype", col(atype)),
            ("stype", col(stype)),
            ("comp", col(comp)),
            ("mech", col(mech)),
            ("linked", col(linked, np.int64) if linked is not None else np.full(n, -1)),
            ("cqc", col(cqc)),
        ):
            self.e[k].append(v)

    def front_door(self, rng, person, service_start, route, assess: bool = True):
        """The request (and assessment) before a service starts."""
        n = len(person)
        gap = rng.integers(1, 5, n)
        a_len = rng.integers(3, 28, n) if assess else np.zeros(n, np.int64)
        a_start = service_start - gap - a_len
        r_end = a_start - rng.integers(0, 3, n)
        r_start = r_end - rng.integers(0, 10, n)
        self.events("Request", person, r_start, r_end, TO_ASSESS if assess else TO_REABLEMENT, route=route)
        if assess:
            self.events("Assessment", person, a_start, service_start - gap, TO_SERVICES, atype=LONG_TERM_ASSESSMENT)

    def reviews(self, rng, person, start, end, per_year: float = 0.45):
        """Planned reviews about once a year while a service lasts (some clients are missed)."""
        first = np.maximum(1, np.ceil((self.h0 - start) / YEAR)).astype(np.int64)  # the first due after h0
        k = first[:, None] + np.arange(int((self.t1 - self.h0) / YEAR) + 2)[None, :]
        due = start[:, None] + (k * YEAR).astype(np.int64) + rng.integers(-30, 30, (len(start), 1))
        ok = (due < np.minimum(end, self.t1)[:, None]) & (due >= self.h0) & (rng.random(due.shape) < per_year)
        rows, _ = np.nonzero(ok)
        days = due[ok]
        self.events("Review", person[rows], days - rng.integers(0, 3, len(days)), days, CONTINUE)

    # -- cohorts -----------------------------------------------------------------------------------
    def simulate(self) -> None:
        self.care_homes()
        self.community()
        self.reablement()
        self.carers()
        self.contacts()

    def _stream(self, rng, per_year: float, mean_stay: float):
        """Starts and ends of a cohort: a stationary stock at h0 plus arrivals to t1 (exponential stays)."""
        stock = rng.poisson(per_year * mean_stay)
        s0 = self.h0 - (rng.exponential(mean_stay, stock) * YEAR).astype(np.int64)
        a = _arrivals(rng, per_year, self.h0, self.t1 + 120, amp=0.08, trend=0.01, ref=self.t0)
        starts = np.concatenate([s0, a])
        stay = (rng.exponential(mean_stay, len(starts)) * YEAR).astype(np.int64) + 1
        ends = np.where(
            starts < self.h0,
            np.maximum(self.h0 + (rng.exponential(mean_stay, len(starts)) * YEAR).astype(np.int64), starts + 1),
            starts + stay,
        )
        return starts, ends, starts >= self.h0

    def care_homes(self) -> None:
        rng = self.rng("care_homes")
        for _label, per_year, stay, old in (("65+", 1500 * self.f, 1.5, True), ("18-64", 80 * self.f, 6.0, False)):
            starts, ends, new = self._stream(rng, per_year, stay)
            n = len(starts)
            age = (65 + np.minimum(rng.gamma(4.0, 4.6, n), 38)) if old else 18 + rng.uniform(0, 46.9, n)
            psr = (
                _pick(rng, PSR_OLD, n)
                if old
                else np.where(rng.random(n) < 0.6, LD, _pick(rng, PSR_YOUNG, n)).astype(object)
            )
            people = self.people(
                rng,
                starts,
                age,
                0.64 if old else 0.45,
                psr,
                HOME_OLD if old else HOME_YOUNG,
                EMPLOYMENT_OLD if old else EMPLOYMENT_YOUNG,
            )
            nursing = rng.random(n) < (0.32 if old else 0.15)
            self.p["care_home"][-1] = np.where(nursing, NURSING_HOME, CARE_HOME).astype(object)
            self.p["care_from"][-1] = starts
            died = rng.random(n) < (0.82 if old else 0.45)
            self.p["dod"][-1] = np.where(died, ends, OPEN)
            outcome = np.where(died, NFA_DECEASED, _pick(rng, {NFA_OTHER_REASON: 5, NFA_MOVED: 3, NFA_REFERRAL: 2}, n))
            self_funded = rng.random(n) < 0.03
            outcome = np.where(self_funded, NFA_SELF, outcome).astype(object)
            # some move home within days: two placements, the second not a new admission
            moves = (rng.random(n) < 0.07) & (ends - starts > 60)
            cut = np.where(moves, starts + ((ends - starts) * rng.uniform(0.2, 0.8, n)).astype(np.int64), ends)
            stype = np.where(nursing, LT_NURS, LT_RES).astype(object)
            comp = np.where(nursing, "Long term nursing care", "Long term residential care").astype(object)
            cqc = np.char.add("1-", rng.integers(100000000, 999999999, n).astype(str)).astype(object)
            self.events(
                "Service",
                people,
                starts,
                cut,
                np.where(moves, CONTINUE, outcome),
                stype=stype,
                comp=comp,
                mech=COMM,
                cqc=cqc,
            )
            m = np.nonzero(moves)[0]
            second = cut[m] + rng.integers(0, 4, len(m))
            self.events(
                "Service",
                people[m],
                second,
                np.maximum(ends[m], second + 1),
                outcome[m],
                stype=stype[m],
                comp=comp[m],
                mech=COMM,
                cqc=np.char.add("1-", rng.integers(100000000, 999999999, len(m)).astype(str)).astype(object),
            )
            # a quarter of older people's admissions come from support at home (same person, ending the day before)
            arrivals = np.nonzero(new)[0]
            home_first = arrivals[rng.random(len(arrivals)) < (0.25 if old else 0.1)]
            h_start = starts[home_first] - (rng.exponential(1.2, len(home_first)) * YEAR).astype(np.int64) - 30
            self.events(
                "Service",
                people[home_first],
                h_start,
                starts[home_first] - 1,
                TO_SERVICES,
                stype=LT_COM,
                comp=_pick(rng, COMMUNITY_COMPONENTS, len(home_first)),
                mech=MPB,
            )
            self.reviews(rng, people[home_first], h_start, starts[home_first] - 1)
            direct = np.setdiff1d(arrivals, home_first)
            self.front_door(
                rng,
                people[direct],
                starts[direct],
                _pick(rng, {ROUTE_HOSPITAL: 45, ROUTE_COMMUNITY: 50, ROUTE_DIVERSION: 5}, len(direct)),
            )
            self.front_door(rng, people[home_first], starts[home_first], ROUTE_COMMUNITY)
            self.reviews(rng, people, starts, ends)

    def _community_service(self, rng, people, starts, ends, outcome, dp_share: float, components: dict[str, float]):
        n = len(people)
        u = rng.random(n)
        mech = np.where(u < dp_share, DP, np.where(u < dp_share + (1 - dp_share) * 0.91, MPB, COMM)).astype(object)
        comp = np.where(mech == DP, "Direct payment", _pick(rng, components, n)).astype(object)
        self.events("Service", people, starts, ends, outcome, stype=LT_COM, comp=comp, mech=mech)

    def community(self) -> None:
        rng = self.rng("community")
        for label, per_year, stay, female in (
            ("65+", 1500 * self.f, 2.5, 0.62),
            ("18-64", 500 * self.f, 4.0, 0.48),
            ("LD", 150 * self.f, 15.0, 0.42),
        ):
            starts, ends, new = self._stream(rng, per_year, stay)
            n = len(starts)
            if label == "65+":
                age = 65 + np.minimum(rng.gamma(3.0, 4.8, n), 38)
                psr, home, emp = _pick(rng, PSR_OLD, n), HOME_OLD, EMPLOYMENT_OLD
            elif label == "18-64":
                age, psr, home, emp = (
                    18 + rng.uniform(0, 46.9, n),
                    _pick(rng, PSR_YOUNG, n),
                    HOME_YOUNG,
                    EMPLOYMENT_YOUNG,
                )
            else:
                age, psr, home, emp = 18 + rng.gamma(2.0, 7.0, n).clip(0, 46.9), LD, HOME_LD, EMPLOYMENT_YOUNG
            people = self.people(rng, starts, age, female, psr, home, emp)
            died = rng.random(n) < {"65+": 0.45, "18-64": 0.12, "LD": 0.1}[label]
            self.p["dod"][-1] = np.where(died, ends, OPEN)
            outcome = np.where(
                died,
                NFA_DECEASED,
                _pick(rng, {NFA_PLANNED: 50, NFA_OTHER_REASON: 20, NFA_MOVED: 10, NFA_DECLINED: 10, NFA_SELF: 10}, n),
            ).astype(object)
            components = dict(
                COMMUNITY_COMPONENTS,
                **({"Community supported living": 30, "Shared Lives": 6, "Day support": 30} if label == "LD" else {}),
            )
            self._community_service(
                rng, people, starts, ends, outcome, {"65+": 0.22, "18-64": 0.33, "LD": 0.36}[label], components
            )
            arr = np.nonzero(new)[0]
            route = (
                ROUTE_TRANSITION
                if label == "LD"
                else _pick(rng, {ROUTE_COMMUNITY: 70, ROUTE_HOSPITAL: 25, ROUTE_DIVERSION: 5}, len(arr))
            )
            self.front_door(rng, people[arr], starts[arr], route)
            self.reviews(rng, people, starts, ends)
            # respite: a week or two in a care home for some of them
            r = np.nonzero(rng.random(n) < 0.06)[0]
            r_start = starts[r] + (rng.uniform(0.1, 0.9, len(r)) * (np.minimum(ends[r], self.t1) - starts[r])).astype(
                np.int64
            )
            self.events(
                "Service",
                people[r],
                r_start,
                r_start + rng.integers(6, 15, len(r)),
                NFA_PLANNED,
                stype=ST_OTHER,
                comp="Short term residential care",
                mech=COMM,
            )

    def reablement(self) -> None:
        """ST-Max for new clients; the outcome decides what (if anything) follows within a week."""
        rng = self.rng("reablement")
        a = _arrivals(rng, 2600 * self.f, self.h0, self.t1 + 60, amp=0.12, trend=0.01, ref=self.t0)
        n = len(a)
        old = rng.random(n) < 0.8
        age = np.where(old, 65 + np.minimum(rng.gamma(3.0, 5.0, n), 38), 18 + rng.uniform(0, 46.9, n))
        psr = np.where(old, _pick(rng, PSR_OLD, n), _pick(rng, PSR_YOUNG, n)).astype(object)
        people = self.people(rng, a, age, 0.6, psr, HOME_OLD, EMPLOYMENT_OLD)
        end = a + rng.integers(7, 43, n)
        fate = _pick(
            rng, {"done": 70, "info": 4, "equipment": 3, "lts": 18, "hospital": 3, "death": 1.5, "unclear": 0.5}, n
        )
        outcome = np.select(
            [fate == "done", fate == "info", fate == "equipment", fate == "lts", fate == "hospital", fate == "death"],
            [NFA_PLANNED, NFA_INFO, NFA_PLANNED, TO_SERVICES, HOSPITAL, NFA_DECEASED],
            TO_ASSESS,
        ).astype(object)
        route = _pick(rng, {ROUTE_HOSPITAL: 62, ROUTE_DIVERSION: 8, ROUTE_COMMUNITY: 30}, n)
        self.front_door(rng, people, a, route, assess=False)
        self.events("Service", people, a, end, outcome, stype=ST_MAX, comp="Reablement", mech=COMM)
        death = np.nonzero(fate == "death")[0]
        self.p["dod"][-1] = np.where(fate == "death", end + rng.integers(0, 6, n), OPEN)
        eq = np.nonzero(fate == "equipment")[0]
        self.events(
            "Service",
            people[eq],
            a[eq] + 3,
            end[eq] + 60,
            NFA_PLANNED,
            stype="Short term support: Ongoing low level",
            comp="Equipment",
            mech=COMM,
        )
        lts = np.nonzero(fate == "lts")[0]
        l_start = end[lts] + rng.integers(0, 6, len(lts))
        l_end = l_start + (rng.exponential(2.0, len(lts)) * YEAR).astype(np.int64) + 1
        died = rng.random(len(lts)) < 0.4
        self.p["dod"][-1][lts] = np.where(died, l_end, OPEN)
        self._community_service(
            rng,
            people[lts],
            l_start,
            l_end,
            np.where(died, NFA_DECEASED, NFA_PLANNED).astype(object),
            0.22,
            COMMUNITY_COMPONENTS,
        )
        self.reviews(rng, people[lts], l_start, l_end)
        del death

    def carers(self) -> None:
        """Carers linked to a person they care for: an assessment, then support direct to them."""
        rng = self.rng("carers")
        a = _arrivals(rng, 1600 * self.f, self.h0, self.t1 + 60, amp=0.05, ref=self.t0)
        n = len(a)
        people = self.people(
            rng,
            a,
            35 + rng.gamma(4.0, 6.0, n).clip(0, 55),
            0.68,
            "Social support: Support to unpaid carer",
            HOME_OLD,
            EMPLOYMENT_YOUNG,
        )
        self.p["carer"][-1] = np.full(n, "No", dtype=object)
        cared_for = rng.integers(0, max(self.n - n, 1), n)
        a_end = a + rng.integers(1, 21, n)
        info_only = rng.random(n) < 0.15
        self.events(
            "Request", people, a - rng.integers(1, 10, n), a, TO_ASSESS, route=ROUTE_COMMUNITY, linked=cared_for
        )
        self.events(
            "Assessment",
            people,
            a,
            a_end,
            np.where(info_only, NFA_INFO, TO_SERVICES).astype(object),
            atype=CARER_ASSESSMENT,
            linked=cared_for,
        )
        s = np.nonzero(~info_only)[0]
        u = rng.random(len(s))
        mech = np.where(u < 0.72, DP, np.where(u < 0.92, MPB, COMM)).astype(object)
        comp = np.where(
            mech == DP,
            "Direct payment",
            _pick(
                rng,
                {"Unpaid carer respite": 60, "Other unpaid carer support": 30, "Unpaid carer sitting service": 10},
                len(s),
            ),
        ).astype(object)
        s_start = a_end[s] + rng.integers(1, 14, len(s))
        ongoing = rng.random(len(s)) < 0.4
        s_end = np.where(ongoing, s_start + rng.integers(200, 500, len(s)), s_start)
        self.events(
            "Service",
            people[s],
            s_start,
            s_end,
            NFA_PLANNED,
            stype=CARER_DIRECT,
            comp=comp,
            mech=mech,
            linked=cared_for[s],
        )

    def contacts(self) -> None:
        """Requests from people who get information and advice, or an assessment and no service."""
        rng = self.rng("contacts")
        a = _arrivals(rng, 3000 * self.f, self.h0, self.t1 + 30, amp=0.1, ref=self.t0)
        n = len(a)
        old = rng.random(n) < 0.62
        age = np.where(old, 65 + np.minimum(rng.gamma(3.0, 5.0, n), 38), 18 + rng.uniform(0, 46.9, n))
        psr = np.where(old, _pick(rng, PSR_OLD, n), _pick(rng, PSR_YOUNG, n)).astype(object)
        people = self.people(rng, a, age, 0.58, psr, HOME_OLD, EMPLOYMENT_OLD)
        outcome = _pick(rng, {NFA_INFO: 55, NFA_REFERRAL: 10, NFA_DECLINED: 8, NFA_OTHER: 5, TO_ASSESS: 22}, n)
        r_end = a + rng.integers(0, 8, n)
        self.events(
            "Request",
            people,
            a,
            r_end,
            outcome,
            route=_pick(rng, {ROUTE_COMMUNITY: 85, ROUTE_HOSPITAL: 10, ROUTE_DIVERSION: 5}, n),
        )
        s = np.nonzero(outcome == TO_ASSESS)[0]
        start = r_end[s] + rng.integers(1, 20, len(s))
        self.events(
            "Assessment",
            people[s],
            start,
            start + rng.integers(3, 30, len(s)),
            _pick(rng, {NFA_NO_SERVICE: 50, NFA_INFO: 40, NFA_DECLINED: 10}, len(s)),
            atype=LONG_TERM_ASSESSMENT,
        )

    # -- the table ---------------------------------------------------------------------------------
    def frame(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        people = pd.DataFrame({k: np.concatenate(v) for k, v in self.p.items()})
        events = pd.DataFrame({k: np.concatenate(v) for k, v in self.e.items()})
        rng = self.rng("identity")
        n = len(people)
        people["la_id"] = (9_000_000 + self.index * 1_000_000 + rng.permutation(n)).astype(str)
        people["nhs"] = _nhs_numbers(rng, n)
        people.loc[rng.random(n) < 0.03, "nhs"] = None
        letters = ["NR", "PE", "IP", "CB"] if self.index == 0 else ["NG", "DE", "LE", "S"]
        people["postcode"] = [
            f"{letters[i % len(letters)]}{d} {e}{c1}{c2}"
            for i, d, e, c1, c2 in zip(
                rng.integers(0, 97, n),
                rng.integers(1, 35, n),
                rng.integers(1, 10, n),
                rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
                rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
            )
        ]
        people["gp"] = np.char.add("D8", rng.integers(1000, 9999, n).astype(str))
        # nothing before a person is born or starts after they die; services end by the death
        dob, dod = people["dob"].to_numpy(), people["dod"].to_numpy()
        events = events[events["start"].to_numpy() >= dob[events["person"].to_numpy()]]
        events = events[events["start"].to_numpy() <= dod[events["person"].to_numpy()]].copy()
        died = dod[events["person"].to_numpy()]
        service = events["type"].to_numpy() == "Service"
        events["end"] = np.where(service, np.minimum(events["end"].to_numpy(), died), events["end"].to_numpy())
        events = events.sort_values(["person", "start", "type", "end"], kind="stable").reset_index(drop=True)
        events["ref"] = np.arange(len(events))
        for table, cols in ((people, ("dob", "dod")), (events, ("start", "end"))):  # written once, censored per file
            for c in cols:
                table[f"{c}_iso"], table[f"{c}_uk"] = (
                    _dates(table[c].to_numpy(), False),
                    _dates(table[c].to_numpy(), True),
                )
        u = rng.random(len(events))
        events["release_1"] = u < (0.85 if self.index == 0 else 0.3)
        events["invalid"] = rng.random(len(events)) < INVALID_RATE
        events["change"] = rng.random(len(events))  # which outcomes a resubmission corrects
        return people, events


def _nhs_numbers(rng, n: int) -> np.ndarray:
    """Valid NHS numbers (modulus 11 check digit) from the 9xx test range NHS England reserves."""
    digits = np.concatenate([np.full((n, 1), 9), rng.integers(0, 10, (n, 8))], axis=1)
    for _ in range(20):
        check = 11 - (digits * np.arange(10, 1, -1)).sum(axis=1) % 11
        bad = check == 10
        if not bad.any():
            break
        digits[bad, 8] = (digits[bad, 8] + 1) % 10
    check = np.where(check == 11, 0, check)
    text = np.apply_along_axis(lambda r: "".join(map(str, r)), 1, digits) if n else np.array([], dtype=str)
    return np.char.add(text.astype(str), check.astype(str)).astype(object)


# --- one submission file ------------------------------------------------------------------------


def _dates(days: np.ndarray, uk: bool) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    missing = days >= OPEN
    d = np.where(missing, 0, days).astype("datetime64[D]")
    text = np.datetime_as_string(d, unit="D").astype("U10")
    if uk:  # DD/MM/YYYY by rearranging the characters of YYYY-MM-DD
        chars = text.view("U1").reshape(-1, 10)[:, [8, 9, 4, 5, 6, 7, 0, 1, 2, 3]].copy()
        chars[:, [2, 5]] = "/"
        text = np.ascontiguousarray(chars).view("U10").ravel()
    return np.where(missing, None, text.astype(object))


# fields a Release 1 system spelt differently (RELEASE_1) and where the base table holds them
R1_COLUMNS = {
    "client_type": "client_type",
    "event_outcome": "outcome",
    "service_type": "stype",
    "service_component": "comp",
    "accommodation_status": "home",
    "employment_status": "employment",
    "primary_support_reason": "psr",
}
INVALID_COLUMNS = {
    "gender": "gender",
    "client_type": "client_type",
    "accommodation_status": "home",
    "service_component": "comp",
    "primary_support_reason": "psr",
    "ethnicity": "ethnicity",
}


def base_table(people: pd.DataFrame, events: pd.DataFrame, uk_dates: bool, names: bool) -> pd.DataFrame:
    """Every event with its person's fields, as text, once; each file selects and censors it (in SQL).

    Columns ending `_r1` hold the Release 1 spelling for the events a Release 1 system wrote (the
    rest as Release 2); `outcome_fixed` is the outcome a resubmission corrects to. Invalid values
    are the same event's in every file.
    """
    pick = events["person"].to_numpy()
    p = people.iloc[pick].reset_index(drop=True)
    ev = events.reset_index(drop=True)
    fmt = "_uk" if uk_dates else "_iso"
    linked = ev["linked"].to_numpy()
    la_ids = people["la_id"].to_numpy()
    base = pd.DataFrame(
        {
            "seq": np.arange(len(ev)),
            "start": ev["start"].to_numpy(),
            "end": ev["end"].to_numpy(),
            "dod": p["dod"].to_numpy(),
            "care_from": p["care_from"].to_numpy(),
            "is_service": ev["type"].to_numpy() == "Service",
            "nhs": p["nhs"].to_numpy(),
            "la_id": p["la_id"].to_numpy(),
            "gender": p["gender"].to_numpy(),
            "ethnicity": p["ethnicity"].to_numpy(),
            "dob_text": p["dob" + fmt].to_numpy(),
            "dod_text": p["dod" + fmt].to_numpy(),
            "client_type": np.where(p["psr"].to_numpy() == "Social support: Support to unpaid carer", CARER, SU).astype(
                object
            ),
            "psr": p["psr"].to_numpy(),
            "home": p["home"].to_numpy(),
            "care_home": p["care_home"].to_numpy(),
            "employment": p["employment"].to_numpy(),
            "carer": p["carer"].to_numpy(),
            "funding": p["funding"].to_numpy(),
            "type": ev["type"].to_numpy(),
            "start_text": ev["start" + fmt].to_numpy(),
            "end_text": ev["end" + fmt].to_numpy(),
            "outcome": ev["outcome"].to_numpy(),
            "route": ev["route"].to_numpy(),
            "atype": ev["atype"].to_numpy(),
            "stype": ev["stype"].to_numpy(),
            "comp": ev["comp"].to_numpy(),
            "mech": ev["mech"].to_numpy(),
            "linked": np.where(linked >= 0, la_ids[np.maximum(linked, 0)], None),
            "gp": p["gp"].to_numpy(),
            "postcode": p["postcode"].to_numpy(),
            "ref": np.char.add("EV", ev["ref"].to_numpy().astype(str)).astype(object),
            "cqc": ev["cqc"].to_numpy(),
        }
    )
    if names:
        base["first_name"] = np.where(base["gender"].to_numpy() == "Female", "Mary", "John").astype(object)
        base["last_name"] = "Sample"
    # the resubmission completes reablement outcomes the first file left unclear and corrects some
    # community services' reasons for ending
    fixed = base["outcome"].to_numpy().copy()
    stype, change = base["stype"].to_numpy(), ev["change"].to_numpy()
    fixed[(stype == ST_MAX) & (fixed == TO_ASSESS)] = NFA_PLANNED
    fixed[(stype == LT_COM) & (fixed == NFA_PLANNED) & (change < 0.1)] = NFA_OTHER_REASON
    base["outcome_fixed"] = fixed
    r1 = ev["release_1"].to_numpy()
    for field, column in [*R1_COLUMNS.items(), ("event_outcome", "outcome_fixed")]:
        values = base[column]
        base[column + "_r1"] = np.where(r1, values.map(RELEASE_1[field]).fillna(values).to_numpy(), values.to_numpy())
    eth = base["ethnicity"]
    base["ethnicity_r1"] = np.where(r1, eth.str.replace(": ", " - ", n=1, regex=False).to_numpy(), eth.to_numpy())
    bad = np.nonzero(ev["invalid"].to_numpy())[0]
    fields = list(INVALID)
    for i in bad:  # a few rows, once
        field = fields[i % len(fields)]
        column = INVALID_COLUMNS[field]
        if base.at[i, column] is not None:
            value = INVALID[field][(i // len(fields)) % len(INVALID[field])]
            base.at[i, column] = value
            if column + "_r1" in base:
                base.at[i, column + "_r1"] = value
    return base


def _file_sql(
    la: str, start: int, end: int, uk_dates: bool, release_1: bool, names: bool, corrected: bool, spaced_headers: bool
) -> str:
    """The rows of one rolling-12-month file as the council's system writes it at `end`."""
    r = "_r1" if release_1 else ""
    period = [_dates(np.array([d]), uk_dates)[0] for d in (start, end)]
    outcome = ("outcome_fixed" if corrected else "outcome") + r
    cols = [
        (f"'{la}'", "LA_Code"),
        (f"'{period[0]}'", "Reporting_Period_Start_Date"),
        (f"'{period[1]}'", "Reporting_Period_End_Date"),
        ("nhs", "NHS_Number"),
    ]
    if names:
        cols += [("first_name", "First_Name"), ("last_name", "Last_Name")]
    cols += [
        ("la_id", "LA_Person_Unique_Identifier"),
        ("gender", "Gender"),
        ("ethnicity" + r, "Ethnicity"),
        ("dob_text", "Date_of_Birth"),
        (f"case when dod <= {end} then dod_text end", "Date_of_Death"),
        ("client_type" + r, "Client_Type"),
        ("psr" + r, "Primary_Support_Reason"),
        (
            f"case when care_from <= {end} and care_home is not null then care_home else home{r} end",
            "Accommodation_Status",
        ),
        ("employment" + r, "Employment_Status"),
        ("carer", "Has_Unpaid_Carer"),
        ("funding", "Client_Funding_Status"),
        ("type", "Event_Type"),
        ("start_text", "Event_Start_Date"),
        (f'case when "end" <= {end} then end_text end', "Event_End_Date"),
        (f'case when "end" <= {end} then {outcome} end', "Event_Outcome"),
        ("route", "Request_Route_of_Access"),
        ("atype", "Assessment_Type"),
        ("stype" + r, "Service_Type"),
        ("comp" + r, "Service_Component"),
        ("mech", "Delivery_Mechanism"),
        ("linked", "Adult_1_Linked_Person_ID"),
        ("null::varchar", "Adult_2_Linked_Person_ID"),
        ("null::varchar", "Adult_3_Linked_Person_ID"),
        ("gp", "GP_Practice_Code"),
        ("postcode", "Postcode"),
        ("ref", "Event_Reference"),
        ("cqc", "Provider_CQC_Location_ID"),
    ]
    # a council whose system writes headers with spaces (matched loosely at ingestion)
    heads = [h.replace("_", " ") if spaced_headers and i < 6 else h for i, (_, h) in enumerate(cols)]
    select = ", ".join(f'{expr} as "{h}"' for (expr, _), h in zip(cols, heads))
    return (
        f"select {select} from base where start <= {end} and "
        f'case when is_service then "end" >= {start} else "end" between {start} and {end} end order by seq'
    )


def write_council(
    out: Path,
    seed: int,
    index: int,
    council: Council,
    scale: float,
    first: str = FIRST_QUARTER_END,
    last: str | None = None,
) -> int:
    """Write one council's quarterly submissions (and one resubmission) into out/cld; return rows written."""
    import duckdb

    periods = quarters(first, last)
    world = World(seed, index, council, scale, periods)
    world.simulate()
    people, events = world.frame()
    odd = index % 2 == 1  # every second council: DD/MM/YYYY, headers with spaces, names (dropped at ingestion)
    base = base_table(people, events, uk_dates=odd, names=odd)
    del people, events, world
    folder = out / C.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed % (1 << 63), index, zlib.crc32(b"cld:submission")])  # = world.rng
    resubmit = min(len(periods) // 2 + index % 2, len(periods) - 1)
    rows = 0
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        con.register("base_frame", base)
        con.execute("create table base as select * from base_frame")
        con.unregister("base_frame")
        del base  # the text lives in DuckDB now
        for q, (start, end) in enumerate(periods):
            submitted = end + int(rng.integers(20, 40))
            files = [(submitted, None, False)]
            if q == resubmit:
                files.append((submitted + int(rng.integers(10, 20)), "143000", True))
            for day, hhmmss, corrected in files:
                sql = _file_sql(
                    council.la_code,
                    start,
                    end,
                    uk_dates=odd,
                    release_1=str(np.datetime64(end, "D")) < RELEASE_2_FROM,
                    names=odd,
                    corrected=corrected,
                    spaced_headers=odd,
                )
                stamp = str(np.datetime64(day, "D")).replace("-", "")
                path = folder / f"cld_{council.la_code}_{stamp}{'_' + hhmmss if hhmmss else ''}.csv"
                con.execute(f"copy ({sql}) to '{str(path).replace(chr(39), chr(39) * 2)}' (header, delimiter ',')")
                rows += con.execute(f"select count(*) from ({sql})").fetchall()[0][0]
    finally:
        con.close()
    return rows


def population_years(first: str = FIRST_QUARTER_END, last: str | None = None) -> list[int]:
    """Mid-year population estimates the CLD measures divide by: each financial year's starting year."""
    periods = quarters(first, last)
    years = set()
    for start, end in periods:
        for d in (start, end):
            day = np.datetime64(int(d), "D")
            y, m = int(str(day)[:4]), int(str(day)[5:7])
            years.add(y if m >= 4 else y - 1)
    return sorted(years | {max(years) + 1})
