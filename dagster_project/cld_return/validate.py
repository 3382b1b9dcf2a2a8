"""Check a return field by field, as the submission portal and DHSC's cleaning will.

Per field: valid, blank optional, blank mandatory, invalid (AGEM's codes 1 / 0 / -1 / < -1, as
cld_data_quality counts them after submission). A field is mandatory for a row when it always is
or when a conditional rule (RULES) applies to the row. Values shown are codes only: an invalid
identifier or date of birth is reported by row and field, never echoed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .. import cld_contract as C
from .build import COLUMNS, Return
from .mappings import code_lists

ALWAYS = {
    "LA_Code",
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "Gender",
    "Ethnicity",
    "Date_of_Birth",
    "Client_Type",
    "Event_Type",
    "Event_Start_Date",
}
DATES = {f.raw for f in C.DATES}
SHOWN_NEVER = {
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "Date_of_Birth",
    "Date_of_Death",
    "Adult_1_Linked_Person_ID",
    "Adult_2_Linked_Person_ID",
    "Adult_3_Linked_Person_ID",
}
GP_RE = re.compile(r"^[A-Z]\d{5}$")


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except (TypeError, ValueError):
        return None


def _age(dob: str, at: dt.date) -> float | None:
    d = _date(dob)
    return None if d is None else (at - d.replace(day=1)).days / 365.25  # DHSC's formula (docs/cld.md)


def nhs_number_ok(text: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit."""
    if not re.fullmatch(r"\d{10}", text):
        return False
    check = 11 - sum(int(c) * w for c, w in zip(text[:9], range(10, 1, -1))) % 11
    return (0 if check == 11 else check) == int(text[9]) and check != 10


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    fields: tuple[str, ...]  # mandatory for a row the rule applies to
    applies: Callable[[pd.Series, dt.date], bool]


def _service_user(r) -> bool:
    return r["Client_Type"] == "Service user"


RULES = (
    Rule(
        "R1",
        "an end date for every non-service event",
        ("Event_End_Date",),
        lambda r, end: r["Event_Type"] != "Service",
    ),
    Rule(
        "R2",
        "an outcome for every non-service event and every service that has ended",
        ("Event_Outcome",),
        lambda r, end: r["Event_Type"] != "Service" or r["Event_End_Date"] != "",
    ),
    Rule(
        "R3",
        "a route of access for every request",
        ("Request_Route_of_Access",),
        lambda r, end: r["Event_Type"] == "Request",
    ),
    Rule(
        "R4",
        "an assessment type for every assessment",
        ("Assessment_Type",),
        lambda r, end: r["Event_Type"] == "Assessment",
    ),
    Rule(
        "R5",
        "service type and component for every service",
        ("Service_Type", "Service_Component"),
        lambda r, end: r["Event_Type"] == "Service",
    ),
    Rule(
        "R5b",
        "a delivery mechanism for long-term support in the community and support direct to carers",
        ("Delivery_Mechanism",),
        lambda r, end: (
            r["Event_Type"] == "Service"
            and r["Service_Type"] in ("Long term support: Community", "Unpaid carer support: Direct to unpaid carer")
        ),
    ),
    Rule(
        "R6",
        "a primary support reason for every service user",
        ("Primary_Support_Reason",),
        lambda r, end: _service_user(r),
    ),
    Rule(
        "R7",
        "employment status for service users aged 18-64 with a learning-disability primary support reason",
        ("Employment_Status",),
        lambda r, end: (
            _service_user(r)
            and r["Primary_Support_Reason"] == "Learning disability support"
            and (a := _age(r["Date_of_Birth"], end)) is not None
            and 18 <= a < 65
        ),
    ),
    Rule(
        "R8",
        "accommodation status for service users in long-term support",
        ("Accommodation_Status",),
        lambda r, end: _service_user(r) and r["Service_Type"].startswith("Long term support"),
    ),
)
# checks that make a filled value invalid whatever its spelling
ORDER_RULES = (
    ("R9", "an event end date on or after its start date", "Event_End_Date"),
    ("R10", "a date of birth not after the period end", "Date_of_Birth"),
)


@dataclass
class Validation:
    fields: pd.DataFrame  # field, valid, blank_optional, blank_mandatory, invalid
    rules: pd.DataFrame  # rule, text, rows_applying, rows_failing
    invalid: pd.DataFrame  # row (line in the return), field, value (codes only), reason, source
    comparison: dict  # events added / changed / lost against the previous quarter


def _valid(field: str, value: str, lists) -> tuple[bool, str]:
    if field in lists:
        return value in lists[field], "not a CLD Release 2 value"
    if field in DATES:
        return _date(value) is not None, "not a dd/mm/yyyy date"
    if field == "LA_Code":
        return bool(C.ONS_LA_CODE.fullmatch(value)), "not an ONS council code"
    if field == "NHS_Number":
        return nhs_number_ok(value), "not a valid NHS number (10 digits, modulus-11 check)"
    if field == "GP_Practice_Code":
        return bool(GP_RE.fullmatch(value)), "not a GP practice code (a letter and five digits)"
    return True, ""


def validate(ret: Return, previous: pd.DataFrame | None = None) -> Validation:
    rows, end = ret.rows, ret.period.end
    lists = code_lists()
    mandatory = pd.DataFrame(False, index=rows.index, columns=COLUMNS)
    for f in ALWAYS:
        mandatory[f] = True
    rule_rows = []
    records = rows.to_dict("records")
    for rule in RULES:
        hit = pd.Series([rule.applies(r, end) for r in records], index=rows.index, dtype=bool)
        failing = pd.Series(False, index=rows.index)
        for f in rule.fields:
            mandatory[f] |= hit
            failing |= hit & (rows[f] == "")
        rule_rows.append((rule.id, rule.text, int(hit.sum()), int(failing.sum())))
    counts, bad = [], []
    for f in COLUMNS:
        col = rows[f]
        blank = col == ""
        ok = pd.Series(True, index=rows.index)
        reasons = pd.Series("", index=rows.index)
        for i in col.index[~blank]:
            good, why = _valid(f, col[i], lists)
            if not good:
                ok[i], reasons[i] = False, why
        invalid = ~blank & ~ok
        counts.append(
            (
                f,
                int((~blank & ok).sum()),
                int((blank & ~mandatory[f]).sum()),
                int((blank & mandatory[f]).sum()),
                int(invalid.sum()),
            )
        )
        for i in col.index[invalid]:
            bad.append((int(i) + 2, f, "(not shown)" if f in SHOWN_NEVER else col[i], reasons[i], ret.source[i]))
    # order checks on values that are otherwise valid
    s, e, dob = rows["Event_Start_Date"].map(_date), rows["Event_End_Date"].map(_date), rows["Date_of_Birth"].map(_date)
    for rid, text, f in ORDER_RULES:
        fail = [
            i
            for i in rows.index
            if (f == "Event_End_Date" and e[i] and s[i] and e[i] < s[i])
            or (f == "Date_of_Birth" and dob[i] and dob[i] > end)
        ]
        rule_rows.append((rid, text, int(rows[f].ne("").sum()), len(fail)))
        idx = COLUMNS.index(f)
        for i in fail:
            c = counts[idx]
            counts[idx] = (c[0], c[1] - 1, c[2], c[3], c[4] + 1)
            bad.append(
                (
                    int(i) + 2,
                    f,
                    "(not shown)" if f in SHOWN_NEVER else rows.at[i, f],
                    "breaks " + rid + ": " + text,
                    ret.source[i],
                )
            )
    fields = pd.DataFrame(counts, columns=["field", "valid", "blank_optional", "blank_mandatory", "invalid"])
    rules = pd.DataFrame(rule_rows, columns=["rule", "text", "rows_applying", "rows_failing"])
    invalid = pd.DataFrame(bad, columns=["row", "field", "value", "reason", "source"]).sort_values(["row", "field"])
    return Validation(fields, rules, invalid.reset_index(drop=True), compare(rows, previous))


def compare(rows: pd.DataFrame, previous: pd.DataFrame | None) -> dict:
    """Events added, changed and lost since the previous quarter's return (matched on Event_Reference)."""
    if previous is None:
        return {"previous": False}
    skip = {"Reporting_Period_Start_Date", "Reporting_Period_End_Date", "Event_Reference"}
    cols = [c for c in COLUMNS if c not in skip and c in previous.columns]
    now = rows.drop_duplicates("Event_Reference").set_index("Event_Reference")[cols]
    before = previous.drop_duplicates("Event_Reference").set_index("Event_Reference")[cols]
    both = now.index.intersection(before.index)
    changed = (now.loc[both].fillna("") != before.loc[both].fillna("")).any(axis=1)
    changed_fields = (now.loc[both].fillna("") != before.loc[both].fillna(""))[changed].sum()
    return {
        "previous": True,
        "added": int(len(now.index.difference(before.index))),
        "lost": int(len(before.index.difference(now.index))),
        "changed": int(changed.sum()),
        "unchanged": int((~changed).sum()),
        "changed_fields": {k: int(v) for k, v in changed_fields.items() if v},
    }
