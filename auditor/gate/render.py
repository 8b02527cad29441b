"""Every gate format behind one name -> function table, and the JSON document.

The JSON is the stable ``auditor audit`` document (``schema_version: 1``)
with a ``gate`` block added, so tools that read audit results read gate
results too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from auditor.gate.annotations import render_github
from auditor.gate.evaluate import GateReport
from auditor.gate.junit import render_junit
from auditor.gate.sarif import sarif_document
from auditor.gate.summary_md import render_markdown
from auditor.gate.text import render_text
from auditor.render.results_json import results_document


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


def render_json(report: GateReport) -> str:
    document = results_document(report.results, report.methodology, list(report.problems))
    document["gate"] = gate_block(report)
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_sarif(report: GateReport) -> str:
    return orjson.dumps(sarif_document(report), option=orjson.OPT_INDENT_2).decode() + "\n"


RENDERERS: dict[str, Callable[[GateReport], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
    "md": render_markdown,
}
FORMATS = tuple(RENDERERS)


def render(report: GateReport, fmt: str) -> str:
    return RENDERERS[fmt](report)
