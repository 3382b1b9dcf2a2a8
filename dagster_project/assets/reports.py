"""Committee reports, risk-register summaries and spreadsheets per council and period.

Rendered from the published (aggregate-only, suppressed) database through the Quarto
wrapper. Materialise with config {council, period} in the UI's launchpad to re-render one
council's month without rebuilding anything else; by default every council's latest month.
"""
import os
import time
from pathlib import Path

import dagster as dg
import duckdb

from ..constants import OWNER, PUBLISHED_ASSET, REPORTS
from ..guards import UnsafeValue, check_la_code, check_period, inside, is_la_code
from ..reporting.data import ReportData
from ..reporting.quarto import render
from ..reporting.spreadsheet import write_vital_signs
from ..resources.warehouse import WarehouseResource
from ..settings import REPORTS_DIR

PUBLISHED = dg.AssetKey(list(PUBLISHED_ASSET))


class ReportConfig(dg.Config):
    council: str = ""  # la_code; empty = every council in the published database
    period: str = ""  # YYYY-MM; empty = VITALSIGNS_PERIOD, else each council's latest month with data
    held: bool = False  # render a failed build's held database into <home>/held/reports, marked not published


def _source(settings, config: ReportConfig) -> tuple[Path, Path, str]:
    """(database, reports folder, why it is held or '') for the live or the held build."""
    if not config.held:
        return settings.published_path, settings.reports_path, ""
    from .publishing import HELD_REASON

    if not settings.held_path.exists():
        raise dg.Failure(f"no held build in {settings.held_path.parent}: the last build was published")
    reason = (settings.held_path.parent / HELD_REASON).read_text(encoding="utf-8").strip()
    return settings.held_path, settings.held_path.parent / "reports", reason or "a load failed"


def targets(published: Path, config: ReportConfig, log=None) -> list[tuple[str, str]]:
    """(la_code, YYYY-MM) pairs to render; the period must be YYYY-MM, and a council code that is
    not an ONS code (one an earlier version let in) is left out with a warning, never a folder."""
    period = config.period or os.environ.get("VITALSIGNS_PERIOD", "")
    try:
        if period:
            check_period(period)
        if config.council:
            check_la_code(config.council)
    except UnsafeValue as exc:
        raise dg.Failure(str(exc)) from None
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            """select la_code, strftime(max(period_end), '%Y-%m') from marts.indicator_values
               where period_type = 'month' and value is not null group by 1 order by 1""").fetchall()
        councils = {la for la, _ in rows} | {r[0] for r in con.execute(
            "select distinct la_code from marts.risk_register").fetchall()}
    latest = dict(rows)
    bogus = sorted(c for c in councils if not is_la_code(c))
    if bogus and log is not None:
        log.warning(f"not rendered: council code(s) {', '.join(map(repr, bogus))} are not ONS codes")
    councils -= set(bogus)
    chosen = [config.council] if config.council else sorted(councils)
    unknown = [c for c in chosen if c not in councils]
    if unknown:
        raise dg.Failure(f"council {unknown[0]} is not in the published database (has: {', '.join(sorted(councils))})")
    return [(la, check_period(period or latest.get(la) or time.strftime("%Y-%m"))) for la in chosen]


def report_dir(settings, la: str, period: str, reports_path: Path | None = None) -> Path:
    """<reports folder>/<la_code>/<YYYY-MM> (the live or the held one), refused if it would leave the home."""
    base = os.path.relpath(Path(reports_path or settings.reports_path).resolve(), Path(settings.home).resolve())
    return inside(settings.home, base, check_la_code(la), check_period(period))


def _render_all(context, warehouse: WarehouseResource, config: ReportConfig, document: str) -> dg.MaterializeResult:
    settings = warehouse.settings
    db, reports_path, held = _source(settings, config)
    outputs, renderers, timings = [], set(), []
    for la, period in targets(db, config, context.log):
        out_dir = report_dir(settings, la, period, reports_path)
        result = render(REPORTS_DIR / f"{document}.qmd", out_dir,
                        params={"la_code": la, "period": period, "db": str(db),
                                "landing": str(settings.landing), "held": held},
                        output_name=document)
        renderers.add(result.renderer)
        timings.append(result.seconds)
        outputs += [str(p) for p in result.outputs.values()]
        context.log.info(f"{document} for {la} {period}: {result.renderer} in {result.seconds:.1f}s -> {out_dir}")
    return dg.MaterializeResult(metadata={
        "renderer": ", ".join(sorted(renderers)),
        "outputs": dg.MetadataValue.json(outputs),
        "render_seconds": dg.MetadataValue.json([round(t, 1) for t in timings]),
        "reports": len(timings),
    })


@dg.asset(group_name=REPORTS, owners=[OWNER], deps=[PUBLISHED], kinds={"quarto", "html", "pdf"},
          description="Committee performance report (summary, dashboard, report cards, ASCOF, data quality), "
                      "HTML and PDF, per council and period.")
def committee_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                     config: ReportConfig) -> dg.MaterializeResult:
    return _render_all(context, warehouse, config, "committee_report")


@dg.asset(group_name=REPORTS, owners=[OWNER], deps=[PUBLISHED], kinds={"quarto", "html", "pdf"},
          description="Risk-register summary: 5x5 heat map, all risks, exceptions in full, changes since the last "
                      "snapshot, HTML and PDF, per council.")
def risk_register_summary(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                          config: ReportConfig) -> dg.MaterializeResult:
    return _render_all(context, warehouse, config, "risk_register_summary")


@dg.asset(group_name=REPORTS, owners=[OWNER], deps=[PUBLISHED], kinds={"excel"},
          description="vital_signs.xlsx: the dashboard (RAG fills with letters) and every indicator value.")
def vital_signs_workbook(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                         config: ReportConfig) -> dg.MaterializeResult:
    settings = warehouse.settings
    db, reports_path, _ = _source(settings, config)
    outputs = []
    for la, period in targets(db, config, context.log):
        data = ReportData(db, la, period, settings.landing)
        try:
            outputs.append(str(write_vital_signs(data, inside(report_dir(settings, la, period, reports_path),
                                                              "vital_signs.xlsx"))))
        finally:
            data.close()
    return dg.MaterializeResult(metadata={"outputs": dg.MetadataValue.json(outputs)})


report_assets = [committee_report, risk_register_summary, vital_signs_workbook]
