"""CLI glue for the audit history (``--store``): options, errors, a recorded audit run."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from auditor.context import AuditSettings
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry

Progress = Callable[
    [int, Callable[[Callable[[AuditResult], None]], list[AuditResult]]], list[AuditResult]
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhw]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"": 1.0, "d": 1.0, "h": 1 / 24, "w": 7.0}
MAX_DURATION_DAYS = 36500
"""A hundred years: longer than any history, and far from where dates overflow (year 1)."""


def parse_window(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> float | None:
    """``30d``, ``12h``, ``2w`` or a number of days, as days, at most ``MAX_DURATION_DAYS``.

    The bound is checked here because a window is stored with the run and
    read back by every later run, ``history`` and ``prune``: one too large to
    subtract from today must never reach the store.
    """
    if value is None:
        return None
    match = _DURATION.match(value)
    days = float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()] if match else 0.0
    if days <= 0:
        raise click.BadParameter(f"{value!r}: give a duration such as 30d, 12h or 2w")
    if days > MAX_DURATION_DAYS:
        raise click.BadParameter(
            f"{value!r}: at most {MAX_DURATION_DAYS}d (100 years); give a duration such as 30d"
        )
    return days


class StoreFailure(click.ClickException):
    """A store that cannot be used as asked: exit code 2, without the usage banner."""

    exit_code = 2


def store_failure(exc: AuditorError) -> click.ClickException:
    return StoreFailure(str(exc))


@contextmanager
def store_errors(*paths: Path) -> Iterator[None]:
    """Around a command's work on its store(s): every failure is a message naming the file.

    A StoreError says what it says; a SQLite failure (a damaged file, a
    read-only one, a full disk) is explained by ``store_problem``. Both exit
    with code 2, without a traceback.
    """
    try:
        yield
    except AuditorError as exc:
        raise store_failure(exc) from exc
    except sqlite3.Error as exc:
        from auditor.store.failures import store_problem

        named = paths[0] if len(paths) == 1 else " or ".join(str(p) for p in paths)
        raise store_failure(store_problem(named, exc)) from exc


STORE_OPTION = click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The SQLite audit history (created by `auditor audit --store`).",
)


def format_option(default: str = "table") -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(("table", "json")),
        default=default,
        show_default=True,
        help="table for people, json for scripts.",
    )


def source_key(source: str) -> str:
    """How a source is remembered: URLs as given, files as absolute paths (cron runs elsewhere)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.IGNORECASE):
        return source
    return str(Path(source).resolve())


def record_audit(
    path: Path,
    sources: Sequence[str],
    entries: list[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    *,
    resume: bool,
    window_days: float | None,
    progress: Progress,
    canary: str | None = None,
) -> list[AuditResult]:
    """Audit ``entries`` into the store at ``path``, committing each entry as it finishes."""
    from auditor.run.recording import local_executor, record_run

    with store_errors(path):
        return record_run(
            path,
            [source_key(s) for s in sources],
            entries,
            entries,
            settings,
            methodology,
            executor=local_executor,
            resume=resume,
            window_days=window_days,
            progress=progress,
            say=lambda message: click.echo(message, err=True),
            canary=canary,
        )
