"""Probe: what licence do the catalog record, the spec and the docs page state?

Emits one ``license`` finding whose ``facts.class`` is one of open,
restrictive, unrecognised, none, conflicting; the methodology gives each its
points. The evidence names every source and what it said:

* the catalog record's licence field (data.gouv.fr ids such as ``lov2``);
* the spec's ``info.license`` (``identifier``, ``name``, ``url``);
* the docs page, when it declares one: a ``rel="license"`` link, or a link
  to a known licence URL in the page's own content (a footer link is the
  site's content licence, not the API's, so it does not count).
"""

from __future__ import annotations

import asyncio
from typing import Any

from auditor import checks
from auditor.evidence import licenses
from auditor.model import Finding, Outcome
from auditor.probes.context import EntryContext
from auditor.probes.pages import page
from auditor.probes.spec_document import spec_report

PROBE = "license_statement"


def spec_statement(
    license_info: dict[str, Any] | None,
) -> tuple[str, licenses.Normalised | None] | None:
    """What ``info.license`` says (shown as written) and what it names."""
    if not license_info:
        return None
    said = {
        key: value.strip()
        for key in ("identifier", "name", "url")
        if isinstance(value := license_info.get(key), str) and licenses.is_stated(value)
    }
    if not said:
        return None
    shown = ", ".join(f"{k} {v!r}" for k, v in said.items())
    for value in said.values():
        known = licenses.normalise(value)
        if known is not None:
            return shown, known
    return shown, None


def classify(
    statements: list[tuple[str, str, licenses.Normalised | None]],
) -> tuple[str, Outcome, str, list[dict[str, Any]]]:
    """The class, outcome, message and per-source facts for ``(source, said, normalised)``."""
    sources: list[dict[str, Any]] = [
        {
            "source": source,
            "stated": said,
            "id": known.id if known else None,
            "class": known.cls if known else licenses.UNRECOGNISED,
        }
        for source, said, known in statements
    ]
    if not sources:
        return (
            "none",
            Outcome.UNKNOWN,
            "no licence information in catalog record, spec or docs",
            sources,
        )
    said = "; ".join(
        f"{s['source']} says {s['stated']}"
        + (f" (= {s['id']})" if s["id"] and s["id"] != s["stated"] else "")
        for s in sources
    )
    ids: list[str] = list(dict.fromkeys(str(s["id"]) for s in sources if s["id"]))
    if len(ids) > 1:
        return (
            "conflicting",
            Outcome.FAIL,
            f"sources disagree ({' vs '.join(ids)}): {said}",
            sources,
        )
    classes = {str(s["class"]) for s in sources if s["id"]}
    if not ids:
        return licenses.UNRECOGNISED, Outcome.FAIL, f"licence not recognised: {said}", sources
    cls = licenses.RESTRICTIVE if licenses.RESTRICTIVE in classes else next(iter(classes))
    outcome = Outcome.PASS if cls == licenses.OPEN else Outcome.FAIL
    return cls, outcome, f"{ids[0]} ({cls}): {said}", sources


async def _docs_statements(
    ctx: EntryContext,
) -> tuple[list[tuple[str, str, licenses.Normalised | None]], str | None]:
    docs = ctx.entry.docs_url
    if not docs:
        return [], None
    read = await page(ctx, docs)
    if not read.read:
        return [], f"docs page not read ({read.problem})"
    found: list[tuple[str, str, licenses.Normalised | None]] = []
    for link in read.links:
        declared = "license" in link.rel
        known = licenses.from_url(link.url)
        if declared or (known is not None and not link.in_chrome):
            said = f"{link.text!r} -> {link.url}" if link.text else link.url
            source = f"docs page {link.where(docs)}" + (' rel="license"' if declared else "")
            found.append((source, said, known))
    return found[:1] if found else [], None


async def probe(ctx: EntryContext) -> list[Finding]:
    if not licenses.loaded():  # a thread hop per entry costs more than the check (~0.2 ms)
        await asyncio.to_thread(licenses.load)
    statements: list[tuple[str, str, licenses.Normalised | None]] = []
    if licenses.is_stated(ctx.entry.license):
        said = str(ctx.entry.license)
        statements.append((f"catalog ({ctx.entry.catalog})", repr(said), licenses.normalise(said)))
    report, _ = await spec_report(ctx)
    from_spec = spec_statement(report.license if report else None)
    if from_spec is not None:
        statements.append(("spec info.license", *from_spec))
    docs, docs_note = await _docs_statements(ctx)
    statements.extend(docs)
    cls, outcome, message, sources = classify(statements)
    if cls == "none" and docs_note:
        message += f"; {docs_note}"
    facts = {
        "class": cls,
        "sources": sources,
        "spec_checked": report is not None,
        "docs_checked": ctx.entry.docs_url is not None and docs_note is None,
    }
    return [Finding(checks.LICENSE.id, outcome, message, PROBE, None, facts)]
