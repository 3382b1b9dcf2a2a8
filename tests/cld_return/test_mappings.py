"""Each mapping from Liquid Logic codes to CLD: every contract code has a row, every row gives a
Release 2 value, and the return built from a hand-made landing carries the mapped values."""

from __future__ import annotations

import pytest

from dagster_project import cld_contract as C
from dagster_project import contracts as K
from dagster_project.cld_return.build import COLUMNS, Period, build
from dagster_project.cld_return.mappings import code_lists, mapping

from .conftest import LA, write_landing

# seed -> (the Liquid Logic code list it maps, the CLD field its cld_value fills, other columns: CLD field)
SEEDS = {
    "route_of_access": (K.ROUTE_OF_ACCESS, "Request_Route_of_Access", {}),
    "request_outcome": (K.REQUEST_OUTCOME, "Event_Outcome", {}),
    "assessment_type": (K.ASSESSMENT_TYPE, "Assessment_Type", {"client_type": "Client_Type"}),
    "assessment_outcome": (K.ASSESSMENT_OUTCOME, "Event_Outcome", {}),
    "service_type": (K.SERVICE_TYPE, "Service_Type", {"service_component": "Service_Component"}),
    "delivery_mechanism": (K.DELIVERY_MECHANISM, "Delivery_Mechanism", {}),
    "review_reason": (K.REVIEW_TYPE, "Review_Reason", {}),
    "review_outcome": (K.REVIEW_OUTCOME, "Event_Outcome", {}),
    "reablement_sequel": (K.SEQUEL, "Event_Outcome", {}),
    "client_type": (K.CLIENT_TYPE, "Client_Type", {}),
    "gender": (K.GENDER, "Gender", {}),
    "primary_support_reason": (K.PRIMARY_SUPPORT_REASON, "Primary_Support_Reason", {}),
    "employment_status": (K.EMPLOYMENT_STATUS, "Employment_Status", {}),
    "accommodation_status": (K.ACCOMMODATION_STATUS, "Accommodation_Status", {}),
    "funding_source": (K.FUNDING_SOURCE, "Client_Funding_Status", {}),
    "service_end": (["Died", "Ended"], "Event_Outcome", {}),
    "ethnicity": (None, "Ethnicity", {}),  # free text in Liquid Logic: the sample's categories
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_liquid_logic_code_maps_to_a_release_2_value(name):
    codes, field, others = SEEDS[name]
    m = mapping(name)
    lists = code_lists()
    if codes is not None:
        missing = [c for c in codes if m.get(c) is None]
        assert not missing, f"cld_return_{name}.csv has no row for {missing}"
    for key, row in m.rows.items():
        if row.get("exclude") == "yes":
            continue
        value = row["cld_value"]
        assert value in lists[field] or (value == "" and name == "delivery_mechanism"), (name, key, value)
        for column, other in others.items():
            assert row[column] in lists[other], (name, key, column, row[column])


def test_every_field_of_the_return_is_a_cld_contract_field_in_contract_order():
    raws = [f.raw for f in C.FIELDS]
    assert all(c in raws for c in COLUMNS)
    assert [c for c in COLUMNS if c in {f.raw for f in C.REQUIRED}] == [f.raw for f in C.REQUIRED]


def test_matching_is_the_ingestions_case_and_space_blind_code_match():
    assert mapping("service_type").get("long term support:  community")["cld_value"] == "Long term support: Community"
    assert mapping("assessment_outcome").get("Eligible needs \u2013 services provided") is not None


def test_period_is_a_financial_year_quarter():
    p = Period.parse("2024-Q4")
    assert (str(p.start), str(p.end), p.financial_year) == ("2024-04-01", "2025-03-31", "2024/25")
    q1 = Period.parse("2024-Q1")
    assert (str(q1.start), str(q1.end)) == ("2023-07-01", "2024-06-30")
    assert Period.parse("2024-Q3").end.isoformat() == "2024-12-31"
    assert q1.previous().label == "2023-Q4"
    with pytest.raises(ValueError, match="YYYY-Qn"):
        Period.parse("2024Q4")


@pytest.fixture()
def hand_made(tmp_path):
    person = dict(
        person_id="P1",
        date_of_birth="1950-05-17",
        gender="Female",
        ethnicity="White British",
        primary_support_reason="Physical Support: Personal Care Support",
    )
    carer = dict(
        person_id="P2",
        date_of_birth="14/02/1970",
        gender="Male",
        ethnicity="Not stated",
        primary_support_reason="Social Support",
    )
    died = dict(
        person_id="P3",
        date_of_birth="1930-01-01",
        gender="Male",
        ethnicity="Mixed",
        primary_support_reason="Support with Memory & Cognition",
        date_of_death="2024-09-10",
    )
    return write_landing(
        tmp_path,
        {
            "people": [person | {"nhs_number": "943 476 5919", "gp_practice_code": "D82001"}, carer, died],
            "requests": [
                dict(
                    request_id="R1",
                    person_id="P1",
                    request_date="2024-05-01",
                    route_of_access="Discharge from Hospital",
                    request_outcome="Short Term Support: ST-Max",
                    outcome_date="2024-05-02",
                ),
                dict(
                    request_id="R2",
                    person_id="P1",
                    request_date="2025-03-30",
                    route_of_access="Community / Other route",
                    request_outcome="Assessment",
                    outcome_date="2025-04-02",
                ),  # completed after the period: left out
                dict(
                    request_id="R3",
                    person_id="P1",
                    request_date="2024-01-01",
                    route_of_access="Community / Other route",
                    request_outcome="Assessment",
                    outcome_date="2024-02-01",
                ),
            ],  # before the period: left out
            "assessments": [
                dict(
                    assessment_id="A1",
                    person_id="P2",
                    assessment_type="Carer Assessment",
                    start_date="2024-06-01",
                    completion_date="2024-06-20",
                    assessment_outcome="Information and guidance only",
                ),
                dict(
                    assessment_id="A2",
                    person_id="P1",
                    assessment_type="Needs Assessment",
                    start_date="2024-07-01",
                    completion_date="2024-07-05",
                    assessment_outcome="Ended before completion",
                ),
            ],  # cancelled
            "services": [
                dict(
                    service_id="S1",
                    person_id="P1",
                    client_type="Service User",
                    service_type="Long Term Support: Community",
                    delivery_mechanism="Direct Payment",
                    start_date="2024-06-01",
                    end_date="",
                    funding_source="Council",
                ),
                dict(
                    service_id="S2",
                    person_id="P2",
                    client_type="Carer",
                    service_type="Carer Support: Direct Payment",
                    delivery_mechanism="Direct Payment",
                    start_date="2023-06-01",
                    end_date="2024-05-31",
                    funding_source="Self-funded",
                ),
                dict(
                    service_id="S3",
                    person_id="P3",
                    client_type="Service User",
                    service_type="Long Term Support: Nursing Care",
                    delivery_mechanism="n/a",
                    start_date="2022-01-01",
                    end_date="2024-09-10",
                    funding_source="Joint (council and NHS)",
                ),
                dict(
                    service_id="S4",
                    person_id="P1",
                    client_type="Service User",
                    service_type="Long Term Support: Residential Care",
                    start_date="2025-06-01",
                ),
            ],  # after: left out
            "reablement": [
                dict(
                    episode_id="E1",
                    person_id="P1",
                    start_date="2024-05-03",
                    end_date="2024-05-30",
                    hospital_discharge="true",
                    sequel="Ongoing Low Level Support",
                )
            ],
            "reviews": [
                dict(
                    review_id="V1",
                    person_id="P1",
                    review_date="2025-01-15",
                    review_type="Unplanned",
                    review_outcome="Support increased",
                )
            ],
            "client_status": [
                dict(
                    person_id="P1",
                    as_at_date="2024-06-01",
                    employment_status="Not in paid employment",
                    accommodation_status="Owner occupier or shared ownership",
                ),
                dict(
                    person_id="P1",
                    as_at_date="2025-05-01",
                    employment_status="Unknown",
                    accommodation_status="Registered care home",
                ),
            ],  # after the period end: not used
        },
        extra_people_columns=("nhs_number", "gp_practice_code"),
    )


def test_each_event_type_is_mapped_from_the_liquid_logic_contract(hand_made):
    ret = build(hand_made, LA, "2024-Q4")
    rows = {r["Event_Reference"]: r for r in ret.rows.to_dict("records")}
    assert set(rows) == {"REQ-R1", "ASM-A1", "SVC-S1", "SVC-S2", "SVC-S3", "REA-E1", "REV-V1"}
    r1 = rows["REQ-R1"]
    assert (r1["Event_Type"], r1["Request_Route_of_Access"], r1["Event_Outcome"]) == (
        "Request",
        "Discharge from hospital",
        "Progress to reablement/ST-Max",
    )
    assert (r1["Event_Start_Date"], r1["Event_End_Date"]) == ("01/05/2024", "02/05/2024")
    assert (r1["NHS_Number"], r1["GP_Practice_Code"], r1["Date_of_Birth"]) == ("9434765919", "D82001", "17/05/1950")
    assert (r1["Gender"], r1["Ethnicity"], r1["Primary_Support_Reason"]) == (
        "Female",
        "White: English, Welsh, Scottish, Northern Irish or British",
        "Physical support: Personal care support",
    )
    assert (r1["Accommodation_Status"], r1["Employment_Status"]) == (
        "Owner occupier or shared ownership scheme",
        "Not in paid employment: Not actively seeking work or retired",
    )
    assert (r1["Reporting_Period_Start_Date"], r1["Reporting_Period_End_Date"], r1["LA_Code"]) == (
        "01/04/2024",
        "31/03/2025",
        LA,
    )
    a1 = rows["ASM-A1"]
    assert (a1["Assessment_Type"], a1["Client_Type"], a1["Event_Outcome"]) == (
        "Unpaid carer assessment",
        "Unpaid carer",
        "NFA: Information and advice or signposting",
    )
    s1 = rows["SVC-S1"]  # open: no end date, no outcome
    assert (
        s1["Service_Type"],
        s1["Service_Component"],
        s1["Delivery_Mechanism"],
        s1["Client_Funding_Status"],
        s1["Event_End_Date"],
        s1["Event_Outcome"],
    ) == (
        "Long term support: Community",
        "Home support or domiciliary care",
        "Direct payment",
        "Fully social care funded",
        "",
        "",
    )
    s2 = rows["SVC-S2"]
    assert (
        s2["Client_Type"],
        s2["Service_Type"],
        s2["Service_Component"],
        s2["Client_Funding_Status"],
        s2["Event_Outcome"],
    ) == (
        "Unpaid carer",
        "Unpaid carer support: Direct to unpaid carer",
        "Direct payment",
        "Fully client funded",
        "NFA: Support ended as planned",
    )
    s3 = rows["SVC-S3"]  # ended by death; 'n/a' delivery mechanism is blank
    assert (s3["Event_Outcome"], s3["Delivery_Mechanism"], s3["Date_of_Death"], s3["Service_Component"]) == (
        "NFA: Deceased",
        "",
        "10/09/2024",
        "Long term nursing care",
    )
    e1 = rows["REA-E1"]
    assert (e1["Service_Type"], e1["Service_Component"], e1["Delivery_Mechanism"], e1["Event_Outcome"]) == (
        "Short term support: ST-Max",
        "Reablement",
        "CASSR commissioned support",
        "Progress to support planning or services",
    )
    v1 = rows["REV-V1"]
    assert (v1["Event_Type"], v1["Review_Reason"], v1["Event_Outcome"], v1["Event_End_Date"]) == (
        "Review",
        "Unplanned",
        "Progress to support planning or services",
        "15/01/2025",
    )
    assert rows["ASM-A1"]["NHS_Number"] == "" and any("NHS_Number" in n for n in ret.notes) is False


def test_missing_nhs_and_gp_columns_are_blank_and_reported(tmp_path):
    landing = write_landing(
        tmp_path,
        {
            "people": [dict(person_id="P1", gender="Male")],
            "reviews": [dict(review_id="V1", person_id="P1", review_date="2025-01-15")],
        },
    )
    ret = build(landing, LA, "2024-Q4")
    assert ret.rows["NHS_Number"].tolist() == [""] and ret.rows["GP_Practice_Code"].tolist() == [""]
    assert any("NHS_Number is blank" in n for n in ret.notes) and any(
        "GP_Practice_Code is blank" in n for n in ret.notes
    )


def test_an_unknown_code_passes_through_so_validation_lists_it(tmp_path):
    landing = write_landing(
        tmp_path,
        {
            "people": [dict(person_id="P1", gender="Not recorded")],
            "requests": [
                dict(
                    request_id="R1",
                    person_id="P1",
                    request_date="2024-05-01",
                    route_of_access="Walk-in",
                    request_outcome="Assessment",
                    outcome_date="2024-05-02",
                )
            ],
        },
    )
    row = build(landing, LA, "2024-Q4").rows.iloc[0]
    assert (row["Gender"], row["Request_Route_of_Access"]) == ("Not recorded", "Walk-in")
