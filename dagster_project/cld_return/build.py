"""Build one council's quarterly CLD return from its Liquid Logic landing files.

Person-identifiable by design (NHS England links on NHS number and date of birth), so it reads
the landing files, never the pseudonymised warehouse, and `export.write_private` is the only
writer. Field names and order come from cld_contract.py; codes from the cld_return seeds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import cld_contract as C
from .. import contracts as K
from ..ingest.landing import feed_files
from .mappings import mapping

FEEDS = ("people", "requests", "assessments", "services", "reablement", "reviews", "client_status")
# optional people columns the Liquid Logic contract lacks; blank (and reported) when absent
NHS_COLUMN, GP_COLUMN = "nhs_number", "gp_practice_code"
# the CLD fields the return fills, in contract order (required ones, then these optional ones)
OPTIONAL_FILLED = ("GP_Practice_Code", "Event_Reference", "Review_Reason")
COLUMNS = [f.raw for f in C.REQUIRED] + list(OPTIONAL_FILLED)
PERIOD_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<q>[1-4])$")


@dataclass(frozen=True)
class Period:
    """A financial-year quarter `YYYY-Qn` (YYYY/YY+1, Q1 = April-June), as NHS England names them."""

    label: str
    start: dt.date  # the rolling 12 months the return covers
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        m = PERIOD_RE.match(text or "")
        if not m:
            raise ValueError(
                f"--period {text!r}: give a financial-year quarter as YYYY-Qn (2024-Q4 = "
                "January-March 2025, the last quarter of 2024/25)"
            )
        year, q = int(m["year"]), int(m["q"])
        end_month = 3 * q + 3  # Q1 ends June (6), Q4 ends March of the next year (15)
        y, mo = year + (end_month - 1) // 12, (end_month - 1) % 12 + 1
        end = dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)
        start = dt.date(y - 1 + (mo == 12), mo % 12 + 1, 1)
        return cls(text, start, end)

    def previous(self) -> Period:
        year, q = int(self.label[:4]), int(self.label[-1])
        return Period.parse(f"{year - (q == 1)}-Q{4 if q == 1 else q - 1}")

    @property
    def financial_year(self) -> str:
        y = int(self.label[:4])
        return f"{y}/{(y + 1) % 100:02d}"


@dataclass
class Return:
    la_code: str
    period: Period
    rows: pd.DataFrame  # the CLD columns as written (text, dd/mm/yyyy dates)
    source: pd.Series  # per row: the Liquid Logic file and line it came from (for the validation report)
    notes: list[str] = field(default_factory=list)  # what the landing lacked (reported)
    files: dict[str, str] = field(default_factory=dict)  # feed -> file read


def parse_date(text) -> dt.date | None:
    """A Liquid Logic date as the ingestion accepts it: YYYY-MM-DD or DD/MM/YYYY; None if neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    return None


def uk(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _read_feed(landing: Path, feed: str, la: str) -> tuple[pd.DataFrame, str]:
    """The newest file of a full feed holding the council's rows (full extracts replace), with line numbers."""
    for path in reversed(feed_files(landing, K.FEEDS[feed])):
        if path.suffix.lower() != ".csv":
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.columns = [c.strip().lower() for c in frame.columns]
        frame["_line"] = frame.index + 2
        frame = frame[frame.get("la_code", pd.Series("", index=frame.index)).str.strip() == la]
        if len(frame):
            frame = frame.copy()
            frame["source_ref"] = path.name + ":" + frame["_line"].astype(str)
            return frame, path.name
    return pd.DataFrame(columns=[c.name for c in K.FEEDS[feed].columns] + ["_line", "source_ref"]), ""


def councils(landing: Path) -> list[str]:
    """The councils in the newest people extract (one file may hold several, as the sample's does)."""
    files = [p for p in feed_files(Path(landing), K.FEEDS["people"]) if p.suffix.lower() == ".csv"]
    if not files:
        return []
    codes = pd.read_csv(files[-1], dtype=str, keep_default_na=False, usecols=lambda c: c.strip().lower() == "la_code")
    return sorted({c.strip() for c in codes.iloc[:, 0] if c.strip()}) if codes.shape[1] else []


def _code(name: str, value: str, column: str = "cld_value") -> str:
    """The CLD value for a Liquid Logic code; an unknown code passes through as sent, so validation lists it."""
    row = mapping(name).get(value)
    if row is None:
        return (value or "").strip()
    return row.get(column, "")


def build(landing: Path, la: str, period: Period | str) -> Return:
    p = period if isinstance(period, Period) else Period.parse(period)
    data, files = {}, {}
    for feed in FEEDS:
        data[feed], files[feed] = _read_feed(Path(landing), feed, la)
    notes = [f"no {feed} extract for {la} in the landing folder" for feed in FEEDS if not files[feed]]
    for feed in FEEDS:  # a row repeated in a full extract is one record (the ingestion keeps one too)
        key = [c for c in K.FEEDS[feed].key if c in data[feed].columns]
        repeated = data[feed].duplicated(key, keep="first")
        if repeated.any():
            lines = ", ".join(data[feed].loc[repeated, "_line"].astype(str).head(5))
            notes.append(f"{int(repeated.sum())} repeated row(s) in {files[feed]} (line {lines}) counted once")
            data[feed] = data[feed][~repeated]
    start, end = p.start, p.end
    within = lambda d: d is not None and start <= d <= end  # noqa: E731

    people = data["people"].drop_duplicates("person_id", keep="first").set_index("person_id", drop=False)
    for col, what in ((NHS_COLUMN, "NHS_Number"), (GP_COLUMN, "GP_Practice_Code")):
        if col not in people.columns:
            notes.append(f"{what} is blank: the people extract has no '{col}' column (add it to fill {what})")
            people[col] = ""
    status = data["client_status"].copy()
    status["_d"] = status["as_at_date"].map(parse_date) if len(status) else []
    status = status[status["_d"].map(lambda d: d is not None and d <= end)] if len(status) else status
    latest = status.sort_values("_d").groupby("person_id").tail(1).set_index("person_id") if len(status) else status

    events: list[dict] = []

    def add(pid, kind, s, e, outcome, source, ref, **extra):
        events.append(
            {
                "pid": pid,
                "Event_Type": kind,
                "start": s,
                "end": e,
                "Event_Outcome": outcome,
                "_source": source,
                "Event_Reference": ref,
                **extra,
            }
        )

    for r in data["requests"].itertuples():
        done = parse_date(r.outcome_date)
        if within(done) and r.request_outcome.strip():
            add(
                r.person_id,
                "Request",
                parse_date(r.request_date),
                done,
                _code("request_outcome", r.request_outcome),
                r.source_ref,
                f"REQ-{r.request_id}",
                Request_Route_of_Access=_code("route_of_access", r.route_of_access),
            )
    for r in data["assessments"].itertuples():
        done = parse_date(r.completion_date)
        row = mapping("assessment_outcome").get(r.assessment_outcome)
        if not within(done) or (row and row.get("exclude") == "yes"):
            continue  # not completed in the period, or cancelled
        add(
            r.person_id,
            "Assessment",
            parse_date(r.start_date),
            done,
            _code("assessment_outcome", r.assessment_outcome),
            r.source_ref,
            f"ASM-{r.assessment_id}",
            Assessment_Type=_code("assessment_type", r.assessment_type),
            Client_Type=_code("assessment_type", r.assessment_type, "client_type") or "Service user",
        )
    # reablement episodes are the ST-Max services of CLD; their sequel is the service's outcome
    st_max, commissioned = "Short Term Support: ST-Max", "CASSR Commissioned Support only"
    for r in data["reablement"].itertuples():
        s, e = parse_date(r.start_date), parse_date(r.end_date)
        if s is None or s > end or (e is not None and e < start):
            continue
        ended = e is not None and e <= end
        add(
            r.person_id,
            "Service",
            s,
            e if ended else None,
            _code("reablement_sequel", r.sequel) if ended else "",
            r.source_ref,
            f"REA-{r.episode_id}",
            Service_Type=_code("service_type", st_max),
            Service_Component=_code("service_type", st_max, "service_component"),
            Delivery_Mechanism=_code("delivery_mechanism", commissioned),
            Client_Type=_code("client_type", "Service User"),
            Client_Funding_Status=_code("funding_source", "Council"),
        )
    for r in data["services"].itertuples():
        s, e = parse_date(r.start_date), parse_date(r.end_date)
        if s is None or s > end or (e is not None and e < start):
            continue  # not active in the period
        ended = e is not None and e <= end
        outcome = ""
        if ended:
            dod = parse_date(people["date_of_death"].get(r.person_id, "")) if r.person_id in people.index else None
            if dod is not None and dod <= e:
                outcome = _code("service_end", "Died")
            else:
                outcome = _code("service_end", "Ended")
        add(
            r.person_id,
            "Service",
            s,
            e if ended else None,
            outcome,
            r.source_ref,
            f"SVC-{r.service_id}",
            Service_Type=_code("service_type", r.service_type),
            # an unknown service type is listed once (as the type); its component is then blank
            Service_Component=(mapping("service_type").get(r.service_type) or {}).get("service_component", ""),
            Delivery_Mechanism=_code("delivery_mechanism", r.delivery_mechanism),
            Client_Type=_code("client_type", r.client_type),
            Client_Funding_Status=_code("funding_source", r.funding_source),
        )
    for r in data["reviews"].itertuples():
        d = parse_date(r.review_date)
        if within(d):
            add(
                r.person_id,
                "Review",
                d,
                d,
                _code("review_outcome", r.review_outcome),
                r.source_ref,
                f"REV-{r.review_id}",
                Review_Reason=_code("review_reason", r.review_type),
            )

    ev = pd.DataFrame(events)
    if ev.empty:
        ev = pd.DataFrame(columns=["pid", "Event_Type", "start", "end", "Event_Outcome", "_source", "Event_Reference"])
    ev = ev.sort_values(["pid", "start", "Event_Type", "Event_Reference"], kind="stable", na_position="last")
    ev = ev.reset_index(drop=True)
    out = pd.DataFrame(index=ev.index)
    missing_person = ~ev["pid"].isin(people.index)
    if missing_person.any():
        notes.append(
            f"{int(missing_person.sum())} event(s) for people not in the people extract: their person fields are blank"
        )
    pp = people.reindex(ev["pid"]).reset_index(drop=True).fillna("")
    st = latest.reindex(ev["pid"]).reset_index(drop=True).fillna("") if len(latest) else None
    get = lambda frame, col: frame[col] if frame is not None and col in frame else pd.Series("", index=ev.index)  # noqa: E731
    dod = pp["date_of_death"].map(parse_date)
    out["LA_Code"] = la
    out["Reporting_Period_Start_Date"] = uk(start)
    out["Reporting_Period_End_Date"] = uk(end)
    out["NHS_Number"] = pp[NHS_COLUMN].str.replace(" ", "", regex=False)
    out["LA_Person_Unique_Identifier"] = ev["pid"].astype(str)
    out["Gender"] = pp["gender"].map(lambda v: _code("gender", v))
    out["Ethnicity"] = pp["ethnicity"].map(lambda v: _code("ethnicity", v))
    out["Date_of_Birth"] = pp["date_of_birth"].map(lambda v: uk(parse_date(v)) or v)
    out["Date_of_Death"] = [uk(d) if d is not None and d <= end else "" for d in dod]
    out["Client_Type"] = get(ev, "Client_Type").fillna("").replace("", "Service user")
    out["Primary_Support_Reason"] = pp["primary_support_reason"].map(lambda v: _code("primary_support_reason", v))
    out["Accommodation_Status"] = get(st, "accommodation_status").map(lambda v: _code("accommodation_status", v))
    out["Employment_Status"] = get(st, "employment_status").map(lambda v: _code("employment_status", v))
    out["Has_Unpaid_Carer"] = ""
    out["Client_Funding_Status"] = get(ev, "Client_Funding_Status").fillna("")
    out["Event_Type"] = ev["Event_Type"]
    out["Event_Start_Date"] = ev["start"].map(uk)
    out["Event_End_Date"] = ev["end"].map(lambda d: uk(d) if isinstance(d, dt.date) else "")
    for col in (
        "Event_Outcome",
        "Request_Route_of_Access",
        "Assessment_Type",
        "Service_Type",
        "Service_Component",
        "Delivery_Mechanism",
        "Review_Reason",
    ):
        out[col] = get(ev, col).fillna("")
    for col in ("Adult_1_Linked_Person_ID", "Adult_2_Linked_Person_ID", "Adult_3_Linked_Person_ID"):
        out[col] = ""
    out["GP_Practice_Code"] = pp[GP_COLUMN]
    out["Event_Reference"] = ev["Event_Reference"]
    notes.append("Has_Unpaid_Carer and the linked-person ids are blank: the Liquid Logic contract has no such field")
    return Return(la, p, out[COLUMNS].astype(str), ev["_source"], notes, files)
