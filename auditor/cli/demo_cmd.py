"""``auditor demo``: the built-in demo catalog against a fixture site on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from auditor.audit import AuditResult
from auditor.catalog import LoadedCatalog
from auditor.cli.common import (
    OUTPUT_OPTIONS,
    apply_options,
    default_format,
    emit_results,
    load_rules,
    with_progress,
)
from auditor.context import AuditSettings


@click.command()
@apply_options(OUTPUT_OPTIONS)
def demo(fmt: str | None, output: Path | None, rules: Path | None) -> None:
    """Audit the built-in demo catalog against a fixture site on 127.0.0.1.

    Works offline: the demo serves every host its catalog names from a local
    HTTPS site with a throwaway CA, and refuses everything else. The catalog
    includes the data.gouv.fr reference entry (40/100/90/50/85, 73.25) and
    entries that exercise every axis: a broken spec, an unreachable API, a
    non-official domain, licensed and sparse entries.

    \b
    Examples:
      auditor demo
      auditor demo --format json | jq '.results[] | {id, score, tier}'
    """
    from auditor.demo.run import run_demo

    methodology = load_rules(rules)
    holder: dict[str, LoadedCatalog] = {}

    def work(tick: Callable[[AuditResult], None]) -> list[AuditResult]:
        results, loaded = run_demo(AuditSettings(), methodology, tick)
        holder["loaded"] = loaded
        return results

    results = with_progress(11, work)
    emit_results(results, holder["loaded"], methodology, fmt or default_format(), output)
