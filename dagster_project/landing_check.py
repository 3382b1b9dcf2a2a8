"""`vitalsigns check`: what a build would do with each file of a landing folder, without building.

Each file goes through the same reading and validation as the load (`ingest.reading`,
`ingest.validate`) and gets the load's verdict (`validate.load_verdict`): would load, would load
without some rows, header only, or would be quarantined and why. Rejected rows are grouped by
column, rule and value so that 500 rows with the same bad code are one line; the salt the
build would use is judged too, as a build without one refuses every person-level file.
Nothing is written anywhere (the landing folder is only read).
"""

from __future__ import annotations

import csv
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import cld_contract
from .contracts import FEEDS, Feed
from .ingest.landing import COMMENTARY, MARKERS, NotLoaded, feed_files, feed_folders, not_loaded
from .ingest.reading import UnreadableFile, _norm, load_mapping, read_as_text
from .ingest.validate import TYPE_WORDS, Reject, load_verdict, validate
from .settings import PUBLIC_SALT_ERROR, SAMPLE_MARKER, SAMPLE_SALT, Settings

SHOWN_ROWS = 5  # row numbers printed per grouped problem; --verbose or --report give all
MIN_SALT_CHARS = 16

# exit codes, documented in `vitalsigns check --help`
OK, PROBLEMS, NOTHING_TO_CHECK = 0, 1, 2


@dataclass
class Group:
    """Rejected rows of one file that broke the same rule with the same value."""

    path: Path
    column: str
    rule: str
    value: str | None
    allowed: str
    rows: list[int] = field(default_factory=list)

    def line(self, all_rows: bool = False) -> str:
        what = self.rule + (f": {self.value!r}" if self.value is not None else "")
        rows = self.rows if all_rows else self.rows[:SHOWN_ROWS]
        listed = ", ".join(map(str, rows)) + ("" if len(rows) == len(self.rows) else ", ...")
        count = f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''} ({listed})"
        return f"{self.path}:{self.rows[0]}:{self.column or 0}: {what} in {count}" + (
            f"; allowed: {self.allowed}" if self.allowed else ""
        )


@dataclass
class FileCheck:
    feed: str
    path: Path
    verdict: str  # load | empty | quarantine
    reason: str = ""  # for quarantine: the one line the load would write; else a note
    rows: int | None = None
    rejected: int = 0
    groups: list[Group] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict_text(self) -> str:
        if self.verdict == "quarantine":
            return "would quarantine: " + _after_location(self.reason, self.path)
        if self.verdict == "empty":
            return "would load nothing: header only (valid: nothing happened)"
        if self.rejected:
            return f"would load without {self.rejected:,} rejected row(s) ({self.rejected / self.rows:.2%})"
        return "would load"


@dataclass
class SaltStatus:
    level: str  # ok | warning | error
    message: str


@dataclass
class CheckResult:
    landing: Path
    salt: SaltStatus
    files: list[FileCheck] = field(default_factory=list)
    not_loaded: list[NotLoaded] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing_feeds: list[str] = field(default_factory=list)
    nothing_to_check: str = ""

    @property
    def exit_code(self) -> int:
        if self.nothing_to_check:
            return NOTHING_TO_CHECK
        bad = (
            self.salt.level == "error"
            or self.not_loaded
            or any(f.verdict == "quarantine" or f.rejected for f in self.files)
        )
        return PROBLEMS if bad else OK


def _after_location(message: str, path: Path) -> str:
    """The message of a `file:row:column: message` line (the file is on the summary line already)."""
    prefix = str(path)
    if not message.startswith(prefix):
        return message
    rest = message[len(prefix) :]
    m = re.match(r"^:(\d+):([^:\s]*): (.*)$", rest, re.S)
    if not m:
        return rest.lstrip(": ")
    row, column, text = m.groups()
    where = (
        f"row {row}, column {column}: "
        if row != "0" and column not in ("", "0")
        else (f"row {row}: " if row != "0" else "")
    )
    return where + text


def salt_status(landing: Path, env=None, person_level_files: bool = True) -> SaltStatus:
    """The salt a build would pseudonymise person ids with, judged (never printed)."""
    env = os.environ if env is None else env
    salt = env.get("VITALSIGNS_SALT") or ""
    marked = (landing / SAMPLE_MARKER).exists()
    declared = env.get("VITALSIGNS_SAMPLE", "") in ("1", "true", "yes")
    if salt:
        if salt == SAMPLE_SALT and not marked:
            return SaltStatus("error", PUBLIC_SALT_ERROR)
        if len(salt) < MIN_SALT_CHARS:
            return SaltStatus(
                "warning",
                f"VITALSIGNS_SALT is set but short ({len(salt)} characters): a long random "
                "one is harder to guess, e.g. "
                'python -c "import secrets; print(secrets.token_hex(32))"',
            )
        return SaltStatus(
            "ok",
            f"VITALSIGNS_SALT is set ({len(salt)} characters, not shown)"
            + ("; it is used instead of the sample salt" if marked else ""),
        )
    if marked:
        return SaltStatus("ok", "synthetic sample folder (.vitalsigns-sample): the built-in sample salt is used")
    if declared:
        return SaltStatus(
            "warning",
            "VITALSIGNS_SAMPLE=1 declares this folder synthetic, so the public sample salt "
            "is used: never do this with real extracts, set VITALSIGNS_SALT instead",
        )
    if not person_level_files:
        return SaltStatus("ok", "VITALSIGNS_SALT is not set (not needed yet: no person-level file here)")
    return SaltStatus(
        "error",
        "VITALSIGNS_SALT is not set, so a build would refuse every person-level file. "
        "Set a long secret salt, and keep it the same for ever: export VITALSIGNS_SALT=... "
        "(see docs/own-extracts.md, 'The salt')",
    )


def allowed_text(feed: Feed, column: str, rule: str) -> str:
    """What the contract allows where a row broke `rule` (the rule text itself names a range)."""
    col = next((c for c in feed.columns if c.name == column), None)
    if col is None:
        return ""
    if rule.startswith("unknown code") and col.codes:
        return " | ".join(col.codes) + " (case, spacing and dashes may differ)"
    if rule.startswith("missing "):
        return "any value (the cell must not be empty)" + (
            f", {TYPE_WORDS[col.type]}" if col.type in TYPE_WORDS else ""
        )
    if rule.startswith("duplicate key"):
        return "each key once per file"
    return ""


def group_rejects(feed: Feed, path: Path, rejects: list[Reject]) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for r in rejects:
        key = (r.column, r.rule, r.value)
        if key not in groups:
            groups[key] = Group(path, r.column, r.rule, r.value, allowed_text(feed, r.column, r.rule))
        groups[key].rows.append(r.row)
    return sorted(groups.values(), key=lambda g: (-len(g.rows), g.rows[0]))


def _header(path: Path) -> list[str]:
    if path.suffix.lower() != ".csv":
        return []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def mapping_notes(feed: Feed, path: Path, mapping: dict[str, str], columns: list[str]) -> list[str]:
    """Columns a mapping names but the header lacks, and columns the contract does not know
    (ignored by the load): the usual traces of a mapping that does not fit the file."""
    notes = []
    header = {_norm(h) for h in _header(path)}
    if mapping and header:
        unused = sorted(k for k in mapping if k not in header)
        if unused:
            notes.append(f"{feed.name}.mapping.yml names column(s) not in this file's header: {', '.join(unused)}")
    unknown = [c for c in columns if c not in feed.column_names]
    if unknown:
        notes.append(
            f"column(s) not in the {feed.name} contract, ignored: {', '.join(unknown)} "
            f"(if one is a contract column under another name, map it in {feed.name}.mapping.yml)"
        )
    return notes


def check_file(con, feed: Feed, path: Path, settings: Settings) -> FileCheck:
    notes: list[str] = []
    try:
        mapping = load_mapping(path.parent, feed.name)
        columns = read_as_text(con, path, "_chk", mapping, settings.limits, feed.name)
        notes = mapping_notes(feed, path, mapping, columns)
        rejects = validate(con, feed, path, "_chk", columns, settings.limits)
    except UnreadableFile as exc:
        return FileCheck(feed.name, path, "quarantine", str(exc), notes=notes)
    rows = con.execute("select count(*) from _chk_typed").fetchall()[0][0]
    rejected = len({r.row for r in rejects})
    failure = load_verdict(path, rows, rejects, settings.reject_threshold)
    verdict = "empty" if rows == 0 else ("quarantine" if failure else "load")
    return FileCheck(feed.name, path, verdict, failure or "", rows, rejected, group_rejects(feed, path, rejects), notes)


def check_cld_file(con, path: Path) -> FileCheck:
    from .ingest.cld import TYPED, read_submission

    try:
        read_submission(con, path)
        rows = con.execute(f"select count(*) from {TYPED}").fetchall()[0][0]
        return FileCheck(cld_contract.FEED, path, "load", rows=rows)
    except UnreadableFile as exc:
        return FileCheck(cld_contract.FEED, path, "quarantine", str(exc))
    finally:
        con.execute(f"drop table if exists {TYPED}")  # it holds clear identifiers


def indicator_codes() -> set[str]:
    """The indicator codes commentary may be written for: the catalogue seed's (empty if absent)."""
    from .settings import DBT_PROJECT_DIR

    seed = DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv"
    if not seed.exists():
        return set()
    with open(seed, encoding="utf-8", newline="") as fh:
        return {row["indicator_code"] for row in csv.DictReader(fh)}


def commentary_notes(landing: Path) -> list[str]:
    """Headings that are not a report-card section: their text would not appear in the report."""
    from .reporting.data import COMMENTARY_SECTIONS

    folder = landing / COMMENTARY
    notes = []
    if not folder.is_dir():
        return notes
    codes = indicator_codes()
    for code in sorted(p for p in folder.iterdir() if p.is_dir()):
        if codes and code.name not in codes:
            notes.append(
                f"{code}:0:0: warning: '{code.name}' is not an indicator code (dbt/seeds/"
                "indicator_catalogue.csv), so no report shows this commentary"
            )
    for path in sorted(folder.glob("*/*.md")):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        headings = [m.group(1).rstrip(":") for m in re.finditer(r"(?m)^#+\s*(.+?)\s*$", text)]
        stray = [h for h in headings if h not in COMMENTARY_SECTIONS]
        known = [h for h in headings if h in COMMENTARY_SECTIONS]
        sections = " / ".join(COMMENTARY_SECTIONS)
        if not known:
            notes.append(
                f"{path}:0:0: warning: no report-card section heading, so none of the text appears in "
                f"the report (headings, spelled exactly: {sections})"
            )
        elif stray:
            notes.append(
                f"{path}:0:0: warning: heading(s) {', '.join(repr(h) for h in stray)} are not report-card "
                "sections: the text runs on inside the section before, and a section spelled differently "
                f"shows 'Commentary not yet provided' (headings, spelled exactly: {sections})"
            )
    return notes


def check_landing(landing: Path, settings: Settings, env=None) -> CheckResult:
    import duckdb

    entries = [p for p in landing.iterdir() if p.name not in MARKERS] if landing.is_dir() else []
    known = {*feed_folders(), cld_contract.FOLDER, COMMENTARY}
    result = CheckResult(landing, SaltStatus("ok", ""))
    if not entries:
        result.nothing_to_check = (
            f"the landing folder {landing} is empty: put each feed's files in its folder "
            "(liquidlogic/, dtoc/, population/, reference/, risk_register/, safeguarding/, cld/; see "
            "docs/extracts.md), or make a synthetic one with `vitalsigns sample --out DIR`"
        )
    elif not any(p.is_dir() and p.name in known for p in entries):
        result.nothing_to_check = (
            f"the landing folder {landing} has no feed folder (it has: "
            f"{', '.join(sorted(p.name for p in entries)[:8])}); expected some of: "
            f"{', '.join(sorted(known))}. Is --landing pointing at the right folder?"
        )
    result.not_loaded = not_loaded(landing)
    con = duckdb.connect()
    for feed in FEEDS.values():
        paths = feed_files(landing, feed)
        if not paths:
            result.missing_feeds.append(feed.name)
        result.files += [check_file(con, feed, p, settings) for p in paths]
    from .ingest.cld import cld_files

    subs, _ = cld_files(landing)
    if not subs:
        result.missing_feeds.append(cld_contract.FEED)
    result.files += [check_cld_file(con, p) for p in subs]
    con.close()
    result.warnings += commentary_notes(landing)
    person_level = any(f.feed == cld_contract.FEED or FEEDS[f.feed].person_level for f in result.files)
    result.salt = salt_status(landing, env, person_level)
    return result


def write_report(result: CheckResult, path: Path) -> int:
    """Every problem, one CSV row each (every rejected row, not grouped); returns the rows written."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["feed", "file", "row", "column", "problem", "value", "allowed", "verdict"])
        for f in result.files:
            if f.verdict == "quarantine":
                w.writerow(
                    [
                        f.feed,
                        f.path,
                        *_location(f.reason, f.path),
                        _after_location(f.reason, f.path),
                        "",
                        "",
                        f.verdict_text,
                    ]
                )
                n += 1
            for g in f.groups:
                for row in g.rows:
                    w.writerow([f.feed, f.path, row, g.column, g.rule, g.value or "", g.allowed, f.verdict_text])
                    n += 1
        for item in result.not_loaded:
            w.writerow(["", item.path, 0, "", "not loaded: " + item.reason, "", "", "not loaded"])
            n += 1
    return n


def _location(message: str, path: Path) -> tuple[str, str]:
    m = re.match(r"^:(\d+):([^:\s]*): ", message[len(str(path)) :]) if message.startswith(str(path)) else None
    return (m.group(1), m.group(2)) if m else ("0", "")


def render(result: CheckResult, verbose: bool = False) -> list[str]:
    """The lines `check` prints: problems (file:row:column: message), then one summary line per
    file, the salt, and the totals; `verbose` lists every rejected row."""
    out: list[str] = [f"checking {result.landing}"]
    if result.nothing_to_check:
        out.append(f"warning: {result.nothing_to_check}")
    from .ingest.cld import misnamed_message

    for item in result.not_loaded:
        cld = item.path.parent.name == cld_contract.FOLDER and item.path.is_file()
        out.append(misnamed_message(item.path) if cld else item.line())
    out += result.warnings
    for f in result.files:
        if f.verdict == "quarantine":
            out.append(f.reason)
        for g in f.groups:
            out.append(g.line(all_rows=verbose))
        out += [f"{f.path}:0:0: note: {n}" for n in f.notes]
    if result.files:
        out.append("")
        width = max(len(_rel(f.path, result.landing)) for f in result.files)
        out.append(f"{'feed':<16} {'file':<{width}} {'rows':>10} {'rejected':>9}  verdict")
        for f in result.files:
            rows = "-" if f.rows is None else f"{f.rows:,}"
            out.append(
                f"{f.feed:<16} {_rel(f.path, result.landing):<{width}} {rows:>10} {f.rejected:>9,}  {f.verdict_text}"
            )
    if result.missing_feeds and not result.nothing_to_check:
        out.append(
            f"no file yet for: {', '.join(result.missing_feeds)} (valid: the measures that need them are "
            "null with the reason)"
        )
    out.append(f"salt: {result.salt.level}: {result.salt.message}" if result.salt.message else "")
    counts = defaultdict(int)
    for f in result.files:
        counts[f.verdict] += 1
    totals = (
        f"{len(result.files)} file(s): {counts['load']} would load, {counts['empty']} header only, "
        f"{counts['quarantine']} would be quarantined; "
        f"{sum(f.rejected for f in result.files):,} row(s) rejected; {len(result.not_loaded)} not loaded"
    )
    verdict = {
        OK: "OK: a build would load everything",
        PROBLEMS: "PROBLEMS: fix what is listed above (a quarantined file or a salt error fails the build; "
        "rejected rows and unloaded files are left out of it)",
        NOTHING_TO_CHECK: "NOTHING TO CHECK",
    }[result.exit_code]
    out.append(f"{totals}. {verdict}")
    return [line for line in out if line is not None]


def _rel(path: Path, landing: Path) -> str:
    try:
        return str(path.relative_to(landing))
    except ValueError:
        return str(path)
