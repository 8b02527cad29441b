"""The stable JSON document ``auditor audit --format json`` prints.

``schema_version`` changes only when a field changes meaning or disappears;
adding fields does not bump it. Unknown scores are ``null``, never 0.
"""

from __future__ import annotations

from collections import Counter
from statistics import mean
from typing import TYPE_CHECKING, Any

import orjson

from auditor import __version__
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, CatalogProblem, Finding, utc_now

if TYPE_CHECKING:
    from auditor.render.reporters import Results
    from auditor.render.terminal_text import Medium

SCHEMA_VERSION = 1


def spec_block(entry_spec_url: str | None, findings: tuple[Finding, ...]) -> dict[str, Any] | None:
    valid = next((f for f in findings if f.check == "spec.valid"), None)
    fetched = next((f for f in findings if f.check == "spec.fetched"), None)
    if valid is None and fetched is None:
        return None
    facts = dict(valid.facts) if valid is not None else {}
    return {
        "url": entry_spec_url or (fetched.subject if fetched else None),
        "format": facts.get("format_label"),
        "version": facts.get("version"),
        "valid": facts.get("valid"),
        "errors": list(facts.get("errors") or [])
        or ([facts["parse_error"]] if facts.get("parse_error") else []),
        "sha256": facts.get("sha256"),
        "validator": facts.get("validator"),
        "operations": facts.get("operation_count"),
        "fetch": fetched.message if fetched else None,
    }


def result_dict(result: AuditResult, *, with_findings: bool = True) -> dict[str, Any]:
    assessment = result.assessment
    data: dict[str, Any] = {
        "id": result.entry.id,
        "title": result.entry.title,
        "organization": result.entry.organization,
        "score": assessment.score,
        "tier": assessment.tier,
        "axes": {axis.id: axis.to_dict() for axis in assessment.axes},
        "spec": spec_block(result.entry.spec_url, result.findings),
        "entry": result.entry.to_dict(),
        "assessed_at": assessment.assessed_at,
    }
    if with_findings:
        data["findings"] = [f.to_dict() for f in result.findings]
    return data


def summary(results: list[AuditResult], methodology: Methodology) -> dict[str, Any]:
    scores = [r.assessment.score for r in results if r.assessment.score is not None]
    tiers = Counter(r.assessment.tier or "unknown" for r in results)
    axes: dict[str, Any] = {}
    for axis in methodology.axes:
        known = [s for r in results if (s := r.assessment.axis(axis.id).score) is not None]
        axes[axis.id] = {
            "mean": round(mean(known), 2) if known else None,
            "unknown": len(results) - len(known),
        }
    return {
        "entries": len(results),
        "scored": len(scores),
        "unknown": len(results) - len(scores),
        "mean_score": round(mean(scores), 2) if scores else None,
        "tiers": {t.id: tiers.get(t.id, 0) for t in methodology.tiers}
        | {"unknown": tiers.get("unknown", 0)},
        "axes": axes,
    }


def results_document(
    results: list[AuditResult],
    methodology: Methodology,
    problems: list[CatalogProblem] | None = None,
    *,
    with_findings: bool = True,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "auditor_version": __version__,
        "methodology": {
            "id": methodology.id,
            "version": methodology.version,
            "title": methodology.title,
        },
        "generated_at": utc_now(),
        "results": [result_dict(r, with_findings=with_findings) for r in results],
        "problems": [p.to_dict() for p in problems or []],
        "summary": summary(results, methodology),
    }


def json_bytes(data: Any, *, default: Any = None) -> bytes:
    """Every JSON document auditor writes: indented by two, one trailing newline.

    ``default`` turns values JSON has no type for into something it has
    (the catalog listing's raw records); elsewhere such a value is a bug and
    raises.
    """
    option = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, option=option, default=default) + b"\n"


def render(subject: Results, medium: Medium) -> bytes:
    """The ``json`` reporter of audit results."""
    return json_bytes(results_document(subject.results, subject.methodology, subject.problems))
