"""The Quarto wrapper: quarto's command line checked with a stand-in, the fallback for real."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dagster_project.reporting.quarto import FALLBACK, RenderError, find_quarto, render

QMD = """---
title: "Wrapper test"
execute:
  echo: false
format:
  html:
    toc: true
---

```{python}
#| tags: [parameters]
council = "nobody"
```

## Section

```{python}
#| output: asis
print(f"| council | value |\\n|---|---|\\n| {council} | [3.3% R]{{.rag .rag-r}} |")
```

```{python}
import matplotlib.pyplot as plt
import pandas as pd
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3])
plt.show()
pd.DataFrame({"measure": ["1E"], "value": [3.4]})
```

```{python}
#| output: asis
print(f"Rendered by {renderer}.")
```
"""


@pytest.fixture
def qmd(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "doc.qmd"
    path.write_text(QMD)
    return path


def test_fallback_renders_self_contained_html_and_a_pdf(qmd, tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no quarto anywhere
    result = render(qmd, tmp_path / "out", {"council": "E10000020"})
    assert result.renderer == FALLBACK
    html = result.outputs["html"].read_text()
    assert "E10000020" in html and "nobody" not in html
    assert 'class="rag rag-r"' in html and "3.3% R" in html
    assert "data:image/png;base64" in html and 'src="http' not in html
    assert "1E" in html and "Rendered by fallback" in html
    pdf = result.outputs["pdf"].read_bytes()
    assert pdf[:4] == b"%PDF" and len(pdf) > 5000
    assert sorted(p.name for p in qmd.parent.iterdir()) == ["doc.qmd"], "the source folder stays clean"


def test_a_failing_chunk_raises_with_the_python_error(qmd, tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    qmd.write_text(QMD.replace('council = "nobody"', 'council = "nobody"\nraise ValueError("no such council")'))
    with pytest.raises(RenderError, match="no such council"):
        render(qmd, tmp_path / "out", {"council": "X"}, formats=("html",))


STAND_IN = """#!/usr/bin/env python3
import json, pathlib, sys
args = sys.argv[1:]
log = pathlib.Path({log!r})
log.write_text(log.read_text() + json.dumps(args) + "\\n" if log.exists() else json.dumps(args) + "\\n")
if {fail}:
    print("ERROR: boom in the stand-in", file=sys.stderr)
    sys.exit(1)
assert args[0] == "render" and args[1].endswith("doc.qmd")
out = args[args.index("--output") + 1]
pathlib.Path(args[1]).parent.joinpath(out).write_text("rendered " + args[args.index("--to") + 1])
"""


def _stand_in(tmp_path: Path, fail: bool = False) -> tuple[Path, Path]:
    log = tmp_path / "argv.log"
    exe = tmp_path / "bin" / "quarto"
    exe.parent.mkdir()
    exe.write_text(STAND_IN.format(log=str(log), fail=fail))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe, log


def test_quarto_gets_the_expected_command_line(qmd, tmp_path, monkeypatch):
    import json

    exe, log = _stand_in(tmp_path)
    monkeypatch.setenv("QUARTO_PATH", str(exe))
    result = render(
        qmd, tmp_path / "out", {"la_code": "E10000020", "period": "2017-03"}, output_name="committee_report"
    )
    assert result.renderer == "quarto"
    assert result.outputs["html"] == tmp_path / "out" / "committee_report.html"
    assert (tmp_path / "out" / "committee_report.pdf").read_text() == "rendered pdf"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    html, pdf = calls
    assert html[:5] == ["render", html[1], "--to", "html", "--output"] and html[5] == "committee_report.html"
    assert "--execute" in html and ["-M", "embed-resources:true"] == html[html.index("-M") : html.index("-M") + 2]
    for call in calls:
        pairs = {call[i + 1] for i, a in enumerate(call) if a == "-P"}
        assert pairs == {"la_code:E10000020", "period:2017-03", "renderer:quarto"}
    assert pdf[3] == "pdf"
    assert sorted(p.name for p in qmd.parent.iterdir()) == ["doc.qmd"]


def test_quarto_failure_carries_its_message(qmd, tmp_path, monkeypatch):
    exe, _ = _stand_in(tmp_path, fail=True)
    monkeypatch.setenv("QUARTO_PATH", str(exe))
    with pytest.raises(RenderError, match="boom in the stand-in"):
        render(qmd, tmp_path / "out", {"la_code": "X"})


def test_find_quarto_prefers_quarto_path_then_path(tmp_path, monkeypatch):
    exe, _ = _stand_in(tmp_path)
    monkeypatch.setenv("QUARTO_PATH", str(exe))
    assert find_quarto() == str(exe)
    monkeypatch.delenv("QUARTO_PATH")
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}/usr/bin")
    assert find_quarto() == str(exe)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_quarto() is None
    monkeypatch.setenv("QUARTO_PATH", str(tmp_path / "missing"))
    with pytest.raises(RenderError, match="not an executable"):
        find_quarto()
