"""The gate's JSON document, and :func:`render` for any gate format by name.

The JSON is the stable ``auditor audit`` document (``schema_version: 1``)
with a ``gate`` block added, so tools that read audit results read gate
results too. The gate's formats are registered with every other format in
:mod:`auditor.render.reporters` (subject ``gate``).
"""

from __future__ import annotations

from typing import Any

from auditor.gate.evaluate import GateReport
from auditor.render.reporters import GATE, formats, reporter
from auditor.render.results_json import json_bytes, results_document
from auditor.render.terminal_text import PLAIN, Medium


def gate_block(report: GateReport) -> dict[str, Any]:
    return {
        "passed": report.passed,
        "offline": report.offline,
        "thresholds": report.thresholds.to_dict(),
        "notes": list(report.notes),
        "entries": [
            {
                "id": v.id,
                "passed": v.passed,
                "location": str(v.location),
                "breaches": [
                    {
                        "rule": b.rule_id,
                        "message": b.message,
                        "axis": b.axis,
                        "required": b.required,
                        "actual": b.actual,
                        "unknown": b.unknown,
                        "location": str(b.location),
                    }
                    for b in v.breaches
                ],
                "signals": [
                    {
                        "rule": s.rule_id,
                        "status": s.status,
                        "lost": s.lost,
                        "blocking": s.blocking,
                        "message": s.describe(),
                        "location": str(s.location),
                    }
                    for s in v.reported
                ],
                "notes": list(v.notes),
            }
            for v in report.verdicts
        ],
    }


def render_json(report: GateReport, medium: Medium = PLAIN) -> bytes:
    """The ``json`` reporter of the gate."""
    document = results_document(report.results, report.methodology, list(report.problems))
    document["gate"] = gate_block(report)
    return json_bytes(document)


FORMATS = formats(GATE)


def render(report: GateReport, fmt: str, medium: Medium = PLAIN) -> str:
    """The report in gate format ``fmt`` (one of :data:`FORMATS`)."""
    return reporter(GATE, fmt).render(report, medium).decode("utf-8")
