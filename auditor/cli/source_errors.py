"""A SOURCE that cannot be read as a catalog, explained by what it is instead.

The catalog loaders know catalogs; a results document handed to ``audit``
(``auditor audit results.json``) would only be "not a catalog". The commands
that take catalogs ask here, once loading failed, whether a SOURCE is a
results document (``schema_version`` and ``results`` keys) and point at the
commands that take one.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

import click

from auditor.errors import AuditorError


def results_file_hint(sources: Iterable[str]) -> str | None:
    from auditor.render.document import looks_like_results, read_json

    for source in sources:
        if looks_like_results(read_json(Path(source))):
            quoted = shlex.quote(source)
            return (
                f"{source}: this is a results file (written by `auditor audit --format json`), "
                f"not a catalog: use `auditor report {quoted} --output site/` or "
                f"`auditor badge {quoted} --output badges/`"
            )
    return None


def source_error(exc: AuditorError, sources: Iterable[str]) -> click.UsageError:
    """The usage error for a failed load: the results-file hint when it applies."""
    return click.UsageError(results_file_hint(sources) or str(exc))
