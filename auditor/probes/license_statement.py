"""Probe: what licence do the catalog record and the spec state, and do they agree?

Emits one ``license`` finding whose ``facts.class`` is one of open,
restrictive, unrecognised, none, conflicting; the methodology gives each its
points. The evidence names every source and what it said.
"""

from __future__ import annotations

from typing import Any

from auditor.model import Finding, Outcome
from auditor.probes import licenses
from auditor.probes.context import EntryContext
from auditor.probes.spec_document import spec_report

PROBE = "license_statement"


def _spec_statement(license_info: dict[str, Any] | None) -> str | None:
    if not license_info:
        return None
    for key in ("identifier", "name", "url"):
        value = license_info.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def classify(statements: dict[str, str]) -> tuple[str, Outcome, str, list[dict[str, Any]]]:
    sources = []
    for source, text in statements.items():
        known = licenses.normalise(text)
        sources.append(
            {
                "source": source,
                "stated": text,
                "id": known[0] if known else None,
                "class": known[1] if known else "unrecognised",
            }
        )
    if not sources:
        return "none", Outcome.UNKNOWN, "no licence information in catalog record or spec", sources
    said = "; ".join(f"{s['source']} says {s['stated']!r}" for s in sources)
    ids = {s["id"] for s in sources if s["id"]}
    if len(ids) > 1:
        return "conflicting", Outcome.FAIL, f"sources disagree: {said}", sources
    classes = {s["class"] for s in sources}
    if classes == {"unrecognised"}:
        return "unrecognised", Outcome.FAIL, f"licence not recognised: {said}", sources
    cls = licenses.RESTRICTIVE if licenses.RESTRICTIVE in classes else licenses.OPEN
    outcome = Outcome.PASS if cls == licenses.OPEN else Outcome.FAIL
    return cls, outcome, f"{next(iter(ids))}: {said}", sources


async def probe(ctx: EntryContext) -> list[Finding]:
    statements: dict[str, str] = {}
    if licenses.is_stated(ctx.entry.license):
        statements[f"catalog ({ctx.entry.catalog})"] = str(ctx.entry.license)
    report, _ = await spec_report(ctx)
    spec_text = _spec_statement(report.license if report else None)
    if licenses.is_stated(spec_text):
        statements["spec info.license"] = str(spec_text)
    cls, outcome, message, sources = classify(statements)
    facts = {"class": cls, "sources": sources, "spec_checked": report is not None}
    return [Finding("license", outcome, message, PROBE, None, facts)]
