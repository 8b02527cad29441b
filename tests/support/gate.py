"""A hand-built reference entry for the gate tests: composite 85, one outcome changed at a time."""

from __future__ import annotations

from typing import Any

from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import assess
from auditor.model import RECOMMENDED_FIELDS, AuditResult, Entry, Finding, Outcome

PASS, FAIL = Outcome.PASS, Outcome.FAIL
FIELDS = RECOMMENDED_FIELDS


TRUST = load_methodology()


def finding(check: str, outcome: Outcome, message: str | None = None, **facts: Any) -> Finding:
    return Finding(check, outcome, message or f"{check} {outcome.value}", "test", facts=facts)


def findings(**overrides: Outcome | None) -> list[Finding]:
    """A good entry: officialness 40, availability/metadata/licence/agent 100 -> composite 85.

    ``overrides`` maps a check (dots as ``__``) to a new outcome, or None to drop it.
    """
    base: dict[str, tuple[Outcome, dict[str, Any]]] = {
        **{f"metadata.{f}": (PASS, {}) for f in FIELDS},
        "official_domain": (PASS, {}),
        "portal_listing": (FAIL, {}),
        "government_github_org": (FAIL, {}),
        "availability": (PASS, {}),
        "license": (PASS, {"class": "open"}),
        "spec.format_known": (PASS, {}),
        "spec.valid": (PASS, {}),
        "agent_discovery": (PASS, {}),
    }
    for key, outcome in overrides.items():
        check = key.replace("__", ".")
        if outcome is None:
            base.pop(check)
        else:
            base[check] = (outcome, base.get(check, (outcome, {}))[1])
    return [finding(check, outcome, **facts) for check, (outcome, facts) in base.items()]


def make_result(
    entry: Entry | None = None, methodology: Methodology = TRUST, **overrides: Outcome | None
) -> AuditResult:
    entry = entry or Entry(id="bridges", title="Bridges", origin="catalog.yaml:3")
    found = tuple(findings(**overrides))
    return AuditResult(entry, found, assess(entry.id, found, methodology))
