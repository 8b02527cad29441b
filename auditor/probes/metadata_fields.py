"""Probe: which recommended catalog fields are populated (and usable, for URLs)."""

from __future__ import annotations

from auditor import checks
from auditor.model import ENTRY_URL_FIELDS, RECOMMENDED_FIELDS, Finding, Outcome
from auditor.net.guard import url_problem
from auditor.probes.context import EntryContext


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    findings = []
    for name in RECOMMENDED_FIELDS:
        value = getattr(entry, name)
        present = bool(value) if not isinstance(value, str) else bool(value.strip())
        problem = url_problem(value) if present and name in ENTRY_URL_FIELDS else None
        if problem is not None:
            outcome, message = (
                Outcome.FAIL,
                f"{entry.id}: field {name} is set but unusable: {problem}",
            )
        elif present:
            outcome, message = Outcome.PASS, f"{name} populated"
        else:
            outcome, message = Outcome.FAIL, f"{name} missing"
        findings.append(
            Finding(
                check=checks.METADATA[name].id,
                outcome=outcome,
                message=message,
                probe="metadata_fields",
                subject=name,
                facts={"value": list(value) if isinstance(value, tuple) else value},
            )
        )
    return findings
