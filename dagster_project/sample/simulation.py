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

import numpy as np
import pandas as pd

from .. import contracts as K
from .codes import (  # the codes and mixes the simulation draws
    A_ENDED,
    A_SERVICES,
    ACCOMMODATION_LD,
    ACCOMMODATION_MH,
    AT_HOME,
    CARE_HOME,
    CARER,
    CARER_ASSESS,
    CARER_CCS,
    CARER_DP,
    CARER_INFO,
    COMMISSIONED,
    COMMUNITY,
    COMMUNITY_ROUTE,
    CONTACT_ASSESSMENT,
    COUNCIL,
    COUNCIL_SHARE_RES,
    COUNCIL_SHARE_RES_YOUNG,
    DECEASED,
    DIVERSION,
    DP,
    ETHNICITY,
    FUNDING_COM,
    FUNDING_RES,
    FUNDING_RES_YOUNG,
    GENDER_OTHER,
    HOSPITAL,
    IN_CARE,
    LD,
    LT_COM,
    LT_NURS,
    LT_RES,
    MH,
    MPB,
    NA,
    NEEDS,
    NOT_PAID,
    NURSING,
    NURSING_HOME,
    O_ASSESS,
    O_CLOSED,
    O_STMAX,
    O_STOTHER,
    O_UNIVERSAL,
    PAID,
    PDP,
    PLANNED,
    PSR_CONTACT,
    PSR_LD,
    PSR_MH,
    PSR_OLD_COM,
    PSR_OLD_RES,
    PSR_WORKING,
    PSR_YOUNG_RES,
    R_MOVED,
    REASSESS,
    REASSESSMENT,
    REQUEST_MIX,
    RESIDENTIAL,
    REVIEW_PLANNED,
    REVIEW_UNPLANNED,
    ROUTES,
    SEQ_DEATH,
    SEQ_LTS,
    SEQUELS,
    SERVICE_USER,
    ST_OTHER,
    STATUS_91,
    UNPLANNED,
    Mix,
    _code,
    _mix,
)
from .councils import CHARACTER, Council
from .timeline import OPEN, YEAR, Window, _arrivals, _iso, _pick_active


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
        self.people.append(
            {
                "dob": dob,
                "gender": gender,
                "ethnicity": eth_names[rng.choice(len(eth_names), n, p=eth_p)],
                "psr": np.broadcast_to(np.asarray(psr, dtype=object), (n,)).copy(),
            }
        )
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
            self.requests.append(
                pd.DataFrame(
                    {
                        "rkey": keys,
                        "person": person,
                        "request_date": request_date,
                        "route_of_access": np.broadcast_to(np.asarray(route, dtype=object), (n,)),
                        "request_outcome": np.broadcast_to(np.asarray(outcome, dtype=object), (n,)),
                        "outcome_date": outcome_date,
                    }
                )
            )
        return keys

    def add_assessments(self, person, rkey, kind, start, completion, outcome, waiting_since=None) -> None:
        n = len(person)
        if n:
            self.assessments.append(
                pd.DataFrame(
                    {
                        "person": person,
                        "rkey": np.broadcast_to(np.asarray(rkey, dtype=np.int64), (n,)),
                        "assessment_type": np.broadcast_to(np.asarray(kind, dtype=object), (n,)),
                        "start": start,
                        "completion": completion,
                        "assessment_outcome": np.broadcast_to(np.asarray(outcome, dtype=object), (n,)),
                        "waiting_since": OPEN if waiting_since is None else waiting_since,
                    }
                )
            )

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
        return np.select([u < dp_share, u < dp_share + pdp_share, u < 0.91], [DP, PDP, MPB], COMMISSIONED).astype(
            object
        )

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
                self.add_services(
                    person=person,
                    client_type=SERVICE_USER,
                    service_type=LT_COM,
                    support_setting=COMMUNITY,
                    delivery_mechanism=self.mechanism(rng, ages, name == "ld"),
                    start=starts,
                    end=ends,
                    funding_source=FUNDING_COM.draw(rng, n),
                )
                self.pathway(rng, person[arrived], starts[arrived], name, 130)

    def placements(self, rng, person, starts, ends, nursing, funding) -> None:
        """Permanent placements; some residents move home: the next placement starts within 7 days."""
        n = len(person)
        stype = np.where(nursing, LT_NURS, LT_RES).astype(object)
        moves = (rng.random(n) < 0.07) & (ends - starts > 60)
        at = starts + ((ends - starts) * rng.uniform(0.15, 0.85, n)).astype(np.int64)
        first_end = np.where(moves, at, ends)
        self.add_services(
            person=person,
            client_type=SERVICE_USER,
            service_type=stype,
            support_setting=np.where(nursing, NURSING, RESIDENTIAL).astype(object),
            delivery_mechanism=COMMISSIONED,
            start=starts,
            end=first_end,
            funding_source=funding,
        )
        m = np.flatnonzero(moves)
        to_nursing = nursing[m] | (rng.random(len(m)) < 0.45)
        self.add_services(
            person=person[m],
            client_type=SERVICE_USER,
            service_type=np.where(to_nursing, LT_NURS, LT_RES).astype(object),
            support_setting=np.where(to_nursing, NURSING, RESIDENTIAL).astype(object),
            delivery_mechanism=COMMISSIONED,
            start=at[m] + rng.integers(0, 8, len(m)),
            end=ends[m],
            funding_source=funding[m],
        )

    def routes_into_care(self, rng, person, starts, ages, nursing) -> None:
        """Older people reach a care home from support at home, from an interim stay, or directly."""
        n = len(person)
        u = rng.random(n)
        home, interim = u < RES65_FROM_HOME, (u >= RES65_FROM_HOME) & (u < RES65_FROM_HOME + RES65_FROM_INTERIM)
        direct = ~home & ~interim
        # from support at home: the community package ends the day before, with a review recording the move
        h = np.flatnonzero(home)
        c_start = starts[h] - np.maximum(30, rng.exponential(1.5 * YEAR, len(h))).astype(np.int64)
        self.add_services(
            person=person[h],
            client_type=SERVICE_USER,
            service_type=LT_COM,
            support_setting=COMMUNITY,
            delivery_mechanism=self.mechanism(rng, ages[h] - (starts[h] - c_start) / YEAR, np.zeros(len(h), bool)),
            start=c_start,
            end=starts[h] - 1,
            funding_source=FUNDING_COM.draw(rng, len(h)),
        )
        self.pathway(rng, person[h], c_start, "com65", 130)
        self.extra_reviews.append(
            pd.DataFrame(
                {
                    "person": person[h],
                    "review_date": np.maximum(c_start + 1, starts[h] - rng.integers(0, 15, len(h))),
                    "review_type": UNPLANNED,
                    "review_outcome": R_MOVED,
                    "setting": COMMUNITY,
                }
            )
        )
        # from an interim (short-term) stay in the same home, after a hospital stay
        i = np.flatnonzero(interim)
        s_start = starts[i] - rng.integers(14, 57, len(i))
        self.add_services(
            person=person[i],
            client_type=SERVICE_USER,
            service_type=ST_OTHER,
            support_setting=np.where(nursing[i], NURSING, RESIDENTIAL).astype(object),
            delivery_mechanism=COMMISSIONED,
            start=s_start,
            end=starts[i] - 1,
            funding_source=COUNCIL,
        )
        asked = s_start - rng.integers(0, 3, len(i))
        self.new_requests(
            person[i],
            asked,
            np.where(rng.random(len(i)) < 0.8, HOSPITAL, COMMUNITY_ROUTE).astype(object),
            O_STOTHER,
            asked,
        )
        a_start = s_start + rng.integers(2, 8, len(i))
        self.add_assessments(
            person[i], -1, NEEDS, a_start, np.maximum(a_start, starts[i] - 1 - rng.integers(0, 5, len(i))), A_SERVICES
        )
        # straight from a request (hospital or community), with a short wait
        d = np.flatnonzero(direct)
        self.pathway(rng, person[d], starts[d], "res65", 20)

    # -- short-term support ---------------------------------------------------------------------
    def community_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        svc = pd.concat(self.services, ignore_index=True)
        com = svc[svc["service_type"] == LT_COM]
        return (
            com["person"].to_numpy(np.int64),
            com["start"].to_numpy(np.int64),
            com["end"].to_numpy(np.int64),
            com["delivery_mechanism"].to_numpy(object),
        )

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
        self.new_requests(
            person[nn],
            asked,
            route.astype(object),
            O_STMAX,
            np.minimum(starts[nn], asked + rng.integers(0, 3, len(nn))),
        )
        # what followed, for new clients
        dead = new & (sequel == SEQ_DEATH)
        self.die(person[dead], ends[dead])
        later = new & (status == DECEASED) & (sequel != SEQ_DEATH)
        self.die(
            person[later],
            ends[later] + 1 + (rng.random(later.sum()) * (starts[later] + 90 - ends[later])).astype(np.int64),
        )
        lts = np.flatnonzero(new & (sequel == SEQ_LTS))
        age_then = ages[lts] + (ends[lts] - starts[lts]) / YEAR
        c0 = ends[lts] + rng.integers(1, 11, len(lts))
        older = age_then >= 65
        c1 = np.maximum(c0 + 1 + rng.exponential(np.where(older, 0.8, 2.5) * YEAR).astype(np.int64), starts[lts] + 92)
        self.add_services(
            person=person[lts],
            client_type=SERVICE_USER,
            service_type=LT_COM,
            support_setting=COMMUNITY,
            delivery_mechanism=self.mechanism(rng, age_then, np.zeros(len(lts), bool)),
            start=c0,
            end=c1,
            funding_source=FUNDING_COM.draw(rng, len(lts)),
        )
        gone = rng.random(len(lts)) < np.where(older, 0.45, 0.1)
        self.die(person[lts][gone], c1[gone])
        a_start = np.maximum(starts[lts], ends[lts] - rng.integers(1, 8, len(lts)))
        self.add_assessments(person[lts], -1, NEEDS, a_start, np.minimum(ends[lts], c0 - 1), A_SERVICES)
        care = np.flatnonzero(new & (status == IN_CARE))
        t0 = ends[care] + 1 + (rng.random(len(care)) * (starts[care] + 85 - ends[care])).astype(np.int64)
        self.add_services(
            person=person[care],
            client_type=SERVICE_USER,
            service_type=ST_OTHER,
            support_setting=RESIDENTIAL,
            delivery_mechanism=COMMISSIONED,
            start=t0,
            end=starts[care] + 91 + rng.integers(1, 30, len(care)),
            funding_source=COUNCIL,
        )
        return pd.DataFrame(
            {"person": person, "start": starts, "end": ends, "hospital": hospital, "sequel": sequel, "status": status}
        )

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
        self.add_services(
            person=person,
            client_type=SERVICE_USER,
            service_type=ST_OTHER,
            support_setting=np.where(nursing, NURSING, RESIDENTIAL).astype(object),
            delivery_mechanism=COMMISSIONED,
            start=starts,
            end=ends,
            funding_source=COUNCIL,
        )

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
        self.add_services(
            person=person[idx],
            client_type=CARER,
            service_type=np.where(dp, CARER_DP, CARER_CCS).astype(object),
            support_setting=COMMUNITY,
            delivery_mechanism=np.where(dp, DP, np.where(managed, MPB, COMMISSIONED)).astype(object),
            start=start,
            end=start + length,
            funding_source=COUNCIL,
        )
        firsts = k == 0
        self.pathway(rng, person[idx][firsts], start[firsts], "carer", 30, CARER_ASSESS)
        again = np.flatnonzero(~firsts)
        done = start[again] - rng.integers(0, 15, len(again))
        self.add_assessments(
            person[idx][again], -1, CARER_ASSESS, done - rng.integers(1, 21, len(again)), done, A_SERVICES
        )
        # information and advice: from a request resolved at the first contact
        begin = _arrivals(rng, 1850 * self.f, w.h0 - 1460, w.h1, 0.0, 0.0, ref=w.end)
        q = len(begin)
        who = self.add_people(rng, begin, _ages(rng, "carer", q), "", 0.68)
        self.new_requests(who, begin, COMMUNITY_ROUTE, O_UNIVERSAL, begin)
        self.add_services(
            person=who,
            client_type=CARER,
            service_type=CARER_INFO,
            support_setting=COMMUNITY,
            delivery_mechanism=NA,
            start=begin,
            end=begin + rng.exponential(800, q).astype(np.int64),
            funding_source=COUNCIL,
        )

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
        known = np.where(
            rng.random(n) < 0.25,
            _pick_active(rng, users["start"].to_numpy(np.int64), users["end"].to_numpy(np.int64), dates, dates),
            -1,
        )
        person = np.empty(n, dtype=np.int64)
        person[known >= 0] = users["person"].to_numpy(np.int64)[known[known >= 0]]
        fresh = np.flatnonzero(known < 0)
        person[fresh] = self.add_people(rng, dates[fresh], _ages(rng, "contact", len(fresh)), PSR_CONTACT, 0.58)
        decided = dates + np.where(outcome == O_UNIVERSAL, 0, rng.integers(0, 15, n))
        keys = self.new_requests(person, dates, ROUTES["contact"].draw(rng, n), outcome, decided)
        a = np.flatnonzero(outcome == O_ASSESS)
        wait = np.minimum(rng.exponential(175 * self.ch["wait"], len(a)), 365).astype(np.int64)
        start = decided[a] + wait
        self.add_assessments(
            person[a],
            keys[a],
            NEEDS,
            start,
            start + rng.integers(1, 41, len(a)),
            CONTACT_ASSESSMENT.draw(rng, len(a)),
            decided[a],
        )
        # reassessments of people already supported (no new request)
        r_dates = _arrivals(rng, 90 * 12 * self.f, w.start - 60, w.h1, 0.0, 0.0, ref=w.end)
        lts = users[users["service_type"].str.startswith("Long Term Support")]
        hit = _pick_active(rng, lts["start"].to_numpy(np.int64), lts["end"].to_numpy(np.int64), r_dates, r_dates)
        r_dates = r_dates[hit >= 0]
        self.add_assessments(
            lts["person"].to_numpy(np.int64)[hit[hit >= 0]],
            -1,
            REASSESS,
            r_dates,
            r_dates + rng.integers(1, 31, len(r_dates)),
            REASSESSMENT.draw(rng, len(r_dates)),
        )

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
        yield finish(
            "requests",
            pd.DataFrame(
                {
                    "request_id": req_id,
                    "person": req["person"].to_numpy(),
                    "la_code": self.la,
                    "request_date": _iso(req["request_date"]),
                    "route_of_access": req["route_of_access"].to_numpy(),
                    "request_outcome": np.where(pending, "", req["request_outcome"]).astype(object),
                    "outcome_date": _iso(np.where(pending, OPEN, req["outcome_date"])),
                }
            ),
        )
        del req, req_id
        done = asm["completion"].to_numpy() <= w.end
        yield finish(
            "assessments",
            pd.DataFrame(
                {
                    "assessment_id": ids("AS", len(asm)),
                    "person": asm["person"].to_numpy(),
                    "la_code": self.la,
                    "request_id": ids_by_key.reindex(asm["rkey"].to_numpy()).fillna("").to_numpy(dtype=object),
                    "assessment_type": asm["assessment_type"].to_numpy(),
                    "start_date": _iso(asm["start"]),
                    "completion_date": _iso(np.where(done, asm["completion"], OPEN)),
                    "assessment_outcome": np.where(done, asm["assessment_outcome"], "").astype(object),
                }
            ),
        )
        del asm, ids_by_key
        ended = svc["end"].to_numpy() <= w.end
        yield finish(
            "services",
            pd.DataFrame(
                {
                    "service_id": ids("SV", len(svc)),
                    "person": svc["person"].to_numpy(),
                    "la_code": self.la,
                    "client_type": svc["client_type"].to_numpy(),
                    "service_type": svc["service_type"].to_numpy(),
                    "support_setting": svc["support_setting"].to_numpy(),
                    "delivery_mechanism": svc["delivery_mechanism"].to_numpy(),
                    "start_date": _iso(svc["start"]),
                    "end_date": _iso(np.where(ended, svc["end"], OPEN)),
                    "funding_source": svc["funding_source"].to_numpy(),
                }
            ),
        )
        del svc
        closed = episodes["end"].to_numpy() <= w.end
        # the status 91 days after discharge from hospital into reablement (ASCOF 2B(1)): known once
        # 91 days have passed since the episode started, so October-December discharges are in a year-end extract
        followed = closed & (episodes["start"].to_numpy() + 91 <= w.extract)
        yield finish(
            "reablement",
            pd.DataFrame(
                {
                    "episode_id": ids("RB", len(episodes)),
                    "person": episodes["person"].to_numpy(),
                    "la_code": self.la,
                    "start_date": _iso(episodes["start"]),
                    "end_date": _iso(np.where(closed, episodes["end"], OPEN)),
                    "hospital_discharge": np.where(episodes["hospital"], "true", "false").astype(object),
                    "sequel": np.where(closed, episodes["sequel"], "").astype(object),
                    "status_at_91_days": np.where(followed, episodes["status"], "").astype(object),
                }
            ),
        )
        yield finish(
            "reviews",
            pd.DataFrame(
                {
                    "review_id": ids("RV", len(reviews)),
                    "person": reviews["person"].to_numpy(),
                    "la_code": self.la,
                    "review_date": _iso(reviews["review_date"]),
                    "review_type": reviews["review_type"].to_numpy(),
                    "review_outcome": reviews["review_outcome"].to_numpy(),
                }
            ),
        )
        del reviews
        yield finish(
            "client_status",
            pd.DataFrame(
                {
                    "person": status["person"].to_numpy(),
                    "la_code": self.la,
                    "as_at_date": _iso(status["as_at"]),
                    "employment_status": status["employment_status"].to_numpy(),
                    "accommodation_status": status["accommodation_status"].to_numpy(),
                }
            ),
        )
        yield finish(
            "holding_list",
            pd.DataFrame(
                {
                    "snapshot_date": _iso(holding["snapshot"]),
                    "person": holding["person"].to_numpy(),
                    "la_code": self.la,
                    "team": holding["team"].to_numpy(),
                    "waiting_since": _iso(holding["waiting_since"]),
                }
            ),
        )
        del holding

        # people: everyone who appears in an extract, with deaths up to the extract date
        seen = np.unique(np.concatenate(used))
        people = {k: np.concatenate([chunk[k] for chunk in self.people]) for k in self.people[0]}
        dod = np.where(dod <= w.end, dod, OPEN)
        order = seen[np.argsort(numbers[seen], kind="stable")]
        yield (
            "people",
            pd.DataFrame(
                {
                    "person_id": pid[order],
                    "la_code": self.la,
                    "date_of_birth": _iso(people["dob"][order]),
                    "gender": people["gender"][order],
                    "ethnicity": people["ethnicity"][order],
                    "primary_support_reason": people["psr"][order],
                    "date_of_death": _iso(dod[order]),
                }
            ),
        )

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
        planned = pd.DataFrame(
            {
                "person": np.concatenate([person[row][keep], person[early]]),
                "review_date": np.concatenate([day[keep], first[early]]),
                "review_type": PLANNED,
                "review_outcome": REVIEW_PLANNED.draw(rng, int(keep.sum() + early.sum())),
                "setting": np.concatenate([setting[row][keep], setting[early]]),
            }
        )
        lo = np.maximum(s, w.start)
        span = np.maximum(0, e - lo)
        extra = rng.poisson(0.14 * span / YEAR)
        row = np.repeat(np.arange(len(s)), extra)
        day = lo[row] + (rng.random(len(row)) * (span[row] + 1)).astype(np.int64)
        unplanned = pd.DataFrame(
            {
                "person": person[row],
                "review_date": day,
                "review_type": UNPLANNED,
                "review_outcome": REVIEW_UNPLANNED.draw(rng, len(row)),
                "setting": setting[row],
            }
        )
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
        rows = pd.concat(
            [
                pd.DataFrame(
                    {
                        "person": lts["person"].to_numpy(np.int64)[within],
                        "as_at": baseline[within],
                        "setting": lts["support_setting"].to_numpy(object)[within],
                    }
                ),
                reviews.loc[
                    np.isin(psr[reviews["person"].to_numpy(np.int64)], [LD, MH]), ["person", "review_date", "setting"]
                ].rename(columns={"review_date": "as_at"}),
            ],
            ignore_index=True,
        )
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
        employment = np.where(
            u < paid,
            np.array(PAID, dtype=object)[hours],
            np.where(
                u < paid + seeking,
                _code(K.EMPLOYMENT_STATUS, "Unemployed and seeking work"),
                np.where(u > 1 - unknown, _code(K.EMPLOYMENT_STATUS, "Unknown"), NOT_PAID),
            ),
        )
        ld_person = psr[people] == LD
        usual_a = np.where(ld_person, ACCOMMODATION_LD.draw(rng, len(people)), ACCOMMODATION_MH.draw(rng, len(people)))[
            first
        ]
        changed = np.where(ld, ACCOMMODATION_LD.draw(rng, n), ACCOMMODATION_MH.draw(rng, n))
        accommodation = np.where(rng.random(n) < 0.06, changed, usual_a)
        setting = rows["setting"].to_numpy(object)
        accommodation = np.where(
            setting == RESIDENTIAL, CARE_HOME, np.where(setting == NURSING, NURSING_HOME, accommodation)
        )
        employment = np.where(setting == COMMUNITY, employment, NOT_PAID)
        return pd.DataFrame(
            {
                "person": who,
                "as_at": rows["as_at"].to_numpy(np.int64),
                "employment_status": employment.astype(object),
                "accommodation_status": accommodation.astype(object),
            }
        )

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
        frame = pd.DataFrame(
            {
                "snapshot": w.month_ends[snap],
                "person": waiting["person"].to_numpy(np.int64)[row],
                "waiting_since": since[row],
            }
        )
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
        for org, base, growth, knob in (
            ("NHS", 1400, 0.04, "dtoc_nhs"),
            ("Social Care", 740, 0.12, "dtoc_sc"),
            ("Both", 60, 0.05, "dtoc_sc"),
        ):
            reasons, rshare = _mix(K.DTOC_REASON, DTOC_REASONS[org])
            total = base * self.f * self.ch[knob] * winter * (1 + growth) ** years_back
            total *= rng.lognormal(0, 0.06, len(total))
            lam = total[:, None, None] * pshare[None, :, None] * rshare[None, None, :]
            days = rng.poisson(lam)
            m, pr, rs = np.nonzero(days)
            frames.append(
                pd.DataFrame(
                    {
                        "period": w.months[m].astype(str),
                        "la_code": self.la,
                        "provider_code": codes[pr],
                        "acute_or_non_acute": acute[pr],
                        "responsible_org": _code(K.RESPONSIBLE_ORG, org),
                        "reason_code": reasons[rs],
                        "delayed_days": days[m, pr, rs],
                    }
                )
            )
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
            [9550.0, 9000.0, 9800.0, 12000.0 - (ages - 41) * 20.0, 12500.0 * np.exp(-(ages - 65) / 17.0)],
            0.0,
        )
        shape[90] = 9000.0
        # cohorts of different sizes (baby booms, students leaving), the same shape every year for a council
        wobble = np.convolve(self.rng("population").normal(0, 0.05, 95), np.ones(5) / 5, mode="valid")[:91]
        shape *= 1 + wobble + 0.04 * np.sin(ages / 9.0)
        bands = [
            (ages < 18, 171_900, 0.004),
            ((ages >= 18) & (ages < 65), 507_180, 0.003),
            (ages >= 65, 213_765, 0.021),
        ]
        pop = np.zeros((len(years), 91))
        for mask, total, growth in bands:
            pop[:, mask] = shape[mask] / shape[mask].sum() * total * self.f * (1 + growth) ** (years[:, None] - 2016)
        male = np.clip(0.505 - np.maximum(0, ages - 60) * 0.0055, 0.3, 0.51)
        y_idx, a_idx = np.meshgrid(np.arange(len(years)), ages, indexing="ij")
        frames = []
        for sex, share in (("Male", male), ("Female", 1 - male)):
            frames.append(
                pd.DataFrame(
                    {
                        "la_code": self.la,
                        "year": years[y_idx.ravel()],
                        "sex": sex,
                        "age": ages[a_idx.ravel()],
                        "population": np.round(pop * share[None, :]).astype(np.int64).ravel(),
                    }
                )
            )
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values(["year", "sex", "age"], kind="stable", ascending=[True, False, True]).reset_index(
            drop=True
        )


TEAMS = {
    "E10000020": ["Norwich", "North", "South", "East", "West"],
    None: ["North", "South", "East", "West", "Central"],
}
PROVIDERS = {  # (provider code, acute or non-acute, share of the council's delays)
    "E10000020": [
        ("RM1", "Acute", 0.44),
        ("RCX", "Acute", 0.2),
        ("RGP", "Acute", 0.14),
        ("RY3", "Non-acute", 0.14),
        ("RMY", "Non-acute", 0.08),
    ],
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
