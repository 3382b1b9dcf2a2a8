"""`vitalsigns sample`: write a deterministic, synthetic landing folder (outputs.md).

The pieces live in modules named for what they do: `simulation` (one council's world and its
Liquid Logic extracts), `codes`, `councils`, `timeline`, `reference` (targets, benchmarks,
indicator values), `risk_register`, `commentary`, `dirty` (`--dirty`) and `cld` (CLD submissions).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contracts as K
from .commentary import COMMENTARY, COMMENTARY_TEXT
from .councils import COUNCILS, FAMILY_GROUP, UNITARY  # noqa: F401 (re-exported: callers import them from here)
from .dirty import _dirty
from .reference import _benchmarks, _indicator_values, _targets
from .risk_register import _risk_snapshots
from .safeguarding import safeguarding_extract
from .simulation import Sim
from .timeline import Window


def _write(frame: pd.DataFrame, path: Path, append: bool) -> None:
    frame.to_csv(path, index=False, mode="a" if append else "w", header=not append, lineterminator="\n")


def generate(
    out: Path,
    councils: int = 1,
    years: int = 2,
    scale: float = 1.0,
    seed: int = 42,
    dirty: bool = False,
    end_month: str = "2017-03",
    cld_first: str | None = None,
    cld_last: str | None = None,
    unitary: bool = False,
) -> dict[str, int]:
    """Write a landing folder; return rows written per feed name (and `cld`: rows in CLD submissions).

    CLD submissions (sample/cld.py) cover the quarters `cld_first`..`cld_last` (quarter-end months,
    default June 2023 to March 2025), whatever the Liquid Logic window. `unitary` adds Leicester City
    (sample.councils.UNITARY) after the `councils` county councils, leaving their data unchanged.
    """
    from . import cld as cld_sample

    if not 1 <= councils <= len(COUNCILS):
        raise ValueError(f"councils must be between 1 and {len(COUNCILS)}")
    if years < 1:
        raise ValueError("years must be at least 1")
    if not scale > 0:
        raise ValueError("scale must be positive")
    out = Path(out)
    cld_first = cld_first or cld_sample.FIRST_QUARTER_END
    cld_last = cld_last or cld_sample.LAST_QUARTER_END
    cld_years = cld_sample.population_years(cld_first, cld_last)  # checks the span before anything is written
    w = Window(years, end_month)
    stamp = w.stamp
    chosen = list(enumerate(COUNCILS[:councils])) + ([(len(COUNCILS), UNITARY)] if unitary else [])
    for folder in ("liquidlogic", "dtoc", "population", "reference", "risk_register", "safeguarding", "commentary"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    written: set[Path] = set()
    s_cld = seed % (1 << 63)

    def emit(feed: str, frame: pd.DataFrame, path: Path) -> None:
        frame = frame[[c for c in K.FEEDS[feed].column_names if c in frame.columns]]
        _write(frame, path, append=path in written)
        written.add(path)
        counts[feed] = counts.get(feed, 0) + len(frame)

    for index, council in chosen:
        sim = Sim(seed, index, council, scale, w)
        noise = np.random.default_rng([seed % (1 << 63), index, zlib.crc32(b"dirty")])

        def feeds(sim: Sim = sim):  # consumed within this iteration; the default only quiets B023
            yield from sim.extracts()
            yield "dtoc", sim.dtoc()
            yield "population", sim.population(cld_years)

        people = None
        for feed, frame in feeds():
            if feed == "people":
                people = frame  # the clean extract: safeguarding concerns are about these people
            if dirty and feed != "population":
                frame = _dirty(noise, feed, frame)
            emit(feed, frame, out / K.FEEDS[feed].folder / f"{feed}_{stamp}.csv")
            del frame
        emit(
            "safeguarding",
            safeguarding_extract(seed, index, council.la_code, people, w, council.size * scale),
            out / "safeguarding" / f"safeguarding_{stamp}.csv",
        )
        del people
        for when, snapshot in _risk_snapshots(seed % (1 << 63), index, council, w):
            day = str(np.datetime64(when, "D")).replace("-", "")
            emit("risk_register", snapshot, out / "risk_register" / f"risk_register_{day}.csv")
        counts["cld"] = counts.get("cld", 0) + cld_sample.write_council(
            out, s_cld, index, council, scale, cld_first, cld_last
        )

    ref = out / "reference"
    s = seed % (1 << 63)
    emit("targets", _targets(chosen, w, s), ref / f"targets_{stamp}.csv")
    emit("benchmarks", _benchmarks(w, s, [c for _, c in chosen if c not in COUNCILS]), ref / f"benchmarks_{stamp}.csv")
    emit(
        "family_groups",
        pd.DataFrame({"la_code": [c.la_code for c in COUNCILS], "family_group": FAMILY_GROUP}),
        ref / f"family_groups_{stamp}.csv",
    )
    emit("indicator_values", _indicator_values(chosen, w, scale, s), ref / f"indicator_values_{stamp}.csv")
    emit("series_breaks", _series_breaks(chosen, w), ref / f"series_breaks_{stamp}.csv")
    period = str(w.months[-1])
    for code, text in COMMENTARY_TEXT.items():
        folder = out / "commentary" / code
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{period}.md").write_text(COMMENTARY.format(**text), encoding="utf-8", newline="\n")
    return {feed: counts[feed] for feed in [*K.FEEDS, "cld"] if feed in counts}


def _series_breaks(chosen, w: Window) -> pd.DataFrame:
    """The first council's Care First to Liquid Logic migration (seed 001), for every indicator, at
    the start of the window's last twelve months: both sides keep 12 points for SPC in a two-year
    sample. A one-year sample starts on the break, so it has none."""
    rows = []
    if chosen and len(w.months) > 12:
        rows.append(
            {
                "la_code": chosen[0][1].la_code,
                "indicator_code": None,
                "break_date": str(w.months[-12].astype("datetime64[D]")),
                "description": "Care First to Liquid Logic",
            }
        )
    return pd.DataFrame(rows, columns=["la_code", "indicator_code", "break_date", "description"])
