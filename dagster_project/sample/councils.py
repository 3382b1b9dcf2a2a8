"""The sample councils (Norfolk and its CIPFA nearest neighbours) and how each differs from Norfolk."""

from __future__ import annotations

from dataclasses import dataclass

from ..councils import councils


@dataclass(frozen=True)
class Council:
    la_code: str
    name: str
    size: float  # size relative to Norfolk (multiplies --scale)
    region_code: str
    region_name: str


EAST = ("E12000006", "East of England")
# the sample's councils (names and regions from the councils seed, councils.py) and their sizes
SIZES = {
    "E10000020": 1.00,
    "E10000024": 0.93,
    "E10000029": 0.85,
    "E10000003": 0.74,
    "E10000015": 1.22,
    "E10000012": 1.38,
    "E10000019": 0.86,
    "E10000021": 0.78,
    "E10000008": 0.88,
    "E10000034": 0.66,
    "E10000032": 1.00,
    "E10000027": 0.62,
    "E10000025": 0.76,
    "E10000028": 0.98,
    "E10000018": 0.80,
}
COUNCILS = tuple(
    Council(c.la_code, c.short_name, SIZES[c.la_code], c.region_code, c.region_name)
    for c in councils()
    if c.la_code in SIZES
)
# the unitary council a sample may add (`--unitary`): Leicester, whose quarterly integrated performance
# report (seed 003) the sample renders; outside Norfolk's family group, so it has no family comparators
UNITARY = next(
    Council(c.la_code, c.short_name, 0.42, c.region_code, c.region_name) for c in councils() if c.la_code == "E06000016"
)
FAMILY_GROUP = "CIPFA-Norfolk"  # Norfolk's CIPFA nearest neighbours: the 15 councils above
FAMILY_GROUP_NAME = "CIPFA nearest neighbours (Norfolk)"
ENGLAND = ("E92000001", "England")

# Per-council character (multipliers on Norfolk's behaviour); Norfolk is exactly 1.
CHARACTER = {  # knob: (low, high)
    "adm65": (0.85, 1.15),
    "adm1864": (0.75, 1.25),
    "dtoc_sc": (0.55, 1.25),
    "dtoc_nhs": (0.7, 1.3),
    "dp": (0.8, 1.2),
    "ld_paid": (0.8, 1.9),
    "mh_paid": (0.8, 2.2),
    "reablement": (0.8, 1.2),
    "wait": (0.5, 1.2),
    "contacts": (0.85, 1.15),
}
