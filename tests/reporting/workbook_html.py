"""A worksheet as an HTML table that shows what Excel would: each number through its number format,
fills and text colours as set. For looking at the workbook without Excel (no LibreOffice here):
`python -m tests.reporting.workbook_html book.xlsx Dashboard out.png` screenshots it with chromium."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook


def shown(cell) -> str:
    """The cell's text as Excel displays it, for the formats the workbook uses."""
    v, fmt = cell.value, cell.number_format or "General"
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%d/%m/%Y") if fmt.lower().startswith("dd/mm") else v.isoformat()
    if isinstance(v, (int, float)):
        m = re.fullmatch(r"(#,##)?0(?:\.(0+))?(%)?", fmt)
        if not m:
            return repr(v)
        places = len(m.group(2) or "")
        x = v * 100 if m.group(3) else v
        return f"{x:{',' if m.group(1) else ''}.{places}f}" + ("%" if m.group(3) else "")
    return str(v)


def sheet_html(path: Path, sheet: str, max_rows: int = 200) -> str:
    ws = load_workbook(path)[sheet]
    rows = []
    for r in ws.iter_rows(max_row=min(ws.max_row, max_rows)):
        tds = []
        for c in r:
            style = []
            if c.fill is not None and c.fill.fill_type == "solid":
                style.append(f"background:#{str(c.fill.fgColor.rgb)[-6:]}")
            if c.font is not None:
                if c.font.color is not None and isinstance(c.font.color.rgb, str):
                    style.append(f"color:#{c.font.color.rgb[-6:]}")
                if c.font.bold:
                    style.append("font-weight:bold")
                if c.font.italic:
                    style.append("font-style:italic")
                if c.font.size and c.font.size > 11:
                    style.append(f"font-size:{c.font.size}pt")
            if c.border is not None and c.border.left is not None and c.border.left.style:
                style.append("border:1px solid #bfbfbf")
            align = c.alignment.horizontal or ("right" if isinstance(c.value, (int, float)) else "left")
            style.append(f"text-align:{align}")
            nowrap = c.column > 1 or not (c.alignment.wrap_text)
            style.append("white-space:nowrap" if nowrap and not (c.alignment.wrap_text) else "")
            tds.append(f'<td style="{";".join(style)}">{html.escape(shown(c))}</td>')
        if len(tds) > 1 and all(c.value is None for c in r[1:]):  # text overflows into empty cells, as in Excel
            tds = [tds[0].replace("<td ", f'<td colspan="{len(tds)}" ', 1).replace("white-space:nowrap", "")]
        rows.append("<tr>" + "".join(tds) + "</tr>")
    px = [(ws.column_dimensions[ws.cell(1, j).column_letter].width or 9) * 7.5 for j in range(1, ws.max_column + 1)]
    widths = "".join(f'<col style="width:{w:.0f}px">' for w in px)
    return (
        "<html><head><meta charset='utf-8'><style>body{font-family:Calibri,Carlito,Arial,sans-serif;"
        "font-size:9.5pt;margin:8px} table{border-collapse:collapse;table-layout:fixed} td{padding:1px 4px;"
        "overflow:hidden;vertical-align:top}</style></head><body>"
        f"<p style='color:#666'>{html.escape(path.name)}: sheet {html.escape(sheet)} (print titles "
        f"{ws.print_title_rows}, print area {ws.print_area}, freeze {ws.freeze_panes})</p>"
        f"<table style='width:{sum(px):.0f}px'>{widths}{''.join(rows)}</table></body></html>"
    )


def screenshot(path: Path, sheet: str, png: Path, size: str = "2000,1400") -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "sheet.html"
        page.write_text(sheet_html(path, sheet), encoding="utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--window-size={size}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


if __name__ == "__main__":
    print(screenshot(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), *sys.argv[4:5]))
