"""A deterministic, synthetic but realistic landing folder (outputs.md: `vitalsigns sample`).

Scale 1 is a county the size of Norfolk: about 12,000 people in council-supported long-term
support at any month end (20,000 in a year), two thirds of them in the community; 18-64
population about 507,000 and 65+ about 214,000. Long-term support is simulated as arrivals
and durations per cohort (so stocks are stationary and admissions plausible), with winter
peaks in admissions and delayed transfers, a mild trend, moves between care homes,
temporary stays, deaths, carers and the assessment funnel. Everything is vectorised with
numpy and written council by council, so ten councils over ten years stays in bounded memory.
"""
from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contracts as K

COUNCILS = [
    ("E10000020", "Norfolk", 1.00), ("E10000024", "Nottinghamshire", 0.93), ("E10000029", "Suffolk", 0.85),
    ("E10000003", "Cambridgeshire", 0.74), ("E10000015", "Hertfordshire", 1.26), ("E10000012", "Essex", 1.38),
    ("E10000019", "Lincolnshire", 0.83), ("E10000021", "Northamptonshire", 0.78), ("E10000008", "Devon", 0.90),
    ("E10000034", "Worcestershire", 0.66), ("E10000032", "West Sussex", 0.99), ("E10000027", "Somerset", 0.62),
    ("E10000025", "Oxfordshire", 0.76), ("E10000006", "Cumbria", 0.60), ("E10000023", "North Yorkshire", 0.70),
]
FAMILY_GROUP = "CIPFA nearest neighbours (Norfolk)"
DAY = np.timedelta64(1, "D")
EMPTY = ""


def _d(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


def iso(dates: np.ndarray) -> np.ndarray:
    out = np.datetime_as_string(dates.astype("datetime64[D]"), unit="D")
    return np.where(out == "NaT", EMPTY, out)


class Window:
    def __init__(self, years: int, end_month: str):
        y, m = map(int, end_month.split("-"))
        self.end = _d(f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}")
        first = (y * 12 + m - 1) - 12 * years + 1
        self.start = _d(f"{first // 12:04d}-{first % 12 + 1:02d}-01")
        self.extract = self.end + DAY
        self.months = pd.period_range(str(self.start)[:7], end_month, freq="M")
        self.years = years

    @property
    def span_days(self) -> int:
        return int((self.end - self.start) / DAY) + 1

    def stamp(self) -> str:
        return str(self.extract).replace("-", "")


def _seasonal(dates: np.ndarray, winter: float) -> np.ndarray:
    month = (dates.astype("datetime64[M]").astype(int) % 12) + 1
    return np.where(np.isin(month, [12, 1, 2]), 1 + winter, 1 - winter / 3)


def _arrivals(rng, rate_per_year: float, t0: np.datetime64, t1: np.datetime64, winter: float = 0.0,
              trend: float = 0.0) -> np.ndarray:
    """Poisson arrival dates between t0 and t1 with a winter bump and an annual trend."""
    days = int((t1 - t0) / DAY) + 1
    n = rng.poisson(rate_per_year * days / 365.25 * (1 + winter))
    dates = t0 + rng.integers(0, days, n) * DAY
    years_from_end = (t1 - dates) / DAY / 365.25
    keep = rng.random(n) < _seasonal(dates, winter) / (1 + winter) * (1 + trend) ** (-years_from_end)
    return np.sort(dates[keep])


def _choice(rng, options, weights, n) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=w / w.sum())]


class Council:
    """All the synthetic records of one council."""

    def __init__(self, rng, index: int, la_code: str, factor: float, w: Window):
        self.rng, self.index, self.la, self.f, self.w = rng, index, la_code, factor, w
        self.people: list[pd.DataFrame] = []
        self.next_person = 0

    # -- people ------------------------------------------------------------------
    def new_people(self, n: int, age_at: np.ndarray, ages: np.ndarray, psr: np.ndarray | None = None) -> np.ndarray:
        ids = np.array([f"LAS{self.index:02d}{k:07d}" for k in range(self.next_person, self.next_person + n)],
                       dtype=object)
        self.next_person += n
        dob = age_at - (ages * 365.25).astype(int) * DAY - self.rng.integers(0, 365, n) * DAY
        r = self.rng
        gender = _choice(r, ["Female", "Male", "Other", "Unknown"], [55, 44, 0.3, 0.7], n)
        ethnicity = _choice(r, ["White British", "White Other", "Asian or Asian British", "Black or Black British",
                                "Mixed", "Other", "Not stated"], [88, 4, 2, 1, 1, 1, 3], n)
        if psr is None:
            psr = _choice(r, K.PRIMARY_SUPPORT_REASON, [10, 50, 3, 20, 5, 6, 6], n)
        self.people.append(pd.DataFrame({
            "person_id": ids, "la_code": self.la, "date_of_birth": dob, "gender": gender,
            "ethnicity": ethnicity, "primary_support_reason": psr, "date_of_death": np.full(n, np.datetime64("NaT"),
                                                                                            dtype="datetime64[D]")}))
        return ids

    def mark_deaths(self, ids: np.ndarray, dates: np.ndarray) -> None:
        self._deaths = getattr(self, "_deaths", []) + [pd.DataFrame({"person_id": ids, "date_of_death": dates})]

    def people_frame(self) -> pd.DataFrame:
        people = pd.concat(self.people, ignore_index=True)
        if getattr(self, "_deaths", None):
            deaths = pd.concat(self._deaths).drop_duplicates("person_id")
            people = people.merge(deaths, on="person_id", how="left", suffixes=("", "_new"))
            people["date_of_death"] = people["date_of_death_new"].combine_first(people["date_of_death"])
            people = people.drop(columns="date_of_death_new")
        return people

    # -- long-term support ---------------------------------------------------------
    COHORTS = [
        # name, stock at scale 1, mean years, service type, age band, psr weights (None = default)
        ("res65", 3300, 2.4, "res", "65+", None),
        ("res1864", 380, 5.0, "res", "18-64", None),
        ("com65", 3800, 2.0, "com", "65+", None),
        ("com1864", 2100, 5.0, "com", "18-64", None),
        ("ld", 2100, 14.0, "mix", "ld", None),
        ("mh", 800, 6.0, "com", "mh", None),
    ]

    def long_term_support(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        r, w = self.rng, self.w
        frames, statuses = [], []
        for name, stock, mean_years, kind, band, _ in self.COHORTS:
            rate = stock * self.f / mean_years / 0.9  # self-funded / CHC placements are not council stock
            t0 = w.start - int(mean_years * 4 * 365) * DAY
            winter = 0.15 if kind == "res" else 0.05
            starts = _arrivals(r, rate, t0, w.end, winter=winter, trend=0.015)
            n = len(starts)
            ends = starts + np.maximum(1, r.exponential(mean_years * 365.25, n)).astype(int) * DAY
            keep = ends >= w.start
            starts, ends = starts[keep], ends[keep]
            n = len(starts)
            if band == "65+":
                ages = 65 + np.minimum(r.gamma(2.2, 8.0, n), 38)
                psr = _choice(r, K.PRIMARY_SUPPORT_REASON, [12, 55, 3, 24, 0.5, 2.5, 3], n)
            elif band == "18-64":
                ages = r.uniform(18, 65, n)
                psr = _choice(r, K.PRIMARY_SUPPORT_REASON, [15, 45, 10, 8, 0, 0, 22], n)
            elif band == "ld":
                ages = np.minimum(18 + r.gamma(2.0, 9.0, n), 64.9)
                psr = np.full(n, "Learning Disability Support", dtype=object)
            else:
                ages = r.uniform(18, 65, n)
                psr = np.full(n, "Mental Health Support", dtype=object)
            ids = self.new_people(n, starts, ages, psr)
            if kind == "res":
                stype = _choice(r, ["Long Term Support: Residential Care", "Long Term Support: Nursing Care"], [65, 35], n)
            elif kind == "mix":
                stype = _choice(r, ["Long Term Support: Community", "Long Term Support: Residential Care"], [80, 20], n)
            else:
                stype = np.full(n, "Long Term Support: Community", dtype=object)
            frame = self._services(ids, stype, starts, ends)
            if kind == "res":
                frame = pd.concat([frame, self._moves(frame)], ignore_index=True)
                died = (ends <= w.end) & (r.random(n) < 0.65)
                self.mark_deaths(ids[died], ends[died])
            frames.append(frame)
            if band in ("ld", "mh"):
                statuses.append(self._statuses(ids, starts, ends, band, stype))
        services = pd.concat(frames, ignore_index=True)
        return services, pd.concat(statuses, ignore_index=True)

    def _services(self, ids, stype, starts, ends, client_type="Service User") -> pd.DataFrame:
        r, w, n = self.rng, self.w, len(ids)
        community = stype == "Long Term Support: Community"
        mech = np.where(community,
                        _choice(r, ["Direct Payment", "Part Direct Payment", "CASSR Managed Personal Budget",
                                    "CASSR Commissioned Support only"], [26, 4, 60, 10], n),
                        "CASSR Commissioned Support only")
        setting = np.where(stype == "Long Term Support: Nursing Care", "Nursing",
                           np.where(stype == "Long Term Support: Residential Care", "Residential", "Community"))
        funding = np.where(community, _choice(r, ["Council", "Joint (council and NHS)"], [93, 7], n),
                           _choice(r, K.FUNDING_SOURCE, [78, 8, 5, 9], n))
        open_ = ends > w.end
        return pd.DataFrame({
            "person_id": ids, "la_code": self.la, "client_type": client_type, "service_type": stype,
            "support_setting": setting, "delivery_mechanism": mech, "start_date": starts,
            "end_date": np.where(open_, np.datetime64("NaT"), ends).astype("datetime64[D]"),
            "funding_source": funding})

    def _moves(self, placements: pd.DataFrame) -> pd.DataFrame:
        """Some residents move between homes: the first placement ends, the next starts within a week."""
        r = self.rng
        movers = placements[(r.random(len(placements)) < 0.06) & placements["end_date"].isna()].copy()
        if movers.empty:
            return movers
        span = (self.w.end - movers["start_date"].values.astype("datetime64[D]")) / DAY
        move_at = movers["start_date"].values.astype("datetime64[D]") + (r.random(len(movers)) * span).astype(int) * DAY
        placements.loc[movers.index, "end_date"] = move_at
        nxt = movers.copy()
        nxt["start_date"] = move_at + r.integers(0, 8, len(movers)) * DAY
        nxt["service_type"] = "Long Term Support: Nursing Care"
        nxt["support_setting"] = "Nursing"
        nxt = nxt[nxt["start_date"] <= self.w.end]
        return nxt

    def _statuses(self, ids, starts, ends, band, stype) -> pd.DataFrame:
        """Employment and accommodation at the start of support and each April after."""
        r, w = self.rng, self.w
        rows_id, rows_date = [ids], [np.maximum(starts, w.start - 365 * DAY)]
        first_year = int(str(w.start)[:4]) - 1
        for year in range(first_year, int(str(w.end)[:4]) + 1):
            april = _d(f"{year}-04-15")
            live = (starts <= april) & (ends >= april) & (april <= w.end)
            rows_id.append(ids[live])
            rows_date.append(np.full(live.sum(), april))
        pid = np.concatenate(rows_id)
        dates = np.concatenate(rows_date)
        n = len(pid)
        paid = 0.034 if band == "ld" else 0.021
        employment = _choice(r, K.EMPLOYMENT_STATUS,
                             [paid * 0.35, paid * 0.55, paid * 0.10, 0.06, 0.83 - paid, 0.11], n)
        residential = dict(zip(ids, stype != "Long Term Support: Community"))
        in_home = np.array([residential[p] for p in pid])
        accommodation = np.where(
            in_home, "Registered care home",
            _choice(r, K.ACCOMMODATION_STATUS,
                    [6, 18, 38, 24, 5, 0.2, 1.5, 0.3, 0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0, 0, 0.1, 0.5, 4], n))
        frame = pd.DataFrame({"person_id": pid, "la_code": self.la, "as_at_date": dates,
                              "employment_status": employment, "accommodation_status": accommodation})
        return frame.drop_duplicates(["person_id", "as_at_date"], keep="last")

    # -- temporary stays and carers ----------------------------------------------------
    def temporary_stays(self) -> pd.DataFrame:
        r, w = self.rng, self.w
        starts = _arrivals(r, 900 * self.f, w.start, w.end, winter=0.2)
        n = len(starts)
        ids = self.new_people(n, starts, 65 + np.minimum(r.gamma(2.2, 8.0, n), 38))
        ends = starts + r.integers(7, 42, n) * DAY
        frame = self._services(ids, np.full(n, "Short Term Support: Other Short Term", dtype=object), starts, ends)
        frame["support_setting"] = _choice(r, ["Residential", "Nursing"], [75, 25], n)
        frame["delivery_mechanism"] = "CASSR Commissioned Support only"
        frame["funding_source"] = "Council"
        return frame

    def carers(self) -> pd.DataFrame:
        r, w = self.rng, self.w
        frames = []
        for stype, per_year, mean_days, mech in [
            ("Carer Support: Direct Payment", 1000, 120, "Direct Payment"),
            ("Carer Support: Council Commissioned Support", 200, 150, None),
            ("Carer Support: Information, Advice and Other Universal Services", 1700, 800, "n/a"),
        ]:
            starts = _arrivals(r, per_year * self.f, w.start - 3 * 365 * DAY, w.end)
            n = len(starts)
            ends = starts + np.maximum(0, r.exponential(mean_days, n)).astype(int) * DAY
            keep = ends >= w.start
            starts, ends, n = starts[keep], ends[keep], int(keep.sum())
            ids = self.new_people(n, starts, r.uniform(25, 85, n),
                                  np.full(n, "Social Support", dtype=object))
            frame = self._services(ids, np.full(n, stype, dtype=object), starts, ends, client_type="Carer")
            frame["support_setting"] = "Community"
            frame["funding_source"] = "Council"
            frame["delivery_mechanism"] = mech if mech else _choice(
                r, ["CASSR Managed Personal Budget", "CASSR Commissioned Support only"], [5, 95], n)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    # -- the front door -------------------------------------------------------------------
    def requests_and_assessments(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        r, w = self.rng, self.w
        dates = _arrivals(r, 4500 * 12 * self.f, w.start, w.end, winter=0.06, trend=0.02)
        n = len(dates)
        ids = self.new_people(n, dates, 18 + np.minimum(r.gamma(3, 15, n), 85))
        outcome = _choice(r, K.REQUEST_OUTCOME, [20, 7, 3, 2, 9, 37, 12, 10], n)
        route = _choice(r, K.ROUTE_OF_ACCESS, [22, 6, 68, 1.5, 2.5], n)
        outcome_date = dates + r.integers(0, 15, n) * DAY
        pending = outcome_date > w.end
        requests = pd.DataFrame({
            "request_id": [f"RQ{self.index:02d}{k:08d}" for k in range(n)], "person_id": ids, "la_code": self.la,
            "request_date": dates, "route_of_access": route,
            "request_outcome": np.where(pending, EMPTY, outcome),
            "outcome_date": np.where(pending, np.datetime64("NaT"), outcome_date).astype("datetime64[D]")})
        to_assess = (outcome == "Assessment") & ~pending
        a = requests[to_assess]
        m = len(a)
        start = a["outcome_date"].values.astype("datetime64[D]") + r.integers(0, 21, m) * DAY
        done = start + r.integers(1, 45, m) * DAY
        open_ = done > w.end
        keep = start <= w.end
        assessments = pd.DataFrame({
            "assessment_id": [f"AS{self.index:02d}{k:08d}" for k in range(m)], "person_id": a["person_id"].values,
            "la_code": self.la, "request_id": a["request_id"].values,
            "assessment_type": _choice(r, K.ASSESSMENT_TYPE, [80, 10, 10], m),
            "start_date": start,
            "completion_date": np.where(open_, np.datetime64("NaT"), done).astype("datetime64[D]"),
            "assessment_outcome": np.where(open_, EMPTY, _choice(r, K.ASSESSMENT_OUTCOME, [76, 5, 11, 5, 3], m))})
        return requests, assessments[keep]

    def reablement(self) -> pd.DataFrame:
        r, w = self.rng, self.w
        starts = _arrivals(r, 470 * 12 * self.f, w.start - 60 * DAY, w.end, winter=0.08, trend=0.01)
        n = len(starts)
        older = r.random(n) < 0.78
        ages = np.where(older, 65 + np.minimum(r.gamma(2.2, 7.0, n), 38), r.uniform(18, 65, n))
        ids = self.new_people(n, starts, ages)
        ends = starts + r.integers(7, 43, n) * DAY
        open_ = ends > w.end
        sequel = _choice(r, K.SEQUEL, [3.5, 1.5, 11, 26, 8, 26, 22, 2], n)
        followed = starts + 91 * DAY <= w.end
        status = np.where(followed, _choice(r, K.STATUS_AT_91_DAYS, [92.5, 2.5, 2.5, 2.0, 0.5], n), EMPTY)
        return pd.DataFrame({
            "episode_id": [f"EP{self.index:02d}{k:08d}" for k in range(n)], "person_id": ids, "la_code": self.la,
            "start_date": starts,
            "end_date": np.where(open_, np.datetime64("NaT"), ends).astype("datetime64[D]"),
            "hospital_discharge": np.where(r.random(n) < 0.6, "true", "false"),
            "sequel": np.where(open_, EMPTY, sequel), "status_at_91_days": status})

    def reviews(self, clients: np.ndarray) -> pd.DataFrame:
        r, w = self.rng, self.w
        dates = _arrivals(r, 1000 * 12 * self.f, w.start, w.end)
        n = len(dates)
        return pd.DataFrame({
            "review_id": [f"RV{self.index:02d}{k:08d}" for k in range(n)],
            "person_id": clients[r.integers(0, len(clients), n)], "la_code": self.la, "review_date": dates,
            "review_type": _choice(r, K.REVIEW_TYPE, [80, 20], n),
            "review_outcome": _choice(r, K.REVIEW_OUTCOME, [62, 14, 9, 10, 5], n)})

    def holding_list(self, pool: np.ndarray) -> pd.DataFrame:
        r, w = self.rng, self.w
        frames = []
        level = 2700 * self.f
        for k, month in enumerate(w.months):
            snapshot = _d(str(month.end_time.date()))
            level = max(100.0, level * (1 + r.normal(0.004, 0.03)))
            n = int(level)
            frames.append(pd.DataFrame({
                "snapshot_date": snapshot, "person_id": pool[r.choice(len(pool), n, replace=False)],
                "la_code": self.la, "team": _choice(r, ["North", "South", "East", "West", "City"], [1] * 5, n),
                "waiting_since": snapshot - np.minimum(r.exponential(70, n), 700).astype(int) * DAY}))
        return pd.concat(frames, ignore_index=True)

    # -- NHS and reference feeds ------------------------------------------------------------
    def dtoc(self) -> pd.DataFrame:
        r, w = self.rng, self.w
        rows = []
        reasons = K.DTOC_REASON[:10]
        for k, month in enumerate(w.months):
            winter = 1.25 if month.month in (12, 1, 2) else 1.0
            trend = 1 + 0.12 * k / 12
            for org, base, mix in [("Social Care", 760, [30, 3, 0, 14, 12, 30, 2, 6, 1, 2]),
                                   ("NHS", 1400, [25, 8, 30, 5, 5, 8, 5, 9, 2, 3]),
                                   ("Both", 60, [40, 10, 0, 10, 10, 20, 0, 5, 5, 0])]:
                total = r.poisson(base * self.f * winter * trend)
                shares = r.dirichlet(np.asarray(mix, float) + 0.01)
                for acute, split in (("Acute", 0.8), ("Non-acute", 0.2)):
                    days = r.multinomial(int(total * split), shares)
                    for reason, d in zip(reasons, days):
                        if d:
                            rows.append((str(month), self.la, f"R{self.index:02d}{acute[0]}", acute, org, reason, d))
        return pd.DataFrame(rows, columns=["period", "la_code", "provider_code", "acute_or_non_acute",
                                           "responsible_org", "reason_code", "delayed_days"])

    def population(self) -> pd.DataFrame:
        r, w = self.rng, self.w
        rows = []
        first, last = int(str(w.start)[:4]) - 1, int(str(w.end)[:4])
        ages = np.arange(91)
        shape = np.where(ages < 18, 8300, np.where(ages < 65, 10790 * (1.1 - ages / 300),
                                                   8200 * np.exp(-(ages - 65) / 14)))
        shape[90] = 9000
        for year in range(first, last + 1):
            grow = np.where(ages >= 65, 1.021, 1.003) ** (year - 2016)
            pop = shape * grow * self.f
            pop[18:65] *= 507000 * self.f * 1.003 ** (year - 2016) / pop[18:65].sum()
            pop[65:] *= 214000 * self.f * 1.021 ** (year - 2016) / pop[65:].sum()
            male = np.where(ages >= 75, 0.44, 0.495)
            for sex, share in (("Male", male), ("Female", 1 - male)):
                counts = np.round(pop * share).astype(int)
                rows += [(self.la, year, sex, int(a), int(c)) for a, c in zip(ages, counts)]
        return pd.DataFrame(rows, columns=["la_code", "year", "sex", "age", "population"])


def _fy_label(y: int) -> str:
    return f"{y}/{(y + 1) % 100:02d}"


def _targets(councils, w: Window) -> pd.DataFrame:
    specs = {  # code: (start of window, end of window) - profiled monthly
        "VS_ADMISSIONS_18_64": (18.2, 16.5), "VS_ADMISSIONS_65_PLUS": (600, 573),
        "VS_HOME_91_DAYS": (90.0, 90.0), "VS_DTOC_SOCIAL_CARE": (3.0, 2.4),
        "VS_LD_EMPLOYMENT": (3.8, 4.0), "VS_MH_EMPLOYMENT": (3.2, 3.7), "VS_REABLEMENT_NO_ONGOING": (85.0, 86.0),
    }
    rows = []
    n = len(w.months)
    for la, _, _ in councils:
        for code, (a, b) in specs.items():
            for k, month in enumerate(w.months):
                rows.append((code, la, str(month), round(a + (b - a) * k / max(1, n - 1), 2)))
    return pd.DataFrame(rows, columns=["indicator_code", "la_code", "period", "target"])


ASCOF_TYPICAL = {  # code: (Norfolk-like value, spread, bigger is better)
    "1C1A": (88.0, 6.0), "1C1B": (80.0, 12.0), "1C2A": (29.0, 5.0), "1C2B": (70.0, 15.0), "1E": (5.5, 2.0),
    "1G": (76.0, 6.0), "2A1": (13.5, 3.0), "2A2": (600.0, 80.0), "2B1": (83.0, 5.0), "2B2": (2.8, 0.8),
    "2C1": (12.0, 3.0), "2C2": (4.5, 1.5), "2D": (77.0, 6.0),
}
POLARITY_BIGGER = {"1C1A", "1C1B", "1C2A", "1C2B", "1E", "1G", "2B1", "2B2", "2D"}


def _benchmarks(rng, w: Window) -> pd.DataFrame:
    rows = []
    fys = sorted({(p.year if p.month >= 4 else p.year - 1) for p in w.months})
    members = COUNCILS[:15]
    for fy in fys:
        for code, (typical, spread) in ASCOF_TYPICAL.items():
            values = {la: round(float(typical + rng.normal(0, spread)), 1) for la, _, _ in members}
            order = sorted(values, key=lambda la: -values[la] if code in POLARITY_BIGGER else values[la])
            for la, name, _ in members:
                rows.append((code, _fy_label(fy), la, name, "LA", values[la], order.index(la) + 1, len(members)))
            rows.append((code, _fy_label(fy), "CIPFA-NFK", FAMILY_GROUP, "Family group",
                         round(float(np.mean(list(values.values()))), 1), None, None))
            rows.append((code, _fy_label(fy), "E12000006", "East of England", "Region",
                         round(float(typical + rng.normal(0, spread / 3)), 1), None, None))
            rows.append((code, _fy_label(fy), "E92000001", "England", "England",
                         round(float(typical + rng.normal(0, spread / 4)), 1), None, None))
    return pd.DataFrame(rows, columns=["indicator_code", "financial_year", "area_code", "area_name", "area_type",
                                       "value", "rank", "rank_of"])


def _indicator_values(rng, councils, w: Window) -> pd.DataFrame:
    rows = []
    for la, _, f in councils:
        rated = int(170 * f)
        for k, month in enumerate(w.months):
            rated = int(rated * 1.02) + 5
            good = int(rated * min(0.9, 0.55 + 0.01 * k + rng.normal(0, 0.01)))
            end = month.end_time.date().isoformat()
            rows.append(("VS_CQC_GOOD", la, "month", end, good, rated, round(100 * good / rated, 4)))
        for fy in sorted({(p.year if p.month >= 4 else p.year - 1) for p in w.months}):
            if _d(f"{fy + 1}-03-31") <= w.end:
                rows.append(("2B2", la, "financial_year", f"{fy + 1}-03-31", None, int(26000 * f), None))
    return pd.DataFrame(rows, columns=["indicator_code", "la_code", "period_type", "period_end", "numerator",
                                       "denominator", "value"])


RISKS = [
    ("RM14079", "Failure to meet the long term needs of Norfolk citizens", 5, 5, 4, 5, 2, 4, "Amber"),
    ("RM0207", "Failure to meet the needs of Norfolk citizens", 3, 4, 3, 4, 2, 4, "Amber"),
    ("RM13925", "Lack of capacity in ICT systems", 4, 4, 3, 4, 3, 2, "Amber"),
    ("RM14247", "Failure in the care market", 4, 3, 4, 3, 2, 3, "Amber"),
    ("RM14149", "Impact of the Care Act", 4, 3, 1, 5, 1, 3, "Green"),
    ("RM019", "Failure to deliver a new fit for purpose social care system on time and to budget", 4, 5, 3, 5, 1, 5, "Amber"),
    ("RM014b", "The savings to be made on Adult Social Services transport are not achieved", 3, 3, 4, 3, 2, 3, "Red"),
    ("RM14250", "Failure to achieve budget savings", 3, 5, 4, 5, 2, 4, "Amber"),
    ("RM14251", "Pressure on acute services and hospital discharges", 3, 4, 4, 4, 2, 3, "Amber"),
    ("RM14252", "Deprivation of Liberty Safeguards backlog", 3, 4, 4, 4, 2, 4, "Red"),
    ("RM14253", "Shortfall between funding and pressures through integration", 3, 5, 3, 5, 2, 5, "Amber"),
    ("RM14254", "Failure to deliver Promoting Independence", 4, 3, 3, 4, 2, 4, "Amber"),
    ("RM14255", "Staff behaviour and practice changes not achieved", 3, 5, 3, 4, 2, 4, "Amber"),
    ("RM14256", "Failure to follow data protection procedures", 3, 5, 3, 4, 2, 3, "Green"),
    ("RM14257", "Judicial review into fee uplift", 3, 4, 3, 4, 1, 4, "Amber"),
    ("RM14258", "Failure of the homecare market through recruitment difficulties", 4, 4, 4, 3, 2, 3, "Amber"),
    ("RM14259", "Integration adversely affecting statutory responsibilities", 3, 5, 2, 5, 1, 5, "Green"),
    ("RM14238", "Failure in our responsibilities towards carers", 2, 3, 2, 3, 1, 1, "Amber"),
]
OWNERS = ["James Bullion", "Sera Hall", "Janice Dane", "Lorna Bright", "Lorrayne Barrett"]


def _risk_snapshots(rng, la: str, w: Window) -> list[tuple[str, pd.DataFrame]]:
    def uk(d: np.datetime64) -> str:
        y, m, dd = str(d).split("-")
        return f"{dd}/{m}/{y}"

    latest = w.end
    previous = (latest.astype("datetime64[M]") - np.timedelta64(3, "M")).astype("datetime64[D]") + DAY * 27
    snapshots = []
    for when, risks in [(previous, RISKS[:-2] + [RISKS[-1]]), (latest, RISKS[:-1])]:
        rows = []
        for i, (rid, name, ol, oi, cl, ci, tl, ti, prospects) in enumerate(risks):
            if when == previous and rid == "RM14247":
                cl = 3  # the score rose since the previous snapshot
            if when == previous and rid == "RM13925":
                name = "Lack of capacity in IT systems"  # renamed since
            owner = OWNERS[i % len(OWNERS)]
            rows.append({
                "la_code": la, "risk_id": rid, "risk_name": name,
                "risk_description": f"If this risk materialises the department may not meet its objectives ({name.lower()}).",
                "area": "Adult Social Services", "date_entered": uk(_d("2011-04-01") + int(rng.integers(0, 2000)) * DAY),
                "original_likelihood": ol, "original_impact": oi, "current_likelihood": cl, "current_impact": ci,
                "target_likelihood": tl, "target_impact": ti,
                "target_date": uk(_d(f"{2018 + i % 4}-03-31")), "prospects": prospects,
                "tasks": "1) Mitigation plan agreed by SMT 2) Monthly monitoring 3) Escalation where off track",
                "progress_update": "Actions on track; reviewed with the risk owner this quarter.",
                "risk_owner": owner, "reviewed_by": OWNERS[(i + 2) % len(OWNERS)], "review_date": uk(when),
                "current_score": cl * ci})
        snapshots.append((str(when).replace("-", ""), pd.DataFrame(rows)))
    return snapshots


COMMENTARY = """## Why is this important?
{why}

## What explains current performance?
- Performance this month reflects pressures in hospital discharge and the care market.
- Winter demand was higher than in the same period last year.

## What will success look like?
- Performance at or better than target, sustained for three consecutive months.

## Action required
- Continue the joint improvement plan with health partners and review progress monthly.

## Responsible officers
Lead: {lead}
Data owner: Business Intelligence & Performance Team
"""
WHY = {
    "VS_DTOC_SOCIAL_CARE": "Staying unnecessarily long in hospital harms people's health and independence.",
    "VS_ADMISSIONS_65_PLUS": "Supporting people to live independently at home for longer is better for them and "
                             "for the council's budget.",
    "VS_ADMISSIONS_18_64": "Younger adults should be supported to live independently wherever possible.",
    "VS_LD_EMPLOYMENT": "Having a job significantly improves the life chances of people with learning disabilities.",
    "VS_MH_EMPLOYMENT": "Employment is a key part of recovery for people with mental health needs.",
    "VS_HOME_91_DAYS": "Reablement that keeps people at home shows the effectiveness of short-term support.",
}


def _write(frame: pd.DataFrame, path: Path, append: bool) -> None:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col].dtype):
            out[col] = iso(out[col].values.astype("datetime64[D]"))
    out.to_csv(path, index=False, mode="a" if append else "w", header=not append, lineterminator="\n")


def _dirty(rng, frames: dict[str, pd.DataFrame]) -> None:
    """A handful of data-quality problems, well under the reject threshold."""
    people = frames["people"]
    k = rng.choice(len(people), 6, replace=False)
    people.loc[people.index[k[0]], "gender"] = "Martian"  # unknown code
    people.loc[people.index[k[1]], "primary_support_reason"] = "  learning  disability SUPPORT "  # valid, odd case
    people.loc[people.index[k[2]], "date_of_birth"] = np.datetime64("2999-01-01")  # dob in the future
    frames["people"] = pd.concat([people, people.iloc[[k[3]]]], ignore_index=True)  # duplicate key
    services = frames["services"]
    j = rng.choice(len(services), 3, replace=False)
    services.loc[services.index[j[0]], "end_date"] = services["start_date"].iloc[j[0]] - 5 * DAY  # end before start
    services.loc[services.index[j[1]], "service_type"] = "Long Term Support \u2013 Community"  # en dash: still invalid
    reab = frames["reablement"]
    reab["hospital_discharge"] = np.where(rng.random(len(reab)) < 0.5,
                                          np.where(reab["hospital_discharge"] == "true", "Y", "N"),
                                          reab["hospital_discharge"])
    reab.loc[reab.index[0], "sequel"] = "ongoing low level support"  # valid in odd case
    dtoc = frames["dtoc"]
    dtoc.loc[dtoc.index[0], "delayed_days"] = -3


def generate(out: Path, councils: int = 1, years: int = 2, scale: float = 1.0, seed: int = 42,
             dirty: bool = False, end_month: str = "2017-03") -> dict[str, int]:
    """Write a landing folder; return rows written per feed name."""
    if not 1 <= councils <= len(COUNCILS):
        raise ValueError(f"--councils must be between 1 and {len(COUNCILS)}")
    if years < 1 or scale <= 0:
        raise ValueError("--years must be at least 1 and --scale positive")
    out = Path(out)
    w = Window(years, end_month)
    stamp = w.stamp()
    chosen = [(la, name, f * scale) for la, name, f in COUNCILS[:councils]]
    for folder in ("liquidlogic", "dtoc", "population", "reference", "risk_register", "commentary"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def emit(feed: str, frame: pd.DataFrame, path: Path, append: bool) -> None:
        cols = [c.name for c in K.FEEDS[feed].columns if c.name in frame.columns]
        _write(frame[cols], path, append)
        counts[feed] = counts.get(feed, 0) + len(frame)

    for i, (la, name, f) in enumerate(chosen):
        rng = np.random.default_rng([seed, i])
        c = Council(rng, i, la, f, w)
        services, statuses = c.long_term_support()
        services = pd.concat([services, c.temporary_stays(), c.carers()], ignore_index=True)
        services.insert(0, "service_id", [f"SV{i:02d}{k:08d}" for k in range(len(services))])
        requests, assessments = c.requests_and_assessments()
        reablement = c.reablement()
        clients = services.loc[services["client_type"] == "Service User", "person_id"].unique()
        reviews = c.reviews(clients)
        holding = c.holding_list(requests["person_id"].unique())
        frames = {"people": c.people_frame(), "requests": requests, "assessments": assessments,
                  "services": services, "reablement": reablement, "reviews": reviews,
                  "client_status": statuses, "holding_list": holding, "dtoc": c.dtoc(),
                  "population": c.population()}
        if dirty:
            _dirty(rng, frames)
        for feed, frame in frames.items():
            folder = K.FEEDS[feed].folder
            emit(feed, frame, out / folder / f"{feed}_{stamp}.csv", append=i > 0)
        for date, snap in _risk_snapshots(rng, la, w):
            path = out / "risk_register" / f"risk_register_{date}.csv"
            emit("risk_register", snap, path, append=path.exists())
        for code, why in WHY.items():
            folder = out / "commentary" / code
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{str(w.months[-1])}.md").write_text(
                COMMENTARY.format(why=why, lead="Director of Integrated Care"), encoding="utf-8")

    rng = np.random.default_rng([seed, 999])
    ref = out / "reference"
    emit("targets", _targets(chosen, w), ref / f"targets_{stamp}.csv", False)
    emit("benchmarks", _benchmarks(rng, w), ref / f"benchmarks_{stamp}.csv", False)
    emit("family_groups", pd.DataFrame({"la_code": [la for la, _, _ in COUNCILS],
                                        "family_group": FAMILY_GROUP}), ref / f"family_groups_{stamp}.csv", False)
    emit("indicator_values", _indicator_values(rng, chosen, w), ref / f"indicator_values_{stamp}.csv", False)
    return counts
