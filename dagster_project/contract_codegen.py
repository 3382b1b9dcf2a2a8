"""Generate everything that restates the extract contract, from `contracts.py`.

`python -m dagster_project.contract_codegen` (or `make contract`) rewrites:
- dbt/models/staging/__sources.yml   the raw tables dbt reads (columns of every feed);
- dbt/models/staging/stg_<feed>.yml  each staging model's tests: not_null where a value is
  mandatory, accepted_values from the code lists, uniqueness of the feed's key, and the flag
  columns built from the contract's code sets;
- dbt/macros/contract.sql           the code lists and code sets, for `code()` and `code_set()`;
- docs/extracts.md                  the extract formats written for a council's analyst.

`--check` writes nothing and exits 1 naming each file that differs (tests/test_contract_codegen.py
runs the same comparison), so a hand edit or a contract change without regeneration fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import contracts as K
from .guards import LA_CODE_PATTERN
from .settings import Limits

ROOT = Path(__file__).resolve().parent.parent
HEADER = "generated from dagster_project/contracts.py by `make contract`; do not edit"
PSEUDONYMISED = "Salted hash of the LAS person id (never the id itself)."


@dataclass(frozen=True)
class Staging:
    """How a feed's staging model differs from the raw table (the SQL is hand-written)."""

    description: str
    drop: tuple[str, ...] = ()  # contract columns the model does not keep (e.g. summed over)
    rename: dict[str, str] = field(default_factory=dict)  # contract name -> staging name
    # columns the model adds: (name, description, tests)
    extra: tuple[tuple[str, str, tuple], ...] = ()
    # flag columns built from a code set: (column, code set name, tests)
    flags: tuple[tuple[str, str, tuple], ...] = ()
    # tests the staging model adds to a contract column (e.g. a value filled in by the model)
    column_tests: dict[str, tuple] = field(default_factory=dict)


STAGING: dict[str, Staging] = {
    "people": Staging(
        "One row per person in the newest Liquid Logic people extract of each council; person ids pseudonymised."
    ),
    "requests": Staging("Requests for support (contacts): the front door of the assessment funnel."),
    "assessments": Staging("Assessments, with the request they came from and their outcome."),
    "services": Staging(
        "Service episodes with the flags the measures share, each built once from a contract code set "
        "(dagster_project/contracts.py CODE_SETS).",
        flags=(
            ("is_long_term", "long_term", ()),
            ("is_permanent_placement", "permanent_placement", ()),
            ("is_community", "community", ()),
            ("is_carer_specific", "carer_specific", ()),
            ("is_carer_support", "carer_support", ()),
            ("is_council_supported", "council_supported", ("not_null",)),
            ("is_self_directed", "self_directed", ()),
            ("is_direct_payment", "direct_payment", ()),
        ),
    ),
    "reablement": Staging(
        "ST-Max (reablement) episodes with their sequel and 91-day status; the only source counted for "
        "short-term support.",
        flags=(
            ("is_sequel_2d_denominator", "sequel_2d_denominator", ()),
            ("is_sequel_no_ongoing_support", "sequel_no_ongoing_support", ()),
        ),
    ),
    "reviews": Staging("Reviews of people in long-term support."),
    "client_status": Staging(
        "Employment and accommodation status of a person as at a date (for 1E, 1G and the employment vital signs).",
        flags=(
            ("is_paid_employment", "paid_employment", ()),
            ("is_settled_accommodation", "settled_accommodation", ()),
        ),
    ),
    "holding_list": Staging("Monthly snapshots of people awaiting allocation."),
    "safeguarding": Staging(
        "Safeguarding concerns, one row per concern in the newest extract of each council, with the Section 42 "
        "flags the measures share (int_safeguarding_concerns builds on them).",
        extra=(
            (
                "is_section_42",
                "The concern led to a Section 42 enquiry that has started (type Section 42, a start date).",
                ("not_null",),
            ),
            ("is_concluded", "A Section 42 enquiry with an end date.", ("not_null",)),
        ),
    ),
    "dtoc": Staging(
        "NHS delayed transfers of care by month, council, responsible organisation and reason.",
        extra=(("period_end", "Last day of the period's month.", ("not_null",)),),
    ),
    "population": Staging(
        "ONS mid-year estimates by council, year and single year of age (sexes summed, totals not double counted).",
        drop=("sex",),
    ),
    "targets": Staging(
        "Targets: monthly profiled rows (period) or annual rows (financial_year, profile).",
        extra=(("period_end", "Last day of the target's month (monthly rows).", ()),),
    ),
    "benchmarks": Staging(
        "Comparator values per ASCOF measure and financial year: councils, family group, region, England."
    ),
    "family_groups": Staging("CIPFA nearest-neighbour family group of each council."),
    "series_breaks": Staging(
        "Breaks in a council's series (system migrations, definition changes); indicator_code null = every indicator."
    ),
    "indicator_values": Staging(
        "Manually supplied values (survey measures, CQC, corrections) that override computed ones."
    ),
    "risk_register": Staging(
        "Risk-register snapshots, one row per risk per snapshot date, with the council filled in when the "
        "file left it out and the landing folder serves one council.",
        column_tests={
            "la_code": (
                {
                    "not_null": {
                        "description": (
                            "la_code is empty in the risk-register file and the landing folder serves "
                            "no council or several councils, so the council cannot be inferred: "
                            "fill in la_code in the file."
                        )
                    }
                },
            )
        },
        rename={
            "original_score": "stated_original_score",
            "current_score": "stated_current_score",
            "target_score": "stated_target_score",
        },
        extra=(
            ("snapshot_date", "Extract date of the snapshot file.", ("not_null",)),
            (
                "la_code_inferred",
                "True when la_code was empty in the file and inferred from the one council the other feeds serve.",
                ("not_null",),
            ),
        ),
    ),
}

# raw tables that are not extract feeds (CLD has its own contract, cld_contract.py; the load log
# and rejects are written by the loader)
OTHER_SOURCES = [
    {
        "name": "cld",
        "description": (
            "Client Level Data submissions (cld/, CLD_RAW.md): every row of every accepted submission file,\n"
            "additive (resubmissions kept); coded values raw as sent. Identifiers pseudonymised, date of birth\n"
            "reduced to the first day of the birth month.\n"
        ),
        "columns": [
            {"name": "_source_file"},
            {"name": "_submitted_at", "description": "Submission date-time from the file name (DHSC's ImportDate)."},
            {"name": "_row_number"},
            {"name": "la_code"},
            {"name": "nhs_number", "description": "Pseudonymised at ingestion; never the NHS number."},
            {"name": "la_person_unique_identifier", "description": "Pseudonymised with the same salt as person_id."},
            {"name": "date_of_birth", "description": "First day of the birth month."},
        ],
    },
    {
        "name": "_load_log",
        "description": "One row per file load attempt (file, hash, rows read/accepted/rejected, status, message).",
    },
    {"name": "_rejects", "description": "Rows rejected at ingestion with the rule broken (no person identifiers)."},
]


def _dump(data: dict) -> str:
    return f"# {HEADER}\n" + yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True)


def sources_yaml() -> str:
    tables = []
    for feed in K.FEEDS.values():
        cols = []
        for c in feed.columns:
            col = {"name": c.name}
            if c.pseudonymise:
                col["description"] = "Pseudonymised at ingestion (salted hash); never the LAS id."
            elif c.description:
                col["description"] = c.description
            cols.append(col)
        if feed.mode == "snapshot":
            cols.append({"name": "snapshot_date", "description": "Extract date of the snapshot file."})
        tables.append(
            {
                "name": feed.name,
                "description": f"{feed.mode} feed from landing/{feed.folder}/ (docs/extracts.md)",
                "columns": cols,
            }
        )
    return _dump(
        {
            "version": 2,
            "sources": [
                {
                    "name": "raw",
                    "schema": "raw",
                    "description": "Extracts loaded by the Dagster ingestion assets (contracts.py).",
                    "tables": tables + OTHER_SOURCES,
                }
            ],
        }
    )


def staging_yaml(feed: K.Feed) -> str:
    spec = STAGING[feed.name]
    cols = []
    for c in feed.columns:
        if c.name in spec.drop:
            continue
        col: dict = {"name": spec.rename.get(c.name, c.name)}
        if c.pseudonymise:
            col["description"] = PSEUDONYMISED
        elif c.description:
            col["description"] = c.description
        tests: list = []
        if c.codes and not c.separator:  # a multi-valued cell is checked part by part downstream
            # dbt quotes each value without escaping: a code with an apostrophe is given SQL-escaped
            values = [code.replace("'", "''") for code in c.codes]
            tests.append({"accepted_values": {"arguments": {"values": values}}})
        if not c.nullable:
            tests.append("not_null")
        tests += list(spec.column_tests.get(c.name, ()))
        if tests:
            col["data_tests"] = tests
        cols.append(col)
    for name, description, tests in spec.extra:
        cols.append({"name": name, "description": description, **({"data_tests": list(tests)} if tests else {})})
    for name, code_set, tests in spec.flags:
        cols.append(
            {
                "name": name,
                "description": f"{K.CODE_SETS[code_set].description} (code set `{code_set}`)",
                **({"data_tests": list(tests)} if tests else {}),
            }
        )
    key = [spec.rename.get(k, k) for k in feed.key if k not in spec.drop]
    if feed.mode == "snapshot":
        key.insert(1, "snapshot_date")
    model = {
        "name": f"stg_{feed.name}",
        "description": spec.description,
        "columns": cols,
        "data_tests": [{"unique_combination_of_columns": {"arguments": {"combination_of_columns": key}}}],
    }
    return _dump({"version": 2, "models": [model]})


def code_lists() -> dict[str, list[str]]:
    """Every coded column's list, by column name (a column name means one list in every feed)."""
    lists: dict[str, list[str]] = {}
    for feed in K.FEEDS.values():
        for c in feed.columns:
            if c.codes:
                if c.name in lists and lists[c.name] != list(c.codes):
                    raise ValueError(f"column {c.name} has two different code lists in the contract")
                lists[c.name] = list(c.codes)
    for s in K.CODE_SETS.values():
        for column, codes in s.members:
            unknown = [code for code in codes if code not in lists.get(column, [])]
            if unknown and column in lists:
                raise ValueError(f"code set {s.name}: {unknown} not in the {column} code list")
    return lists


def _jinja(value) -> str:
    """A Python literal that Jinja reads back (lists, dicts, strings)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja(k)}: {_jinja(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_jinja(v) for v in value) + "]"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def macro_sql() -> str:
    lists = code_lists()
    sets = {s.name: [[col, list(codes)] for col, codes in s.members] for s in K.CODE_SETS.values()}
    body = ",\n".join(f"    {_jinja(k)}: {_jinja(v)}" for k, v in lists.items())
    set_body = ",\n".join(f"    {_jinja(k)}: {_jinja(v)}" for k, v in sets.items())
    return (
        f"{{# {HEADER}.\n   Read through code() and code_set() in macros/codes.sql. #}}\n\n"
        "{% macro contract_code_lists() %}{{ return({\n" + body + "\n}) }}{% endmacro %}\n\n"
        "{% macro contract_code_sets() %}{{ return({\n" + set_body + "\n}) }}{% endmacro %}\n"
    )


# --- docs/extracts.md ----------------------------------------------------------------------

TYPES = {
    "text": "text",
    "date": "date (YYYY-MM-DD or DD/MM/YYYY)",
    "bool": "boolean (true/false, Y/N, Yes/No, 1/0)",
    "int": "whole number",
    "number": "number",
    "period": "month (YYYY-MM)",
    "fyear": "financial year (YYYY/YY)",
}
MODES = {
    "full": "**full extract**: for each council, the newest file replaces the earlier ones",
    "additive": "**additive**: each file adds rows; a newer file's row with the same key replaces an older one",
    "snapshot": "**dated snapshots**: each file is the whole register on its date; a newer file of the same "
    "date replaces it",
}
FOLDERS = {
    "liquidlogic": "Liquid Logic (LAS) case management",
    "dtoc": "NHS delayed transfers of care",
    "population": "Population",
    "reference": "Reference data",
    "risk_register": "Risk register",
    "safeguarding": "Safeguarding",
}

INTRO = f"""\
# Extract formats

<!-- {HEADER} (the same contract the pipeline validates against) -->

This is the contract between a council's systems and vitalsigns: what to put in the landing folder
so a build can load it. Everything below is generated from the one definition the pipeline checks
files against, so it cannot disagree with what the pipeline accepts.

## The landing folder

Drop files into a landing folder (default `data/landing/`; `--landing DIR` or `VITALSIGNS_LANDING`).
Each feed has its own sub-folder, named below. Several councils can share one landing folder: every
row carries `la_code`, the ONS council code (`E06`, `E07`, `E08`, `E09` or `E10` and six digits, e.g.
`E10000020` for Norfolk; pattern `{LA_CODE_PATTERN}`).

- **Files**: CSV, UTF-8, a header row, comma separated (a UTF-8 byte-order mark and Windows line
  endings are accepted); the risk register may also be `.xlsx`.
- **File names** carry the extract date: `<feed>_<YYYYMMDD>.csv`, e.g. `people_20170331.csv`. A file
  whose name does not match its feed's pattern is not loaded and is listed by `vitalsigns check`.
- **Column names** are the contract. If your report names columns differently, put a mapping file
  `<feed>.mapping.yml` (your name: contract name, one per line) next to the files; it is applied before
  validation. Columns not in the contract are ignored.
- **Dates** are `YYYY-MM-DD`; `DD/MM/YYYY` is also accepted. **Booleans** are `true`/`false`; `Y`/`N`,
  `Yes`/`No` and `1`/`0` are also accepted. An **empty cell** is null.
- **Codes** must be one of the allowed values listed for the column. Matching ignores case and repeated
  spaces and treats a hyphen and an en dash alike (`service user` matches `Service User`).
- A feed may arrive with a header and no rows (nothing happened), or not at all yet: both are valid;
  the measures that need it are shown as missing with a reason.
- Person-level feeds (`liquidlogic/`, `safeguarding/`) have their `person_id` pseudonymised (a salted hash) before
  anything is stored: set the secret salt in `VITALSIGNS_SALT` and keep it out of version control.

In the column tables, **in header** says whether the column must be present in the file's header row
(an optional column may be left out); **value** says whether a row may leave the cell empty.

"""

OUTRO = """\
## What happens to bad input

- Landing files are never modified, moved or deleted.
- Every load is recorded (file, hash, rows read, accepted and rejected).
  Loading the same file twice changes nothing.
- A file that cannot be parsed, lacks a header column marked *required*, or has a value of the wrong
  type is **quarantined** as a whole with a one-line reason naming the file, row and column (under
  `<home>/quarantine/<feed>/`); the build goes on from the last good data for that feed and the run is
  marked failed.
- A row that parses but breaks a rule (an unknown code, a mandatory value missing, one of the row rules
  above, a duplicate key) is **rejected** on its own into the rejects table with the rule broken; more
  than 5% of a file rejected (`VITALSIGNS_REJECT_THRESHOLD`) fails the load.
- A full extract never silently shrinks: a council's row count falling by more than 20%
  (`VITALSIGNS_SHRINKAGE_TOLERANCE`) fails the load unless confirmed with `VITALSIGNS_CONFIRM_SHRINK=1`.

`vitalsigns check --landing DIR` validates a landing folder without building and prints every problem
as `file:row:column: message`.

## Not covered here

- Client Level Data submissions (`cld/`): see `docs/cld.md`.
- Commentary (`commentary/<indicator_code>/<YYYY-MM>.md`), Markdown per indicator and month with the
  report-card sections.
"""


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def extracts_md() -> str:
    out = [INTRO]
    limits = dataclasses.asdict(Limits())  # the plausibility bounds' defaults (settings)
    sets_by_column: dict[str, list[K.CodeSet]] = {}
    for s in K.CODE_SETS.values():
        for column, _ in s.members:
            sets_by_column.setdefault(column, []).append(s)
    for folder, title in FOLDERS.items():
        feeds = [f for f in K.FEEDS.values() if f.folder == folder]
        out.append(f"## {title} — `{folder}/`\n")
        for feed in feeds:
            pattern = (
                f"`{feed.name}_<YYYYMMDD>.{'` or `.'.join(feed.formats)}`"
                if not feed.file_pattern
                else f"`{feed.file_pattern}`"
            )
            out.append(f"### `{feed.name}`\n")
            out.append(f"- one row per: {feed.row}")
            out.append(f"- folder: `{feed.folder}/`; file name: {pattern}")
            out.append(f"- {MODES[feed.mode]}")
            out.append(f"- key (unique per file): {', '.join(f'`{k}`' for k in feed.key)}")
            if feed.person_level:
                out.append("- person-level: `person_id` is pseudonymised at ingestion")
            out.append("")
            if feed.notes:
                out.append(feed.notes + "\n")
            out.append("| column | type | in header | value | allowed values / notes |")
            out.append("|---|---|---|---|---|")
            for c in feed.columns:
                notes = []
                if c.codes:
                    joined = "; ".join(f"`{_md(code)}`" for code in c.codes)
                    notes.append(f"one or more of {joined}, separated by `{c.separator}`" if c.separator else joined)
                if c.description:
                    notes.append(_md(c.description))
                out.append(
                    f"| `{c.name}` | {TYPES[c.type]} | {'required' if c.required else 'optional'} | "
                    f"{'mandatory' if not c.nullable else 'may be empty'} | {'<br>'.join(notes)} |"
                )
            out.append("")
            rules = [text for _, text in feed.rules] + [text.format(**limits) for _, text in feed.plausibility]
            if rules:
                out.append("A row is rejected when: " + "; ".join(_md(r) for r in rules) + ".\n")
            used = [
                s
                for c in feed.columns
                for s in sets_by_column.get(c.name, [])
                if all(col in feed.column_names for col, _ in s.members)
            ]
            if used:
                out.append("How the measures group these codes:\n")
                for s in dict.fromkeys(used):
                    members = " or ".join(f"`{col}` in ({'; '.join(codes)})" for col, codes in s.members)
                    out.append(f"- *{s.name.replace('_', ' ')}*: {_md(s.description)} — {_md(members)}")
                out.append("")
    out.append(OUTRO)
    return "\n".join(out)


def outputs() -> dict[Path, str]:
    files = {
        ROOT / "dbt/models/staging/__sources.yml": sources_yaml(),
        ROOT / "dbt/macros/contract.sql": macro_sql(),
        ROOT / "docs/extracts.md": extracts_md(),
    }
    for feed in K.FEEDS.values():
        files[ROOT / f"dbt/models/staging/stg_{feed.name}.yml"] = staging_yaml(feed)
    return files


def stale() -> list[Path]:
    """Generated files whose committed text differs from what the contract produces."""
    return [p for p, text in outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for p in bad:
            print(f"{p.relative_to(ROOT)}: differs from the contract; run `make contract` and commit", file=sys.stderr)
        return 1 if bad else 0
    for path, text in outputs().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
