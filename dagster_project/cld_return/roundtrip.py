"""Feed a return back through the project's CLD ingestion and revised ASCOF, and set the ASCOF the
Liquid Logic feeds give directly beside it (the SALT-era measures the crosswalk pairs them with)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ..dbt_runtime import scratch_build
from ..ingest.cld import load_cld
from ..ingest.loader import ensure_raw_schema
from ..settings import DBT_PROJECT_DIR, SAMPLE_MARKER, Settings
from .build import Return

SEEDS = DBT_PROJECT_DIR / "seeds"
CARE_HOMES = ("Long term support: Residential care", "Long term support: Nursing care")
COUNCIL_FUNDED = "Fully social care funded"  # what the funding_source seed gives Council and Joint funding


@dataclass
class RoundTrip:
    structural_errors: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    ascof: pd.DataFrame | None = None  # measure, breakdown, return_value, direct_code, direct_value, note
    note: str = ""


def _crosswalk() -> list[dict[str, str]]:
    with (SEEDS / "cld_indicator_crosswalk.csv").open(newline="", encoding="utf-8") as f:
        walk = list(csv.DictReader(f))
    with (SEEDS / "indicator_catalogue.csv").open(newline="", encoding="utf-8") as f:
        by_ref = {r["ascof_ref"]: r["indicator_code"] for r in csv.DictReader(f) if r["ascof_ref"]}
    for r in walk:
        r["direct_code"] = by_ref.get(r["old_ascof_ref"], "") if r["old_ascof_ref"] else ""
    return walk


def _differences() -> dict[str, str]:
    """Why each pair of editions may differ (an editable seed: cld_return_differences.csv)."""
    with (SEEDS / "cld_return" / "cld_return_differences.csv").open(newline="", encoding="utf-8") as f:
        return {r["indicator_code"]: r["explanation"] for r in csv.DictReader(f)}


def admissions_not_council_funded(ret: Return, older: bool) -> tuple[int, int, str]:
    """People whose care-home placement starts in the 12 months (65+ or 18-64 at its start): all of them,
    those not council-funded, and their funding statuses; the SALT-era 2A(1)/(2) leave these out."""
    rows = ret.rows
    starts = pd.to_datetime(rows["Event_Start_Date"], format="%d/%m/%Y", errors="coerce")
    born = pd.to_datetime(rows["Date_of_Birth"], format="%d/%m/%Y", errors="coerce")
    age = (starts - born).dt.days / 365.25
    pick = (
        rows["Service_Type"].isin(CARE_HOMES)
        & (starts >= pd.Timestamp(ret.period.start))
        & ((age >= 65) if older else ((age >= 18) & (age < 65)))
    )
    people = rows[pick].drop_duplicates("LA_Person_Unique_Identifier")
    other = people[people["Client_Funding_Status"] != COUNCIL_FUNDED]
    kinds = ", ".join(f"{k or 'blank'} {v}" for k, v in other["Client_Funding_Status"].value_counts().items())
    return len(people), len(other), kinds


def ld_unknown_accommodation(ret: Return) -> int:
    """Learning-disability service users in community long-term support whose accommodation is Unknown
    or blank: DHSC presumes them at home (int_cld_person_details), old 1G does not."""
    rows = ret.rows
    pick = (
        (rows["Primary_Support_Reason"] == "Learning disability support")
        & (rows["Client_Type"] == "Service user")
        & (rows["Service_Type"] == "Long term support: Community")
        & rows["Accommodation_Status"].isin(["", "Unknown"])
    )
    return rows.loc[pick, "LA_Person_Unique_Identifier"].nunique()


def explain(
    indicator: str,
    value: float,
    direct: float,
    ret: Return,
    why: dict[str, str],
    num: int | None = None,
    den: int | None = None,
) -> str:
    """One line saying why the return's figure and the feeds' differ, with the return's own counts."""
    text = f"differs by {value - direct:+.1f}: {why.get(indicator, 'the two editions define it differently')}"
    if indicator in ("CLD_2B", "CLD_2C"):
        n, k, kinds = admissions_not_council_funded(ret, older=indicator == "CLD_2C")
        if n and k:
            text += (
                f". Here {k} of the {n} people admitted are not council-funded ({kinds}); without them the "
                f"return gives about {value * (n - k) / n:.1f} against {direct:.1f}"
            )
    if indicator == "CLD_2E_LD" and num is not None and den:
        k = ld_unknown_accommodation(ret)
        if k:
            text += (
                f". Here {k} such client(s) have an Unknown accommodation; counted as not at home the return "
                f"gives about {100 * (num - k) / den:.1f} against {direct:.1f}"
            )
    return text


def direct_figures(warehouse: Path, la: str, financial_year: str) -> dict[str, float] | None:
    """The Liquid Logic feeds' ASCOF (marts.ascof) of the council and year; None without a built warehouse."""
    if not Path(warehouse).exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return dict(
                con.execute(
                    "select indicator_code, value from marts.ascof where la_code = ? and financial_year = ?",
                    [la, financial_year],
                ).fetchall()
            )
    except duckdb.Error:
        return None


def run(ret: Return, return_file: Path, settings: Settings, work: Path, ascof: bool = True) -> RoundTrip:
    """Load the return as a submission made today into a scratch warehouse under `work` (owner-only,
    removed after), count structural errors, and build the revised ASCOF from it with dbt."""
    out = RoundTrip()
    scratch = Path(tempfile.mkdtemp(prefix="roundtrip-", dir=work))
    try:
        landing = scratch / "landing"
        (landing / "cld").mkdir(parents=True)
        stamp = max(dt.date.today(), ret.period.end + dt.timedelta(days=1)).strftime("%Y%m%d")
        shutil.copyfile(return_file, landing / "cld" / f"cld_{ret.la_code}_{stamp}.csv")
        if (settings.landing / SAMPLE_MARKER).exists():  # a synthetic sample's return stays one (its salt is public)
            shutil.copyfile(settings.landing / SAMPLE_MARKER, landing / SAMPLE_MARKER)
        rt = Settings(
            landing=landing,
            home=scratch / "home",
            salt=settings.pseudonymisation_salt(),
            sample_data=settings.sample_data,
            lake=False,  # a check of the return, not a load: nothing for the landing zone
        )
        warehouse = scratch / "wh.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            ensure_raw_schema(con)
            try:
                outcomes = load_cld(con, rt)
                out.rows_loaded = sum(o.rows_accepted for o in outcomes)
            except Exception as exc:  # LoadFailed: the structural problem, one line
                out.structural_errors.append(str(exc))
                return out
            pop = sorted((settings.landing / "population").glob("population_*.csv"))
            for path in pop:
                con.execute(
                    "insert into raw.population (la_code, year, sex, age, population) select la_code, year, "
                    "sex, age, population from read_csv(?, header = true) where la_code = ?",
                    [str(path), ret.la_code],
                )
        if not ascof:
            return out
        proc = scratch_build(["+ascof_cld"], warehouse, scratch)
        if proc.returncode != 0:
            out.note = "the revised ASCOF could not be built from the return: " + proc.stdout[-400:]
            return out
        with duckdb.connect(str(warehouse), read_only=True) as con:
            got = con.execute(
                "select measure, part, breakdown, numerator, denominator, value from marts.ascof_cld "
                "where la_code = ? and financial_year = ?",
                [ret.la_code, ret.period.financial_year],
            ).df()
        direct = direct_figures(settings.warehouse_path, ret.la_code, ret.period.financial_year)
        why = _differences()
        rows = []
        for w in _crosswalk():
            hit = got[
                (got.measure == w["measure"]) & (got.part.fillna("") == w["part"]) & (got.breakdown == w["breakdown"])
            ]
            value = float(hit.value.iloc[0]) if len(hit) and pd.notna(hit.value.iloc[0]) else None
            num, den = (int(hit.numerator.iloc[0]), int(hit.denominator.iloc[0])) if value is not None else (None, None)
            dv = None if direct is None else direct.get(w["direct_code"])
            if value is None:
                note = (
                    f"no {ret.period.financial_year} figure from the return: the 12 months "
                    f"{ret.period.start:%d/%m/%Y}-{ret.period.end:%d/%m/%Y} are not that whole financial year"
                )
            elif not w["direct_code"]:
                note = "no SALT-era measure to compare (" + w["crosswalk_note"] + ")"
            elif direct is None:
                note = "no built warehouse for these feeds: run `vitalsigns build` first for the direct figures"
            elif dv is None:
                note = f"the feeds give no {w['direct_code']} for {ret.period.financial_year}"
            elif abs(value - dv) < 0.05:
                note = "agrees"
            else:
                note = explain(w["indicator_code"], value, dv, ret, why, num, den)
            rows.append(
                {
                    "indicator": w["indicator_code"],
                    "measure": w["measure"],
                    "part": w["part"],
                    "breakdown": w["breakdown"],
                    "numerator": num,
                    "denominator": den,
                    "return_value": value,
                    "direct_code": w["direct_code"],
                    "direct_value": dv,
                    "note": note,
                }
            )
        out.ascof = pd.DataFrame(rows)
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
