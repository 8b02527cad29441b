"""Every output format auditor prints or writes, in one registry.

A reporter has a name (the ``--format`` value), the kind of subject it reads,
a media type and a file extension, and a writer: a function
``(subject, medium) -> str | bytes`` named as ``"module:function"`` and
imported only when it runs, so ``auditor audit`` does not load the gate's
formats. The subjects:

- ``results``: audit results (:class:`Results`), for ``auditor audit``,
  ``demo``, ``rescore`` and ``merge``;
- ``gate``: a :class:`auditor.gate.GateReport`, for ``auditor gate`` and its
  ``--report FORMAT=FILE``;
- ``listing``: a catalog as read (:class:`Listing`), for ``auditor catalog``.

The commands take their ``--format`` choices from :func:`formats` and
render with :func:`reporter`; nothing else lists formats.

Adding a format is one module and one line: write the writer in its own
module (``auditor/render/<name>.py``, or ``auditor/gate/<name>.py`` for a gate
format) and add a ``Reporter(...)`` line to :data:`REPORTERS`. The new name
then shows up in the command's ``--format`` choices and help.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.errors import AuditorError
from auditor.render.terminal_text import PLAIN, Medium

if TYPE_CHECKING:
    from auditor.methodology.model import Methodology
    from auditor.model import AuditResult, CatalogProblem

RESULTS = "results"
GATE = "gate"
LISTING = "listing"


@dataclass(frozen=True, slots=True)
class Results:
    """What ``auditor audit`` reports: the results, their methodology, catalog problems."""

    results: list[AuditResult]
    methodology: Methodology
    problems: list[CatalogProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reporter:
    name: str
    subject: str
    media_type: str
    extension: str
    writer: str
    """``"module:function"``; the function takes ``(subject, medium)``."""

    def function(self) -> Callable[[Any, Medium], str | bytes]:
        module, attribute = self.writer.split(":")
        found: Callable[[Any, Medium], str | bytes] = getattr(
            importlib.import_module(module), attribute
        )
        return found

    def render(self, subject: Any, medium: Medium = PLAIN) -> bytes:
        """The output as bytes to write (text is UTF-8)."""
        out = self.function()(subject, medium)
        return out.encode("utf-8") if isinstance(out, str) else out


REPORTERS: tuple[Reporter, ...] = (
    Reporter("table", RESULTS, "text/plain", "txt", "auditor.render.table:render_table"),
    Reporter("json", RESULTS, "application/json", "json", "auditor.render.results_json:render"),
    Reporter("table", LISTING, "text/plain", "txt", "auditor.render.listing:render_table"),
    Reporter("json", LISTING, "application/json", "json", "auditor.render.listing:render_json"),
    Reporter("csv", LISTING, "text/csv", "csv", "auditor.render.listing:render_csv"),
    Reporter("text", GATE, "text/plain", "txt", "auditor.gate.text:render_text"),
    Reporter("json", GATE, "application/json", "json", "auditor.gate.render:render_json"),
    Reporter("sarif", GATE, "application/sarif+json", "sarif", "auditor.gate.sarif:render_sarif"),
    Reporter("junit", GATE, "application/xml", "xml", "auditor.gate.junit:render_junit"),
    Reporter("github", GATE, "text/plain", "txt", "auditor.gate.annotations:render_github"),
    Reporter("md", GATE, "text/markdown", "md", "auditor.gate.summary_md:render_markdown"),
)


def formats(subject: str) -> tuple[str, ...]:
    """The ``--format`` choices for a subject, in registry order."""
    return tuple(r.name for r in REPORTERS if r.subject == subject)


def reporter(subject: str, name: str) -> Reporter:
    for candidate in REPORTERS:
        if candidate.subject == subject and candidate.name == name:
            return candidate
    raise AuditorError(f"unknown {subject} format {name!r} (one of {', '.join(formats(subject))})")
