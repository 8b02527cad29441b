"""CLI glue for ``auditor audit --shard K/N``, ``--executor dask --scheduler ADDRESS`` and
``--workers N``.

Kept out of auditor/cli/audit_cmd.py so that command only gains its options
and one branch; nothing here is imported unless one of them is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.catalog import LoadedCatalog
from auditor.cli.common import with_progress
from auditor.cli.store_support import source_key, store_errors, store_failure
from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult
from auditor.scale.shard import Shard, parse_shard, select_shard

if TYPE_CHECKING:  # the store and the executors are imported only when they are used
    from auditor.run.recording import Executor

EXECUTORS = ("local", "dask")


def shard_option(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> Shard | None:
    """``--shard K/N`` as a Shard; a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def check_scale_options(executor: str, scheduler: str | None, workers: int = 1) -> None:
    if workers > 1 and executor != "local":
        raise click.UsageError("--workers runs processes on this machine: not with --executor dask")
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    if scheduler is not None and "://" not in scheduler:
        raise click.BadParameter(
            f"{scheduler!r}: give the scheduler's address, e.g. tcp://10.0.0.5:8786",
            param_hint="--scheduler",
        )


def _executor(name: str, scheduler: str | None, workers: int = 1) -> Executor:
    if name == "dask":
        from auditor.scale.dask_executor import DaskExecutor

        return DaskExecutor(scheduler)
    if workers > 1:
        from auditor.run.workers import ProcessExecutor

        return ProcessExecutor(workers)
    from auditor.run.recording import local_executor

    return local_executor


def scaled_audit(
    sources: tuple[str, ...],
    loaded: LoadedCatalog,
    settings: AuditSettings,
    methodology: Methodology,
    *,
    shard: Shard | None,
    executor: str,
    scheduler: str | None,
    store: Path | None,
    workers: int = 1,
    resume: bool,
    window: float | None,
    canary: str | None = None,
) -> list[AuditResult]:
    """Audit the shard's entries (all of them without ``--shard``) with the chosen executor."""
    catalog = loaded.entries
    entries = select_shard(catalog, shard) if shard is not None else list(catalog)
    if shard is not None:
        click.echo(f"shard {shard}: {len(entries)} of {len(catalog)} entries", err=True)
    run_on = _executor(executor, scheduler, workers)

    def say(message: str) -> None:
        click.echo(message, err=True)

    try:
        if store is not None:
            from auditor.run.recording import record_run

            keys = [source_key(s) for s in sources]
            with store_errors(store):
                return record_run(
                    store,
                    [*keys, shard.marker] if shard is not None else keys,
                    catalog,
                    entries,
                    settings,
                    methodology,
                    executor=run_on,
                    resume=resume,
                    window_days=window,
                    progress=with_progress,
                    say=say,
                    canary=canary,
                )
        return with_progress(
            len(entries),
            lambda tick: run_on(entries, settings, methodology, run=None, on_result=tick),
        )
    except AuditorError as exc:
        raise store_failure(exc) from exc
