"""Committee reports, risk-register summaries and spreadsheets per council and reporting month.

Rendered from the published (aggregate-only, suppressed) database through the Quarto wrapper.
Partitioned by reporting month (`report_month`, a dynamic set: every publication adds the months
the published database holds), so the UI shows which packs exist and a past month's pack is a
backfill of its partition. One partition renders every council (config `council` narrows it).
Without a partition (a hand-made run), config `period`, else VITALSIGNS_PERIOD, else each
council's latest month. The commentary the report cards quote is an observed source asset.
"""

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import dagster as dg
import duckdb

from ..constants import COMMENTARY_ASSET, INGESTION, OWNER, PUBLISHED_ASSET, REPORTS
from ..constants import REPORT_MONTHS as REPORT_MONTHS_NAME
from ..guards import UnsafeValue, check_la_code, check_period, inside, is_la_code
from ..reporting.data import ReportData
from ..reporting.integrated import renders_for
from ..reporting.quarto import render
from ..reporting.spreadsheet import write_vital_signs
from ..resources.warehouse import WarehouseResource
from ..settings import REPORTS_DIR

PUBLISHED = dg.AssetKey(list(PUBLISHED_ASSET))
COMMENTARY = dg.AssetKey(list(COMMENTARY_ASSET))
REPORT_MONTHS = dg.DynamicPartitionsDefinition(name=REPORT_MONTHS_NAME)


class ReportConfig(dg.Config):
    council: str = ""  # la_code; empty = every council in the published database
    period: str = ""  # YYYY-MM; empty = the partition, else VITALSIGNS_PERIOD, else each council's latest month
    held: bool = False  # render a failed build's held database into <home>/held/reports, marked not published


def commentary_files(landing: Path) -> list[Path]:
    """Every commentary file the reports can quote: <landing>/commentary/<indicator>/<YYYY-MM>.md."""
    folder = Path(landing) / "commentary"
    return sorted(p for p in folder.rglob("*.md") if p.is_file()) if folder.is_dir() else []


def commentary_version(landing: Path) -> str:
    """A hash of every commentary file's path and content: it changes exactly when a report card would."""
    digest = hashlib.sha256()
    for path in commentary_files(landing):
        digest.update(str(path.relative_to(landing)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dg.observable_source_asset(
    key=COMMENTARY,
    group_name=INGESTION,
    owners=[OWNER],
    description="Commentary the report cards quote: <landing>/commentary/<indicator>/<YYYY-MM>.md, written by "
    "people, not loaded into the warehouse. Observed (data version = content hash) by the landing "
    "sensor, so a new or edited file marks that month's reports stale and re-renders them.",
)
def commentary(warehouse: WarehouseResource) -> dg.ObserveResult:
    landing = warehouse.settings.landing
    files = commentary_files(landing)
    months = sorted({p.stem for p in files})
    return dg.ObserveResult(
        data_version=dg.DataVersion(commentary_version(landing)),
        metadata={"files": len(files), "months": dg.MetadataValue.json(months)},
    )


def _source(settings, config: ReportConfig) -> tuple[Path, Path, str]:
    """(database, reports folder, why it is held or '') for the live or the held build."""
    if not config.held:
        return settings.published_path, settings.reports_path, ""
    from .publishing import HELD_REASON

    if not settings.held_path.exists():
        raise dg.Failure(f"no held build in {settings.held_path.parent}: the last build was published")
    reason = (settings.held_path.parent / HELD_REASON).read_text(encoding="utf-8").strip()
    return settings.held_path, settings.held_path.parent / "reports", reason or "a load failed"


def targets(published: Path, config: ReportConfig, log=None, period: str | None = None) -> list[tuple[str, str]]:
    """(la_code, YYYY-MM) pairs to render; `period` (the partition or VITALSIGNS_PERIOD) unless the config
    names one. The period must be YYYY-MM, and a council code that is not an ONS code (one an earlier
    version let in) is left out with a warning, never a folder."""
    if config.period and period and config.period != period:
        raise dg.Failure(f"config period {config.period} contradicts the partition {period}: leave it empty")
    period = config.period or period or ""
    try:
        if period:
            check_period(period)
        if config.council:
            check_la_code(config.council)
    except UnsafeValue as exc:
        raise dg.Failure(str(exc)) from None
    latest = latest_months(published)
    with duckdb.connect(str(published), read_only=True) as con:
        councils = set(latest) | {
            r[0] for r in con.execute("select distinct la_code from marts.risk_register").fetchall()
        }
    bogus = sorted(c for c in councils if not is_la_code(c))
    if bogus and log is not None:
        log.warning(f"not rendered: council code(s) {', '.join(map(repr, bogus))} are not ONS codes")
    councils -= set(bogus)
    chosen = [config.council] if config.council else sorted(councils)
    unknown = [c for c in chosen if c not in councils]
    if unknown:
        raise dg.Failure(f"council {unknown[0]} is not in the published database (has: {', '.join(sorted(councils))})")
    return [(la, check_period(period or latest.get(la) or time.strftime("%Y-%m"))) for la in chosen]


def latest_months(published: Path) -> dict[str, str]:
    """Each council's latest month with a value (the month a build renders by default)."""
    with duckdb.connect(str(published), read_only=True) as con:
        return dict(
            con.execute(
                """select la_code, strftime(max(period_end), '%Y-%m') from marts.indicator_values
               where period_type = 'month' and value is not null group by 1 order by 1"""
            ).fetchall()
        )


def data_months(published: Path) -> list[str]:
    """Every month the published database holds a monthly value for: the report partitions."""
    with duckdb.connect(str(published), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                """select distinct strftime(period_end, '%Y-%m') from marts.indicator_values
               where period_type = 'month' and value is not null order by 1"""
            ).fetchall()
        ]


def _period(context, settings) -> str | None:
    """The partition's month in a partitioned run, else the configured VITALSIGNS_PERIOD."""
    return context.partition_key if context.has_partition_key else settings.period


def report_dir(settings, la: str, period: str, reports_path: Path | None = None) -> Path:
    """<reports folder>/<la_code>/<YYYY-MM> (the live or the held one), refused if it would leave the home."""
    base = os.path.relpath(Path(reports_path or settings.reports_path).resolve(), Path(settings.home).resolve())
    return inside(settings.home, base, check_la_code(la), check_period(period))


def _render_all(
    context, warehouse: WarehouseResource, config: ReportConfig, document: str, enabled=None
) -> dg.MaterializeResult:
    settings = warehouse.settings
    db, reports_path, held = _source(settings, config)
    outputs, renderers, timings = [], set(), []
    chosen = targets(db, config, context.log, _period(context, settings))
    skipped = [f"{la} {period}" for la, period in chosen if enabled and not enabled(la, period)]
    if skipped:
        context.log.info(f"{document} not made for {', '.join(skipped)} (not enabled, or not a quarter-end month)")
    for la, period in [(la, period) for la, period in chosen if not enabled or enabled(la, period)]:
        out_dir = report_dir(settings, la, period, reports_path)
        result = render(
            REPORTS_DIR / f"{document}.qmd",
            out_dir,
            params={"la_code": la, "period": period, "db": str(db), "landing": str(settings.landing), "held": held},
            output_name=document,
        )
        renderers.add(result.renderer)
        timings.append(result.seconds)
        outputs += [str(p) for p in result.outputs.values()]
        context.log.info(f"{document} for {la} {period}: {result.renderer} in {result.seconds:.1f}s -> {out_dir}")
    return dg.MaterializeResult(
        metadata={
            "renderer": ", ".join(sorted(renderers)),
            "outputs": dg.MetadataValue.json(outputs),
            "render_seconds": dg.MetadataValue.json([round(t, 1) for t in timings]),
            "reports": len(timings),
            "not_made": dg.MetadataValue.json(skipped),
        }
    )


def _quarto_report(name: str, description: str, enabled=None) -> dg.AssetsDefinition:
    """A report rendered from reports/<name>.qmd for every council of a reporting month (or, with
    `enabled(la_code, period)`, for those it allows)."""

    @dg.asset(
        name=name,
        group_name=REPORTS,
        owners=[OWNER],
        deps=[PUBLISHED, COMMENTARY],
        kinds={"quarto", "html", "pdf"},
        partitions_def=REPORT_MONTHS,
        description=description,
    )
    def _report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: ReportConfig
    ) -> dg.MaterializeResult:
        return _render_all(context, warehouse, config, name, enabled)

    return _report


committee_report = _quarto_report(
    "committee_report",
    "Committee performance report (cover, front sheet, summary, dashboard, report cards with SPC, ASCOF, "
    "data quality, Appendix 1), HTML and PDF, per council and period.",
)
risk_register_summary = _quarto_report(
    "risk_register_summary",
    "Risk-register summary: 5x5 heat map, all risks, exceptions in full, changes since the last snapshot, "
    "HTML and PDF, per council.",
)

integrated_report = _quarto_report(
    "integrated_report",
    "Quarterly integrated performance report (Leicester's, seed 003): KPI tables by strategic priority "
    "(baseline, quarters, target, rating), keeping people safe, budget and workforce lines, ASCOF with the "
    "England average, ranking and its direction; HTML and PDF, quarter-end months, for councils whose "
    "`reports` column in the councils seed names it.",
    enabled=renders_for,
)


@dg.asset(
    group_name=REPORTS,
    owners=[OWNER],
    deps=[PUBLISHED, COMMENTARY],
    kinds={"excel"},
    partitions_def=REPORT_MONTHS,
    description="vital_signs.xlsx: the dashboard (numbers, RAG fills with letters, numerators and "
    "denominators), ASCOF with comparators, exceptions, the risk register, every indicator value "
    "and notes; titled and set up for A4 landscape printing.",
)
def vital_signs_workbook(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: ReportConfig
) -> dg.MaterializeResult:
    settings = warehouse.settings
    db, reports_path, held = _source(settings, config)
    made = dt.date.fromisoformat(settings.report_date) if settings.report_date else None  # as the risk reviews
    outputs = []
    for la, period in targets(db, config, context.log, _period(context, settings)):
        data = ReportData(db, la, period, settings.landing)
        try:
            outputs.append(
                str(
                    write_vital_signs(
                        data,
                        inside(report_dir(settings, la, period, reports_path), "vital_signs.xlsx"),
                        made=made,
                        held=held,
                    )
                )
            )
        finally:
            data.close()
    return dg.MaterializeResult(metadata={"outputs": dg.MetadataValue.json(outputs)})


report_assets = [committee_report, risk_register_summary, integrated_report, vital_signs_workbook]
