"""Where a command's output goes: standard output or a file, and warnings on stderr.

``--output FILE`` writes the file and says so on stderr; no ``--output``, or
``--output -``, writes to standard output. Every format is rendered by its
reporter from :mod:`auditor.render.reporters`, as bytes, so what lands in a
file and what a pipe receives are the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from auditor.render.reporters import reporter
from auditor.render.terminal_text import Medium, terminal_text

STDOUT = "-"


def warn(message: object) -> None:
    """``warning: …`` on standard error, catalog text in it made inert for the terminal."""
    click.echo(f"warning: {terminal_text(message)}", err=True)


def is_stdout(output: Path | None) -> bool:
    """No ``--output``, or ``--output -``: standard output."""
    return output is None or str(output) == STDOUT


def write_output(data: bytes, output: Path | None) -> None:
    """``data`` to standard output, or to the file ``output`` with ``wrote FILE`` on stderr."""
    if is_stdout(output):
        sys.stdout.flush()
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            stream.write(data)
        sys.stdout.flush()
        return
    assert output is not None
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.UsageError(f"{output}: cannot write: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


def emit(subject_kind: str, fmt: str, subject: object, output: Path | None) -> None:
    """Render ``subject`` with the registered reporter ``fmt`` and write it to ``output``."""
    terminal = is_stdout(output) and sys.stdout.isatty()
    write_output(reporter(subject_kind, fmt).render(subject, Medium(terminal)), output)


def folder_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Callback of an ``--output`` that takes a folder: ``-`` cannot be one."""
    if value is not None and str(value) == STDOUT:
        raise click.BadParameter(
            "a folder of files cannot go to standard output ('-'); give a folder", ctx, param
        )
    return value
