"""What the committee pack says around the figures: the front sheet's meeting details (from the
month's pack commentary, with defaults), the benchmarking key findings (generated from
`marts.ascof`), and Norfolk's Appendix 1 (seed 000: discussion prompts and follow-up actions)."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .data import MAX_TEXT, md_escape

DEPARTMENT = "Adult Social Services"
DEFAULTS = {
    "committee": "Adult Social Care Committee",
    "responsible_director": "Executive Director of Adult Social Services",
    "strategic_impact": (
        "Robust performance management is key to ensuring that the organisation works both "
        "efficiently and effectively to develop and deliver services that represent good value "
        "for money and which meet identified need."
    ),
}
NOT_SET = "to be confirmed"
LIMITS = {"strategic_impact": 1500}  # characters; others 200: the cover is one page and cannot grow


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


@dataclass(frozen=True)
class FrontSheet:
    committee: str
    meeting_date: str  # "6 March 2017", or NOT_SET
    responsible_director: str
    strategic_impact: str
    source: str  # where the details came from, for the reader of docs/outputs.md, never printed


def front_sheet(landing: Path | None, period: str) -> FrontSheet:
    """The meeting details of the month's pack from `<landing>/commentary/<YYYY-MM>.md` (YAML front
    matter: committee, meeting_date, responsible_director, strategic_impact), each one that is
    missing taken from DEFAULTS; the meeting date has no default and reads "to be confirmed".
    Every value comes from outside, so it is Markdown-escaped; a file that is not valid YAML is
    named in the error."""
    path = Path(landing) / "commentary" / f"{period}.md" if landing else None
    front: dict = {}
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8-sig", errors="replace")[:MAX_TEXT]
        m = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.DOTALL)
        if m:
            try:
                front = yaml.safe_load(m.group(1)) or {}
            except yaml.YAMLError as exc:
                raise ValueError(
                    f"{path}: the front matter is not valid YAML ({exc.__class__.__name__}); "
                    "write it as `key: value` lines between two `---` lines"
                ) from None
            if not isinstance(front, dict):
                raise ValueError(f"{path}: the front matter must be `key: value` lines")
    values = {k: _cut(str(front.get(k) or DEFAULTS[k]).strip(), LIMITS.get(k, 200)) for k in DEFAULTS}
    meeting = front.get("meeting_date")
    if isinstance(meeting, (dt.date, dt.datetime)):
        meeting_text = f"{meeting.day} {meeting:%B %Y}"
    else:
        meeting_text = _cut(str(meeting).strip(), 60) if meeting else NOT_SET
    return FrontSheet(
        committee=md_escape(values["committee"]),
        meeting_date=md_escape(meeting_text),
        responsible_director=md_escape(values["responsible_director"]),
        strategic_impact=md_escape(values["strategic_impact"]),
        source=str(path) if front else "defaults",
    )


# --- benchmarking key findings -------------------------------------------------------------


def _quarter(n: int) -> int:
    """How many ranks make the best (or worst) quarter of a group of n: a group of 16 has 4, of 15 has 4."""
    return math.ceil(n / 4)


def benchmark_findings(ascof: pd.DataFrame, council: str, places: dict | None = None) -> list[str]:
    """Key findings from one year of `marts.ascof` (with the catalogue's title, polarity, unit,
    decimals): the measures in the best and worst quarter of the family group (rank 1 is best),
    and those better or worse than England (polarity-aware, compared at the precision shown).
    A family group of fewer than four councils, or no England figure, gives no statement."""
    from .data import fmt

    best, worst, better, worse, same = [], [], [], [], []
    for x in ascof.itertuples():
        if x.value is None or pd.isna(x.value) or bool(getattr(x, "suppressed", False)):
            continue
        label = f"{_in_sentence(x.title)} ({x.ascof_code}, {fmt(x.value, x.unit, x.decimals)})"
        size, rank = x.family_group_size, x.family_group_rank
        if not pd.isna(size) and not pd.isna(rank) and int(size) >= 4:
            q = _quarter(int(size))
            if int(rank) <= q:
                best.append(f"{label}, ranked {int(rank)} of {int(size)}")
            elif int(rank) > int(size) - q:
                worst.append(f"{label}, ranked {int(rank)} of {int(size)}")
        if not pd.isna(x.england_value) and x.polarity in ("bigger", "smaller"):
            ours = round(float(x.value), int(x.decimals))
            england = round(float(x.england_value), int(x.decimals))
            where = f"{label} against England's {fmt(x.england_value, x.unit, x.decimals)}"
            if ours == england:
                same.append(where)
            elif (ours > england) == (x.polarity == "bigger"):
                better.append(where)
            else:
                worse.append(where)
    out = []
    if best or worst:
        out.append(
            f"**Against its family group.** {council} is in the best quarter of its family group for "
            f"{_measures(len(best))} and in the worst quarter for {_measures(len(worst))}.\n\n"
            + "\n".join([f"- Best quarter: {b}" for b in best] + [f"- Worst quarter: {w}" for w in worst])
        )
    if better or worse or same:
        line = (
            f"**Against England.** {council} does better than the England average on {len(better)} of "
            f"{len(better) + len(worse) + len(same)} measures with an England figure, and worse on "
            f"{len(worse)}" + (f" (the same on {len(same)})" if same else "") + "."
        )
        if worse:
            line += "\n\n" + "\n".join(f"- Worse than England: {w}" for w in worse)
        out.append(line)
    return out


def _measures(n: int) -> str:
    return "no measure" if n == 0 else "one measure" if n == 1 else f"{n} measures"


def _in_sentence(title: str) -> str:
    """A catalogue title inside a sentence: "The proportion of ..." reads "the proportion of ...";
    an acronym ("ASCOF", "CQC") keeps its capitals (catalogue titles do not open with a name)."""
    title = str(title)
    first = title.split(" ")[0]
    return title[0].lower() + title[1:] if first[:1].isupper() and first[1:] == first[1:].lower() else title


# --- Appendix 1 (Norfolk, seed 000) ----------------------------------------------------------

PROMPTS = [
    "Why are we not meeting our target?",
    "What is the impact of not meeting our target?",
    "What performance is predicted?",
    "How can performance be improved?",
    "When will performance be back on track?",
    "What can we learn for the future?",
]

FOLLOW_UP_ACTIONS = [
    (
        "Approve actions",
        "Approve actions identified in the report card and set a date for reporting back to the committee",
    ),
    (
        "Identify alternative/additional actions",
        "Identify alternative/additional actions to those in the report "
        "card and set a date for reporting back to the committee",
    ),
    (
        "Refer to Departmental Management Team",
        "DMT to work through the performance issues identified at the "
        "committee meeting and develop an action plan for improvement and "
        "report back to committee",
    ),
    (
        "Refer to committee task and finish group",
        "Member-led task and finish group to work through the "
        "performance issues identified at the committee meeting and "
        "develop an action plan for improvement and report back to "
        "committee",
    ),
    (
        "Escalate to the council's leadership team",
        "Identify key actions for performance improvement (that require "
        "a change in policy and/or additional funding) and escalate to "
        "the leadership team for action",
    ),
    (
        "Escalate to the policy and resources committee",
        "Identify key actions for performance improvement (that "
        "require a change in policy and/or additional funding) and "
        "escalate to the policy and resources committee for action",
    ),
]
