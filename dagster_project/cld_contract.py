"""The Client Level Data (CLD) landing contract (shared/spec/cld.md) as data: the one place.

Every CLD field with its name as councils send it, whether the file must have it, its type,
and what ingestion keeps of it (the privacy treatment). The raw table `raw.cld` (CLD_RAW.md),
the ingestion (ingest/cld.py), `vitalsigns check` and the sample generator all read this list.
CLD is not one of the Liquid Logic-style FEEDS: its files are named by council and submission
time, every submission is kept (additive by file, not by key) and coded values are not
validated row by row (DHSC maps them later, in dbt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .guards import LA_CODE_RE

FEED = "cld"  # feed name in raw._load_log, the quarantine folder and the Dagster asset raw/cld
FOLDER = "cld"  # <landing>/cld/
TABLE = "raw.cld"

# cld_<la_code>_<YYYYMMDD>[_<HHMMSS>].csv: a name of this shape is a CLD submission; whether its
# la_code is an ONS council code and its date/time are real is checked at load (quarantine if not).
FILE_NAME = re.compile(r"^cld_(?P<la>[A-Za-z0-9]+)_(?P<date>\d{8})(?:_(?P<time>\d{6}))?\.csv$", re.IGNORECASE)
FILE_PATTERN = "cld_<la_code>_<YYYYMMDD>[_<HHMMSS>].csv"
# ONS council codes: the one rule every feed uses (guards.py)
ONS_LA_CODE = LA_CODE_RE


@dataclass(frozen=True)
class Field:
    raw: str  # the CLD name, e.g. "LA_Code" (headers are matched on its normalised form)
    type: str = "text"  # text | date
    required: bool = True  # the file must have the column
    # keep | pseudonym (council-scoped, as person_id) | nhs_pseudonym (national) | birth_month |
    # postcode_district | drop (accepted in the header, never stored)
    treatment: str = "keep"

    @property
    def key(self) -> str:
        """Header key: lower case, spaces and underscores alike (reading._norm gives the same)."""
        return re.sub(r"[\s_]+", "_", self.raw.strip()).lower()

    @property
    def column(self) -> str | None:
        """The raw.cld column it is stored in (None: never stored)."""
        if self.treatment == "drop":
            return None
        if self.treatment == "postcode_district":
            return "postcode_district"
        return self.key


FIELDS: tuple[Field, ...] = (
    # required, in the order of the CLD specification
    Field("LA_Code"),
    Field("Reporting_Period_Start_Date", "date"),
    Field("Reporting_Period_End_Date", "date"),
    Field("NHS_Number", treatment="nhs_pseudonym"),
    Field("LA_Person_Unique_Identifier", treatment="pseudonym"),
    Field("Gender"),
    Field("Ethnicity"),
    Field("Date_of_Birth", "date", treatment="birth_month"),
    Field("Date_of_Death", "date"),
    Field("Client_Type"),
    Field("Primary_Support_Reason"),
    Field("Accommodation_Status"),
    Field("Employment_Status"),
    Field("Has_Unpaid_Carer"),
    Field("Client_Funding_Status"),
    Field("Event_Type"),
    Field("Event_Start_Date", "date"),
    Field("Event_End_Date", "date"),
    Field("Event_Outcome"),
    Field("Request_Route_of_Access"),
    Field("Assessment_Type"),
    Field("Service_Type"),
    Field("Service_Component"),
    Field("Delivery_Mechanism"),
    Field("Adult_1_Linked_Person_ID", treatment="pseudonym"),
    Field("Adult_2_Linked_Person_ID", treatment="pseudonym"),
    Field("Adult_3_Linked_Person_ID", treatment="pseudonym"),
    # optional: read when present, all kept as text
    Field("GP_Practice_Code", required=False),
    Field("GP_Practice_Name", required=False, treatment="drop"),
    Field("Postcode", required=False, treatment="postcode_district"),
    Field("Autism_Spectrum_Disorder_ASD", required=False),
    Field("Visual_Impairment", required=False),
    Field("Hearing_Impairment", required=False),
    Field("Dementia", required=False),
    Field("Event_Reference", required=False),
    Field("Event_Description", required=False),
    Field("Eligible_Needs_Identified", required=False),
    Field("Method_of_Assessment", required=False),
    Field("Total_Hrs_Caring_per_week", required=False),
    Field("No_of_adults_being_cared_for", required=False),
    Field("Provider_CQC_Location_ID", required=False),
    Field("Provider_CQC_Location_Name", required=False),
    Field("Review_Reason", required=False),
    Field("Review_Outcomes_Achieved", required=False),
    Field("Method_of_Review", required=False),
    Field("Unit_Cost", required=False),
    Field("Cost_Frequency_Unit_Type", required=False),
    Field("Planned_units_per_week", required=False),
    # accepted and dropped at once, never stored
    Field("First_Name", required=False, treatment="drop"),
    Field("Last_Name", required=False, treatment="drop"),
)

BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = [f for f in FIELDS if f.required]
OPTIONAL = [f for f in FIELDS if not f.required and f.treatment != "drop"]
DROPPED = [f for f in FIELDS if f.treatment == "drop"]
STORED = [f for f in FIELDS if f.column]
DATES = [f for f in FIELDS if f.type == "date"]
PERSON_DATES = {"Date_of_Birth", "Date_of_Death"}  # their values never appear in a message

# bookkeeping columns first, then the stored fields in CLD order (CLD_RAW.md)
BOOKKEEPING = (
    ("_source_file", "varchar"),
    ("_extract_date", "date"),
    ("_loaded_at", "timestamp"),
    ("_submitted_at", "timestamp"),
    ("_row_number", "integer"),
)
RAW_COLUMNS: tuple[tuple[str, str], ...] = BOOKKEEPING + tuple(
    (f.column, "date" if f.type == "date" else "varchar") for f in STORED
)


def raw_table_ddl() -> str:
    cols = ", ".join(f"{name} {kind}" for name, kind in RAW_COLUMNS)
    return f"create table if not exists {TABLE} ({cols})"
