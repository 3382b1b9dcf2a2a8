"""Building CLD submission files for tests, field by field (names from cld_contract)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from dagster_project import cld_contract as C

LA = "E10000020"

DEFAULTS = {
    "LA_Code": LA,
    "Reporting_Period_Start_Date": "2023-07-01",
    "Reporting_Period_End_Date": "2024-06-30",
    "NHS_Number": "943 476 5919",
    "LA_Person_Unique_Identifier": "P1",
    "Gender": "Female",
    "Ethnicity": "White: Irish",
    "Date_of_Birth": "1950-05-17",
    "Date_of_Death": "",
    "Client_Type": "Service user",
    "Primary_Support_Reason": "Mental health support",
    "Accommodation_Status": "Tenant: Private landlord",
    "Employment_Status": "Unknown",
    "Has_Unpaid_Carer": "No",
    "Client_Funding_Status": "Fully social care funded",
    "Event_Type": "Service",
    "Event_Start_Date": "2024-01-03",
    "Event_End_Date": "",
    "Event_Outcome": "Continuation of support or services",
    "Request_Route_of_Access": "",
    "Assessment_Type": "",
    "Service_Type": "Long term support: Community",
    "Service_Component": "Direct payment",
    "Delivery_Mechanism": "Direct payment",
    "Adult_1_Linked_Person_ID": "",
    "Adult_2_Linked_Person_ID": "",
    "Adult_3_Linked_Person_ID": "",
}
REQUIRED = [f.raw for f in C.REQUIRED]


def row(**kw) -> dict[str, str]:
    return {**DEFAULTS, **kw}


def rows(n: int, **kw) -> list[dict[str, str]]:
    return [row(LA_Person_Unique_Identifier=f"P{i}", NHS_Number=f"9434765{i:03d}", **kw) for i in range(1, n + 1)]


def write(
    landing: Path,
    name: str,
    records: list[dict[str, str]],
    header: list[str] | None = None,
    rename: dict[str, str] | None = None,
    bom: bool = False,
) -> Path:
    """A CSV in landing/cld: `header` picks and orders the fields, `rename` writes a field under another name."""
    if header is None:
        header = list(records[0]) if records else REQUIRED
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([(rename or {}).get(h, h) for h in header])
    for r in records:
        w.writerow([r.get(h, "") for h in header])
    path = landing / C.FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return path


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
