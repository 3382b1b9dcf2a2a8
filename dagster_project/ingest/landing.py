"""What is in a landing folder: each feed's files, and everything that will not be loaded.

A file is a feed's only when its folder is the feed's and its whole name matches the feed's
pattern (`contracts.Feed.file_re`) with a real date: a misnamed file is never loaded with a
null date. Every other file and every unknown folder is listed, so `check`, the build summary
and the load log (hence `marts.data_quality`) can say so instead of ignoring it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .. import cld_contract
from ..contracts import FEEDS, Feed
from ..settings import SAMPLE_MARKER
from .reading import extract_date

COMMENTARY = "commentary"  # read by the reports, never loaded: commentary/<indicator>/<YYYY-MM>.md
COMMENTARY_FILE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\.md$")
MARKERS = {SAMPLE_MARKER}  # files the tools themselves put at the top of a landing folder


@dataclass(frozen=True)
class NotLoaded:
    path: Path
    reason: str

    def line(self) -> str:
        return f"{self.path}:0:0: not loaded: {self.reason}"


def feed_folders() -> dict[str, list[Feed]]:
    folders: dict[str, list[Feed]] = {}
    for feed in FEEDS.values():
        folders.setdefault(feed.folder, []).append(feed)
    return folders


def _names_matching(folder_feeds: list[Feed], name: str) -> list[Feed]:
    return [f for f in folder_feeds if f.file_re.match(name)]


def feed_files(landing: Path, feed: Feed) -> list[Path]:
    """The feed's files with a real extract date, oldest first."""
    folder = landing / feed.folder
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and feed.file_re.match(p.name) and extract_date(p)]
    return sorted(files, key=lambda p: (extract_date(p) or dt.date.min, p.name))


def not_loaded(landing: Path) -> list[NotLoaded]:
    """Every file and folder in `landing` that no feed will load, with why and what to do."""
    out: list[NotLoaded] = []
    folders = feed_folders()
    if not landing.is_dir():
        return out
    for entry in sorted(landing.iterdir()):
        if entry.is_dir() and entry.name in folders:
            out += _scan_feed_folder(entry, folders[entry.name])
        elif entry.is_dir() and entry.name == cld_contract.FOLDER:
            from .cld import cld_files

            out += [
                NotLoaded(
                    p,
                    f"name matches no CLD submission (expected {cld_contract.FILE_PATTERN}, e.g. "
                    "cld_E10000020_20240715.csv): rename it",
                )
                for p in cld_files(landing)[1]
            ]
        elif entry.is_dir() and entry.name == COMMENTARY:
            out += _scan_commentary(entry)
        elif entry.is_dir():
            out.append(
                NotLoaded(
                    entry,
                    f"unknown folder '{entry.name}': not a feed folder (known: "
                    f"{', '.join(sorted([*folders, cld_contract.FOLDER, COMMENTARY]))}); nothing in it is read",
                )
            )
        elif entry.name not in MARKERS:
            out.append(NotLoaded(entry, "file at the top of the landing folder: files belong in their feed's folder"))
    return out


def _scan_feed_folder(folder: Path, feeds: list[Feed]) -> list[NotLoaded]:
    out = []
    mapping_files = {f"{f.name}.mapping.yml" for f in feeds}
    expected = ", ".join(f.file_name_example for f in feeds)
    for p in sorted(folder.iterdir()):
        if p.is_dir():
            out.append(NotLoaded(p, f"folder inside {folder.name}/: sub-folders are not read"))
        elif p.name in mapping_files:
            continue
        elif _names_matching(feeds, p.name):
            if extract_date(p) is None:
                out.append(
                    NotLoaded(
                        p,
                        "the date in the name is not a real date (YYYYMMDD, e.g. 20170401): "
                        "rename it with the extract date and it will load",
                    )
                )
        else:
            out.append(NotLoaded(p, f"name matches no {folder.name} feed (expected {expected}): rename it"))
    return out


def _scan_commentary(folder: Path) -> list[NotLoaded]:
    out = []
    for code in sorted(folder.iterdir()):
        if not code.is_dir():
            out.append(NotLoaded(code, "commentary belongs in commentary/<indicator_code>/<YYYY-MM>.md"))
            continue
        for p in sorted(code.iterdir()):
            if not (p.is_file() and COMMENTARY_FILE.match(p.name)):
                out.append(NotLoaded(p, "commentary files are named <YYYY-MM>.md with a real month"))
    return out
