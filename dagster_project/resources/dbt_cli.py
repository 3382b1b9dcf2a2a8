"""dbt as Dagster runs it here, without the per-run costs we do not use.

dagster-dbt 0.29 starts every invocation with `dbt --version` in a subprocess (about 3 s) and
loads a dbt adapter in-process (about 4 s) for column and row-count metadata, which this
project does not fetch. The pinned dbt-core's version comes from its package metadata instead,
and no adapter is loaded. Both overrides touch private dagster-dbt methods: the versions are
pinned in pyproject.toml, and tests/test_definitions.py runs a build through this resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class DbtCoreCliResource(DbtCliResource):
    """A DbtCliResource for dbt-core (not the Fusion engine) that skips the per-run probes."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]):  # noqa: ARG002 - signature of the parent
        return None
