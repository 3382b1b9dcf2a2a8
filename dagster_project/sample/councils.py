"""The sample councils (Norfolk and its CIPFA nearest neighbours) and how each differs from Norfolk."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Council:
    la_code: str
    name: str
    size: float  # size relative to Norfolk (multiplies --scale)
    region_code: str
    region_name: str


EAST, EMIDS, WMIDS = ("E12000006", "East of England"), ("E12000004", "East Midlands"), ("E12000005", "West Midlands")
SOUTHEAST, SOUTHWEST = ("E12000008", "South East"), ("E12000009", "South West")
COUNCILS = tuple(Council(code, name, size, *region) for code, name, size, region in [
    ("E10000020", "Norfolk", 1.00, EAST), ("E10000024", "Nottinghamshire", 0.93, EMIDS),
    ("E10000029", "Suffolk", 0.85, EAST), ("E10000003", "Cambridgeshire", 0.74, EAST),
    ("E10000015", "Hertfordshire", 1.22, EAST), ("E10000012", "Essex", 1.38, EAST),
    ("E10000019", "Lincolnshire", 0.86, EMIDS), ("E10000021", "Northamptonshire", 0.78, EMIDS),
    ("E10000008", "Devon", 0.88, SOUTHWEST), ("E10000034", "Worcestershire", 0.66, WMIDS),
    ("E10000032", "West Sussex", 1.00, SOUTHEAST), ("E10000027", "Somerset", 0.62, SOUTHWEST),
    ("E10000025", "Oxfordshire", 0.76, SOUTHEAST), ("E10000028", "Staffordshire", 0.98, WMIDS),
    ("E10000018", "Leicestershire", 0.80, EMIDS),
])
FAMILY_GROUP = "CIPFA-Norfolk"  # Norfolk's CIPFA nearest neighbours: the 15 councils above
FAMILY_GROUP_NAME = "CIPFA nearest neighbours (Norfolk)"
ENGLAND = ("E92000001", "England")

# Per-council character (multipliers on Norfolk's behaviour); Norfolk is exactly 1.
CHARACTER = {  # knob: (low, high)
    "adm65": (0.85, 1.15), "adm1864": (0.75, 1.25), "dtoc_sc": (0.55, 1.25), "dtoc_nhs": (0.7, 1.3),
    "dp": (0.8, 1.2), "ld_paid": (0.8, 1.9), "mh_paid": (0.8, 2.2), "reablement": (0.8, 1.2),
    "wait": (0.5, 1.2), "contacts": (0.85, 1.15),
}
