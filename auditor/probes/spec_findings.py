"""The findings one spec analysis yields: ``spec.format_known``, ``spec.valid``, and for a
readable OpenAPI/Swagger document ``spec.inventory``, ``spec.examples`` and
``spec.quality`` (names the renderer and methodology rely on).

They are a function of the analysis, the finding's subject (the spec URL) and the
URL request examples are resolved against: entries that cite one document make the
same ones (``SpecFindingsMemo``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from auditor import checks
from auditor.model import Finding, Outcome, SharedFacts
from auditor.spec.analyse import SpecReport
from auditor.spec.examples import RequestExample, base_url, curl_command
from auditor.spec.quality import SpecQuality

PROBE = "spec_document"
FORMAT_KNOWN = checks.SPEC_FORMAT_KNOWN.id
VALID = checks.SPEC_VALID.id
QUALITY = checks.SPEC_QUALITY.id
SUMMARY_FIELDS = ("fields", "examples", "quality", "operations")
"""Kept out of ``spec.valid``'s facts: each has its own finding."""


def _plain(item: Any) -> dict[str, Any]:
    """A nested report item as a dict (a SpecReport rebuilt by a store may hold dicts).

    Plain dicts (the inventory rows, up to 500 a spec) are handed on as they are:
    they are facts no one mutates, and copying them cost ~0.7 ms an entry.
    """
    if type(item) is dict:
        return item
    if hasattr(item, "to_dict"):
        return dict(item.to_dict())
    return dict(item) if isinstance(item, Mapping) else {}


def _valid_facts(report: SpecReport) -> dict[str, Any]:
    """The report minus its summaries (no deep copy of the 500 inventory rows)."""
    facts = {
        f.name: copy.deepcopy(getattr(report, f.name))
        for f in fields(report)
        if f.name not in SUMMARY_FIELDS
    }
    for name in ("errors", "servers", "external_refs", "notes"):
        facts[name] = list(getattr(report, name))
    return facts


def _valid_finding(report: SpecReport, subject: str | None, facts: dict[str, Any]) -> Finding:
    if report.valid is True:
        msg = f"valid {report.format_label} ({report.validator})"
        return Finding(VALID, Outcome.PASS, msg, PROBE, subject, facts)
    if report.valid is False:
        first = report.errors[0] if report.errors else "invalid"
        msg = f"invalid {report.format_label}: {len(report.errors)} error(s), first: {first}"
        return Finding(VALID, Outcome.FAIL, msg, PROBE, subject, facts)
    msg = f"not validated: {report.note or 'unsupported'}"
    return Finding(VALID, Outcome.UNKNOWN, msg, PROBE, subject, facts)


def _inventory(report: SpecReport, subject: str | None) -> Finding:
    rows = [_plain(f) for f in report.fields]
    facts = {
        "field_count": report.field_count,
        "operation_count": report.operation_count,
        "fields": rows,
        "truncated": report.field_count > len(rows),
        "operations": list(report.operations),
    }
    msg = f"{report.field_count:,} data field(s) in {report.operation_count:,} operation(s)" + (
        f" (first {len(rows)} listed)" if facts["truncated"] else ""
    )
    return Finding(checks.SPEC_INVENTORY.id, Outcome.PASS, msg, PROBE, subject, facts)


def _examples(report: SpecReport, subject: str | None, spec_url: str | None) -> Finding:
    base = base_url(report.servers, spec_url)
    curl = []
    for item in report.examples:
        example = item if isinstance(item, RequestExample) else RequestExample.from_dict(item)
        command = curl_command(example, base)
        curl.append(
            {
                "operation": example.operation,
                "method": example.method.upper(),
                "path": example.template or example.path,
                "request_path": example.path,
                "accept": example.accept,
                "auth": example.auth,
                "command": command,
            }
        )
    facts = {"curl": curl, "base_url": base}
    if not curl:
        msg = "no operation to show a request for"
        return Finding(checks.SPEC_EXAMPLES.id, Outcome.UNKNOWN, msg, PROBE, subject, facts)
    msg = f"{len(curl)} request example(s) against {base or 'an unknown host'}"
    return Finding(checks.SPEC_EXAMPLES.id, Outcome.PASS, msg, PROBE, subject, facts)


def _quality(report: SpecReport, subject: str | None) -> Finding:
    raw: Any = report.quality
    quality = raw if isinstance(raw, SpecQuality) else SpecQuality(**_plain(raw))
    facts = quality.to_dict()
    score = quality.score
    if quality.outcome == "unknown" or score is None:
        msg = "documentation quality unknown: no operations to assess"
        return Finding(QUALITY, Outcome.UNKNOWN, msg, PROBE, subject, facts)
    known = {k: v for k, v in facts.items() if k.endswith("_share") and v is not None}
    weakest = min(known, key=lambda k: known[k])
    msg = (
        f"documentation quality {score:.0%} over {quality.operation_count:,} operation(s);"
        f" weakest: {weakest.removesuffix('_share').replace('_', ' ')} {known[weakest]:.0%}"
    )
    return Finding(QUALITY, Outcome(quality.outcome), msg, PROBE, subject, facts)


def report_findings(
    report: SpecReport, subject: str | None, spec_url: str | None = None
) -> list[Finding]:
    """Every finding one analysis yields; ``spec_url`` resolves relative server URLs."""
    facts = _valid_facts(report)
    if report.extra.get("analysis_failed"):
        msg = f"spec not analysed: {report.note}"
        return [
            Finding(
                check,
                Outcome.UNKNOWN,
                msg,
                PROBE,
                subject,
                facts if check != QUALITY else {},
            )
            for check in (FORMAT_KNOWN, VALID, QUALITY)
        ]
    if report.parse_error is not None:
        msg = f"not a readable spec: {report.parse_error}"
        return [
            Finding(FORMAT_KNOWN, Outcome.FAIL, msg, PROBE, subject, facts),
            Finding(VALID, Outcome.FAIL, msg, PROBE, subject, facts),
            Finding(QUALITY, Outcome.UNKNOWN, msg, PROBE, subject, {}),
        ]
    if report.format_known:
        msg = f"format: {report.format_label}"
        fmt = Finding(FORMAT_KNOWN, Outcome.PASS, msg, PROBE, subject, facts)
    else:
        why = report.note or "format not recognised"
        fmt = Finding(FORMAT_KNOWN, Outcome.FAIL, why, PROBE, subject, facts)
    findings = [fmt, _valid_finding(report, subject, facts)]
    if report.format_known and report.quality is not None:
        findings += [
            _inventory(report, subject),
            _examples(report, subject, spec_url),
            _quality(report, subject),
        ]
    else:
        why = f"documentation quality unknown: {report.note or 'spec not analysed'}"
        findings.append(Finding(QUALITY, Outcome.UNKNOWN, why, PROBE, subject, {}))
    return findings


SWEEP_SLACK = 64
"""Findings of analyses the run no longer holds are dropped once the memo exceeds twice the
analyses held plus this many."""


class SpecFindingsMemo:
    """The findings made from each analysis the run holds, handed to every entry citing the
    same document.

    Entries that cite one document (a spec published at several URLs, or served by many
    hosts) each made them again: the request examples' curl commands, the inventory's rows,
    a copy of the report (~0.15 ms an entry), then the store serialised and hashed the same
    facts again (~0.15 ms more). Here they are made once per analysis and per base URL (the
    only part of them that depends on the entry: request examples are resolved against it),
    and each entry gets its own findings, about its own URL and timed now, sharing the
    facts (read-only, as every finding's are). An analysis the run no longer holds (a
    bounded cache let it go) takes its findings with it at the next sweep.
    """

    def __init__(self) -> None:
        self._made: dict[tuple[str, str], tuple[SpecReport, list[Finding]]] = {}

    def __len__(self) -> int:
        return len(self._made)

    def findings(
        self,
        report: SpecReport,
        subject: str | None,
        spec_url: str | None,
        held: dict[str, SpecReport],
    ) -> list[Finding]:
        """``report_findings(report, subject, spec_url)``; ``held``: the run's analyses."""
        key = (report.sha256, base_url(report.servers, spec_url))
        made = self._made.get(key)
        if made is None or made[0] is not report:
            made = self._made[key] = (report, _shared(report_findings(report, None, spec_url)))
            if len(self._made) > 2 * len(held) + SWEEP_SLACK:
                self._sweep(held)
        return [Finding(f.check, f.outcome, f.message, f.probe, subject, f.facts) for f in made[1]]

    def _sweep(self, held: dict[str, SpecReport]) -> None:
        """Keep the findings of analyses ``held`` still holds (read without loading any)."""
        self._made = {
            key: made for key, made in self._made.items() if dict.get(held, key[0]) is made[0]
        }


def _shared(findings: list[Finding]) -> list[Finding]:
    """``findings`` with their facts as ``SharedFacts`` (one for facts two findings share)."""
    made: list[Finding] = []
    shared: dict[int, SharedFacts] = {}
    for finding in findings:
        if finding.facts:
            facts = shared.get(id(finding.facts))
            if facts is None:
                facts = shared[id(finding.facts)] = SharedFacts(finding.facts)
            finding = replace(finding, facts=facts)
        made.append(finding)
    return made
