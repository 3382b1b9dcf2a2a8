"""The same three marts (ascof, admissions_rolling_12m, dtoc_monthly) as an analyst would
write them in pandas: read the CSVs, filter, merge, group. The benchmark compares its speed
with the pipeline's and its results with the floor's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COUNCIL = ["Council", "Joint (council and NHS)"]
NUM_2D = [
    "Ongoing Low Level Support",
    "Short Term Support (Other)",
    "No Services Provided - Universal Services/Signposted to Other Services",
    "No Services Provided - No identified needs",
]
SETTLED = [
    "Owner occupier or shared ownership",
    "Tenant",
    "Settled mainstream housing with family/friends",
    "Supported accommodation",
    "Shared Lives scheme",
    "Approved premises",
    "Sheltered housing",
    "Mobile accommodation",
]


def _read(landing: Path, folder: str, feed: str, dates=()) -> pd.DataFrame:
    frames = [
        pd.read_csv(p, dtype={"person_id": str}, parse_dates=list(dates), low_memory=False)
        for p in sorted((landing / folder).glob(f"{feed}_*.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def age(dob: pd.Series, on) -> pd.Series:
    on = pd.to_datetime(on)
    years = on.year - dob.dt.year if isinstance(on, pd.Timestamp) else on.dt.year - dob.dt.year
    before = (on.month * 100 + on.day if isinstance(on, pd.Timestamp) else on.dt.month * 100 + on.dt.day) < (
        dob.dt.month * 100 + dob.dt.day
    )
    return years - before.astype(int)


def compute(landing: Path) -> dict[str, pd.DataFrame]:
    people = _read(landing, "liquidlogic", "people", ["date_of_birth", "date_of_death"])
    services = _read(landing, "liquidlogic", "services", ["start_date", "end_date"])
    reab = _read(landing, "liquidlogic", "reablement", ["start_date", "end_date"])
    status = _read(landing, "liquidlogic", "client_status", ["as_at_date"])
    requests = _read(landing, "liquidlogic", "requests", ["request_date"])
    pop = _read(landing, "population", "population")
    dtoc = _read(landing, "dtoc", "dtoc")
    services["end"] = services["end_date"].fillna(pd.Timestamp("2262-01-01"))
    services = services.merge(
        people[["la_code", "person_id", "date_of_birth", "date_of_death", "primary_support_reason"]],
        on=["la_code", "person_id"],
        how="left",
    )
    services["council"] = services["funding_source"].isin(COUNCIL)

    # financial years wholly covered by each council's data
    act = pd.concat(
        [
            requests[["la_code", "request_date"]].rename(columns={"request_date": "d"}),
            reab.loc[reab["end_date"].notna(), ["la_code", "end_date"]].rename(columns={"end_date": "d"}),
        ]
    )
    bounds = act.groupby("la_code")["d"].agg(["min", "max"])
    years = []
    for la, b in bounds.iterrows():
        lo = b["min"].to_period("M").to_timestamp()
        hi = b["max"].to_period("M").to_timestamp(how="end").normalize()
        dtoc_hi = pd.Period(dtoc.loc[dtoc["la_code"] == la, "period"].max(), "M").to_timestamp(how="end").normalize()
        hi = max(hi, dtoc_hi)
        for y in range(2000, 2040):
            s, e = pd.Timestamp(y, 4, 1), pd.Timestamp(y + 1, 3, 31)
            if s >= lo and e <= hi:
                years.append((la, y, s, e, f"{y}/{(y + 1) % 100:02d}"))
    years = pd.DataFrame(years, columns=["la_code", "y", "fy_start", "fy_end", "financial_year"])

    popb = pop.assign(band=np.where(pop["age"] >= 65, "65+", np.where(pop["age"] >= 18, "18-64", None)))
    popb = popb[popb["band"].notna()].groupby(["la_code", "year", "band"])["population"].sum().unstack("band")
    popb["18+"] = popb["18-64"] + popb["65+"]
    popb = popb.reset_index()

    def pop_for(la, year, band):
        rows = popb[(popb["la_code"] == la) & (popb["year"] <= year)]
        return rows.sort_values("year").iloc[-1][band] if len(rows) else np.nan

    # admissions (2A)
    perm = services[
        services["service_type"].isin(["Long Term Support: Nursing Care", "Long Term Support: Residential Care"])
        & (services["client_type"] == "Service User")
    ].sort_values(["la_code", "person_id", "start_date", "service_id"])
    perm["prev_end"] = perm.groupby(["la_code", "person_id"])["end"].transform(lambda s: s.cummax().shift())
    adm = perm[
        perm["council"] & (perm["prev_end"].isna() | (perm["start_date"] > perm["prev_end"] + pd.Timedelta(days=7)))
    ].copy()
    adm["age"] = age(adm["date_of_birth"], adm["start_date"])
    adm = adm[adm["age"] >= 18]

    rows = []
    for yr in years.itertuples():
        la = yr.la_code
        s = services[services["la_code"] == la]
        comm = s[
            (s["service_type"] == "Long Term Support: Community")
            & (s["client_type"] == "Service User")
            & s["council"]
            & (s["start_date"] <= yr.fy_end)
            & (s["end"] >= yr.fy_end)
            & (s["date_of_death"].isna() | (s["date_of_death"] >= yr.fy_end))
        ]
        comm = comm[age(comm["date_of_birth"], yr.fy_end) >= 18]
        g = comm.groupby("person_id")["delivery_mechanism"].agg(
            sds=lambda m: m.isin(["Direct Payment", "Part Direct Payment", "CASSR Managed Personal Budget"]).any(),
            dp=lambda m: m.isin(["Direct Payment", "Part Direct Payment"]).any(),
        )
        rows += [
            (la, yr.financial_year, "1C(1A)", g["sds"].sum(), len(g)),
            (la, yr.financial_year, "1C(2A)", g["dp"].sum(), len(g)),
        ]
        car = s[
            (s["client_type"] == "Carer")
            & s["service_type"].isin(["Carer Support: Direct Payment", "Carer Support: Council Commissioned Support"])
            & (s["start_date"] <= yr.fy_end)
            & (s["end"] >= yr.fy_start)
        ]
        car = car[car["date_of_birth"].isna() | (age(car["date_of_birth"], yr.fy_end) >= 18)]
        car = car.assign(
            sds=(car["service_type"] == "Carer Support: Direct Payment")
            | car["delivery_mechanism"].isin(
                ["Direct Payment", "Part Direct Payment", "CASSR Managed Personal Budget"]
            ),
            dp=(car["service_type"] == "Carer Support: Direct Payment")
            | car["delivery_mechanism"].isin(["Direct Payment", "Part Direct Payment"]),
        )
        cg = car.groupby("person_id")[["sds", "dp"]].any()
        rows += [
            (la, yr.financial_year, "1C(1B)", cg["sds"].sum(), len(cg)),
            (la, yr.financial_year, "1C(2B)", cg["dp"].sum(), len(cg)),
        ]
        ld = s[
            s["service_type"].str.startswith("Long Term Support:")
            & (s["client_type"] == "Service User")
            & s["council"]
            & (s["start_date"] <= yr.fy_end)
            & (s["end"] >= yr.fy_start)
            & (s["primary_support_reason"] == "Learning Disability Support")
        ]
        ld = ld[age(ld["date_of_birth"], yr.fy_end).between(18, 64)]
        cohort = pd.Index(ld["person_id"].unique())
        st = status[(status["la_code"] == la) & status["person_id"].isin(cohort) & (status["as_at_date"] <= yr.fy_end)]
        emp = (
            st.dropna(subset=["employment_status"])
            .sort_values("as_at_date")
            .groupby("person_id")["employment_status"]
            .last()
        )
        acc = (
            st.dropna(subset=["accommodation_status"])
            .sort_values("as_at_date")
            .groupby("person_id")["accommodation_status"]
            .last()
        )
        rows += [
            (la, yr.financial_year, "1E", emp.str.startswith("Paid:").sum(), len(cohort)),
            (la, yr.financial_year, "1G", acc.isin(SETTLED).sum(), len(cohort)),
        ]
        a = adm[(adm["la_code"] == la) & adm["start_date"].between(yr.fy_start, yr.fy_end)]
        rows += [
            (la, yr.financial_year, "2A(1)", a["age"].between(18, 64).sum(), pop_for(la, yr.y, "18-64")),
            (la, yr.financial_year, "2A(2)", (a["age"] >= 65).sum(), pop_for(la, yr.y, "65+")),
        ]
        r = reab[reab["la_code"] == la].merge(people[["la_code", "person_id", "date_of_birth"]], how="left")
        r["age"] = age(r["date_of_birth"], r["start_date"])
        b1 = r[
            (r["hospital_discharge"].astype(str).str.lower() == "true")
            & (r["age"] >= 65)
            & r["start_date"].between(pd.Timestamp(yr.y, 10, 1), pd.Timestamp(yr.y, 12, 31))
        ]
        rows.append((la, yr.financial_year, "2B(1)", (b1["status_at_91_days"] == "At home").sum(), len(b1)))
        ended = r[
            r["end_date"].between(yr.fy_start, yr.fy_end)
            & (r["age"] >= 18)
            & r["sequel"].isin(NUM_2D + ["Long Term Support (any level)"])
        ]
        lts = s[
            s["service_type"].str.startswith("Long Term Support:") & (s["client_type"] == "Service User") & s["council"]
        ][["person_id", "start_date", "end"]]
        m = ended[["episode_id", "person_id", "start_date"]].merge(lts, on="person_id", suffixes=("", "_s"))
        existing = m[(m["start_date_s"] <= m["start_date"]) & (m["end"] >= m["start_date"])]["episode_id"].unique()
        new = ended[~ended["episode_id"].isin(existing)]
        rows.append((la, yr.financial_year, "2D", new["sequel"].isin(NUM_2D).sum(), len(new)))
    ascof = pd.DataFrame(rows, columns=["la_code", "financial_year", "ascof_code", "numerator", "denominator"])
    scale = np.where(ascof["ascof_code"].str.startswith("2A"), 100000, 100)
    ascof["value"] = ascof["numerator"] / ascof["denominator"].replace(0, np.nan) * scale

    d = dtoc.groupby(["la_code", "period", "responsible_org"], as_index=False)["delayed_days"].sum()
    month = pd.to_datetime(d["period"] + "-01")
    d["days_in_month"] = month.dt.days_in_month
    d["fy"] = np.where(month.dt.month >= 4, month.dt.year, month.dt.year - 1)
    d["population_18_plus"] = [pop_for(la, fy, "18+") for la, fy in zip(d["la_code"], d["fy"])]
    d["rate_per_100k"] = d["delayed_days"] / d["days_in_month"] / d["population_18_plus"] * 100000
    dtoc_monthly = d.drop(columns="fy")

    months = []
    for la, b in bounds.iterrows():
        lo = b["min"].to_period("M")
        for p in pd.period_range(lo + 11, b["max"].to_period("M"), freq="M"):
            months.append((la, p))
    roll = []
    for la, p in months:
        start, end = (p - 11).to_timestamp(), p.to_timestamp(how="end").normalize()
        fy = p.year if p.month >= 4 else p.year - 1
        a = adm[(adm["la_code"] == la) & adm["start_date"].between(start, end)]
        for band, n in (("18-64", a["age"].between(18, 64).sum()), ("65+", (a["age"] >= 65).sum())):
            pp = pop_for(la, fy, band)
            roll.append((la, end.date(), band, n, pp, n / pp * 100000))
    rolling = pd.DataFrame(
        roll, columns=["la_code", "period_end", "age_band", "admissions_12m", "population", "rate_per_100k"]
    )
    return {"ascof": ascof, "dtoc_monthly": dtoc_monthly, "admissions_rolling_12m": rolling}
