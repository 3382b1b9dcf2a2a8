"""The validation report lists exactly the invalid values `vitalsigns sample --dirty` plants in the
Liquid Logic feeds (those that reach the return), found here independently from the contract's code
lists; the accepted variants it also plants (odd case, spacing, en dashes, DD/MM/YYYY) are not listed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dagster_project import contracts as K
from dagster_project.cld_return.build import build, parse_date
from dagster_project.cld_return.validate import validate

from .conftest import LA, PERIOD

EVENT_CODES = {
    "requests": ["route_of_access", "request_outcome"],
    "assessments": ["assessment_type", "assessment_outcome"],
    "services": ["client_type", "service_type", "delivery_mechanism", "funding_source"],
    "reablement": ["sequel"],
    "reviews": ["review_type", "review_outcome"],
}
DATE_PAIRS = {
    "requests": ("request_date", "outcome_date"),
    "assessments": ("start_date", "completion_date"),
    "services": ("start_date", "end_date"),
    "reablement": ("start_date", "end_date"),
}


def _feed(landing, feed):
    path = sorted((landing / "liquidlogic").glob(f"{feed}_*.csv"))[-1]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["source"] = path.name + ":" + (frame.index + 2).astype(str)
    return frame[frame.la_code == LA]


def _unknown(feed, column, values: pd.Series) -> pd.Series:
    codes = {K.canonical_code(c) for c in K.FEEDS[feed].column(column).codes}
    return (values != "") & ~values.map(K.canonical_code).isin(codes)


def planted(landing):
    """(event sources with an unknown code, event sources ending before they start, people planted)."""
    codes, dates = set(), set()
    for feed, columns in EVENT_CODES.items():
        frame = _feed(landing, feed)
        for column in columns:
            codes |= set(frame.loc[_unknown(feed, column, frame[column]), "source"])
        if feed in DATE_PAIRS:
            s, e = (frame[c].map(parse_date) for c in DATE_PAIRS[feed])
            dates |= set(frame.loc[[bool(a and b and b < a) for a, b in zip(s, e)], "source"])
    people = _feed(landing, "people")
    bad_people = (
        _unknown("people", "gender", people.gender)
        | _unknown("people", "primary_support_reason", people.primary_support_reason)
        | people.date_of_birth.map(lambda d: (parse_date(d) or dt.date.min) > dt.date(2025, 3, 31))
    )
    return codes, dates, set(people.loc[bad_people, "person_id"])


@pytest.fixture(scope="module")
def dirty(dirty_sample):
    ret = build(dirty_sample, LA, PERIOD)
    return ret, validate(ret)


def test_the_clean_sample_has_no_invalid_value(era_sample):
    v = validate(build(era_sample, LA, PERIOD))
    assert v.invalid.empty, v.invalid.head()


def test_report_lists_exactly_the_planted_invalid_values(dirty, dirty_sample):
    ret, v = dirty
    codes, dates, people = planted(dirty_sample)
    in_return = set(ret.source)
    persons = set(ret.rows.LA_Person_Unique_Identifier)
    inv = v.invalid
    person_fields = inv.field.isin(["Gender", "Primary_Support_Reason", "Date_of_Birth"])
    date_rule = inv.reason.str.startswith("breaks R9")
    reported_codes = set(inv.loc[~person_fields & ~date_rule, "source"])
    reported_dates = set(inv.loc[date_rule, "source"])
    reported_people = set(ret.rows.LA_Person_Unique_Identifier.iloc[inv.loc[person_fields, "row"] - 2])
    assert codes & in_return and people & persons, "the dirty sample planted nothing that reaches the return"
    assert reported_codes == codes & in_return
    assert reported_dates == dates & in_return
    assert reported_people == people & persons
    # and each listed row of the return holds the value shown
    for r in inv[~inv.value.eq("(not shown)")].itertuples():
        assert ret.rows.iloc[r.row - 2][r.field] == r.value


def test_the_accepted_variants_are_mapped_not_listed(dirty):
    _, v = dirty
    values = set(v.invalid.value)
    assert not any(x.lower() == x and ":" in x for x in values if x != "(not shown)"), values  # lower-cased variants
