"""Each conditional rule of the validation, on one row where it applies and one where it does not,
and the per-field counts (valid / blank optional / blank mandatory / invalid)."""

from __future__ import annotations

import pandas as pd
import pytest

from dagster_project.cld_return.build import COLUMNS, Period, Return
from dagster_project.cld_return.validate import RULES, nhs_number_ok, validate

BASE = {c: "" for c in COLUMNS} | {
    "LA_Code": "E10000020",
    "Reporting_Period_Start_Date": "01/04/2024",
    "Reporting_Period_End_Date": "31/03/2025",
    "NHS_Number": "9434765919",
    "LA_Person_Unique_Identifier": "P1",
    "Gender": "Female",
    "Ethnicity": "White: Irish",
    "Date_of_Birth": "17/05/1950",
    "Client_Type": "Service user",
    "Primary_Support_Reason": "Mental health support",
    "Event_Type": "Review",
    "Event_Start_Date": "15/01/2025",
    "Event_End_Date": "15/01/2025",
    "Event_Outcome": "Continuation of support or services",
    "Event_Reference": "REV-1",
}


def check(*rows: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame([BASE | r for r in rows])[COLUMNS]
    ret = Return("E10000020", Period.parse("2024-Q4"), frame, pd.Series([f"x.csv:{i + 2}" for i in range(len(rows))]))
    v = validate(ret)
    return v.fields.set_index("field"), v.rules.set_index("rule"), v.invalid


def failing(rule: str, *rows: dict) -> tuple[int, int]:
    _, rules, _ = check(*rows)
    return int(rules.at[rule, "rows_applying"]), int(rules.at[rule, "rows_failing"])


SERVICE = {
    "Event_Type": "Service",
    "Event_End_Date": "",
    "Event_Outcome": "",
    "Service_Type": "Long term support: Community",
    "Service_Component": "Day support",
    "Delivery_Mechanism": "Direct payment",
    "Accommodation_Status": "Unknown",
}
LD_ADULT = {"Primary_Support_Reason": "Learning disability support", "Date_of_Birth": "01/06/1990"}

CASES = {  # rule: (a row breaking it, a row it applies to and is kept, a row it does not apply to)
    "R1": ({"Event_End_Date": ""}, {}, SERVICE),
    "R2": ({"Event_Outcome": ""}, {}, SERVICE),
    "R3": (
        {"Event_Type": "Request"},
        {"Event_Type": "Request", "Request_Route_of_Access": "Community or other route"},
        {},
    ),
    "R4": ({"Event_Type": "Assessment"}, {"Event_Type": "Assessment", "Assessment_Type": "Long term assessment"}, {}),
    "R5": (SERVICE | {"Service_Component": ""}, SERVICE, {}),
    "R5b": (
        SERVICE | {"Delivery_Mechanism": ""},
        SERVICE,
        SERVICE | {"Service_Type": "Long term support: Nursing care", "Delivery_Mechanism": ""},
    ),
    "R6": ({"Primary_Support_Reason": ""}, {}, {"Client_Type": "Unpaid carer", "Primary_Support_Reason": ""}),
    "R7": (
        LD_ADULT,
        LD_ADULT | {"Employment_Status": "Paid: 16 or more hours a week"},
        LD_ADULT | {"Date_of_Birth": "01/06/1955"},
    ),  # 69: outside 18-64
    "R8": (
        SERVICE | {"Accommodation_Status": ""},
        SERVICE,
        SERVICE
        | {"Service_Type": "Short term support: ST-Max", "Service_Component": "Reablement", "Accommodation_Status": ""},
    ),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_conditional_rule(rule):
    broken, kept, outside = CASES[rule]
    assert failing(rule, broken) == (1, 1)
    assert failing(rule, kept) == (1, 0)
    assert failing(rule, outside)[0] == 0
    fields, _, _ = check(broken)
    target = next(r for r in RULES if r.id == rule).fields
    assert sum(int(fields.at[f, "blank_mandatory"]) for f in target) == 1


def test_every_rule_has_a_case():
    assert {r.id for r in RULES} == set(CASES)


def test_an_end_date_before_the_start_and_a_birth_after_the_period_are_invalid():
    fields, rules, invalid = check({"Event_End_Date": "10/01/2025"}, {"Date_of_Birth": "01/06/2099"})
    assert (rules.at["R9", "rows_failing"], rules.at["R10", "rows_failing"]) == (1, 1)
    assert (fields.at["Event_End_Date", "invalid"], fields.at["Date_of_Birth", "invalid"]) == (1, 1)
    assert invalid["row"].tolist() == [2, 3]
    assert invalid.loc[invalid.field == "Date_of_Birth", "value"].item() == "(not shown)"  # never echoed
    assert invalid["source"].tolist() == ["x.csv:2", "x.csv:3"]


def test_field_counts_valid_blank_optional_blank_mandatory_invalid():
    fields, _, invalid = check(
        {}, {"Gender": "Not recorded", "NHS_Number": ""}, {"NHS_Number": "9434765918", "GP_Practice_Code": "D82001"}
    )
    assert fields.loc["Gender"].tolist() == [2, 0, 0, 1]
    assert fields.loc["NHS_Number"].tolist() == [1, 0, 1, 1]  # a wrong check digit is invalid
    assert fields.loc["GP_Practice_Code"].tolist() == [1, 2, 0, 0]
    assert invalid[invalid.field == "Gender"][["row", "value"]].values.tolist() == [[3, "Not recorded"]]
    assert invalid.loc[invalid.field == "NHS_Number", "value"].item() == "(not shown)"


def test_nhs_number_check_digit():
    assert nhs_number_ok("9434765919") and not nhs_number_ok("9434765918") and not nhs_number_ok("94347659")


def test_comparison_with_the_previous_quarter():
    now = pd.DataFrame([BASE, BASE | {"Event_Reference": "REV-2"}, BASE | {"Event_Reference": "REV-3"}])[COLUMNS]
    before = pd.DataFrame(
        [
            BASE | {"Event_Outcome": "NFA: Other"},
            BASE | {"Event_Reference": "REV-2"},
            BASE | {"Event_Reference": "REV-9"},
        ]
    )[COLUMNS]
    ret = Return("E10000020", Period.parse("2024-Q4"), now, pd.Series(["x"] * 3))
    c = validate(ret, before).comparison
    assert (c["added"], c["changed"], c["lost"], c["unchanged"]) == (1, 1, 1, 1)
    assert c["changed_fields"] == {"Event_Outcome": 1}
