"""The quarterly CLD return as an asset partitioned by financial-year quarter (`YYYY-Qn`).

Materialised on demand (UI launchpad, or `vitalsigns cld-return`), never by the nightly build:
it writes person-identifiable files to `<home>/exports/` (owner-only), so it stays out of the
build jobs (schedules.py leaves its group out). Config `council` picks one council; by default
every council with Liquid Logic rows in the landing folder.
"""

import datetime as dt

import dagster as dg

from ..cld_return import make_return
from ..cld_return.build import councils as landing_councils
from ..constants import CLD_RETURN
from ..resources.warehouse import WarehouseResource

FIRST = 2023  # CLD began in April 2023 (2023-Q1)


def quarter_labels(today: dt.date | None = None) -> list[str]:
    """Every financial-year quarter from 2023-Q1 to the one that has ended most recently."""
    today = today or dt.date.today()
    fy = today.year if today.month >= 4 else today.year - 1
    done = (today.month - 4) % 12 // 3  # whole quarters of this financial year that have ended
    out = [f"{y}-Q{q}" for y in range(FIRST, fy) for q in range(1, 5)] + [f"{fy}-Q{q}" for q in range(1, done + 1)]
    return out or ["2023-Q1"]


QUARTERS = dg.StaticPartitionsDefinition(quarter_labels())


class CldReturnConfig(dg.Config):
    council: str = ""  # la_code; empty = every council in the landing folder's people extract
    ascof: bool = True  # the revised-ASCOF round trip (a dbt build on a scratch warehouse)


@dg.asset(
    key=["exports", "cld_return"],
    group_name=CLD_RETURN,
    partitions_def=QUARTERS,
    description="The quarterly CLD return from the Liquid Logic landing files, validated and round-tripped "
    "(docs/cld-return.md). Person-identifiable: written owner-only under <home>/exports/.",
)
def cld_return(
    context: dg.AssetExecutionContext, config: CldReturnConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings
    councils = [config.council] if config.council else landing_councils(settings.landing)
    if not councils:
        raise dg.Failure(f"no council in {settings.landing}/liquidlogic's people extract: nothing to return")
    results = {}
    for la in councils:
        out = make_return(settings, la, context.partition_key, ascof=config.ascof)
        f = out.validation.fields
        results[la] = {
            "rows": out.rows,
            "invalid": int(f.invalid.sum()),
            "blank_mandatory": int(f.blank_mandatory.sum()),
            "structural_errors": len(out.round_trip.structural_errors) if out.round_trip else None,
        }
        if out.round_trip and out.round_trip.structural_errors:
            raise dg.Failure(
                f"{la} {context.partition_key}: the return fails the CLD ingestion: "
                + "; ".join(out.round_trip.structural_errors)
            )
    # counts only: the paths and figures, never a person's data
    return dg.MaterializeResult(metadata={"councils": dg.MetadataValue.json(results)})
