"""The validation report, HTML (to read) and CSV (to filter), written beside the return.

It carries codes, counts, row numbers and the Liquid Logic file and line of each problem, never
a person's identifier or date of birth (validate.SHOWN_NEVER), though it sits in the owner-only
exports folder like the return.
"""

from __future__ import annotations

import html

import pandas as pd

from .build import Return
from .roundtrip import RoundTrip
from .validate import Validation

CSS = """body{font-family:system-ui,Segoe UI,Arial,sans-serif;margin:24px;color:#1b1b1b;max-width:1100px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:2px solid #005eb8}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f0f4f5}td.n{text-align:right}.bad{background:#fde8e8;color:#8a1c1c;font-weight:600}
.ok{color:#1d6b2f}.muted{color:#555;font-size:13px}
.box{background:#fff8e1;border-left:4px solid #f0b400;padding:6px 10px}"""


def _table(frame: pd.DataFrame, bad_cols: tuple[str, ...] = (), limit: int | None = None) -> str:
    if frame is None or frame.empty:
        return "<p class='muted'>none</p>"
    shown = frame if limit is None else frame.head(limit)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = []
    for _, r in shown.iterrows():
        cells = []
        for c in shown.columns:
            v = r[c]
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            text = (
                ""
                if v is None or (isinstance(v, float) and pd.isna(v))
                else (f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if num else str(v))
            )
            cls = " ".join(x for x in ("n" if num else "", "bad" if c in bad_cols and num and v else "") if x)
            cells.append(f"<td class='{cls}'>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        ""
        if limit is None or len(frame) <= limit
        else f"<p class='muted'>first {limit} of {len(frame):,}: the CSV has them all</p>"
    )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def summary_csv(val: Validation) -> str:
    """Every finding in one CSV: field counts, rules, invalid values (section column says which)."""
    parts = [
        val.fields.assign(section="field"),
        val.rules.assign(section="rule"),
        val.invalid.assign(section="invalid"),
    ]
    out = pd.concat(parts, ignore_index=True)
    counts = ["valid", "blank_optional", "blank_mandatory", "invalid", "rows_applying", "rows_failing", "row"]
    out[counts] = out[counts].astype("Int64")  # whole numbers, blank where a section has none
    return out[["section", *[c for c in out.columns if c != "section"]]].to_csv(index=False, lineterminator="\n")


def render(ret: Return, val: Validation, rt: RoundTrip | None, return_name: str) -> str:
    p = ret.period
    c = val.comparison
    if c.get("previous"):
        changed = ", ".join(f"{k} {v:,}" for k, v in c["changed_fields"].items()) or "none"
        comparison = (
            f"<p>Against the previous quarter's return ({p.previous().label}): <b>{c['added']:,}</b> events added, "
            f"<b>{c['changed']:,}</b> changed, <b>{c['lost']:,}</b> lost, {c['unchanged']:,} unchanged.</p>"
            f"<p class='muted'>Fields changed: {html.escape(changed)}</p>"
        )
    else:
        comparison = "<p class='muted'>No previous quarter's return to compare with.</p>"
    if rt is None:
        trip = "<p class='muted'>Round trip not run.</p>"
    else:
        errors = len(rt.structural_errors)
        trip = (
            f"<p>CLD ingestion: <b class='{'bad' if errors else 'ok'}'>{errors} structural error(s)</b>, "
            f"{rt.rows_loaded:,} rows loaded.</p>"
        )
        trip += "".join(f"<p class='bad'>{html.escape(e)}</p>" for e in rt.structural_errors)
        if rt.note:
            trip += f"<p class='box'>{html.escape(rt.note)}</p>"
        if rt.ascof is not None:
            trip += (
                f"<p>Revised ASCOF {p.financial_year} from this return beside the ASCOF the Liquid Logic feeds "
                "give directly:</p>" + _table(rt.ascof)
            )
    total = len(ret.rows)
    bad = int(val.fields.invalid.sum())
    blank = int(val.fields.blank_mandatory.sum())
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in ret.notes)
    files = ", ".join(f"{k}: {html.escape(v or 'none')}" for k, v in ret.files.items())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>CLD return {ret.la_code} {p.label}: validation</title><style>{CSS}</style></head><body>
<h1>Client Level Data return {html.escape(ret.la_code)} {html.escape(p.label)}: validation before submission</h1>
<p class="muted">{html.escape(return_name)}: {total:,} rows, the 12 months {p.start:%d/%m/%Y} to {p.end:%d/%m/%Y}.
Built from the Liquid Logic landing files ({files}).</p>
<p><b class="{"bad" if bad else "ok"}">{bad:,} invalid value(s)</b>, <b class="{"bad" if blank else "ok"}">{blank:,}
blank mandatory cell(s)</b>.</p>
<h2>What the landing files lack</h2><ul>{notes}</ul>
<h2>Fields</h2>{_table(val.fields, ("blank_mandatory", "invalid"))}
<h2>Conditional rules</h2>{_table(val.rules, ("rows_failing",))}
<h2>Invalid values</h2><p class="muted">Row = line of the return (header is line 1); source = the Liquid Logic
file and line to correct.</p>{_table(val.invalid, limit=200)}
<h2>Since the previous quarter</h2>{comparison}
<h2>Round trip</h2>{trip}
</body></html>
"""
