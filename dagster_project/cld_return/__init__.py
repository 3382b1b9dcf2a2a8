"""The quarterly Client Level Data return, built from the Liquid Logic landing files (issue 16).

`make_return` writes `<home>/exports/<la>/cld_return_<la>_<period>.csv` (owner-only) with its
validation report, after a round trip through the project's CLD ingestion and revised ASCOF.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..cld_contract import ONS_LA_CODE
from ..settings import Settings
from . import export
from .build import Period, build
from .report import render, summary_csv
from .roundtrip import RoundTrip
from .roundtrip import run as round_trip
from .validate import Validation, validate


@dataclass
class Outcome:
    return_path: Path
    html_path: Path
    csv_path: Path
    rows: int
    validation: Validation
    round_trip: RoundTrip | None


def file_name(la: str, period: str) -> str:
    return f"cld_return_{la}_{period}.csv"


def make_return(settings: Settings, la: str, period: str, ascof: bool = True) -> Outcome:
    if not ONS_LA_CODE.fullmatch(la or ""):
        raise ValueError(f"--la {la!r} is not an ONS council code (E06/E07/E08/E09/E10 and six digits, e.g. E10000020)")
    p = Period.parse(period)
    ret = build(settings.landing, la, p)
    if ret.rows.empty:
        raise ValueError(
            f"no Liquid Logic events for {la} in the 12 months to {p.end:%d/%m/%Y} under "
            f"{settings.landing}/liquidlogic: check --la, --period and --landing"
        )
    folder = export.exports_dir(settings.home, la)
    path = export.write_private(folder / file_name(la, p.label), ret.rows.to_csv(index=False, lineterminator="\n"))
    previous_path = folder / file_name(la, p.previous().label)
    previous = (
        pd.read_csv(previous_path, dtype=str, keep_default_na=False)
        if previous_path.exists()
        else build(settings.landing, la, p.previous()).rows
    )
    val = validate(ret, previous if len(previous) else None)
    rt = round_trip(ret, path, settings, folder, ascof=ascof)
    stem = f"cld_return_{la}_{p.label}_validation"
    html_path = export.write_private(folder / f"{stem}.html", render(ret, val, rt, path.name))
    csv_path = export.write_private(folder / f"{stem}.csv", summary_csv(val))
    return Outcome(path, html_path, csv_path, len(ret.rows), val, rt)


def summary_lines(o: Outcome) -> list[str]:
    """What `vitalsigns cld-return` prints: where things are, and the findings in a few lines."""
    f = o.validation.fields
    lines = [
        f"CLD return written (owner-only): {o.return_path} ({o.rows:,} rows)",
        f"  validation: {o.html_path}",
        f"              {o.csv_path}",
        f"  invalid values: {int(f.invalid.sum()):,}; blank mandatory cells: {int(f.blank_mandatory.sum()):,}",
    ]
    rt = o.round_trip
    if rt is not None:
        lines.append(
            f"  round trip through the CLD ingestion: {len(rt.structural_errors)} structural error(s)"
            + "".join(f"\n    {e}" for e in rt.structural_errors)
        )
        if rt.note:
            lines.append(f"  {rt.note}")
        if rt.ascof is not None:
            for r in rt.ascof.itertuples():
                ours = "-" if r.return_value is None or r.return_value != r.return_value else f"{r.return_value:.1f}"
                direct = "-" if r.direct_value is None or r.direct_value != r.direct_value else f"{r.direct_value:.1f}"
                lines.append(f"  {r.indicator:<10} return {ours:>8}   direct {r.direct_code or '-':<5} {direct:>8}")
    return lines
