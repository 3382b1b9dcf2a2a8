"""The Parquet landing zone: validated, pseudonymised extracts as change sets (docs/lake.md)."""

from .zone import (
    LakeError,
    Stored,
    as_of,
    current,
    extract_id,
    extracts,
    lake_root,
    recover,
    store,
    store_submission,
    submissions_sql,
)

__all__ = [
    "LakeError",
    "Stored",
    "as_of",
    "current",
    "extract_id",
    "extracts",
    "lake_root",
    "recover",
    "store",
    "store_submission",
    "submissions_sql",
]
