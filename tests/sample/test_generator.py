"""The synthetic landing folder: deterministic, to the contract, clean unless asked to be dirty,
with pathways that hang together and volumes in proportion to Norfolk."""

from __future__ import annotations

import re
import time

import pandas as pd
import pytest

from dagster_project import contracts as K
from dagster_project.sample import generate
from dagster_project.sample.generator import COUNCILS, FAMILY_GROUP

SCALE, YEARS, SEED = 0.05, 2, 5
NORFOLK, NOTTS = "E10000020", "E10000024"
WINDOW = (pd.Timestamp("2015-04-01"), pd.Timestamp("2017-03-31"))
STAMP = "20170401"
LL = [f.name for f in K.LIQUIDLOGIC_FEEDS]
DATED = {  # feed: date columns
    "people": ["date_of_birth", "date_of_death"],
    "requests": ["request_date", "outcome_date"],
    "assessments": ["start_date", "completion_date"],
    "services": ["start_date", "end_date"],
    "reablement": ["start_date", "end_date"],
    "reviews": ["review_date"],
    "client_status": ["as_at_date"],
    "holding_list": ["snapshot_date", "waiting_since"],
}
ORDERED = {
    "requests": ("request_date", "outcome_date"),
    "assessments": ("start_date", "completion_date"),
    "services": ("start_date", "end_date"),
    "reablement": ("start_date", "end_date"),
    "holding_list": ("waiting_since", "snapshot_date"),
    "people": ("date_of_birth", "date_of_death"),
    "safeguarding": ("enquiry_start_date", "enquiry_end_date"),
}


def code_parts(values: pd.Series, col) -> pd.Series:
    """Each code in a column's cells: a multi-valued column's cells split on its separator."""
    return values.str.split(col.separator).explode() if col.separator else values


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    counts = generate(out, councils=2, years=YEARS, scale=SCALE, seed=SEED)
    return out, counts


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    out = tmp_path_factory.mktemp("dirty")
    counts = generate(out, councils=2, years=YEARS, scale=SCALE, seed=SEED, dirty=True)
    return out, counts


def files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def read(root, feed: str, file_column: bool = False) -> pd.DataFrame:
    """All files of a feed; with file_column, a `_file` column says which (keys are unique per snapshot)."""
    folder = K.FEEDS[feed].folder
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False).assign(**({"_file": p.name} if file_column else {}))
        for p in sorted((root / folder).glob(f"{feed}_*.csv"))
    ]
    assert frames, f"no {feed} file"
    return pd.concat(frames, ignore_index=True)


def dates(column: pd.Series) -> pd.Series:
    """Both accepted spellings (ISO and DD/MM/YYYY); empty is NaT."""
    iso = pd.to_datetime(column.where(column.str.match(r"^\d{4}-\d\d-\d\d$")), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(column.where(column.str.match(r"^\d\d/\d\d/\d{4}$")), format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


CANON = {c.name: {K.canonical_code(v) for v in c.codes} for f in K.FEEDS.values() for c in f.columns if c.codes}


def rule_breaks(root, feed: str) -> pd.Series:
    """Rows of a feed that break a contract rule (a boolean per row), checked without the pipeline."""
    frame = read(root, feed, file_column=True)
    spec = K.FEEDS[feed]
    bad = pd.Series(False, index=frame.index)
    for col in spec.columns:
        if col.codes and col.name in frame:
            values = code_parts(frame[col.name], col)
            unknown = (values != "") & ~values.map(K.canonical_code).isin(CANON[col.name])
            bad |= unknown.groupby(level=0).any()
    if feed in ORDERED:
        first, second = (dates(frame[c]) for c in ORDERED[feed])
        bad |= (second < first).fillna(False)
    if feed == "people":
        bad |= (dates(frame["date_of_birth"]) > pd.Timestamp.today()).fillna(False)
    if feed == "dtoc":
        bad |= frame["delayed_days"].astype(float) < 0
    key = [k for k in spec.key if k in frame]
    bad |= frame.duplicated(["_file"] + key, keep="first")
    return bad


# --- determinism and layout -------------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(clean, tmp_path):
    root, counts = clean
    again = generate(tmp_path / "again", councils=2, years=YEARS, scale=SCALE, seed=SEED)
    assert again == counts
    first, second = files(root), files(tmp_path / "again")
    assert [p.relative_to(root) for p in first] == [p.relative_to(tmp_path / "again") for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.relative_to(root)


def test_another_seed_gives_other_data_and_council_one_does_not_depend_on_how_many(clean, tmp_path):
    root, _ = clean
    generate(tmp_path / "seed", councils=1, years=YEARS, scale=SCALE, seed=SEED + 1)
    assert (tmp_path / "seed/liquidlogic/services_20170401.csv").read_bytes() != (
        root / "liquidlogic/services_20170401.csv"
    ).read_bytes()
    generate(tmp_path / "one", councils=1, years=YEARS, scale=SCALE, seed=SEED)
    one = read(tmp_path / "one", "services")
    both = read(root, "services")
    pd.testing.assert_frame_equal(one, both[both["la_code"] == NORFOLK].reset_index(drop=True))


def test_landing_layout_and_counts(clean):
    root, counts = clean
    names = {str(p.relative_to(root)) for p in files(root)}
    for feed in LL:
        assert f"liquidlogic/{feed}_{STAMP}.csv" in names
    for path in (f"dtoc/dtoc_{STAMP}.csv", f"population/population_{STAMP}.csv"):
        assert path in names
    for feed in ("targets", "benchmarks", "family_groups", "indicator_values"):
        assert f"reference/{feed}_{STAMP}.csv" in names
    assert {n for n in names if n.startswith("risk_register/")} == {
        "risk_register/risk_register_20161231.csv",
        "risk_register/risk_register_20170331.csv",
    }
    assert any(n.startswith("commentary/") for n in names)
    assert set(counts) == set(K.FEEDS) | {"cld"}  # CLD submissions: tests/cld
    for feed, n in counts.items():
        if feed == "cld":
            continue
        assert len(read(root, feed)) == n, feed
        assert n > 0, feed


def test_every_file_has_the_contract_columns(clean):
    root, _ = clean
    for feed, spec in K.FEEDS.items():
        for path in sorted((root / spec.folder).glob(f"{feed}_*.csv")):
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            if spec.folder in ("liquidlogic", "dtoc", "population", "risk_register") or feed != "targets":
                assert header == spec.column_names, path.name
            else:  # targets: the monthly-profiled form, optional columns left out
                assert header == [c for c in spec.column_names if c in header], path.name
                assert {c.name for c in spec.columns if c.required} <= set(header)


def test_every_code_is_from_the_contract_lists_exactly(clean):
    root, _ = clean
    for feed, spec in K.FEEDS.items():
        frame = read(root, feed)
        for col in spec.columns:
            if col.codes and col.name in frame:
                used = set(code_parts(frame[col.name], col)) - {""}
                assert used <= set(col.codes), (feed, col.name, used - set(col.codes))
                assert {K.canonical_code(v) for v in used} <= CANON[col.name]


def test_keys_are_unique_and_required_cells_filled(clean):
    root, _ = clean
    for feed, spec in K.FEEDS.items():
        frame = read(root, feed, file_column=True)
        key = [k for k in spec.key if k in frame]
        assert not frame.duplicated(["_file"] + key).any(), feed
        for col in spec.columns:
            if not col.nullable and col.name in frame:
                assert (frame[col.name] != "").all(), (feed, col.name)
    ids = {
        "requests": "request_id",
        "assessments": "assessment_id",
        "services": "service_id",
        "reablement": "episode_id",
        "reviews": "review_id",
    }
    for feed, col in ids.items():
        assert read(root, feed)[col].is_unique, feed  # unique across councils too
    people = read(root, "people")
    assert people["person_id"].str.fullmatch(r"LAS\d+").all()


def test_clean_output_breaks_no_rule(clean):
    root, _ = clean
    for feed in K.FEEDS:
        assert not rule_breaks(root, feed).any(), feed


def test_dates_are_iso_consistent_and_inside_the_window(clean):
    root, _ = clean
    start, end = WINDOW
    for feed, cols in DATED.items():
        frame = read(root, feed)
        for col in cols:
            filled = frame[col][frame[col] != ""]
            assert filled.str.fullmatch(r"\d{4}-\d\d-\d\d").all(), (feed, col)
            assert (pd.to_datetime(filled) <= end).all(), (feed, col)
    for feed, (first, second) in ORDERED.items():
        frame = read(root, feed)
        a, b = pd.to_datetime(frame[first].replace("", None)), pd.to_datetime(frame[second].replace("", None))
        assert not (b < a).any(), feed
    for feed, col in (("requests", "request_date"), ("reviews", "review_date"), ("assessments", "start_date")):
        d = pd.to_datetime(read(root, feed)[col])
        assert d.min() >= start and d.max() <= end, feed
    assert (
        read(root, "holding_list")["snapshot_date"].isin(pd.date_range(start, end, freq="ME").strftime("%Y-%m-%d"))
    ).all()
    reab = read(root, "reablement")
    assert (pd.to_datetime(reab["end_date"].replace("", None)).dropna() >= start).all()
    assert set(reab["hospital_discharge"]) == {"true", "false"}
    # the status 91 days after discharge into reablement is known once those 91 days have passed (ASCOF 2B(1)),
    # so every October-December discharge has one in the year-end extract
    started = pd.to_datetime(reab["start_date"])
    known = reab["status_at_91_days"] != ""
    assert not (known & (started + pd.Timedelta(days=91) > end + pd.Timedelta(days=1))).any()
    autumn = started.between("2016-10-01", "2016-12-31")
    assert known[autumn].all() and (~known[started > "2017-01-01"]).any()
    # open services have an empty end date, and some are still open on the extract date
    services = read(root, "services")
    assert (services["end_date"] == "").mean() > 0.2
    # nothing happens to anyone before they were born or after they died
    people = read(root, "people").set_index(["la_code", "person_id"])
    life = pd.DataFrame(
        {
            "dob": pd.to_datetime(people["date_of_birth"]),
            "dod": pd.to_datetime(people["date_of_death"].replace("", None)),
        }
    )
    for feed, cols in DATED.items():
        if feed == "people":
            continue
        frame = read(root, feed).join(life, on=["la_code", "person_id"])
        for col in cols:
            d = pd.to_datetime(frame[col].replace("", None))
            assert not (d < frame["dob"]).any(), (feed, col, "before birth")
            assert not (d > frame["dod"]).any(), (feed, col, "after death")


def test_every_council_is_in_every_feed(clean):
    root, _ = clean
    for feed in LL + ["dtoc", "population", "targets", "indicator_values"]:
        assert set(read(root, feed)["la_code"]) == {NORFOLK, NOTTS}, feed
    register = read(root, "risk_register")
    assert set(register["la_code"]) == {NORFOLK, NOTTS}


def test_every_person_and_request_referred_to_exists(clean):
    root, _ = clean
    people = read(root, "people")
    known = set(zip(people["la_code"], people["person_id"]))
    for feed in LL:
        if feed != "people":
            frame = read(root, feed)
            assert set(zip(frame["la_code"], frame["person_id"])) <= known, feed
    requests = set(read(root, "requests")["request_id"])
    linked = read(root, "assessments")["request_id"]
    assert set(linked[linked != ""]) <= requests
    assert (linked != "").mean() > 0.5


# --- dirty mode ---------------------------------------------------------------------------------


def test_the_pipeline_check_accepts_the_clean_sample(clean, monkeypatch):
    root, _ = clean
    from dagster_project.cli import main

    monkeypatch.setenv("VITALSIGNS_SAMPLE", "1")  # generate() leaves no marker; without a salt check fails

    assert main(["check", "--landing", str(root)]) == 0


def test_the_pipeline_check_reports_the_dirty_rows(tmp_path, capsys):
    from dagster_project.cli import main

    generate(tmp_path / "d", councils=1, years=1, scale=0.05, seed=3, dirty=True)
    assert main(["check", "--landing", str(tmp_path / "d")]) == 1
    out = capsys.readouterr().out
    for rule in (
        "unknown code in gender",
        "date of birth in the future",
        "duplicate key",
        "end before start",
        "negative delayed days",
    ):
        assert rule in out
    assert "people_" in out and ":gender:" in out  # file:row:column: message


def test_dirty_mode_breaks_rules_in_a_handful_of_rows(dirty):
    root, _ = dirty
    for feed in LL + ["dtoc"]:
        broken = rule_breaks(root, feed)
        assert broken.any(), f"{feed}: dirty mode should break at least one rule"
        assert broken.mean() < 0.01, f"{feed}: {broken.mean():.2%} of rows broken"
    for feed in ("population", "targets", "benchmarks", "family_groups", "indicator_values", "risk_register"):
        assert not rule_breaks(root, feed).any(), feed
    assert (read(root, "dtoc")["delayed_days"].astype(float) < 0).any()
    services = read(root, "services")
    assert services.duplicated(["la_code", "service_id"]).any()
    s, e = dates(services["start_date"]), dates(services["end_date"])
    assert (e < s).any()


def test_dirty_mode_also_writes_accepted_variants(dirty):
    root, _ = dirty
    reab = read(root, "reablement")
    assert {"Y", "N"} & set(reab["hospital_discharge"])
    assert read(root, "requests")["request_date"].str.fullmatch(r"\d\d/\d\d/\d{4}").any()
    variants = 0
    for feed in LL:
        frame = read(root, feed)
        for col in K.FEEDS[feed].columns:
            if col.codes and col.name in frame:
                v = frame[col.name]
                odd = (v != "") & ~v.isin(col.codes) & v.map(K.canonical_code).isin(CANON[col.name])
                variants += int(odd.sum())
    assert variants >= 5
    assert any("\u2013" in v for v in reab["sequel"])


# --- realism -------------------------------------------------------------------------------------


def month_end_stock(root, la: str, month_end: str) -> pd.DataFrame:
    """People in council-supported long-term support at a month end, as the measures count them."""
    services = read(root, "services")
    people = read(root, "people").set_index(["la_code", "person_id"])
    d = pd.Timestamp(month_end)
    s = services[
        (services["la_code"] == la)
        & services["service_type"].str.startswith("Long Term Support")
        & (services["client_type"] == "Service User")
        & services["funding_source"].isin(K.COUNCIL_SUPPORTED)
    ]
    start, end = pd.to_datetime(s["start_date"]), pd.to_datetime(s["end_date"].replace("", None))
    s = s[(start <= d) & (end.isna() | (end >= d))].join(people, on=["la_code", "person_id"])
    dod = pd.to_datetime(s["date_of_death"].replace("", None))
    s = s[dod.isna() | (dod >= d)]
    s = s.assign(age=(d - pd.to_datetime(s["date_of_birth"])).dt.days / 365.25)
    return s.groupby("person_id").agg(
        age=("age", "first"),
        psr=("primary_support_reason", "first"),
        home=(
            "service_type",
            lambda t: t.isin(["Long Term Support: Residential Care", "Long Term Support: Nursing Care"]).any(),
        ),
    )


def admissions(root, la: str) -> pd.DataFrame:
    """Council-supported permanent placements that are not a move between homes (within 7 days)."""
    services = read(root, "services")
    people = read(root, "people").set_index(["la_code", "person_id"])
    p = services[
        (services["la_code"] == la)
        & services["service_type"].isin(["Long Term Support: Residential Care", "Long Term Support: Nursing Care"])
    ].copy()
    p["start"] = pd.to_datetime(p["start_date"])
    p["end"] = pd.to_datetime(p["end_date"].replace("", None)).fillna(pd.Timestamp("2999-12-31"))
    p = p.sort_values(["person_id", "start", "service_id"])
    p["previous_end"] = p.groupby("person_id")["end"].transform(lambda e: e.cummax().shift())
    p["move"] = p["start"] <= p["previous_end"] + pd.Timedelta(days=7)
    p = p.join(people, on=["la_code", "person_id"])
    p["age"] = (p["start"] - pd.to_datetime(p["date_of_birth"])).dt.days / 365.25
    return p


def per_month(frame: pd.DataFrame, col: str) -> float:
    d = pd.to_datetime(frame[col].replace("", None)).dropna()
    d = d[(d >= WINDOW[0]) & (d <= WINDOW[1])]
    return len(d) / (12 * YEARS)


def test_volumes_are_in_proportion_to_norfolk(clean):
    """Scale 0.05 of Norfolk: loose bounds around the county's figures times 0.05."""
    root, _ = clean

    def norfolk(feed):
        frame = read(root, feed)
        return frame[frame["la_code"] == NORFOLK]

    requests = norfolk("requests")
    assert 150 <= per_month(requests, "request_date") <= 300  # ~4,500 a month
    resolved = (requests["request_outcome"] == "Universal Services/Signposted to Other Services").mean()
    assert 0.30 <= resolved <= 0.45  # ~37% resolved with information and advice
    assert 30 <= per_month(norfolk("assessments"), "start_date") <= 65  # ~900 a month
    reab = norfolk("reablement")
    ended = reab[reab["end_date"] != ""]
    assert 12 <= per_month(ended, "end_date") <= 30  # ~400 a month
    no_ongoing = ended["sequel"].isin(
        [
            "Ongoing Low Level Support",
            "Short Term Support (Other)",
            "No Services Provided - Universal Services/Signposted to Other Services",
            "No Services Provided - No identified needs",
        ]
    )
    in_denominator = ~ended["sequel"].str.startswith("Early Cessation") & (ended["sequel"] != "Death")
    assert 0.78 <= no_ongoing[in_denominator].mean() <= 0.95  # ~85%
    assert 0.5 <= (reab["hospital_discharge"] == "true").mean() <= 0.7  # ~60%
    followed = ended[ended["status_at_91_days"] != ""]
    assert (followed["status_at_91_days"] == "At home").mean() >= 0.85  # ~90%+
    assert 30 <= per_month(norfolk("reviews"), "review_date") <= 75  # ~1,000 a month
    holding = norfolk("holding_list").groupby("snapshot_date").size()
    assert len(holding) == 12 * YEARS and 80 <= holding.mean() <= 200  # ~2,700 waiting

    stock = month_end_stock(root, NORFOLK, "2017-03-31")
    assert 450 <= len(stock) <= 750  # ~12,000 at a month end
    assert 0.58 <= 1 - stock["home"].mean() <= 0.76  # ~66% in the community
    ld = stock[(stock["psr"] == "Learning Disability Support") & (stock["age"] < 65)]
    assert 70 <= len(ld) <= 140  # ~2,100
    mh = stock[(stock["psr"] == "Mental Health Support") & (stock["age"] < 65)]
    assert 20 <= len(mh) <= 60  # ~800

    placements = admissions(root, NORFOLK)
    fy = placements[(placements["start"] >= "2016-04-01") & (placements["start"] <= "2017-03-31")]
    admitted = fy[~fy["move"] & fy["funding_source"].isin(K.COUNCIL_SUPPORTED)]
    assert 40 <= (admitted["age"] >= 65).sum() <= 95  # ~1,300 a year
    assert (admitted["age"] < 65).sum() <= 12  # ~85 a year
    assert 80 <= admitted.loc[admitted["age"] >= 65, "age"].median() <= 90  # mostly 80-95
    assert fy["funding_source"].isin(["Self-funded", "NHS Continuing Healthcare"]).any() or len(fy) < 40

    services = norfolk("services")
    carers = services[
        services["service_type"].isin(["Carer Support: Direct Payment", "Carer Support: Council Commissioned Support"])
    ]
    assert (carers["client_type"] == "Carer").all()
    s, e = pd.to_datetime(carers["start_date"]), pd.to_datetime(carers["end_date"].replace("", None))
    in_year = carers[(s <= "2017-03-31") & (e.isna() | (e >= "2016-04-01"))]
    assert 45 <= in_year["person_id"].nunique() <= 115  # ~1,500 a year
    dp = in_year.groupby("person_id")["service_type"].agg(lambda t: (t == "Carer Support: Direct Payment").any())
    assert 0.75 <= dp.mean() <= 0.95  # ~85% direct payments

    population = norfolk("population").astype({"age": int, "year": int, "population": int})
    mid2016 = population[population["year"] == 2016]
    assert (
        abs(mid2016.loc[mid2016["age"].between(18, 64), "population"].sum() - 507_180 * SCALE) < 0.02 * 507_180 * SCALE
    )
    assert abs(mid2016.loc[mid2016["age"] >= 65, "population"].sum() - 213_765 * SCALE) < 0.02 * 213_765 * SCALE
    assert {2014, 2015, 2016, 2017} <= set(population["year"].unique())  # and the CLD years (tests/cld)
    assert set(population["sex"]) == {"Male", "Female"} and set(population["age"]) == set(range(91))

    dtoc = norfolk("dtoc").astype({"delayed_days": int})
    monthly = dtoc.groupby(["period", "responsible_org"])["delayed_days"].sum().unstack(fill_value=0)
    assert set(monthly.columns) == {"NHS", "Social Care", "Both"}
    assert 20 <= monthly["Social Care"].mean() <= 60  # ~750 a month
    assert 45 <= monthly["NHS"].mean() <= 110  # ~1,400 a month
    winter = monthly[monthly.index.str[5:].isin(["12", "01", "02"])]["Social Care"].mean()
    summer = monthly[monthly.index.str[5:].isin(["06", "07", "08"])]["Social Care"].mean()
    assert winter > summer


def test_pathways_hang_together(clean):
    root, _ = clean
    placements = admissions(root, NORFOLK)
    assert placements["move"].any(), "some residents move between homes within 7 days"
    services = read(root, "services")
    temporary = services[services["service_type"] == "Short Term Support: Other Short Term"]
    assert set(temporary["support_setting"]) <= {"Residential", "Nursing"} and len(temporary)
    assert (read(root, "people")["date_of_death"] != "").any()
    # new long-term clients in the window were assessed first
    assessments = read(root, "assessments")
    done = assessments[assessments["completion_date"] != ""]
    first_done = done.groupby(["la_code", "person_id"])["completion_date"].min()
    lts = services[services["service_type"].str.startswith("Long Term Support")]
    first_start = lts.groupby(["la_code", "person_id"])["start_date"].min()
    new = first_start[first_start >= "2015-07-01"]
    assessed = first_done.reindex(new.index)
    assert (assessed <= new).mean() > 0.8
    # a request led to each assessment that has one, before it started
    requests = read(root, "requests").set_index("request_id")
    linked = assessments[assessments["request_id"] != ""]
    assert (requests.loc[linked["request_id"], "request_date"].to_numpy() <= linked["start_date"].to_numpy()).all()
    # client status is recorded for people with a learning disability or mental health support reason
    status = read(root, "client_status").merge(read(root, "people"), on=["la_code", "person_id"])
    assert set(status["primary_support_reason"]) <= {"Learning Disability Support", "Mental Health Support"}
    assert status["employment_status"].str.startswith("Paid").any()
    # self-directed support in the community: ~90%, direct payments ~30%
    community = month_end_stock(root, NORFOLK, "2017-03-31")
    com = services[
        (services["la_code"] == NORFOLK)
        & (services["service_type"] == "Long Term Support: Community")
        & services["person_id"].isin(community.index)
        & (services["end_date"] == "")
    ]
    sds = com["delivery_mechanism"].isin(["Direct Payment", "Part Direct Payment", "CASSR Managed Personal Budget"])
    assert 0.8 <= sds.mean() <= 0.97
    assert 0.18 <= com["delivery_mechanism"].isin(["Direct Payment", "Part Direct Payment"]).mean() <= 0.42


# --- reference data, risk register, commentary -----------------------------------------------------


def test_reference_data(clean):
    root, _ = clean
    targets = read(root, "targets")
    assert len(targets) == 2 * 7 * 12 * YEARS
    assert set(targets["indicator_code"]) == {
        "VS_ADMISSIONS_18_64",
        "VS_ADMISSIONS_65_PLUS",
        "VS_HOME_91_DAYS",
        "VS_DTOC_SOCIAL_CARE",
        "VS_LD_EMPLOYMENT",
        "VS_MH_EMPLOYMENT",
        "VS_REABLEMENT_NO_ONGOING",
    }
    last = targets[(targets["la_code"] == NORFOLK) & (targets["period"] == "2017-03")].set_index("indicator_code")
    assert float(last.loc["VS_ADMISSIONS_65_PLUS", "target"]) == 573.0
    assert float(last.loc["VS_DTOC_SOCIAL_CARE", "target"]) == 1.5

    bench = read(root, "benchmarks")
    ascof = {"1C1A", "1C1B", "1C2A", "1C2B", "1E", "1G", "2A1", "2A2", "2B1", "2B2", "2C1", "2C2", "2D"}
    assert set(bench["indicator_code"]) == ascof
    assert set(bench["financial_year"]) == {"2015/16", "2016/17"}
    for (_, _), g in bench.groupby(["indicator_code", "financial_year"]):
        la = g[g["area_type"] == "LA"]
        assert len(la) == 15 and sorted(la["rank"].astype(int)) == list(range(1, 16))
        assert (la["rank_of"] == "15").all()
        assert (g["area_type"].value_counts()[["Family group", "England"]] == 1).all()
        # one Region row for each region a member council is in (each council's own region, not one for all)
        regions = {c.region_code for c in COUNCILS}
        assert sorted(g.loc[g["area_type"] == "Region", "area_code"]) == sorted(regions) and len(regions) > 1

    groups = read(root, "family_groups")
    assert len(groups) == 15 and set(groups["family_group"]) == {FAMILY_GROUP}
    assert {NORFOLK, NOTTS} <= set(groups["la_code"])

    values = read(root, "indicator_values")
    cqc = values[values["indicator_code"] == "VS_CQC_GOOD"]
    assert len(cqc) == 2 * 12 * YEARS and (cqc["numerator"].astype(int) <= cqc["denominator"].astype(int)).all()
    b2 = values[values["indicator_code"] == "2B2"]
    assert set(b2["period_end"]) == {"2016-03-31", "2017-03-31"} and (b2["denominator"].astype(int) > 0).all()


def test_risk_register_snapshots_change_realistically(clean):
    root, _ = clean
    before = pd.read_csv(root / "risk_register/risk_register_20161231.csv", dtype=str, keep_default_na=False)
    after = pd.read_csv(root / "risk_register/risk_register_20170331.csv", dtype=str, keep_default_na=False)
    for la in (NORFOLK, NOTTS):
        b = before[before["la_code"] == la].set_index("risk_id")
        a = after[after["la_code"] == la].set_index("risk_id")
        assert 15 <= len(a) <= 20 and 15 <= len(b) <= 20
        assert len(set(a.index) - set(b.index)) == 1, "one new risk"
        assert len(set(b.index) - set(a.index)) == 1, "one closed risk"
        both = a.index.intersection(b.index)

        def score(f, rows=both):
            return f.loc[rows, "current_likelihood"].astype(int) * f.loc[rows, "current_impact"].astype(int)

        assert (score(a) != score(b)).sum() >= 2, "a couple of score changes"
        assert (a.loc[both, "risk_name"] != b.loc[both, "risk_name"]).sum() == 1, "one title change"
        for f in (a, b):
            for col in (
                "original_likelihood",
                "original_impact",
                "current_likelihood",
                "current_impact",
                "target_likelihood",
                "target_impact",
            ):
                assert f[col].astype(int).between(1, 5).all()
            assert set(f["prospects"]) <= set(K.PROSPECTS)
            for col in ("date_entered", "target_date", "review_date"):
                assert f[col].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    norfolk = after[after["la_code"] == NORFOLK]["risk_id"]
    assert {"RM14079", "RM0207", "RM13925", "RM14247", "RM14149"} <= set(norfolk)


def test_commentary_has_the_report_card_sections(clean):
    root, _ = clean
    notes = sorted((root / "commentary").glob("*/2017-03.md"))
    assert len(notes) >= 3
    for note in notes:
        text = note.read_text(encoding="utf-8")
        headings = re.findall(r"^## (.+)$", text, flags=re.M)
        assert headings == [
            "Why is this important?",
            "What explains current performance?",
            "What will success look like?",
            "Action required",
            "Responsible officers",
        ]
        assert re.search(r"^Lead: \S", text, flags=re.M) and re.search(r"^Data owner: \S", text, flags=re.M)


# --- arguments and speed -----------------------------------------------------------------------------


def test_window_follows_end_month_and_years(tmp_path):
    counts = generate(tmp_path, councils=1, years=1, scale=0.02, seed=1, end_month="2018-06")
    assert counts["requests"] > 0
    requests = read(tmp_path, "requests")
    d = pd.to_datetime(requests["request_date"])
    assert d.min() >= pd.Timestamp("2017-07-01") and d.max() <= pd.Timestamp("2018-06-30")
    assert (tmp_path / "liquidlogic/requests_20180701.csv").exists()
    assert sorted(read(tmp_path, "holding_list")["snapshot_date"].unique())[-1] == "2018-06-30"


@pytest.mark.parametrize(
    "kwargs",
    [dict(councils=0), dict(councils=len(COUNCILS) + 1), dict(years=0), dict(scale=0), dict(end_month="March 2017")],
)
def test_bad_arguments_are_refused(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate(tmp_path, **kwargs)


def test_at_least_twelve_councils_each_with_its_own_size():
    assert len(COUNCILS) >= 12 and COUNCILS[0].la_code == NORFOLK
    assert len({c.la_code for c in COUNCILS}) == len(COUNCILS)
    assert all(re.fullmatch(r"E10\d{6}", c.la_code) for c in COUNCILS)
    sizes = [c.size for c in COUNCILS]
    assert all(0.6 <= s <= 1.4 for s in sizes) and len(set(sizes)) > 10


def test_scale_one_is_quick(tmp_path):
    started = time.monotonic()
    counts = generate(tmp_path, councils=1, years=2, scale=1.0, seed=SEED)
    assert time.monotonic() - started < 30
    assert 80_000 <= counts["requests"] <= 130_000
    assert counts["population"] % (2 * 91) == 0 and counts["population"] >= 2 * 91 * 4


def test_safeguarding_concerns_are_about_the_councils_adults_at_plausible_rates(clean):
    root, _ = clean
    sg, people = read(root, "safeguarding"), read(root, "people")
    known = set(zip(people["la_code"], people["person_id"]))
    assert all(key in known for key in zip(sg["la_code"], sg["person_id"]))
    for la, g in sg.groupby("la_code"):
        decided = g[g["threshold_met"] != ""]
        met = decided[decided["threshold_met"] == "true"]
        assert 0.25 <= len(met) / len(decided) <= 0.45, la
        safe = (dates(met["action_to_make_safe_date"]) - dates(met["threshold_decision_date"])).dt.days <= 1
        assert 0.75 <= safe.mean() <= 0.97, la
        s42 = g[(g["enquiry_type"] == "Section 42") & (g["enquiry_end_date"] != "")]
        within = (dates(s42["enquiry_end_date"]) - dates(s42["enquiry_start_date"])).dt.days <= 28
        assert 0.35 <= within.mean() <= 0.65, la
        expressed = s42[s42["msp_outcomes_expressed"] == "Yes"]
        assert expressed["msp_outcomes_achieved"].isin(["Fully achieved", "Partially achieved"]).mean() > 0.8, la
