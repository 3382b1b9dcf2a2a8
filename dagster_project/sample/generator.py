"""A deterministic, synthetic but realistic landing folder (outputs.md: `vitalsigns sample`).

Scale 1 is a county the size of Norfolk: about 12,000 people in council-supported long-term
support at any month end (about 20,000 in a year), two thirds of them in the community;
18-64 population about 507,000 and 65+ about 214,000; about 4,500 contacts and 900
assessments a month; about 1,300 permanent admissions of older people a year.

How it works. Each council's world is simulated on a timeline that starts two years before
the window and runs half a year past it, then censored at the extract date exactly as a
full Liquid Logic extract would be (open services have no end date, pending requests no
outcome, a reablement episode's 91-day status only once 91 days have passed since the
discharge into it):

- long-term support is a set of cohorts (older people in care homes, older people at home,
  working-age adults, learning disability, mental health), each a stream of arrivals with
  a winter peak and a mild trend and exponential lengths of stay, started from its
  stationary stock, so month-end stocks are steady and admissions plausible;
- every new client in the timeline has a pathway: a request (contact), a needs assessment
  after a wait (the holding list), and the service starting after the assessment; older
  people reach a care home directly, from support at home (with a "moved to residential
  care" review) or from an interim stay; residents sometimes move between homes (the next
  placement starts within 7 days); stays end in death for most older residents;
- reablement (ST-Max) episodes come mostly from hospital, with sequels, 91-day statuses and
  the long-term support, interim stays and deaths that follow from them; respite stays,
  carers (one-off and ongoing direct payments, commissioned support, information and
  advice), reassessments, planned and unplanned reviews, and client status (employment,
  accommodation) for people with a learning disability or mental health support reason
  recorded at their reviews;
- the remaining contacts are sized so the month's totals and outcome mix match the county.

Everything is vectorised with numpy and written council by council (appending to the
CSVs), so ten councils over ten years stays in bounded memory. Random streams are seeded
per council and per component (`numpy.random.default_rng([seed, council, component])`),
so the same arguments give byte-identical files and council 1's data does not depend on
how many councils are asked for. Codes come from `contracts.py`: any code used here that
is not in the contract fails at import.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contracts as K
from ..councils import councils
from ..periods import fy_label

YEAR = 365.25
OPEN = np.int64(1 << 40)  # day number meaning "no date" (an open service, a person still alive)
EPOCH = np.datetime64("1970-01-01", "D")


# --- codes, checked against the contract ------------------------------------------------

def _code(codes: list[str], name: str) -> str:
    if name not in codes:
        raise ValueError(f"{name!r} is not in the contract code list {codes}")
    return name


def _mix(codes: list[str], weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    for name in weights:
        _code(codes, name)
    names = [c for c in codes if weights.get(c, 0) > 0]
    p = np.array([weights[c] for c in names], dtype=float)
    return np.array(names, dtype=object), p / p.sum()


class Mix:
    """A weighted choice over a contract code list (validated when defined)."""

    def __init__(self, codes: list[str], weights: dict[str, float]):
        self.names, self.p = _mix(codes, weights)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.names[rng.choice(len(self.names), size=n, p=self.p)]


def _free(names: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """A weighted choice over free text (a column the contract does not validate, e.g. ethnicity)."""
    p = np.array(list(names.values()), dtype=float)
    return np.array(list(names), dtype=object), p / p.sum()


# services
LT_RES, LT_NURS = _code(K.SERVICE_TYPE, "Long Term Support: Residential Care"), _code(K.SERVICE_TYPE, "Long Term Support: Nursing Care")
LT_COM = _code(K.SERVICE_TYPE, "Long Term Support: Community")
ST_OTHER = _code(K.SERVICE_TYPE, "Short Term Support: Other Short Term")
CARER_DP = _code(K.SERVICE_TYPE, "Carer Support: Direct Payment")
CARER_CCS = _code(K.SERVICE_TYPE, "Carer Support: Council Commissioned Support")
CARER_INFO = _code(K.SERVICE_TYPE, "Carer Support: Information, Advice and Other Universal Services")
SERVICE_USER, CARER = _code(K.CLIENT_TYPE, "Service User"), _code(K.CLIENT_TYPE, "Carer")
RESIDENTIAL, NURSING, COMMUNITY = (_code(K.SUPPORT_SETTING, s) for s in ("Residential", "Nursing", "Community"))
DP, PDP = _code(K.DELIVERY_MECHANISM, "Direct Payment"), _code(K.DELIVERY_MECHANISM, "Part Direct Payment")
MPB = _code(K.DELIVERY_MECHANISM, "CASSR Managed Personal Budget")
COMMISSIONED = _code(K.DELIVERY_MECHANISM, "CASSR Commissioned Support only")
NA = _code(K.DELIVERY_MECHANISM, "n/a")
COUNCIL = _code(K.FUNDING_SOURCE, "Council")
LD = _code(K.PRIMARY_SUPPORT_REASON, "Learning Disability Support")
MH = _code(K.PRIMARY_SUPPORT_REASON, "Mental Health Support")
# front door
HOSPITAL = _code(K.ROUTE_OF_ACCESS, "Discharge from Hospital")
DIVERSION = _code(K.ROUTE_OF_ACCESS, "Diversion from Hospital Services")
COMMUNITY_ROUTE = _code(K.ROUTE_OF_ACCESS, "Community / Other route")
O_ASSESS = _code(K.REQUEST_OUTCOME, "Assessment")
O_STMAX = _code(K.REQUEST_OUTCOME, "Short Term Support: ST-Max")
O_STOTHER = _code(K.REQUEST_OUTCOME, "Short Term Support: Other Short Term")
O_UNIVERSAL = _code(K.REQUEST_OUTCOME, "Universal Services/Signposted to Other Services")
O_CLOSED = _code(K.REQUEST_OUTCOME, "No Services Provided - Other")
NEEDS, CARER_ASSESS, REASSESS = (_code(K.ASSESSMENT_TYPE, a) for a in ("Needs Assessment", "Carer Assessment", "Reassessment"))
A_SERVICES = _code(K.ASSESSMENT_OUTCOME, "Eligible needs - services provided")
A_ENDED = _code(K.ASSESSMENT_OUTCOME, "Ended before completion")
PLANNED, UNPLANNED = _code(K.REVIEW_TYPE, "Planned"), _code(K.REVIEW_TYPE, "Unplanned")
R_MOVED = _code(K.REVIEW_OUTCOME, "Moved to residential or nursing care")
SEQ_LTS = _code(K.SEQUEL, "Long Term Support (any level)")
SEQ_DEATH = _code(K.SEQUEL, "Death")
AT_HOME, IN_CARE = _code(K.STATUS_AT_91_DAYS, "At home"), _code(K.STATUS_AT_91_DAYS, "In residential or nursing care")
DECEASED = _code(K.STATUS_AT_91_DAYS, "Deceased")
CARE_HOME = _code(K.ACCOMMODATION_STATUS, "Registered care home")
NURSING_HOME = _code(K.ACCOMMODATION_STATUS, "Registered nursing home")
NOT_PAID = _code(K.EMPLOYMENT_STATUS, "Not in paid employment")

FUNDING_RES = Mix(K.FUNDING_SOURCE, {"Council": 78, "Joint (council and NHS)": 8, "NHS Continuing Healthcare": 5,
                                     "Self-funded": 9})
FUNDING_RES_YOUNG = Mix(K.FUNDING_SOURCE, {"Council": 82, "Joint (council and NHS)": 9,
                                           "NHS Continuing Healthcare": 6, "Self-funded": 3})
FUNDING_COM = Mix(K.FUNDING_SOURCE, {"Council": 93, "Joint (council and NHS)": 7})
COUNCIL_SHARE_RES, COUNCIL_SHARE_RES_YOUNG = 0.86, 0.91

PSR_OLD_RES = {"Physical Support: Access & Mobility only": 6, "Physical Support: Personal Care Support": 45,
               "Sensory Support": 1, "Support with Memory & Cognition": 40, "Learning Disability Support": 2,
               "Mental Health Support": 4, "Social Support": 2}
PSR_OLD_COM = {"Physical Support: Access & Mobility only": 13, "Physical Support: Personal Care Support": 55,
               "Sensory Support": 4, "Support with Memory & Cognition": 18, "Learning Disability Support": 1,
               "Mental Health Support": 3, "Social Support": 6}
PSR_YOUNG_RES = {"Physical Support: Access & Mobility only": 5, "Physical Support: Personal Care Support": 30,
                 "Sensory Support": 2, "Support with Memory & Cognition": 6, "Learning Disability Support": 40,
                 "Mental Health Support": 12, "Social Support": 5}
PSR_WORKING = {"Physical Support: Access & Mobility only": 20, "Physical Support: Personal Care Support": 42,
               "Sensory Support": 8, "Support with Memory & Cognition": 5, "Social Support": 25}
PSR_CONTACT = {"Physical Support: Access & Mobility only": 20, "Physical Support: Personal Care Support": 35,
               "Sensory Support": 5, "Support with Memory & Cognition": 12, "Learning Disability Support": 3,
               "Mental Health Support": 8, "Social Support": 17}
PSR_LD, PSR_MH = {LD: 1}, {MH: 1}

ROUTES = {  # route of access of the request that starts each pathway
    "res65": {"Discharge from Hospital": 45, "Community / Other route": 43, "Self-Funder with Depleted Funds": 9,
              "Diversion from Hospital Services": 3},
    "res1864": {"Community / Other route": 78, "Discharge from Hospital": 12, "Planned Entry (Transition)": 10},
    "com65": {"Community / Other route": 55, "Discharge from Hospital": 30, "Diversion from Hospital Services": 10,
              "Self-Funder with Depleted Funds": 5},
    "com1864": {"Community / Other route": 85, "Discharge from Hospital": 10, "Diversion from Hospital Services": 5},
    "ld": {"Planned Entry (Transition)": 65, "Community / Other route": 35},
    "mh": {"Community / Other route": 80, "Discharge from Hospital": 10, "Diversion from Hospital Services": 10},
    "carer": {"Community / Other route": 100},
    "contact": {"Community / Other route": 72, "Discharge from Hospital": 18, "Diversion from Hospital Services": 6,
                "Self-Funder with Depleted Funds": 1.5, "Planned Entry (Transition)": 2.5},
}
ROUTES = {k: Mix(K.ROUTE_OF_ACCESS, v) for k, v in ROUTES.items()}

# Overall outcome mix of all requests (contacts); linked pathways fill part of it, contacts the rest.
REQUEST_MIX = {"Assessment": 16.5, "Short Term Support: ST-Max": 7.5, "Short Term Support: Other Short Term": 1.5,
               "Long Term Support": 0.8, "Ongoing Low Level Support": 9.0,
               "Universal Services/Signposted to Other Services": 37.0,
               "No Services Provided - No identified needs": 12.0, "No Services Provided - Other": 15.7}
for _name in REQUEST_MIX:
    _code(K.REQUEST_OUTCOME, _name)
CONTACT_ASSESSMENT = Mix(K.ASSESSMENT_OUTCOME, {"Eligible needs - services provided": 42,
                                                "Eligible needs - no services required": 10,
                                                "Information and guidance only": 26, "No eligible needs": 13,
                                                "Ended before completion": 9})
REASSESSMENT = Mix(K.ASSESSMENT_OUTCOME, {"Eligible needs - services provided": 82,
                                          "Eligible needs - no services required": 8, "No eligible needs": 4,
                                          "Ended before completion": 6})
REVIEW_PLANNED = Mix(K.REVIEW_OUTCOME, {"No change in support": 66, "Support increased": 16, "Support reduced": 12,
                                        "Support ended": 6})
REVIEW_UNPLANNED = Mix(K.REVIEW_OUTCOME, {"No change in support": 30, "Support increased": 45, "Support reduced": 10,
                                          "Support ended": 15})
SEQUELS = Mix(K.SEQUEL, {"Early Cessation of Service (not leading to long term support)": 3.5,
                         "Early Cessation of Service (leading to long term support)": 1.5,
                         "Long Term Support (any level)": 10.5, "Ongoing Low Level Support": 26,
                         "Short Term Support (Other)": 8,
                         "No Services Provided - Universal Services/Signposted to Other Services": 26,
                         "No Services Provided - No identified needs": 22.5, "Death": 2})
STATUS_91 = Mix(K.STATUS_AT_91_DAYS, {"At home": 93.0, "In hospital": 2.5, "In residential or nursing care": 2.5,
                                      "Deceased": 1.5, "Not known": 0.5})
ACCOMMODATION_LD = Mix(K.ACCOMMODATION_STATUS, {
    "Owner occupier or shared ownership": 3, "Tenant": 16, "Settled mainstream housing with family/friends": 38,
    "Supported accommodation": 22, "Shared Lives scheme": 4, "Approved premises": 0.1, "Sheltered housing": 1,
    "Mobile accommodation": 0.1, "Rough sleeper": 0.2, "Night shelter": 0.1, "Refuge": 0.1,
    "Placed in temporary accommodation": 1.5, "Staying with family/friends as short-term guest": 2,
    "Acute/long stay healthcare residential facility or hospital": 1, "Prison": 0.3,
    "Other temporary accommodation": 2, "Unknown": 8.6})
ACCOMMODATION_MH = Mix(K.ACCOMMODATION_STATUS, {
    "Owner occupier or shared ownership": 12, "Tenant": 34, "Settled mainstream housing with family/friends": 18,
    "Supported accommodation": 12, "Shared Lives scheme": 0.5, "Approved premises": 0.5, "Sheltered housing": 1,
    "Mobile accommodation": 0.3, "Rough sleeper": 0.7, "Night shelter": 0.3, "Refuge": 0.2,
    "Placed in temporary accommodation": 2.5, "Staying with family/friends as short-term guest": 2.5,
    "Acute/long stay healthcare residential facility or hospital": 4, "Prison": 0.5,
    "Other temporary accommodation": 2, "Unknown": 9})
PAID = [c for c in K.EMPLOYMENT_STATUS if c.startswith("Paid:")]
ETHNICITY = _free({"White British": 90.5, "White Other": 3.5, "Asian or Asian British": 1.5,
                   "Black or Black British": 0.8, "Mixed": 0.9, "Other ethnic group": 0.4, "Not stated": 2.4})
GENDER_OTHER = {"Other": 0.1, "Unknown": 0.3}
for _name in GENDER_OTHER:
    _code(K.GENDER, _name)


# --- councils -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Council:
    la_code: str
    name: str
    size: float  # size relative to Norfolk (multiplies --scale)
    region_code: str
    region_name: str


EAST = ("E12000006", "East of England")
# the sample's councils (names and regions from the councils seed, councils.py) and their sizes
SIZES = {"E10000020": 1.00, "E10000024": 0.93, "E10000029": 0.85, "E10000003": 0.74, "E10000015": 1.22,
         "E10000012": 1.38, "E10000019": 0.86, "E10000021": 0.78, "E10000008": 0.88, "E10000034": 0.66,
         "E10000032": 1.00, "E10000027": 0.62, "E10000025": 0.76, "E10000028": 0.98, "E10000018": 0.80}
COUNCILS = tuple(Council(c.la_code, c.short_name, SIZES[c.la_code], c.region_code, c.region_name)
                 for c in councils() if c.la_code in SIZES)
FAMILY_GROUP = "CIPFA-Norfolk"  # Norfolk's CIPFA nearest neighbours: the 15 councils above
FAMILY_GROUP_NAME = "CIPFA nearest neighbours (Norfolk)"
ENGLAND = ("E92000001", "England")

# Per-council character (multipliers on Norfolk's behaviour); Norfolk is exactly 1.
CHARACTER = {  # knob: (low, high)
    "adm65": (0.85, 1.15), "adm1864": (0.75, 1.25), "dtoc_sc": (0.55, 1.25), "dtoc_nhs": (0.7, 1.3),
    "dp": (0.8, 1.2), "ld_paid": (0.8, 1.9), "mh_paid": (0.8, 2.2), "reablement": (0.8, 1.2),
    "wait": (0.5, 1.2), "contacts": (0.85, 1.15),
}


# --- time ---------------------------------------------------------------------------------

def _day(value) -> int:
    return int((np.datetime64(value, "D") - EPOCH) // np.timedelta64(1, "D"))


def _iso(days) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    missing = days >= OPEN
    text = np.datetime_as_string(np.where(missing, 0, days).astype("datetime64[D]"), unit="D")
    return np.where(missing, "", text).astype(object)


def _doy(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[Y]")).astype(np.int64)


class Window:
    """The months covered: `years` years ending with `end_month`; the simulated horizon around them."""

    def __init__(self, years: int, end_month: str):
        try:
            last = np.datetime64(end_month, "M")
        except ValueError as exc:
            raise ValueError(f"end_month must be YYYY-MM, got {end_month!r}") from exc
        self.months = np.arange(last - (12 * years - 1), last + 1)  # datetime64[M]
        self.month_starts = ((self.months.astype("datetime64[D]") - EPOCH) // np.timedelta64(1, "D")).astype(np.int64)
        self.month_ends = (((self.months + 1).astype("datetime64[D]") - EPOCH) // np.timedelta64(1, "D")).astype(np.int64) - 1
        self.start, self.end = int(self.month_starts[0]), int(self.month_ends[-1])
        self.extract = self.end + 1
        self.h0 = self.start - 730  # simulated from two years before the window ...
        self.h1 = self.end + 200  # ... to half a year after, then censored at the extract date
        self.years = years
        month_numbers = self.months.astype(np.int64) % 12 + 1
        calendar_years = self.months.astype("datetime64[Y]").astype(np.int64) + 1970
        self.fy_of_month = np.where(month_numbers >= 4, calendar_years, calendar_years - 1)

    @property
    def stamp(self) -> str:
        return str(np.datetime64(self.extract, "D")).replace("-", "")

    @property
    def financial_years(self) -> list[int]:
        return sorted(set(int(y) for y in self.fy_of_month))


def _season(days: np.ndarray, amp: float) -> np.ndarray:
    """1 + amp at mid-January, 1 - amp at mid-July."""
    return 1 + amp * np.cos(2 * np.pi * (_doy(days) - 15) / YEAR)


def _arrivals(rng, per_year: float, t0: int, t1: int, amp: float = 0.0, trend: float = 0.0, ref: int = 0) -> np.ndarray:
    """Day numbers of a Poisson stream on [t0, t1]: `per_year` at `ref`, a winter peak and an annual trend."""
    days = np.arange(t0, t1 + 1, dtype=np.int64)
    lam = per_year / YEAR * _season(days, amp) * (1 + trend) ** ((days - ref) / YEAR)
    return np.repeat(days, rng.poisson(lam))


def _pick_active(rng, starts, ends, d0, d1, rounds: int = 16) -> np.ndarray:
    """For each span [d0, d1], the index of a random service active throughout it (-1 if none found).

    Rejection sampling: a few vectorised rounds of random picks; the few left over get -1.
    """
    pool = np.arange(len(starts))
    out = np.full(len(d0), -1, dtype=np.int64)
    if len(pool) == 0:
        return out
    todo = np.arange(len(d0))
    for _ in range(rounds):
        if len(todo) == 0:
            break
        pick = pool[rng.integers(0, len(pool), len(todo))]
        ok = (starts[pick] <= d0[todo]) & (ends[pick] >= d1[todo])
        out[todo[ok]] = pick[ok]
        todo = todo[~ok]
    return out


def _ages(rng, model: str, n: int) -> np.ndarray:
    if model == "old_res":  # care-home residents: mostly 80-95 on admission
        return 65 + np.minimum(rng.gamma(8.0, 2.5, n), 39.5)
    if model == "old_com":
        return 65 + np.minimum(rng.gamma(3.0, 5.0, n), 39.5)
    if model == "working":
        return 18 + 46.9 * rng.beta(2.2, 1.6, n)
    if model == "ld":  # most start at transition from children's services
        return 18 + np.minimum(rng.gamma(1.6, 7.0, n), 46.9)
    if model == "mh":
        return 18 + 46.9 * rng.beta(2.0, 2.0, n)
    if model == "carer":
        return 20 + 68 * rng.beta(3.0, 2.0, n)
    if model == "contact":
        older = rng.random(n) < 0.58
        return np.where(older, 65 + np.minimum(rng.gamma(3.0, 5.5, n), 39.5), 18 + 46.9 * rng.random(n))
    raise ValueError(model)


# Long-term support cohorts at scale 1: (name, kind, council-supported arrivals a year, mean years,
# winter amplitude, trend a year, age model, primary support reasons, female share, share dying at the end)
COHORTS = [
    ("res65", "res", 1345, 2.7, 0.12, 0.015, "old_res", PSR_OLD_RES, 0.68, 0.78),
    ("res1864", "res", 86, 6.0, 0.05, 0.0, "working", PSR_YOUNG_RES, 0.45, 0.25),
    ("com65", "com", 3500, 0.8, 0.05, -0.02, "old_com", PSR_OLD_COM, 0.62, 0.45),
    ("com1864", "com", 700, 2.5, 0.0, 0.0, "working", PSR_WORKING, 0.5, 0.1),
    ("ld", "com", 136, 15.0, 0.0, 0.01, "ld", PSR_LD, 0.42, 0.08),
    ("mh", "com", 330, 2.5, 0.0, 0.0, "mh", PSR_MH, 0.45, 0.04),
]
RES65_FROM_HOME, RES65_FROM_INTERIM = 0.30, 0.18  # routes into a care home for older people (rest: direct)


# --- one council ----------------------------------------------------------------------------

class Sim:
    """The simulated world of one council, censored at the extract date by `extracts()`."""

    def __init__(self, seed: int, index: int, council: Council, scale: float, w: Window):
        self.seed, self.index, self.council, self.w = seed % (1 << 63), index, council, w
        self.la = council.la_code
        self.f = council.size * scale
        r = self.rng("character")
        self.ch = {k: (1.0 if index == 0 else float(r.uniform(lo, hi))) for k, (lo, hi) in CHARACTER.items()}
        self.people: list[dict] = []
        self.n_people = 0
        self.deaths: list[tuple[np.ndarray, np.ndarray]] = []
        self.services: list[pd.DataFrame] = []
        self.requests: list[pd.DataFrame] = []
        self.assessments: list[pd.DataFrame] = []
        self.extra_reviews: list[pd.DataFrame] = []
        self.n_requests = 0

    def rng(self, part: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, zlib.crc32(part.encode())])

    # -- registries ---------------------------------------------------------------------------
    def add_people(self, rng, ref_days, ages, psr, female: float) -> np.ndarray:
        n = len(ref_days)
        dob = np.asarray(ref_days, dtype=np.int64) - np.floor(np.asarray(ages) * YEAR).astype(np.int64)
        u = rng.random(n)
        gender = np.where(u < female, "Female", "Male").astype(object)
        top = 1.0
        for name, share in GENDER_OTHER.items():  # a few at the top of the draw: Other, Unknown
            gender[(u >= top - share / 100) & (u < top)] = name
            top -= share / 100
        eth_names, eth_p = ETHNICITY
        if isinstance(psr, dict):
            psr = Mix(K.PRIMARY_SUPPORT_REASON, psr).draw(rng, n)
        self.people.append({"dob": dob, "gender": gender, "ethnicity": eth_names[rng.choice(len(eth_names), n, p=eth_p)],
                            "psr": np.broadcast_to(np.asarray(psr, dtype=object), (n,)).copy()})
        ids = np.arange(self.n_people, self.n_people + n, dtype=np.int64)
        self.n_people += n
        return ids

    def die(self, people, days) -> None:
        self.deaths.append((np.asarray(people, dtype=np.int64), np.asarray(days, dtype=np.int64)))

    def add_services(self, **cols) -> None:
        n = len(cols["person"])
        if n:
            self.services.append(pd.DataFrame({k: np.broadcast_to(np.asarray(v), (n,)) for k, v in cols.items()}))

    def new_requests(self, person, request_date, route, outcome, outcome_date) -> np.ndarray:
        n = len(person)
        keys = np.arange(self.n_requests, self.n_requests + n, dtype=np.int64)
        self.n_requests += n
        if n:
            self.requests.append(pd.DataFrame({
                "rkey": keys, "person": person, "request_date": request_date,
                "route_of_access": np.broadcast_to(np.asarray(route, dtype=object), (n,)),
                "request_outcome": np.broadcast_to(np.asarray(outcome, dtype=object), (n,)),
                "outcome_date": outcome_date}))
        return keys

    def add_assessments(self, person, rkey, kind, start, completion, outcome, waiting_since=None) -> None:
        n = len(person)
        if n:
            self.assessments.append(pd.DataFrame({
                "person": person, "rkey": np.broadcast_to(np.asarray(rkey, dtype=np.int64), (n,)),
                "assessment_type": np.broadcast_to(np.asarray(kind, dtype=object), (n,)),
                "start": start, "completion": completion,
                "assessment_outcome": np.broadcast_to(np.asarray(outcome, dtype=object), (n,)),
                "waiting_since": OPEN if waiting_since is None else waiting_since}))

    def pathway(self, rng, person, service_start, route: str, wait_days: float, kind: str = NEEDS) -> None:
        """Request -> (wait on the holding list) -> assessment -> service starting on service_start."""
        n = len(person)
        if not n:
            return
        completion = service_start - rng.integers(0, 15, n)
        start = completion - rng.integers(1, 36, n)
        wait = np.minimum(rng.exponential(wait_days * self.ch["wait"], n), 365).astype(np.int64)
        decided = start - wait
        requested = decided - rng.integers(0, 8, n)
        keys = self.new_requests(person, requested, ROUTES[route].draw(rng, n), O_ASSESS, decided)
        self.add_assessments(person, keys, kind, start, completion, A_SERVICES, decided)

    # -- long-term support --------------------------------------------------------------------
    def mechanism(self, rng, ages, ld) -> np.ndarray:
        """Delivery mechanism of community support: direct payments are commoner for younger adults."""
        n = len(ages)
        dp_share = np.where(ld, 0.30, np.where(ages < 65, 0.37, 0.11)) * self.ch["dp"]
        pdp_share = np.where(ages < 65, 0.08, 0.03)
        u = rng.random(n)
        return np.select([u < dp_share, u < dp_share + pdp_share, u < 0.91], [DP, PDP, MPB],
                         COMMISSIONED).astype(object)

    def long_term_support(self) -> None:
        w = self.w
        for name, kind, per_year, mean_years, amp, trend, age_model, psr, female, dying in COHORTS:
            rng = self.rng("lts:" + name)
            share = {"res65": COUNCIL_SHARE_RES, "res1864": COUNCIL_SHARE_RES_YOUNG}.get(name, 1.0)
            knob = {"res65": self.ch["adm65"], "res1864": self.ch["adm1864"]}.get(name, 1.0)
            rate = per_year * self.f * knob / share
            mean_days = mean_years * YEAR
            # the stock already in place at the start of the horizon (stationary: memoryless stays)
            n0 = rng.poisson(rate * mean_years * (1 + trend) ** ((w.h0 - w.end) / YEAR))
            elapsed = (rng.exponential(mean_days, n0) % (15 * YEAR)).astype(np.int64)
            s0 = w.h0 - elapsed
            e0 = w.h0 + 1 + rng.exponential(mean_days, n0).astype(np.int64)
            s1 = _arrivals(rng, rate, w.h0, w.h1, amp, trend, ref=w.end)
            e1 = s1 + 1 + rng.exponential(mean_days, len(s1)).astype(np.int64)
            starts, ends = np.concatenate([s0, s1]), np.concatenate([e0, e1])
            arrived = np.arange(len(starts)) >= n0
            n = len(starts)
            ages = _ages(rng, age_model, n)
            person = self.add_people(rng, starts, ages, psr, female)
            dies = rng.random(n) < dying
            self.die(person[dies], ends[dies])
            if kind == "res":
                young = name == "res1864"
                funding = (FUNDING_RES_YOUNG if young else FUNDING_RES).draw(rng, n)
                nursing = rng.random(n) < (0.25 if young else 0.38)
                self.placements(rng, person, starts, ends, nursing, funding)
                if young:
                    self.pathway(rng, person[arrived], starts[arrived], name, 45)
                else:
                    self.routes_into_care(rng, person[arrived], starts[arrived], ages[arrived], nursing[arrived])
            else:
                self.add_services(person=person, client_type=SERVICE_USER, service_type=LT_COM,
                                  support_setting=COMMUNITY, delivery_mechanism=self.mechanism(rng, ages, name == "ld"),
                                  start=starts, end=ends, funding_source=FUNDING_COM.draw(rng, n))
                self.pathway(rng, person[arrived], starts[arrived], name, 130)

    def placements(self, rng, person, starts, ends, nursing, funding) -> None:
        """Permanent placements; some residents move home: the next placement starts within 7 days."""
        n = len(person)
        stype = np.where(nursing, LT_NURS, LT_RES).astype(object)
        moves = (rng.random(n) < 0.07) & (ends - starts > 60)
        at = starts + ((ends - starts) * rng.uniform(0.15, 0.85, n)).astype(np.int64)
        first_end = np.where(moves, at, ends)
        self.add_services(person=person, client_type=SERVICE_USER, service_type=stype,
                          support_setting=np.where(nursing, NURSING, RESIDENTIAL).astype(object),
                          delivery_mechanism=COMMISSIONED, start=starts, end=first_end, funding_source=funding)
        m = np.flatnonzero(moves)
        to_nursing = nursing[m] | (rng.random(len(m)) < 0.45)
        self.add_services(person=person[m], client_type=SERVICE_USER,
                          service_type=np.where(to_nursing, LT_NURS, LT_RES).astype(object),
                          support_setting=np.where(to_nursing, NURSING, RESIDENTIAL).astype(object),
                          delivery_mechanism=COMMISSIONED, start=at[m] + rng.integers(0, 8, len(m)), end=ends[m],
                          funding_source=funding[m])

    def routes_into_care(self, rng, person, starts, ages, nursing) -> None:
        """Older people reach a care home from support at home, from an interim stay, or directly."""
        n = len(person)
        u = rng.random(n)
        home, interim = u < RES65_FROM_HOME, (u >= RES65_FROM_HOME) & (u < RES65_FROM_HOME + RES65_FROM_INTERIM)
        direct = ~home & ~interim
        # from support at home: the community package ends the day before, with a review recording the move
        h = np.flatnonzero(home)
        c_start = starts[h] - np.maximum(30, rng.exponential(1.5 * YEAR, len(h))).astype(np.int64)
        self.add_services(person=person[h], client_type=SERVICE_USER, service_type=LT_COM, support_setting=COMMUNITY,
                          delivery_mechanism=self.mechanism(rng, ages[h] - (starts[h] - c_start) / YEAR,
                                                            np.zeros(len(h), bool)),
                          start=c_start, end=starts[h] - 1, funding_source=FUNDING_COM.draw(rng, len(h)))
        self.pathway(rng, person[h], c_start, "com65", 130)
        self.extra_reviews.append(pd.DataFrame({
            "person": person[h], "review_date": np.maximum(c_start + 1, starts[h] - rng.integers(0, 15, len(h))),
            "review_type": UNPLANNED, "review_outcome": R_MOVED, "setting": COMMUNITY}))
        # from an interim (short-term) stay in the same home, after a hospital stay
        i = np.flatnonzero(interim)
        s_start = starts[i] - rng.integers(14, 57, len(i))
        self.add_services(person=person[i], client_type=SERVICE_USER, service_type=ST_OTHER,
                          support_setting=np.where(nursing[i], NURSING, RESIDENTIAL).astype(object),
                          delivery_mechanism=COMMISSIONED, start=s_start, end=starts[i] - 1, funding_source=COUNCIL)
        asked = s_start - rng.integers(0, 3, len(i))
        self.new_requests(person[i], asked, np.where(rng.random(len(i)) < 0.8, HOSPITAL, COMMUNITY_ROUTE).astype(object),
                          O_STOTHER, asked)
        a_start = s_start + rng.integers(2, 8, len(i))
        self.add_assessments(person[i], -1, NEEDS, a_start,
                             np.maximum(a_start, starts[i] - 1 - rng.integers(0, 5, len(i))), A_SERVICES)
        # straight from a request (hospital or community), with a short wait
        d = np.flatnonzero(direct)
        self.pathway(rng, person[d], starts[d], "res65", 20)

    # -- short-term support ---------------------------------------------------------------------
    def community_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        svc = pd.concat(self.services, ignore_index=True)
        com = svc[svc["service_type"] == LT_COM]
        return (com["person"].to_numpy(np.int64), com["start"].to_numpy(np.int64), com["end"].to_numpy(np.int64),
                com["delivery_mechanism"].to_numpy(object))

    def reablement(self) -> pd.DataFrame:
        w, rng = self.w, self.rng("reablement")
        starts = _arrivals(rng, 400 * 12 * self.f * self.ch["reablement"], w.h0, w.h1, 0.10, 0.01, ref=w.end)
        n = len(starts)
        ends = starts + rng.integers(5, 43, n)
        hospital = rng.random(n) < 0.6
        ages = np.where(rng.random(n) < 0.78, _ages(rng, "old_com", n), _ages(rng, "working", n))
        # about one in six is for someone already in long-term support at home
        c_person, c_start, c_end, _ = self.community_index()
        existing = np.where(rng.random(n) < 0.16, _pick_active(rng, c_start, c_end, starts, ends + 1), -1)
        new = existing < 0
        person = np.empty(n, dtype=np.int64)
        person[~new] = c_person[existing[~new]]
        person[new] = self.add_people(rng, starts[new], ages[new], PSR_OLD_COM, 0.6)
        sequel = SEQUELS.draw(rng, n)
        sequel[~new & (sequel == SEQ_DEATH)] = SEQ_LTS
        status = STATUS_91.draw(rng, n)
        status[sequel == SEQ_DEATH] = DECEASED
        # existing clients stay on their package; a new long-term package means at home on day 91
        status[(status == DECEASED) & (sequel != SEQ_DEATH) & ~new] = AT_HOME
        status[new & (sequel == SEQ_LTS)] = AT_HOME
        # requests for new clients: decided the same day or within a couple of days
        nn = np.flatnonzero(new)
        asked = starts[nn] - rng.integers(0, 4, len(nn))
        route = np.where(hospital[nn], HOSPITAL, np.where(rng.random(len(nn)) < 0.7, COMMUNITY_ROUTE, DIVERSION))
        self.new_requests(person[nn], asked, route.astype(object), O_STMAX,
                          np.minimum(starts[nn], asked + rng.integers(0, 3, len(nn))))
        # what followed, for new clients
        dead = new & (sequel == SEQ_DEATH)
        self.die(person[dead], ends[dead])
        later = new & (status == DECEASED) & (sequel != SEQ_DEATH)
        self.die(person[later], ends[later] + 1 + (rng.random(later.sum()) * (starts[later] + 90 - ends[later])).astype(np.int64))
        lts = np.flatnonzero(new & (sequel == SEQ_LTS))
        age_then = ages[lts] + (ends[lts] - starts[lts]) / YEAR
        c0 = ends[lts] + rng.integers(1, 11, len(lts))
        older = age_then >= 65
        c1 = np.maximum(c0 + 1 + rng.exponential(np.where(older, 0.8, 2.5) * YEAR).astype(np.int64), starts[lts] + 92)
        self.add_services(person=person[lts], client_type=SERVICE_USER, service_type=LT_COM, support_setting=COMMUNITY,
                          delivery_mechanism=self.mechanism(rng, age_then, np.zeros(len(lts), bool)), start=c0, end=c1,
                          funding_source=FUNDING_COM.draw(rng, len(lts)))
        gone = rng.random(len(lts)) < np.where(older, 0.45, 0.1)
        self.die(person[lts][gone], c1[gone])
        a_start = np.maximum(starts[lts], ends[lts] - rng.integers(1, 8, len(lts)))
        self.add_assessments(person[lts], -1, NEEDS, a_start, np.minimum(ends[lts], c0 - 1), A_SERVICES)
        care = np.flatnonzero(new & (status == IN_CARE))
        t0 = ends[care] + 1 + (rng.random(len(care)) * (starts[care] + 85 - ends[care])).astype(np.int64)
        self.add_services(person=person[care], client_type=SERVICE_USER, service_type=ST_OTHER,
                          support_setting=RESIDENTIAL, delivery_mechanism=COMMISSIONED, start=t0,
                          end=starts[care] + 91 + rng.integers(1, 30, len(care)), funding_source=COUNCIL)
        return pd.DataFrame({"person": person, "start": starts, "end": ends, "hospital": hospital, "sequel": sequel,
                             "status": status})

    def short_stays(self) -> None:
        """Respite for people supported at home, and interim stays after hospital."""
        w, rng = self.w, self.rng("short stays")
        starts = _arrivals(rng, 650 * self.f, w.h0, w.h1, 0.2, 0.0, ref=w.end)
        n = len(starts)
        ends = starts + rng.integers(7, 29, n)
        c_person, c_start, c_end, _ = self.community_index()
        respite = np.where(rng.random(n) < 0.6, _pick_active(rng, c_start, c_end, starts, ends), -1)
        person = np.empty(n, dtype=np.int64)
        person[respite >= 0] = c_person[respite[respite >= 0]]
        interim = np.flatnonzero(respite < 0)
        person[interim] = self.add_people(rng, starts[interim], _ages(rng, "old_res", len(interim)), PSR_OLD_COM, 0.64)
        ends[interim] = starts[interim] + rng.integers(14, 57, len(interim))
        asked = starts[interim] - rng.integers(0, 3, len(interim))
        self.new_requests(person[interim], asked, HOSPITAL, O_STOTHER, asked)
        nursing = rng.random(n) < 0.22
        self.add_services(person=person, client_type=SERVICE_USER, service_type=ST_OTHER,
                          support_setting=np.where(nursing, NURSING, RESIDENTIAL).astype(object),
                          delivery_mechanism=COMMISSIONED, start=starts, end=ends, funding_source=COUNCIL)

    # -- carers ---------------------------------------------------------------------------------
    def carers(self) -> None:
        """Carer-specific support (direct payments, commissioned support) after a carer's assessment,
        usually renewed each year; and information and advice for many more."""
        w, rng = self.w, self.rng("carers")
        first = _arrivals(rng, 850 * self.f, w.h0 - 730, w.h1, 0.0, 0.01, ref=w.end)
        n = len(first)
        person = self.add_people(rng, first, _ages(rng, "carer", n), "", 0.68)
        awards = rng.geometric(0.6, n)
        idx = np.repeat(np.arange(n), awards)
        k = np.arange(len(idx)) - np.repeat(np.cumsum(awards) - awards, awards)
        start = first[idx] + k * 365 + np.where(k > 0, rng.integers(-20, 21, len(idx)), 0)
        via_dp = rng.random(n) < 0.855
        dp = via_dp[idx]
        m = len(idx)
        one_off = rng.random(m) < 0.6
        length = np.where(dp, np.where(one_off, 0, rng.integers(90, 366, m)), rng.integers(14, 181, m))
        managed = rng.random(m) < 0.05
        self.add_services(person=person[idx], client_type=CARER,
                          service_type=np.where(dp, CARER_DP, CARER_CCS).astype(object), support_setting=COMMUNITY,
                          delivery_mechanism=np.where(dp, DP, np.where(managed, MPB, COMMISSIONED)).astype(object),
                          start=start, end=start + length, funding_source=COUNCIL)
        firsts = k == 0
        self.pathway(rng, person[idx][firsts], start[firsts], "carer", 30, CARER_ASSESS)
        again = np.flatnonzero(~firsts)
        done = start[again] - rng.integers(0, 15, len(again))
        self.add_assessments(person[idx][again], -1, CARER_ASSESS, done - rng.integers(1, 21, len(again)), done,
                             A_SERVICES)
        # information and advice: from a request resolved at the first contact
        begin = _arrivals(rng, 1850 * self.f, w.h0 - 1460, w.h1, 0.0, 0.0, ref=w.end)
        q = len(begin)
        who = self.add_people(rng, begin, _ages(rng, "carer", q), "", 0.68)
        self.new_requests(who, begin, COMMUNITY_ROUTE, O_UNIVERSAL, begin)
        self.add_services(person=who, client_type=CARER, service_type=CARER_INFO, support_setting=COMMUNITY,
                          delivery_mechanism=NA, start=begin, end=begin + rng.exponential(800, q).astype(np.int64),
                          funding_source=COUNCIL)

    # -- the front door ---------------------------------------------------------------------------
    def contacts(self) -> None:
        """The rest of the contacts, sized so that the month's volume and outcome mix match the county."""
        w, rng = self.w, self.rng("contacts")
        linked = pd.concat(self.requests, ignore_index=True)
        in_window = linked[(linked["request_date"] >= w.start) & (linked["request_date"] <= w.end)]
        per_year_total = 4500 * 12 * self.f * self.ch["contacts"]
        have = in_window["request_outcome"].value_counts() / w.years
        need = {o: max(0.0, share / 100 * per_year_total - float(have.get(o, 0.0))) for o, share in REQUEST_MIX.items()}
        for outcome in (O_STMAX, O_STOTHER):
            need[outcome] = 0.0  # these come only with the episodes they started
        if sum(need.values()) <= 0:
            need[O_UNIVERSAL] = 1.0
        mix = Mix(K.REQUEST_OUTCOME, need)
        dates = _arrivals(rng, sum(need.values()), w.start - 400, w.h1, 0.06, 0.02, ref=w.end)
        n = len(dates)
        outcome = mix.draw(rng, n)
        # a quarter are from people already known (supported at home or in a home)
        svc = pd.concat(self.services, ignore_index=True)
        users = svc[svc["client_type"] == SERVICE_USER]
        known = np.where(rng.random(n) < 0.25, _pick_active(rng, users["start"].to_numpy(np.int64),
                                                           users["end"].to_numpy(np.int64), dates, dates), -1)
        person = np.empty(n, dtype=np.int64)
        person[known >= 0] = users["person"].to_numpy(np.int64)[known[known >= 0]]
        fresh = np.flatnonzero(known < 0)
        person[fresh] = self.add_people(rng, dates[fresh], _ages(rng, "contact", len(fresh)), PSR_CONTACT, 0.58)
        decided = dates + np.where(outcome == O_UNIVERSAL, 0, rng.integers(0, 15, n))
        keys = self.new_requests(person, dates, ROUTES["contact"].draw(rng, n), outcome, decided)
        a = np.flatnonzero(outcome == O_ASSESS)
        wait = np.minimum(rng.exponential(175 * self.ch["wait"], len(a)), 365).astype(np.int64)
        start = decided[a] + wait
        self.add_assessments(person[a], keys[a], NEEDS, start, start + rng.integers(1, 41, len(a)),
                             CONTACT_ASSESSMENT.draw(rng, len(a)), decided[a])
        # reassessments of people already supported (no new request)
        r_dates = _arrivals(rng, 90 * 12 * self.f, w.start - 60, w.h1, 0.0, 0.0, ref=w.end)
        lts = users[users["service_type"].str.startswith("Long Term Support")]
        hit = _pick_active(rng, lts["start"].to_numpy(np.int64), lts["end"].to_numpy(np.int64), r_dates, r_dates)
        r_dates = r_dates[hit >= 0]
        self.add_assessments(lts["person"].to_numpy(np.int64)[hit[hit >= 0]], -1, REASSESS, r_dates,
                             r_dates + rng.integers(1, 31, len(r_dates)), REASSESSMENT.draw(rng, len(r_dates)))

    # -- censor at the extract date -------------------------------------------------------------
    def extracts(self):
        """Yield (feed, frame) for each Liquid Logic extract on the extract date, in contract columns.

        One feed at a time (people last), so only one feed's text is held in memory at once.
        """
        w = self.w
        self.long_term_support()
        episodes = self.reablement()
        self.short_stays()
        self.carers()
        self.contacts()
        dod = np.full(self.n_people, OPEN, dtype=np.int64)
        if self.deaths:
            who = np.concatenate([d[0] for d in self.deaths])
            when = np.concatenate([d[1] for d in self.deaths])
            np.minimum.at(dod, who, when)

        def alive(frame: pd.DataFrame, col: str) -> pd.DataFrame:
            """Nothing happens to anyone after their death (people waiting who die leave the list)."""
            return frame[frame[col].to_numpy(np.int64) <= dod[frame["person"].to_numpy(np.int64)]]

        svc = pd.concat(self.services, ignore_index=True)
        self.services = []
        svc = svc[(svc["start"] <= w.end) & (svc["end"] >= w.start - 31)]
        svc = svc.sort_values(["start", "person", "service_type"], kind="stable").reset_index(drop=True)
        reviews = alive(self.reviews(svc), "review_date")
        status = alive(self.client_status(svc, reviews), "as_at")
        req = alive(pd.concat(self.requests, ignore_index=True), "request_date")
        died = req["outcome_date"].to_numpy(np.int64) > dod[req["person"].to_numpy(np.int64)]
        req.loc[died, "outcome_date"] = dod[req.loc[died, "person"].to_numpy(np.int64)]  # closed on the death
        req.loc[died, "request_outcome"] = O_CLOSED
        asm = pd.concat(self.assessments, ignore_index=True)
        self.requests, self.assessments = [], []
        holding = alive(self.holding_list(asm), "snapshot")  # on the list until allocated, or until death
        asm = alive(asm, "start")
        cut = asm["completion"].to_numpy(np.int64) > dod[asm["person"].to_numpy(np.int64)]
        asm.loc[cut, "completion"] = dod[asm.loc[cut, "person"].to_numpy(np.int64)]
        asm.loc[cut, "assessment_outcome"] = A_ENDED  # the person died during the assessment
        req = req[(req["request_date"] >= w.start) & (req["request_date"] <= w.end)]
        req = req.sort_values(["request_date", "rkey"], kind="stable").reset_index(drop=True)
        asm = asm[(asm["start"] >= w.start) & (asm["start"] <= w.end)]
        asm = asm.sort_values(["start", "person", "rkey"], kind="stable").reset_index(drop=True)
        episodes = episodes[(episodes["start"] <= w.end) & (episodes["end"] >= w.start)]
        episodes = episodes.sort_values(["start", "person"], kind="stable").reset_index(drop=True)

        p = self.index + 1
        gaps = self.rng("person ids").integers(1, 6, self.n_people)
        numbers = (p * 100_000_000 + 1_000_000 + np.cumsum(gaps)).astype(np.int64)
        pid = np.char.add("LAS", numbers.astype(str)).astype(object)
        used = []

        def finish(name: str, frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
            person = frame.pop("person").to_numpy(np.int64)
            used.append(np.unique(person))
            frame.insert(0, "person_id", pid[person])
            return name, frame[K.FEEDS[name].column_names]

        def ids(prefix: str, n: int) -> np.ndarray:
            return np.array([f"{prefix}{p:02d}{k:07d}" for k in range(n)], dtype=object)

        req_id = ids("RQ", len(req))
        ids_by_key = pd.Series(req_id, index=req["rkey"].to_numpy())
        pending = req["outcome_date"].to_numpy() > w.end
        yield finish("requests", pd.DataFrame({
            "request_id": req_id, "person": req["person"].to_numpy(), "la_code": self.la,
            "request_date": _iso(req["request_date"]), "route_of_access": req["route_of_access"].to_numpy(),
            "request_outcome": np.where(pending, "", req["request_outcome"]).astype(object),
            "outcome_date": _iso(np.where(pending, OPEN, req["outcome_date"]))}))
        del req, req_id
        done = asm["completion"].to_numpy() <= w.end
        yield finish("assessments", pd.DataFrame({
            "assessment_id": ids("AS", len(asm)), "person": asm["person"].to_numpy(), "la_code": self.la,
            "request_id": ids_by_key.reindex(asm["rkey"].to_numpy()).fillna("").to_numpy(dtype=object),
            "assessment_type": asm["assessment_type"].to_numpy(), "start_date": _iso(asm["start"]),
            "completion_date": _iso(np.where(done, asm["completion"], OPEN)),
            "assessment_outcome": np.where(done, asm["assessment_outcome"], "").astype(object)}))
        del asm, ids_by_key
        ended = svc["end"].to_numpy() <= w.end
        yield finish("services", pd.DataFrame({
            "service_id": ids("SV", len(svc)), "person": svc["person"].to_numpy(),
            "la_code": self.la, "client_type": svc["client_type"].to_numpy(),
            "service_type": svc["service_type"].to_numpy(), "support_setting": svc["support_setting"].to_numpy(),
            "delivery_mechanism": svc["delivery_mechanism"].to_numpy(), "start_date": _iso(svc["start"]),
            "end_date": _iso(np.where(ended, svc["end"], OPEN)), "funding_source": svc["funding_source"].to_numpy()}))
        del svc
        closed = episodes["end"].to_numpy() <= w.end
        # the status 91 days after discharge from hospital into reablement (ASCOF 2B(1)): known once
        # 91 days have passed since the episode started, so October-December discharges are in a year-end extract
        followed = closed & (episodes["start"].to_numpy() + 91 <= w.extract)
        yield finish("reablement", pd.DataFrame({
            "episode_id": ids("RB", len(episodes)), "person": episodes["person"].to_numpy(),
            "la_code": self.la, "start_date": _iso(episodes["start"]),
            "end_date": _iso(np.where(closed, episodes["end"], OPEN)),
            "hospital_discharge": np.where(episodes["hospital"], "true", "false").astype(object),
            "sequel": np.where(closed, episodes["sequel"], "").astype(object),
            "status_at_91_days": np.where(followed, episodes["status"], "").astype(object)}))
        yield finish("reviews", pd.DataFrame({
            "review_id": ids("RV", len(reviews)), "person": reviews["person"].to_numpy(),
            "la_code": self.la, "review_date": _iso(reviews["review_date"]),
            "review_type": reviews["review_type"].to_numpy(), "review_outcome": reviews["review_outcome"].to_numpy()}))
        del reviews
        yield finish("client_status", pd.DataFrame({
            "person": status["person"].to_numpy(), "la_code": self.la, "as_at_date": _iso(status["as_at"]),
            "employment_status": status["employment_status"].to_numpy(),
            "accommodation_status": status["accommodation_status"].to_numpy()}))
        yield finish("holding_list", pd.DataFrame({
            "snapshot_date": _iso(holding["snapshot"]), "person": holding["person"].to_numpy(), "la_code": self.la,
            "team": holding["team"].to_numpy(), "waiting_since": _iso(holding["waiting_since"])}))
        del holding

        # people: everyone who appears in an extract, with deaths up to the extract date
        seen = np.unique(np.concatenate(used))
        people = {k: np.concatenate([chunk[k] for chunk in self.people]) for k in self.people[0]}
        dod = np.where(dod <= w.end, dod, OPEN)
        order = seen[np.argsort(numbers[seen], kind="stable")]
        yield "people", pd.DataFrame({
            "person_id": pid[order], "la_code": self.la, "date_of_birth": _iso(people["dob"][order]),
            "gender": people["gender"][order], "ethnicity": people["ethnicity"][order],
            "primary_support_reason": people["psr"][order], "date_of_death": _iso(dod[order])})

    def reviews(self, svc: pd.DataFrame) -> pd.DataFrame:
        """Planned reviews near each anniversary of long-term support, unplanned ones between."""
        w, rng = self.w, self.rng("reviews")
        lts = svc[(svc["client_type"] == SERVICE_USER) & svc["service_type"].str.startswith("Long Term Support")]
        s = lts["start"].to_numpy(np.int64)
        e = np.minimum(lts["end"].to_numpy(np.int64), w.end)
        setting = lts["support_setting"].to_numpy(object)
        person = lts["person"].to_numpy(np.int64)
        kmin = np.maximum(1, -((s - w.start) // 365))
        kmax = (e - s) // 365
        count = np.maximum(0, kmax - kmin + 1)
        row = np.repeat(np.arange(len(s)), count)
        k = kmin[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        day = s[row] + k * 365 + rng.integers(-14, 30, len(row))
        keep = (day >= w.start) & (day <= e[row]) & (day > s[row]) & (rng.random(len(row)) < 0.85)
        # and the first review of a new package, six to eight weeks after it starts (for some)
        first = s + rng.integers(42, 57, len(s))
        early = (first >= w.start) & (first <= e) & (rng.random(len(s)) < 0.3)
        planned = pd.DataFrame({"person": np.concatenate([person[row][keep], person[early]]),
                                "review_date": np.concatenate([day[keep], first[early]]), "review_type": PLANNED,
                                "review_outcome": REVIEW_PLANNED.draw(rng, int(keep.sum() + early.sum())),
                                "setting": np.concatenate([setting[row][keep], setting[early]])})
        lo = np.maximum(s, w.start)
        span = np.maximum(0, e - lo)
        extra = rng.poisson(0.14 * span / YEAR)
        row = np.repeat(np.arange(len(s)), extra)
        day = lo[row] + (rng.random(len(row)) * (span[row] + 1)).astype(np.int64)
        unplanned = pd.DataFrame({"person": person[row], "review_date": day, "review_type": UNPLANNED,
                                  "review_outcome": REVIEW_UNPLANNED.draw(rng, len(row)), "setting": setting[row]})
        moved = pd.concat(self.extra_reviews, ignore_index=True) if self.extra_reviews else planned.iloc[:0]
        allr = pd.concat([planned, unplanned, moved], ignore_index=True)
        allr = allr[(allr["review_date"] >= w.start) & (allr["review_date"] <= w.end)]
        return allr.sort_values(["review_date", "person"], kind="stable").reset_index(drop=True)

    def client_status(self, svc: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
        """Employment and accommodation of people with a learning disability or mental health support
        reason: as they stood before the window (last review or start) and at every review in it."""
        w, rng = self.w, self.rng("client status")
        psr = np.concatenate([chunk["psr"] for chunk in self.people])
        lts = svc[(svc["client_type"] == SERVICE_USER) & svc["service_type"].str.startswith("Long Term Support")]
        lts = lts[np.isin(psr[lts["person"].to_numpy(np.int64)], [LD, MH])]
        s = lts["start"].to_numpy(np.int64)
        baseline = np.where(s >= w.start, s, s + ((w.start - s) // 365) * 365)
        within = baseline <= lts["end"].to_numpy(np.int64)
        rows = pd.concat([
            pd.DataFrame({"person": lts["person"].to_numpy(np.int64)[within], "as_at": baseline[within],
                          "setting": lts["support_setting"].to_numpy(object)[within]}),
            reviews.loc[np.isin(psr[reviews["person"].to_numpy(np.int64)], [LD, MH]), ["person", "review_date", "setting"]]
            .rename(columns={"review_date": "as_at"}),
        ], ignore_index=True)
        rows = rows[rows["as_at"] <= w.end].drop_duplicates(["person", "as_at"], keep="first")
        rows = rows.sort_values(["as_at", "person"], kind="stable").reset_index(drop=True)
        n = len(rows)
        who = rows["person"].to_numpy(np.int64)
        ld = psr[who] == LD
        # each person has a usual status; about one review in ten records a change
        people, first = np.unique(who, return_inverse=True)
        usual_u = rng.random(len(people))[first]
        u = np.where(rng.random(n) < 0.1, rng.random(n), usual_u)
        paid = np.where(ld, 0.038 * self.ch["ld_paid"], 0.026 * self.ch["mh_paid"])
        seeking = np.where(ld, 0.05, 0.12)
        unknown = 0.09
        hours = rng.choice(len(PAID), n, p=[0.3, 0.6, 0.1])
        employment = np.where(u < paid, np.array(PAID, dtype=object)[hours],
                              np.where(u < paid + seeking, _code(K.EMPLOYMENT_STATUS, "Unemployed and seeking work"),
                                       np.where(u > 1 - unknown, _code(K.EMPLOYMENT_STATUS, "Unknown"), NOT_PAID)))
        ld_person = psr[people] == LD
        usual_a = np.where(ld_person, ACCOMMODATION_LD.draw(rng, len(people)),
                           ACCOMMODATION_MH.draw(rng, len(people)))[first]
        changed = np.where(ld, ACCOMMODATION_LD.draw(rng, n), ACCOMMODATION_MH.draw(rng, n))
        accommodation = np.where(rng.random(n) < 0.06, changed, usual_a)
        setting = rows["setting"].to_numpy(object)
        accommodation = np.where(setting == RESIDENTIAL, CARE_HOME,
                                 np.where(setting == NURSING, NURSING_HOME, accommodation))
        employment = np.where(setting == COMMUNITY, employment, NOT_PAID)
        return pd.DataFrame({"person": who, "as_at": rows["as_at"].to_numpy(np.int64),
                             "employment_status": employment.astype(object),
                             "accommodation_status": accommodation.astype(object)})

    def holding_list(self, asm: pd.DataFrame) -> pd.DataFrame:
        """At each month end, the people decided to need an assessment and not yet allocated one."""
        w, rng = self.w, self.rng("holding list")
        waiting = asm[asm["waiting_since"] < OPEN]
        since = waiting["waiting_since"].to_numpy(np.int64)
        until = waiting["start"].to_numpy(np.int64)
        i0 = np.searchsorted(w.month_ends, since, side="left")
        i1 = np.searchsorted(w.month_ends, until, side="left")
        count = np.maximum(0, i1 - i0)
        row = np.repeat(np.arange(len(since)), count)
        snap = i0[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        frame = pd.DataFrame({"snapshot": w.month_ends[snap], "person": waiting["person"].to_numpy(np.int64)[row],
                              "waiting_since": since[row]})
        frame = frame.sort_values(["snapshot", "waiting_since", "person"], kind="stable")
        frame = frame.drop_duplicates(["snapshot", "person"], keep="first").reset_index(drop=True)
        teams = np.array(TEAMS.get(self.la, TEAMS[None]), dtype=object)
        people = np.unique(frame["person"].to_numpy(np.int64))
        team_of = pd.Series(teams[rng.integers(0, len(teams), len(people))], index=people)
        frame["team"] = team_of.reindex(frame["person"].to_numpy()).to_numpy(object)
        return frame

    # -- NHS and ONS feeds ------------------------------------------------------------------------
    def dtoc(self) -> pd.DataFrame:
        """Delayed days per month by provider, acute/non-acute, responsible organisation and reason."""
        w, rng = self.w, self.rng("dtoc")
        providers = PROVIDERS.get(self.la) or _providers(self.rng("providers"))
        codes = np.array([p[0] for p in providers], dtype=object)
        acute = np.array([p[1] for p in providers], dtype=object)
        pshare = np.array([p[2] for p in providers], dtype=float)
        pshare /= pshare.sum()
        month_no = w.months.astype(np.int64) % 12 + 1
        winter = np.select([np.isin(month_no, [12, 1, 2]), np.isin(month_no, [11, 3])], [1.22, 1.08], 0.94)
        years_back = (w.month_ends - w.end) / YEAR
        frames = []
        for org, base, growth, knob in (("NHS", 1400, 0.04, "dtoc_nhs"), ("Social Care", 740, 0.12, "dtoc_sc"),
                                        ("Both", 60, 0.05, "dtoc_sc")):
            reasons, rshare = _mix(K.DTOC_REASON, DTOC_REASONS[org])
            total = base * self.f * self.ch[knob] * winter * (1 + growth) ** years_back
            total *= rng.lognormal(0, 0.06, len(total))
            lam = total[:, None, None] * pshare[None, :, None] * rshare[None, None, :]
            days = rng.poisson(lam)
            m, pr, rs = np.nonzero(days)
            frames.append(pd.DataFrame({
                "period": w.months[m].astype(str), "la_code": self.la, "provider_code": codes[pr],
                "acute_or_non_acute": acute[pr], "responsible_org": _code(K.RESPONSIBLE_ORG, org),
                "reason_code": reasons[rs], "delayed_days": days[m, pr, rs]}))
        frame = pd.concat(frames, ignore_index=True)
        order = {r: i for i, r in enumerate(K.RESPONSIBLE_ORG)}
        frame["_o"] = frame["responsible_org"].map(order)
        frame = frame.sort_values(["period", "provider_code", "_o", "reason_code"], kind="stable")
        return frame.drop(columns="_o").reset_index(drop=True)

    def population(self, extra_years: list[int] = ()) -> pd.DataFrame:
        """ONS mid-year estimates by single year of age (90 = 90+) and sex, every year covered and one before
        (and `extra_years`: those the CLD submissions' financial years divide by)."""
        first = int(str(np.datetime64(self.w.start, "D"))[:4]) - 1
        last = int(str(np.datetime64(self.w.end, "D"))[:4])
        years = np.union1d(np.arange(first, last + 1), np.asarray(extra_years, dtype=np.int64))
        ages = np.arange(91)
        shape = np.select(
            [ages < 18, ages < 25, ages < 41, ages < 65, ages < 90],
            [9550.0, 9000.0, 9800.0, 12000.0 - (ages - 41) * 20.0, 12500.0 * np.exp(-(ages - 65) / 17.0)], 0.0)
        shape[90] = 9000.0
        # cohorts of different sizes (baby booms, students leaving), the same shape every year for a council
        wobble = np.convolve(self.rng("population").normal(0, 0.05, 95), np.ones(5) / 5, mode="valid")[:91]
        shape *= 1 + wobble + 0.04 * np.sin(ages / 9.0)
        bands = [(ages < 18, 171_900, 0.004), ((ages >= 18) & (ages < 65), 507_180, 0.003), (ages >= 65, 213_765, 0.021)]
        pop = np.zeros((len(years), 91))
        for mask, total, growth in bands:
            pop[:, mask] = shape[mask] / shape[mask].sum() * total * self.f * (1 + growth) ** (years[:, None] - 2016)
        male = np.clip(0.505 - np.maximum(0, ages - 60) * 0.0055, 0.3, 0.51)
        y_idx, a_idx = np.meshgrid(np.arange(len(years)), ages, indexing="ij")
        frames = []
        for sex, share in (("Male", male), ("Female", 1 - male)):
            frames.append(pd.DataFrame({"la_code": self.la, "year": years[y_idx.ravel()], "sex": sex,
                                        "age": ages[a_idx.ravel()],
                                        "population": np.round(pop * share[None, :]).astype(np.int64).ravel()}))
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values(["year", "sex", "age"], kind="stable", ascending=[True, False, True]).reset_index(drop=True)


TEAMS = {"E10000020": ["Norwich", "North", "South", "East", "West"],
         None: ["North", "South", "East", "West", "Central"]}
PROVIDERS = {  # (provider code, acute or non-acute, share of the council's delays)
    "E10000020": [("RM1", "Acute", 0.44), ("RCX", "Acute", 0.2), ("RGP", "Acute", 0.14),
                  ("RY3", "Non-acute", 0.14), ("RMY", "Non-acute", 0.08)],
}
DTOC_REASONS = {
    "NHS": {"A": 20, "B": 4, "C": 30, "D(i)": 4, "D(ii)": 4, "E": 6, "F": 5, "G": 19, "H": 2, "I": 6},
    "Social Care": {"A": 24, "B": 5, "D(i)": 15, "D(ii)": 13, "E": 31, "F": 3, "G": 5, "H": 1, "I": 3},
    "Both": {"A": 30, "B": 5, "D(i)": 15, "D(ii)": 12, "E": 28, "F": 5, "G": 5},
}


def _providers(rng) -> list[tuple[str, str, float]]:
    letters = np.array(list("ABCDEFGHJKLMNPQRTVWXY"))
    codes = sorted({"R" + "".join(rng.choice(letters, 2)) for _ in range(12)})[:5]
    kinds = ["Acute", "Acute", "Acute", "Non-acute", "Non-acute"]
    shares = [0.42, 0.22, 0.14, 0.13, 0.09]
    return [(c, _code(K.ACUTE_OR_NON_ACUTE, k), s) for c, k, s in zip(codes, kinds, shares)]


# --- reference data ---------------------------------------------------------------------------

_fy_label = fy_label  # the one definition (periods.py)


TARGETS = {  # indicator: (target in the first month, in the last month), profiled linearly between
    "VS_ADMISSIONS_18_64": (18.2, 16.5), "VS_ADMISSIONS_65_PLUS": (600.0, 573.0), "VS_HOME_91_DAYS": (90.0, 90.0),
    "VS_DTOC_SOCIAL_CARE": (1.7, 1.5), "VS_LD_EMPLOYMENT": (3.8, 4.0), "VS_MH_EMPLOYMENT": (3.5, 3.7),
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
            frames.append(pd.DataFrame({"indicator_code": code, "la_code": c.la_code, "period": w.months.astype(str),
                                        "target": np.round((a + (b - a) * k) * ambition, 2)}))
    return pd.concat(frames, ignore_index=True)


ASCOF = {  # code: (typical value, spread between councils, bigger is better)
    "1C1A": (88.0, 6.0, True), "1C1B": (80.0, 12.0, True), "1C2A": (28.0, 5.0, True), "1C2B": (70.0, 15.0, True),
    "1E": (5.8, 2.0, True), "1G": (76.0, 6.0, True), "2A1": (13.0, 3.0, False), "2A2": (610.0, 80.0, False),
    "2B1": (83.0, 5.0, True), "2B2": (2.7, 0.8, True), "2C1": (13.0, 3.5, False), "2C2": (5.0, 1.8, False),
    "2D": (77.0, 7.0, True),
}


def _benchmarks(w: Window, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, zlib.crc32(b"benchmarks")])
    members = COUNCILS
    character = rng.normal(0, 1, (len(ASCOF), len(members)))
    rows = []
    for y, fy in enumerate(w.financial_years):
        for i, (code, (typical, spread, bigger)) in enumerate(ASCOF.items()):
            drift = (y - len(w.financial_years) + 1) * 0.02 * spread
            values = np.round(np.maximum(0.1, typical + drift + spread * (0.85 * character[i] + 0.35 * rng.normal(0, 1, len(members)))), 1)
            order = np.argsort(-values if bigger else values, kind="stable")
            rank = np.empty(len(members), dtype=np.int64)
            rank[order] = np.arange(1, len(members) + 1)
            for c, v, r in zip(members, values, rank):
                rows.append((code, _fy_label(fy), c.la_code, c.name, "LA", float(v), str(r), str(len(members))))
            rows.append((code, _fy_label(fy), FAMILY_GROUP, FAMILY_GROUP_NAME, "Family group",
                         round(float(values.mean()), 1), "", ""))
            rows.append((code, _fy_label(fy), EAST[0], EAST[1], "Region",
                         round(float(typical + drift + rng.normal(0, spread / 4)), 1), "", ""))
            rows.append((code, _fy_label(fy), *ENGLAND, "England", round(float(typical + drift + rng.normal(0, spread / 6)), 1),
                         "", ""))
    for row in rows:
        _code(K.AREA_TYPE, row[4])
    return pd.DataFrame(rows, columns=K.FEEDS["benchmarks"].column_names)


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
        frames.append(pd.DataFrame({"indicator_code": "VS_CQC_GOOD", "la_code": c.la_code, "period_type": "month",
                                    "period_end": _iso(w.month_ends), "numerator": good.astype(str),
                                    "denominator": rated.astype(str),
                                    "value": [f"{v:.4f}" for v in 100 * good / rated]}))
        # 2B(2): NHS hospital discharges of people 65+ between 1 October and 31 December (the denominator only)
        fys = [fy for fy in w.financial_years if w.start <= _day(f"{fy}-10-01") and _day(f"{fy}-12-31") <= w.end]
        discharges = [str(int(round(20_000 * f * (1.02 ** (fy - 2016)) * rng.uniform(0.95, 1.05)))) for fy in fys]
        frames.append(pd.DataFrame({"indicator_code": "2B2", "la_code": c.la_code, "period_type": "financial_year",
                                    "period_end": [f"{fy + 1}-03-31" for fy in fys], "numerator": "",
                                    "denominator": discharges, "value": ""}))
    frame = pd.concat(frames, ignore_index=True)
    for pt in frame["period_type"].unique():
        _code(K.PERIOD_TYPE, pt)
    return frame


# --- risk register ---------------------------------------------------------------------------

RISKS = [  # id, name, date entered, original L, I, current L, I, target L, I, target date, prospects
    ("RM14079", "Failure to meet the long term needs of {la} citizens", "11/10/2012", 5, 5, 4, 5, 2, 4, "31/03/2030", "Amber"),
    ("RM0207", "Failure to meet the needs of {la} citizens", "01/04/2011", 3, 4, 3, 4, 2, 4, "31/03/2018", "Amber"),
    ("RM13925", "Lack of capacity in ICT systems", "30/04/2011", 4, 4, 3, 4, 3, 2, "31/03/2018", "Amber"),
    ("RM14247", "Failure in the care market", "07/09/2015", 4, 3, 4, 3, 2, 3, "31/03/2018", "Amber"),
    ("RM14149", "Impact of the Care Act", "27/11/2013", 4, 3, 1, 5, 1, 3, "31/03/2020", "Green"),
    ("RM019", "Failure to deliver a new fit for purpose social care system on time and to budget", "06/02/2014",
     4, 5, 3, 5, 1, 5, "30/09/2018", "Amber"),
    ("RM014b", "Savings on Adult Social Services transport are not achieved", "20/03/2015", 3, 3, 4, 3, 2, 3,
     "31/03/2018", "Red"),
    ("RM14250", "Failure to achieve the budget savings of the Promoting Independence programme", "01/04/2016",
     3, 5, 4, 5, 2, 4, "31/03/2019", "Amber"),
    ("RM14251", "Pressure on hospital discharges and delayed transfers of care", "01/06/2016", 4, 4, 4, 4, 2, 3,
     "31/03/2018", "Amber"),
    ("RM14252", "Backlog of Deprivation of Liberty Safeguards assessments", "15/04/2014", 4, 4, 4, 4, 2, 4,
     "31/03/2019", "Red"),
    ("RM14253", "Shortfall between funding and pressures through health and social care integration", "01/10/2015",
     3, 5, 3, 5, 2, 5, "31/03/2019", "Amber"),
    ("RM14254", "Holding list for assessment does not reduce", "01/07/2016", 4, 3, 4, 3, 2, 2, "31/03/2018", "Amber"),
    ("RM14255", "Practice and culture changes needed for strengths-based social work are not achieved",
     "01/04/2016", 3, 4, 3, 4, 2, 3, "31/03/2019", "Amber"),
    ("RM14256", "Failure to follow data protection procedures", "12/01/2015", 3, 5, 2, 5, 2, 3, "31/03/2018", "Green"),
    ("RM14257", "Legal challenge to the fee uplift for care providers", "01/04/2016", 3, 4, 3, 4, 1, 4, "31/03/2018",
     "Amber"),
    ("RM14258", "Failure of the home care market through recruitment difficulties", "01/09/2016", 4, 4, 4, 4, 2, 3,
     "31/03/2019", "Amber"),
    ("RM14259", "Integration with the NHS adversely affects statutory responsibilities", "01/11/2015", 3, 5, 2, 5,
     1, 5, "31/03/2019", "Green"),
    ("RM14238", "Failure in our responsibilities towards carers", "01/01/2015", 2, 3, 2, 3, 1, 1, "31/03/2018", "Amber"),
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
OWNERS = {"E10000020": ["James Bullion", "Sera Hall", "Janice Dane", "Lorna Bright", "Catherine Underwood"],
          None: ["Director of Adult Social Services", "Director of Commissioning", "Director of Operations",
                 "Head of Finance", "Head of Safeguarding"]}
REVIEWERS = {"E10000020": ["Debbie Bartlett", "Sarah Rank", "Steve Holland", "Emma Bugg", "Helen Thacker"],
             None: ["Risk Management Officer", "Head of Performance", "Business Support Manager"]}


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
            rows.append({
                "la_code": c.la_code, "risk_id": rid, "risk_name": name,
                "risk_description": (f"If the council cannot manage this risk ({name[0].lower() + name[1:]}), outcomes "
                                     "for people who use services may worsen and the council may face legal, "
                                     "financial and reputational consequences."),
                "area": "Adult Social Services", "date_entered": entered,
                "original_likelihood": ol, "original_impact": oi, "current_likelihood": cl, "current_impact": ci,
                "target_likelihood": tl, "target_impact": ti, "target_date": target_date,
                "prospects": _code(K.PROSPECTS, prospects),
                "tasks": "1) Mitigation plan agreed by the senior management team 2) Monthly monitoring of progress "
                         "3) Escalation to the committee where off track",
                "progress_update": ("Actions on track; reviewed with the risk owner this quarter." if prospects == "Green"
                                    else "Some actions behind schedule; recovery plan agreed with the risk owner."),
                "risk_owner": owners[i % len(owners)], "reviewed_by": reviewers[i % len(reviewers)],
                "review_date": _uk(review), "original_score": ol * oi, "current_score": cl * ci,
                "target_score": tl * ti})
        out.append((when, pd.DataFrame(rows, columns=K.FEEDS["risk_register"].column_names)))
    return out


COMMENTARY = """## Why is this important?
{why}

## What explains current performance?
{explains}

## What will success look like?
{success}

## Action required
{action}

## Responsible officers
Lead: {lead}
Data owner: Business Intelligence and Performance Service
"""
COMMENTARY_TEXT = {
    "VS_DTOC_SOCIAL_CARE": dict(
        why="Staying in hospital longer than necessary harms people's health and independence: ten days in a "
            "hospital bed can mean years of lost muscle strength for an older person.",
        explains="- Winter pressure on acute hospitals raised referrals for care at home and in care homes.\n"
                 "- The home care market cannot recruit enough staff in rural areas, so packages start late.",
        success="- Social care delayed days back to the profiled target and sustained for three months.\n"
                "- Fewer delays waiting for care packages in people's own homes (reason E).",
        action="- Joint discharge hub with the acute trusts, seven days a week.\n"
               "- Targeted investment of the improved Better Care Fund in the home care market.",
        lead="Director of Integrated Care"),
    "VS_ADMISSIONS_65_PLUS": dict(
        why="Supporting people to live independently at home for longer is better for them and for the council's "
            "budget; permanent care should be the right choice, not the default after a crisis.",
        explains="- Admissions rose over the winter, many directly after a hospital stay.\n"
                 "- Interim (planning) beds are converting to permanent placements too often.",
        success="- Rolling twelve-month admissions at or below the profiled target.\n"
                "- No permanent placements made directly from a hospital bed.",
        action="- Reinforce reablement and therapy first on every acute pathway.\n"
               "- Review every interim placement before it becomes permanent.",
        lead="Director of Community Social Work"),
    "VS_ADMISSIONS_18_64": dict(
        why="Younger adults should be supported to live independently in their own communities wherever possible.",
        explains="- A small number of placements moves the rate noticeably: each admission is about 0.2 per 100,000.",
        success="- Rolling twelve-month admissions at or below the profiled target.",
        action="- Panel review of every proposed placement for a working-age adult.\n"
               "- Develop supported living as an alternative to residential care.",
        lead="Director of Community Social Work"),
    "VS_LD_EMPLOYMENT": dict(
        why="Having a job significantly improves the life chances, wellbeing and independence of people with "
            "learning disabilities.",
        explains="- Employment status is recorded at review; many reviews are overdue, so recorded figures lag.\n"
                 "- Few supported employment opportunities in rural districts.",
        success="- At least the target share of people with a learning disability in paid work.",
        action="- Record employment status at every review.\n"
               "- Work with the employment support service and local employers on supported internships.",
        lead="Head of Learning Disability Services"),
    "VS_MH_EMPLOYMENT": dict(
        why="Employment is a key part of recovery for people with mental health needs.",
        explains="- Recording of employment status in the mental health trust's system is incomplete.",
        success="- At least the target share of people with mental health support needs in paid work.",
        action="- Agree a data-sharing improvement plan with the mental health trust.",
        lead="Head of Mental Health Social Work"),
}


# --- writing ----------------------------------------------------------------------------------

def _dirty(rng, feed: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A handful of data-quality problems (well under 1% of rows): some break a contract rule, some are
    accepted variants (DD/MM/YYYY dates, Y/N booleans, codes in odd case or spacing or with an en dash)."""
    n = len(frame)
    if n < 50:
        return frame
    frame = frame.copy()
    k = max(1, min(3, n // 400))

    def rows(m: int, mask=None) -> np.ndarray:
        pool = np.flatnonzero(np.ones(n, bool) if mask is None else np.asarray(mask))
        return frame.index[pool[rng.choice(len(pool), min(m, len(pool)), replace=False)]] if len(pool) else frame.index[:0]

    def uk_dates(col: str, m: int) -> None:
        for i in rows(m, frame[col] != ""):
            y, mo, d = frame.at[i, col].split("-")
            frame.at[i, col] = f"{d}/{mo}/{y}"

    def before(start: str, end: str) -> None:  # end before start
        for i in rows(k, frame[end] != ""):
            frame.at[i, end] = str(np.datetime64(frame.at[i, start]) - np.timedelta64(int(rng.integers(3, 30)), "D"))

    def recode(col: str, value: str, m: int, mask=None) -> None:
        for i in rows(m, mask):
            frame.at[i, col] = value

    duplicate = False
    if feed == "people":
        recode("gender", "Not recorded", k)  # unknown code
        recode("date_of_birth", "2099-06-01", 1)  # date of birth in the future
        recode("primary_support_reason", "  learning  disability SUPPORT ", k, frame["primary_support_reason"] == LD)
        uk_dates("date_of_birth", 3)
        duplicate = True
    elif feed == "requests":
        recode("route_of_access", "Walk-in", k)  # unknown code
        for i in rows(k, (frame["outcome_date"] != "") & (frame["outcome_date"] != frame["request_date"])):
            frame.at[i, "outcome_date"], frame.at[i, "request_date"] = frame.at[i, "request_date"], frame.at[i, "outcome_date"]
        recode("request_outcome", "universal services/signposted to other services", 3, frame["request_outcome"] == O_UNIVERSAL)
        uk_dates("request_date", 3)
    elif feed == "assessments":
        before("start_date", "completion_date")
        recode("assessment_outcome", "Eligible needs \u2013 services provided", 3, frame["assessment_outcome"] == A_SERVICES)
        uk_dates("start_date", 3)
    elif feed == "services":
        before("start_date", "end_date")
        recode("service_type", "Long Term Support: Supported Living", k)  # unknown code
        recode("service_type", "long term support:  community", 3, frame["service_type"] == LT_COM)
        uk_dates("start_date", 3)
        duplicate = True
    elif feed == "reablement":
        before("start_date", "end_date")
        recode("sequel", "Reablement completed", 1, frame["sequel"] != "")  # unknown code
        recode("sequel", "ongoing low level support", 3, frame["sequel"] == "Ongoing Low Level Support")
        recode("sequel", "No Services Provided \u2013 No identified needs", 3,
               frame["sequel"] == "No Services Provided - No identified needs")
        for i in rows(5):
            frame.at[i, "hospital_discharge"] = "Y" if frame.at[i, "hospital_discharge"] == "true" else "N"
    elif feed == "reviews":
        recode("review_outcome", "Support changed", k)  # unknown code
        recode("review_type", "PLANNED", 3, frame["review_type"] == PLANNED)
        uk_dates("review_date", 3)
    elif feed == "client_status":
        recode("employment_status", "paid:  less than 16 hours a week", 2,
               frame["employment_status"] == "Paid: less than 16 hours a week")
        duplicate = True
    elif feed == "holding_list":
        for i in rows(k):
            frame.at[i, "waiting_since"] = str(np.datetime64(frame.at[i, "snapshot_date"]) + np.timedelta64(5, "D"))
        uk_dates("waiting_since", 3)
    elif feed == "dtoc":
        i = rows(1)
        frame.loc[i, "delayed_days"] = -int(frame.loc[i, "delayed_days"].iloc[0])
        recode("acute_or_non_acute", "NON-ACUTE", 2, frame["acute_or_non_acute"] == "Non-acute")
    if duplicate:
        frame = pd.concat([frame, frame.loc[rows(k)]]).sort_index(kind="stable").reset_index(drop=True)
    return frame


def _write(frame: pd.DataFrame, path: Path, append: bool) -> None:
    frame.to_csv(path, index=False, mode="a" if append else "w", header=not append, lineterminator="\n")


def generate(out: Path, councils: int = 1, years: int = 2, scale: float = 1.0, seed: int = 42,
             dirty: bool = False, end_month: str = "2017-03", cld_first: str | None = None,
             cld_last: str | None = None) -> dict[str, int]:
    """Write a landing folder; return rows written per feed name (and `cld`: rows in CLD submissions).

    CLD submissions (sample/cld.py) cover the quarters `cld_first`..`cld_last` (quarter-end months,
    default June 2023 to March 2025), whatever the Liquid Logic window.
    """
    from . import cld as cld_sample

    if not 1 <= councils <= len(COUNCILS):
        raise ValueError(f"councils must be between 1 and {len(COUNCILS)}")
    if years < 1:
        raise ValueError("years must be at least 1")
    if not scale > 0:
        raise ValueError("scale must be positive")
    out = Path(out)
    cld_first = cld_first or cld_sample.FIRST_QUARTER_END
    cld_last = cld_last or cld_sample.LAST_QUARTER_END
    cld_years = cld_sample.population_years(cld_first, cld_last)  # checks the span before anything is written
    w = Window(years, end_month)
    stamp = w.stamp
    chosen = list(enumerate(COUNCILS[:councils]))
    for folder in ("liquidlogic", "dtoc", "population", "reference", "risk_register", "commentary"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    written: set[Path] = set()
    s_cld = seed % (1 << 63)

    def emit(feed: str, frame: pd.DataFrame, path: Path) -> None:
        frame = frame[[c for c in K.FEEDS[feed].column_names if c in frame.columns]]
        _write(frame, path, append=path in written)
        written.add(path)
        counts[feed] = counts.get(feed, 0) + len(frame)

    for index, council in chosen:
        sim = Sim(seed, index, council, scale, w)
        noise = np.random.default_rng([seed % (1 << 63), index, zlib.crc32(b"dirty")])

        def feeds():
            yield from sim.extracts()
            yield "dtoc", sim.dtoc()
            yield "population", sim.population(cld_years)

        for feed, frame in feeds():
            if dirty and feed != "population":
                frame = _dirty(noise, feed, frame)
            emit(feed, frame, out / K.FEEDS[feed].folder / f"{feed}_{stamp}.csv")
            del frame
        for when, snapshot in _risk_snapshots(seed % (1 << 63), index, council, w):
            day = str(np.datetime64(when, "D")).replace("-", "")
            emit("risk_register", snapshot, out / "risk_register" / f"risk_register_{day}.csv")
        counts["cld"] = counts.get("cld", 0) + cld_sample.write_council(out, s_cld, index, council, scale,
                                                                         cld_first, cld_last)

    ref = out / "reference"
    s = seed % (1 << 63)
    emit("targets", _targets(chosen, w, s), ref / f"targets_{stamp}.csv")
    emit("benchmarks", _benchmarks(w, s), ref / f"benchmarks_{stamp}.csv")
    emit("family_groups", pd.DataFrame({"la_code": [c.la_code for c in COUNCILS], "family_group": FAMILY_GROUP}),
         ref / f"family_groups_{stamp}.csv")
    emit("indicator_values", _indicator_values(chosen, w, scale, s), ref / f"indicator_values_{stamp}.csv")
    period = str(w.months[-1])
    for code, text in COMMENTARY_TEXT.items():
        folder = out / "commentary" / code
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{period}.md").write_text(COMMENTARY.format(**text), encoding="utf-8", newline="\n")
    return {feed: counts[feed] for feed in [*K.FEEDS, "cld"] if feed in counts}
