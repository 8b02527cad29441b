"""SARIF 2.1.0 for GitHub code scanning and every other SARIF viewer.

One rule per methodology signal (help text from the methodology itself) plus
the gate's own threshold rules. A result is emitted for each threshold
breach and each signal that cost points or could not be established, and
every result carries a physical location with a line: code scanning rejects
a file whose results have none.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from auditor import PROJECT_URL, __version__
from auditor.gate.evaluate import (
    RULE_AXIS,
    RULE_SCORE,
    RULE_SPEC,
    Breach,
    EntryVerdict,
    GateReport,
    SignalVerdict,
)
from auditor.gate.locations import Location
from auditor.gate.thresholds import describe
from auditor.methodology.model import Axis, Methodology, Signal
from auditor.render.terminal_text import PLAIN, Medium

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"

GATE_RULES: tuple[tuple[str, str, str], ...] = (
    (
        RULE_SCORE,
        "Composite score below the gate",
        "The entry's composite trust score is below --fail-under (or [gate] fail_under). "
        "An unknown composite fails closed: the gate cannot pass what it could not score.",
    ),
    (
        RULE_AXIS,
        "Axis score below the gate",
        "One axis scored below its --min AXIS=SCORE threshold (or [gate.min]). "
        "An unknown axis with a minimum fails closed.",
    ),
    (
        RULE_SPEC,
        "Spec not valid",
        "--fail-on-invalid-spec is set and the entry's OpenAPI/Swagger document did not "
        "validate (or could not be validated, which fails closed).",
    ),
)


def _pascal(text: str) -> str:
    return "".join(
        part.capitalize() for part in text.replace("/", "-").replace("_", "-").split("-")
    )


def _signal_rule(axis: Axis, signal: Signal) -> dict[str, Any]:
    description = (
        signal.description or f"{signal.name}, a signal of {axis.name}. {axis.why}".strip()
    )
    worth = f"Worth {signal.points:g} of the axis's {axis.possible:g} points; the axis weighs {axis.weight:g}% of the composite."
    unknown = (
        "When it cannot be established it counts as unearned."
        if axis.unknown_signals == "unearned"
        else "When it cannot be established it is left out of the axis."
    )
    text = f"{description}\n\n{axis.name}: {axis.why}\n{worth} {unknown}"
    markdown = (
        f"**{signal.name}** ({axis.name})\n\n{description}\n\n"
        f"*Why it matters:* {axis.why}\n\n{worth} {unknown} "
        f"Finding check: `{signal.check}`, scored with `{signal.function}`."
    )
    return {
        "id": f"{axis.id}/{signal.id}",
        "name": _pascal(f"{axis.id}-{signal.id}"),
        "shortDescription": {"text": f"{axis.name}: {signal.name}"},
        "fullDescription": {"text": description},
        "help": {"text": text, "markdown": markdown},
        "helpUri": f"{PROJECT_URL}#methodology",
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["auditor", "api-trust", axis.id],
            "axis": axis.id,
            "points": signal.points,
            "axis_weight": axis.weight,
        },
    }


def rules(methodology: Methodology) -> list[dict[str, Any]]:
    found = [_signal_rule(axis, signal) for axis in methodology.axes for signal in axis.signals]
    for rule_id, name, text in GATE_RULES:
        found.append(
            {
                "id": rule_id,
                "name": _pascal(rule_id),
                "shortDescription": {"text": name},
                "fullDescription": {"text": text},
                "help": {"text": text, "markdown": text},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["auditor", "gate"]},
            }
        )
    return found


def _location(where: Location) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": where.uri},
            "region": {"startLine": max(1, where.line)},
        }
    }


def _result(
    rule_id: str,
    index: dict[str, int],
    level: str,
    text: str,
    where: Location,
    verdict: EntryVerdict,
    properties: dict[str, Any],
) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{verdict.id}\0{rule_id}".encode()).hexdigest()[:32]
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": level,
        "message": {"text": text},
        "locations": [_location(where)],
        "partialFingerprints": {"auditorEntryRule/v1": fingerprint},
        "properties": {"entry": verdict.id, **properties},
    }


def _breach_result(b: Breach, verdict: EntryVerdict, index: dict[str, int]) -> dict[str, Any]:
    props = {"axis": b.axis, "required": b.required, "actual": b.actual, "unknown": b.unknown}
    return _result(
        b.rule_id, index, "error", f"{verdict.id}: {b.message}", b.location, verdict, props
    )


def signal_level(s: SignalVerdict) -> str:
    if s.blocking:
        return "error"
    return "warning" if s.lost > 0 else "note"


def _signal_result(
    s: SignalVerdict, verdict: EntryVerdict, index: dict[str, int]
) -> dict[str, Any]:
    props = {
        "axis": s.axis.id,
        "outcome": s.score.outcome.value,
        "points": s.score.points,
        "max_points": s.score.max_points,
        "lost": s.lost,
        "blocking": s.blocking,
    }
    text = f"{verdict.id}: {s.describe()}"
    return _result(s.rule_id, index, signal_level(s), text, s.location, verdict, props)


def sarif_document(report: GateReport) -> dict[str, Any]:
    rule_list = rules(report.methodology)
    index = {rule["id"]: i for i, rule in enumerate(rule_list)}
    results: list[dict[str, Any]] = []
    for verdict in report.verdicts:
        results += [_breach_result(b, verdict, index) for b in verdict.breaches]
        results += [_signal_result(s, verdict, index) for s in verdict.reported]
    notes = [*report.notes, *(str(p) for p in report.problems)]
    notes += [f"{v.id}: {n}" for v in report.verdicts for n in v.notes]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": rule_list,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": n}} for n in notes
                        ],
                    }
                ],
                "results": results,
                "properties": {
                    "gate": {
                        "passed": report.passed,
                        "thresholds": describe(report.thresholds, report.methodology),
                        "offline": report.offline,
                        "methodology": f"{report.methodology.id} {report.methodology.version}",
                        "entries": len(report.verdicts),
                        "failed": len(report.failed),
                    }
                },
            }
        ],
    }


def render_sarif(report: GateReport, medium: Medium = PLAIN) -> str:
    """The ``sarif`` reporter."""
    return orjson.dumps(sarif_document(report), option=orjson.OPT_INDENT_2).decode() + "\n"
