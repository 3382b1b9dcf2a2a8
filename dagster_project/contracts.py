"""The extract contract as data: the single source of truth for every feed.

One place for every feed's columns, types, keys, code lists and the code sets the measures use
(council-supported, self-directed, ...): the ingestion validates against it, the sample
generator writes to it, and `contract_codegen` generates from it the dbt sources, the staging
models' tests, the dbt macro holding the code lists and sets, and docs/extracts.md
(`make contract`; tests/test_contract_codegen.py fails when those files drift).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .guards import LA_CODE_PATTERN

# --- code lists (Client Level Data / SALT wording) -------------------------------------

GENDER = ["Male", "Female", "Other", "Unknown"]
FUNDING_SOURCE = ["Council", "Joint (council and NHS)", "NHS Continuing Healthcare", "Self-funded"]
COUNCIL_SUPPORTED = ["Council", "Joint (council and NHS)"]
PRIMARY_SUPPORT_REASON = [
    "Physical Support: Access & Mobility only",
    "Physical Support: Personal Care Support",
    "Sensory Support",
    "Support with Memory & Cognition",
    "Learning Disability Support",
    "Mental Health Support",
    "Social Support",
]
CLIENT_TYPE = ["Service User", "Carer"]
SERVICE_TYPE = [
    "Long Term Support: Nursing Care",
    "Long Term Support: Residential Care",
    "Long Term Support: Community",
    "Long Term Support: Prison",
    "Short Term Support: ST-Max",
    "Short Term Support: Other Short Term",
    "Carer Support: Direct Payment",
    "Carer Support: Council Commissioned Support",
    "Carer Support: Information, Advice and Other Universal Services",
]
DELIVERY_MECHANISM = [
    "Direct Payment",
    "Part Direct Payment",
    "CASSR Managed Personal Budget",
    "CASSR Commissioned Support only",
    "n/a",
]
SUPPORT_SETTING = ["Nursing", "Residential", "Community"]
ROUTE_OF_ACCESS = [
    "Discharge from Hospital",
    "Diversion from Hospital Services",
    "Community / Other route",
    "Self-Funder with Depleted Funds",
    "Planned Entry (Transition)",
]
SEQUEL = [
    "Early Cessation of Service (not leading to long term support)",
    "Early Cessation of Service (leading to long term support)",
    "Long Term Support (any level)",
    "Ongoing Low Level Support",
    "Short Term Support (Other)",
    "No Services Provided - Universal Services/Signposted to Other Services",
    "No Services Provided - No identified needs",
    "Death",
]
STATUS_AT_91_DAYS = ["At home", "In hospital", "In residential or nursing care", "Deceased", "Not known"]
REQUEST_OUTCOME = [
    "Assessment",
    "Short Term Support: ST-Max",
    "Short Term Support: Other Short Term",
    "Long Term Support",
    "Ongoing Low Level Support",
    "Universal Services/Signposted to Other Services",
    "No Services Provided - No identified needs",
    "No Services Provided - Other",
]
ASSESSMENT_TYPE = ["Needs Assessment", "Carer Assessment", "Reassessment"]
ASSESSMENT_OUTCOME = [
    "Eligible needs - services provided",
    "Eligible needs - no services required",
    "Information and guidance only",
    "No eligible needs",
    "Ended before completion",
]
REVIEW_TYPE = ["Planned", "Unplanned"]
REVIEW_OUTCOME = [
    "No change in support",
    "Support increased",
    "Support reduced",
    "Support ended",
    "Moved to residential or nursing care",
]
EMPLOYMENT_STATUS = [
    "Paid: 16 or more hours a week",
    "Paid: less than 16 hours a week",
    "Paid: hours unknown",
    "Unemployed and seeking work",
    "Not in paid employment",
    "Unknown",
]
ACCOMMODATION_STATUS = [
    "Owner occupier or shared ownership",
    "Tenant",
    "Settled mainstream housing with family/friends",
    "Supported accommodation",
    "Shared Lives scheme",
    "Approved premises",
    "Sheltered housing",
    "Mobile accommodation",
    "Rough sleeper",
    "Night shelter",
    "Refuge",
    "Placed in temporary accommodation",
    "Staying with family/friends as short-term guest",
    "Acute/long stay healthcare residential facility or hospital",
    "Registered care home",
    "Registered nursing home",
    "Prison",
    "Other temporary accommodation",
    "Unknown",
]
ACUTE_OR_NON_ACUTE = ["Acute", "Non-acute"]
RESPONSIBLE_ORG = ["NHS", "Social Care", "Both"]
DTOC_REASON = ["A", "B", "C", "D(i)", "D(ii)", "E", "F", "G", "H", "I", "O"]
TARGET_PROFILE = ["flat", "linear"]
AREA_TYPE = ["LA", "Family group", "Region", "England"]
PERIOD_TYPE = ["month", "quarter", "ytd", "rolling_12m", "financial_year"]
PROSPECTS = ["Green", "Amber", "Red"]
# Safeguarding Adults Collection wording (extracts.md, "Safeguarding")
ENQUIRY_TYPE = ["Section 42", "Other"]
ABUSE_TYPE = [
    "Physical",
    "Sexual",
    "Psychological",
    "Financial or Material",
    "Discriminatory",
    "Organisational",
    "Neglect and Acts of Omission",
    "Domestic Abuse",
    "Sexual Exploitation",
    "Modern Slavery",
    "Self-neglect",
]
LOCATION_OF_RISK = [
    "Own Home",
    "In the community (excluding community services)",
    "In a community service",
    "Care Home - Nursing",
    "Care Home - Residential",
    "Hospital - Acute",
    "Hospital - Mental Health",
    "Hospital - Community",
    "Other",
]
SOURCE_OF_RISK = ["Service Provider", "Other - Known to Individual", "Other - Unknown to Individual"]
RISK_OUTCOME = [
    "Risk identified and action taken",
    "Risk identified and no action taken",
    "Risk - assessment inconclusive and action taken",
    "Risk - assessment inconclusive and no action taken",
    "No risk identified and action taken",
    "No risk identified and no action taken",
    "Enquiry ceased at individual's request and no action taken",
]
MSP_ASKED = ["Yes", "No", "Don't know", "Not recorded"]
MSP_OUTCOMES_EXPRESSED = ["Yes", "No"]
MSP_OUTCOMES_ACHIEVED = ["Fully achieved", "Partially achieved", "Not achieved"]


# --- code sets: the rules derived from codes, defined once ----------------------------------


@dataclass(frozen=True)
class CodeSet:
    """A named subset of codes with a meaning the measures share (e.g. council-supported).

    `members` are alternatives joined by OR: (column, codes) pairs, e.g. a carer's direct payment
    is a service type, a service user's a delivery mechanism. dbt reads a set through the
    generated macro `code_set(name)`; a staging flag column is built from it once.
    """

    name: str
    description: str
    members: tuple[tuple[str, tuple[str, ...]], ...]


def _set(name: str, description: str, *members: tuple[str, list[str]]) -> CodeSet:
    return CodeSet(name, description, tuple((col, tuple(codes)) for col, codes in members))


CODE_SETS: dict[str, CodeSet] = {
    s.name: s
    for s in [
        _set(
            "council_supported",
            "Funded by the council: Council or Joint (extracts.md).",
            ("funding_source", COUNCIL_SUPPORTED),
        ),
        _set(
            "long_term",
            "A long-term support service (any Long Term Support type).",
            ("service_type", [c for c in SERVICE_TYPE if c.startswith("Long Term Support:")]),
        ),
        _set(
            "permanent_placement",
            "A permanent placement in a care home: Long Term Support Nursing or Residential Care.",
            ("service_type", ["Long Term Support: Nursing Care", "Long Term Support: Residential Care"]),
        ),
        _set("community", "Long-term support in the community.", ("service_type", ["Long Term Support: Community"])),
        _set(
            "carer_specific",
            "Support given to a carer directly (ASCOF 1C carers): a direct payment or council-commissioned support.",
            ("service_type", ["Carer Support: Direct Payment", "Carer Support: Council Commissioned Support"]),
        ),
        _set(
            "carer_support",
            "Any carer support service (the carers vital sign).",
            ("service_type", [c for c in SERVICE_TYPE if c.startswith("Carer Support:")]),
        ),
        _set(
            "self_directed",
            "Self-directed support (ASCOF 1C(1)): a carer's direct payment, or a direct payment, "
            "part direct payment or council-managed personal budget.",
            ("service_type", ["Carer Support: Direct Payment"]),
            ("delivery_mechanism", ["Direct Payment", "Part Direct Payment", "CASSR Managed Personal Budget"]),
        ),
        _set(
            "direct_payment",
            "A direct payment (ASCOF 1C(2)): a carer's direct payment, or a direct or part direct payment.",
            ("service_type", ["Carer Support: Direct Payment"]),
            ("delivery_mechanism", ["Direct Payment", "Part Direct Payment"]),
        ),
        _set(
            "sequel_2d_denominator",
            "ST-Max sequels counted in ASCOF 2D: the episode ended with a known service outcome "
            "(not early cessation, not death).",
            (
                "sequel",
                [
                    "Long Term Support (any level)",
                    "Ongoing Low Level Support",
                    "Short Term Support (Other)",
                    "No Services Provided - Universal Services/Signposted to Other Services",
                    "No Services Provided - No identified needs",
                ],
            ),
        ),
        _set(
            "sequel_no_ongoing_support",
            "ST-Max sequels with no ongoing or only low-level support (ASCOF 2D numerator).",
            (
                "sequel",
                [
                    "Ongoing Low Level Support",
                    "Short Term Support (Other)",
                    "No Services Provided - Universal Services/Signposted to Other Services",
                    "No Services Provided - No identified needs",
                ],
            ),
        ),
        _set(
            "paid_employment",
            "In paid employment (ASCOF 1E): any Paid status.",
            ("employment_status", [c for c in EMPLOYMENT_STATUS if c.startswith("Paid:")]),
        ),
        _set(
            "settled_accommodation",
            "Living in their own home or with family (ASCOF 1G): the first eight "
            "accommodation codes; "
            "Unknown stays in the denominator.",
            ("accommodation_status", ACCOMMODATION_STATUS[:8]),
        ),
        _set(
            "dtoc_social_care",
            "Delays attributable to social care (ASCOF 2C(2)): Social Care or Both.",
            ("responsible_org", ["Social Care", "Both"]),
        ),
        _set(
            "population_total",
            "A population row for both sexes together (matched ignoring case); a file's total rows "
            "are used where present so nothing counts twice.",
            ("sex", ["Persons", "All", "P", "T", "Total", "All persons"]),
        ),
    ]
}


def canonical_code(value: str) -> str:
    """Key used to match a code: case-blind, repeated spaces folded, en dash = hyphen."""
    return re.sub(r"\s+", " ", value.replace("\u2013", "-").replace("\u2014", "-")).strip().lower()


# --- feeds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | date | bool | int | number | period (YYYY-MM) | fyear (YYYY/YY)
    required: bool = True  # the column must be present in the header
    nullable: bool = True  # an empty cell is allowed
    codes: tuple[str, ...] | None = None
    pseudonymise: bool = False
    description: str = ""  # for the analyst (docs/extracts.md) and the dbt docs
    # multi-valued: one or more codes in one cell, separated by this (each part is validated)
    separator: str | None = None


@dataclass(frozen=True)
class Feed:
    name: str
    folder: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    mode: str  # full (newest file per council replaces) | additive | snapshot
    person_level: bool = False
    # row rules beyond column types: (sql predicate that is TRUE when the row is bad, rule text)
    rules: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    formats: tuple[str, ...] = ("csv",)
    # rules whose bounds are settings (Limits fields in braces); the predicate may be a window
    # function over the whole file, e.g. a sum per provider and month
    plausibility: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # the file-name pattern: named groups `date` (YYYYMMDD) and optionally `time` (HHMMSS), `ext`;
    # None means `<name>_<YYYYMMDD>.<one of formats>`
    file_pattern: str | None = None
    row: str = ""  # what one row is, for the analyst (docs/extracts.md)
    notes: str = ""  # what else the analyst needs to know (docs/extracts.md)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def file_re(self) -> re.Pattern:
        pattern = self.file_pattern or (
            rf"{re.escape(self.name)}_(?P<date>\d{{8}})\.(?P<ext>{'|'.join(map(re.escape, self.formats))})"
        )
        return re.compile(rf"^(?:{pattern})$", re.IGNORECASE)

    @property
    def file_name_example(self) -> str:
        return f"{self.name}_<YYYYMMDD>.{'|'.join(self.formats)}" if not self.file_pattern else self.file_pattern

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(name, type="text", **kw) -> Column:  # noqa: N802 - short constructor for the table below
    if "codes" in kw and kw["codes"] is not None:
        kw["codes"] = tuple(kw["codes"])
    return Column(name, type, **kw)


LA_CODE_RULE = (
    f"la_code is not null and not regexp_full_match(la_code, '{LA_CODE_PATTERN}')",
    "la_code is not an ONS council code (E06/E07/E08/E09/E10 and six digits, e.g. E10000020)",
)


def _with_common_rules(feed: Feed) -> Feed:
    """Every feed with a council code checks it: it names folders and reports (guards.py)."""
    if "la_code" in feed.column_names and LA_CODE_RULE not in feed.rules:
        from dataclasses import replace

        return replace(feed, rules=(LA_CODE_RULE,) + tuple(feed.rules))
    return feed


PID = dict(
    nullable=False,
    pseudonymise=True,
    description="The LAS person id; pseudonymised (salted hash) at ingestion, never stored.",
)
LA = dict(nullable=False, description="ONS council code, e.g. E10000020 (Norfolk).")

FEEDS: dict[str, Feed] = {
    f.name: _with_common_rules(f)
    for f in [
        Feed(
            "people",
            "liquidlogic",
            row="person (newest extract per council)",
            columns=(
                C("person_id", **PID),
                C("la_code", **LA),
                C("date_of_birth", "date"),
                C("gender", codes=GENDER),
                C("ethnicity", description="As recorded (not validated)."),
                C("primary_support_reason", codes=PRIMARY_SUPPORT_REASON),
                C("date_of_death", "date"),
            ),
            key=("la_code", "person_id"),
            mode="full",
            person_level=True,
            rules=(
                ("date_of_birth > current_date", "date of birth in the future"),
                ("date_of_death < date_of_birth", "date of death before date of birth"),
            ),
        ),
        Feed(
            "requests",
            "liquidlogic",
            row="request for support (contact)",
            notes=(
                "A request resolved at the point of contact with information and advice is Universal "
                "Services/Signposted to Other Services."
            ),
            columns=(
                C("request_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("request_date", "date", nullable=False),
                C("route_of_access", codes=ROUTE_OF_ACCESS),
                C("request_outcome", codes=REQUEST_OUTCOME),
                C("outcome_date", "date"),
            ),
            key=("la_code", "request_id"),
            mode="full",
            person_level=True,
            rules=(("outcome_date < request_date", "outcome date before request date"),),
        ),
        Feed(
            "assessments",
            "liquidlogic",
            row="assessment",
            columns=(
                C("assessment_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("request_id"),
                C("assessment_type", codes=ASSESSMENT_TYPE),
                C("start_date", "date", nullable=False),
                C("completion_date", "date"),
                C("assessment_outcome", codes=ASSESSMENT_OUTCOME),
            ),
            key=("la_code", "assessment_id"),
            mode="full",
            person_level=True,
            rules=(("completion_date < start_date", "end before start"),),
        ),
        Feed(
            "services",
            "liquidlogic",
            row="service episode",
            notes=(
                "A permanent placement is Long Term Support: Nursing Care or Residential Care; a "
                "temporary or respite stay in a home is Short Term Support: Other Short Term with setting"
                " Residential or Nursing. A Short Term Support: ST-Max row describes the same episode as "
                "`reablement` (cost, provider) and is never counted a second time."
            ),
            columns=(
                C("service_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("client_type", nullable=False, codes=CLIENT_TYPE),
                C("service_type", nullable=False, codes=SERVICE_TYPE),
                C("support_setting", codes=SUPPORT_SETTING),
                C("delivery_mechanism", codes=DELIVERY_MECHANISM),
                C("start_date", "date", nullable=False),
                C("end_date", "date", description=("Empty while the service continues.")),
                C("funding_source", codes=FUNDING_SOURCE),
            ),
            key=("la_code", "service_id"),
            mode="full",
            person_level=True,
            rules=(("end_date < start_date", "end before start"),),
        ),
        Feed(
            "reablement",
            "liquidlogic",
            row="short-term support to maximise independence (ST-Max) episode",
            notes=("ST-Max episodes are counted from this feed only."),
            columns=(
                C("episode_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("start_date", "date", nullable=False),
                C("end_date", "date"),
                C(
                    "hospital_discharge",
                    "bool",
                    description=("The episode followed a discharge from hospital (ASCOF 2B)."),
                ),
                C("sequel", codes=SEQUEL),
                C("status_at_91_days", codes=STATUS_AT_91_DAYS),
            ),
            key=("la_code", "episode_id"),
            mode="full",
            person_level=True,
            rules=(("end_date < start_date", "end before start"),),
        ),
        Feed(
            "reviews",
            "liquidlogic",
            row="review of a person in long-term support",
            columns=(
                C("review_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("review_date", "date", nullable=False),
                C("review_type", codes=REVIEW_TYPE),
                C("review_outcome", codes=REVIEW_OUTCOME),
            ),
            key=("la_code", "review_id"),
            mode="full",
            person_level=True,
        ),
        Feed(
            "client_status",
            "liquidlogic",
            row="person x as-at date (employment and accommodation status)",
            columns=(
                C("person_id", **PID),
                C("la_code", **LA),
                C("as_at_date", "date", nullable=False),
                C("employment_status", codes=EMPLOYMENT_STATUS),
                C("accommodation_status", codes=ACCOMMODATION_STATUS),
            ),
            key=("la_code", "person_id", "as_at_date"),
            mode="full",
            person_level=True,
        ),
        Feed(
            "holding_list",
            "liquidlogic",
            row="snapshot row: a person awaiting allocation",
            columns=(
                C("snapshot_date", "date", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("team"),
                C("waiting_since", "date"),
            ),
            key=("la_code", "snapshot_date", "person_id"),
            mode="full",
            person_level=True,
            rules=(("waiting_since > snapshot_date", "waiting since after the snapshot date"),),
        ),
        Feed(
            "safeguarding",
            "safeguarding",
            row="safeguarding concern (the Safeguarding Adults Collection's unit), with its enquiry if any",
            notes=(
                "The person's age, sex, ethnicity and primary support reason come from `people` (same "
                "`person_id`). A concern not yet decided leaves `threshold_met` empty; a Section 42 enquiry "
                "has `enquiry_type` Section 42 and a start date; an enquiry still open leaves `enquiry_end_date` "
                "empty. How each figure is counted: docs/measures.md (Safeguarding)."
            ),
            columns=(
                C("concern_id", nullable=False),
                C("person_id", **PID),
                C("la_code", **LA),
                C("concern_date", "date", nullable=False, description="Date the concern was received."),
                C(
                    "threshold_decision_date",
                    "date",
                    description="Date of the decision whether the concern led to an enquiry.",
                ),
                C(
                    "threshold_met",
                    "bool",
                    description="The concern led to a Section 42 enquiry; empty while undecided.",
                ),
                C("enquiry_type", codes=ENQUIRY_TYPE, description="Empty when no enquiry."),
                C("enquiry_start_date", "date"),
                C("action_to_make_safe_date", "date", description="Date action was taken to make the person safe."),
                C("enquiry_end_date", "date", description="Date the enquiry concluded; empty while open."),
                C(
                    "abuse_types",
                    codes=ABUSE_TYPE,
                    separator=";",
                    description="One or more, separated by `;` (each part must be one of the codes).",
                ),
                C("location_of_risk", codes=LOCATION_OF_RISK),
                C("source_of_risk", codes=SOURCE_OF_RISK),
                C("risk_outcome", codes=RISK_OUTCOME),
                C(
                    "msp_asked",
                    codes=MSP_ASKED,
                    description="Making Safeguarding Personal: the person was asked about their desired outcomes.",
                ),
                C("msp_outcomes_expressed", codes=MSP_OUTCOMES_EXPRESSED),
                C(
                    "msp_outcomes_achieved",
                    codes=MSP_OUTCOMES_ACHIEVED,
                    description="Empty when not asked or no outcomes expressed.",
                ),
            ),
            key=("la_code", "concern_id"),
            mode="full",
            person_level=True,
            rules=(
                ("threshold_decision_date < concern_date", "threshold decision before the concern"),
                ("enquiry_start_date < concern_date", "enquiry start before the concern"),
                ("action_to_make_safe_date < concern_date", "action to make safe before the concern"),
                ("enquiry_end_date < concern_date", "enquiry end before the concern"),
                ("enquiry_end_date < enquiry_start_date", "enquiry end before its start"),
            ),
        ),
        Feed(
            "dtoc",
            "dtoc",
            row=(
                "month x council x provider x acute/non-acute x responsible organisation x reason "
                "(NHS England DToC return)"
            ),
            notes=(
                "The monthly NHS England return at local-authority level, as published. Reason codes: A "
                "completion of assessment, B public funding, C further non-acute NHS care, D(i) "
                "residential home placement, D(ii) nursing home placement, E care package in own home, F "
                "community equipment/adaptations, G patient or family choice, H disputes, I housing, O "
                "other (later files)."
            ),
            columns=(
                C("period", "period", nullable=False, description="Month of the delays, YYYY-MM."),
                C("la_code", **LA),
                C("provider_code", required=False),
                C("acute_or_non_acute", codes=ACUTE_OR_NON_ACUTE),
                C("responsible_org", nullable=False, codes=RESPONSIBLE_ORG),
                C("reason_code", nullable=False, codes=DTOC_REASON),
                C("delayed_days", "number", nullable=False),
            ),
            key=("period", "la_code", "provider_code", "acute_or_non_acute", "responsible_org", "reason_code"),
            mode="additive",
            rules=(("delayed_days < 0", "negative delayed days"),),
            plausibility=(
                (
                    "sum(delayed_days) over (partition by period, la_code, provider_code) > {max_delayed_days}",
                    "delayed days for one provider in one month above {max_delayed_days:,.0f} "
                    "(VITALSIGNS_MAX_DELAYED_DAYS)",
                ),
            ),
        ),
        Feed(
            "population",
            "population",
            row="council x year x sex x single year of age (ONS mid-year estimates)",
            notes=("A year's file may arrive late: rates then use the latest year available and say so."),
            columns=(
                C("la_code", **LA),
                C("year", "int", nullable=False),
                C(
                    "sex",
                    nullable=False,
                    description=(
                        "Male/Female rows, or a total row (Persons, All, Total): a total is used where present."
                    ),
                ),
                C("age", "int", nullable=False, description=("Single year of age, 0-90 (90 = 90 and over).")),
                C("population", "number", nullable=False),
            ),
            key=("la_code", "year", "sex", "age"),
            mode="additive",
            rules=(
                ("age < 0 or age > 90", "age outside 0-90"),
                ("population < 0", "negative population"),
            ),
            plausibility=(
                (
                    "population > {max_population_per_age}",
                    "population above {max_population_per_age:,.0f} for one single year of age "
                    "(VITALSIGNS_MAX_POPULATION_PER_AGE)",
                ),
            ),
        ),
        Feed(
            "targets",
            "reference",
            row="target of an indicator: per month (already profiled) or per financial year with a profile",
            notes=(
                "Each row gives either `period` (a monthly target, already profiled) or `financial_year` "
                "(an annual target spread by `profile`). Indicator codes are those of "
                "dbt/seeds/indicator_catalogue.csv."
            ),
            columns=(
                C("indicator_code", nullable=False),
                C("la_code", **LA),
                C("period", "period", required=False, description="YYYY-MM for a monthly (already profiled) target."),
                C(
                    "financial_year",
                    "fyear",
                    required=False,
                    description=("e.g. 2016/17, for an annual target (then profile)."),
                ),
                C("target", "number", nullable=False),
                C(
                    "profile",
                    required=False,
                    codes=TARGET_PROFILE,
                    description=(
                        "How an annual target is spread over the months: flat, or linear from the previous year's "
                        "outturn; empty = flat."
                    ),
                ),
            ),
            key=("indicator_code", "la_code", "period", "financial_year"),
            mode="additive",
            rules=(("period is null and financial_year is null", "target has neither period nor financial_year"),),
        ),
        Feed(
            "benchmarks",
            "reference",
            row="comparator value of an ASCOF measure for a financial year and area",
            columns=(
                C("indicator_code", nullable=False),
                C("financial_year", "fyear", nullable=False),
                C("area_code", nullable=False),
                C("area_name"),
                C("area_type", nullable=False, codes=AREA_TYPE),
                C("value", "number"),
                C("rank", "int"),
                C("rank_of", "int"),
            ),
            key=("indicator_code", "financial_year", "area_code", "area_type"),
            mode="additive",
        ),
        Feed(
            "family_groups",
            "reference",
            row="council and its CIPFA nearest-neighbour family group",
            columns=(
                C("la_code", **LA),
                C(
                    "family_group",
                    nullable=False,
                    description=("CIPFA nearest-neighbour group name (Norfolk's has 15 councils)."),
                ),
            ),
            key=("la_code",),
            mode="additive",
        ),
        Feed(
            "indicator_values",
            "reference",
            row="supplied value of an indicator (survey measures, CQC, corrections); overrides the computed one",
            notes=(
                "For measures not computable from the feeds (survey-based ASCOF, CQC ratings, complaints)"
                " or corrections of computed ones. A supplied value overrides the computed one and is "
                "flagged as supplied. Indicator codes are those of dbt/seeds/indicator_catalogue.csv."
            ),
            columns=(
                C("indicator_code", nullable=False),
                C("la_code", **LA),
                C("period_type", nullable=False, codes=PERIOD_TYPE),
                C("period_end", "date", nullable=False),
                C("numerator", "number"),
                C("denominator", "number"),
                C("value", "number"),
            ),
            key=("indicator_code", "la_code", "period_type", "period_end"),
            mode="additive",
            rules=(("denominator < 0 or numerator < 0", "negative numerator or denominator"),),
        ),
        Feed(
            "series_breaks",
            "reference",
            row="break in a council's series (a system migration, a definition change) from a date on",
            notes=(
                "Values before and after a break are not compared: SPC limits restart at the first month "
                "ending on or after `break_date`, and direction of travel and 'worse three times running' do "
                "not compare across it. Charts draw the break with its description."
            ),
            columns=(
                C("la_code", **LA),
                C(
                    "indicator_code",
                    required=False,
                    description=("The indicator the break affects; empty = every indicator of the council."),
                ),
                C("break_date", "date", nullable=False, description="First day of the new series."),
                C(
                    "description",
                    nullable=False,
                    description=("Short label drawn on the charts, e.g. 'Care First to Liquid Logic'."),
                ),
            ),
            key=("la_code", "indicator_code", "break_date"),
            mode="additive",
        ),
        Feed(
            "risk_register",
            "risk_register",
            row="risk in a dated snapshot of the departmental risk register",
            notes=(
                "Likelihood and impact are whole numbers 1-5. Scores are computed (likelihood x impact), "
                "never trusted from the file; a typed score that disagrees is reported. An .xlsx register"
                " may have merged cells (filled from their top-left cell) and blank rows (dropped)."
            ),
            columns=(
                C(
                    "la_code",
                    required=False,
                    description="Optional when the landing folder serves one council (inferred).",
                ),
                C("risk_id", nullable=False),
                C("risk_name"),
                C("risk_description", required=False),
                C("area", required=False),
                C("date_entered", "date", required=False),
                C("original_likelihood", "int", required=False),
                C("original_impact", "int", required=False),
                C("current_likelihood", "int", nullable=False),
                C("current_impact", "int", nullable=False),
                C("target_likelihood", "int", required=False),
                C("target_impact", "int", required=False),
                C("target_date", "date", required=False),
                C("prospects", required=False, codes=PROSPECTS),
                C("tasks", required=False),
                C("progress_update", required=False),
                C("risk_owner", required=False),
                C("reviewed_by", required=False),
                C("review_date", "date", required=False),
                C(
                    "original_score",
                    "int",
                    required=False,
                    description="As typed; recomputed, a disagreement is reported.",
                ),
                C(
                    "current_score",
                    "int",
                    required=False,
                    description="As typed; recomputed, a disagreement is reported.",
                ),
                C(
                    "target_score",
                    "int",
                    required=False,
                    description="As typed; recomputed, a disagreement is reported.",
                ),
            ),
            key=("la_code", "risk_id"),
            mode="snapshot",
            formats=("csv", "xlsx"),
            plausibility=tuple(
                (
                    f"{p}_{d} < {{risk_scale_min}} or {p}_{d} > {{risk_scale_max}}",
                    f"{p} {d} outside {{risk_scale_min}}-{{risk_scale_max}}",
                )
                for p in ("original", "current", "target")
                for d in ("likelihood", "impact")
            ),
        ),
    ]
}

LIQUIDLOGIC_FEEDS = [f for f in FEEDS.values() if f.folder == "liquidlogic"]
