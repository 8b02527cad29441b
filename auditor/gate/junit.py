"""JUnit XML, the format every CI test-report viewer reads.

A ``testsuite`` per entry, a ``testcase`` per methodology signal plus one per
threshold. A signal that cost points in an axis below its threshold is a
``failure``; one that could not be established is ``skipped`` (unknown is
not a verdict); points lost while the entry still passes are reported in
``system-out`` of a passing case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from auditor.gate.evaluate import Breach, EntryVerdict, GateReport, SignalVerdict, score_text
from auditor.gate.thresholds import describe
from auditor.render.terminal_text import PLAIN, Medium

# Characters XML 1.0 cannot carry at all; untrusted spec text may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case(suite: ET.Element, classname: str, name: str, path: str, line: int) -> ET.Element:
    return ET.SubElement(
        suite,
        "testcase",
        {
            "classname": clean(classname),
            "name": clean(name),
            "file": clean(path),
            "line": str(line),
            "time": "0",
        },
    )


def _signal_case(suite: ET.Element, verdict: EntryVerdict, s: SignalVerdict) -> str:
    case = _case(
        suite,
        f"auditor.{verdict.id}.{s.axis.id}",
        f"{s.axis.name}: {s.signal.name}",
        s.location.path,
        s.location.line,
    )
    text = clean(f"{s.describe()}\n{s.location}")
    if s.blocking:
        ET.SubElement(
            case, "failure", {"message": clean(s.describe()), "type": "auditor.lost-points"}
        ).text = text
        return "failure"
    if not s.established:
        ET.SubElement(case, "skipped", {"message": clean(s.describe())})
        return "skipped"
    if s.lost > 0:
        ET.SubElement(case, "system-out").text = text
    return "pass"


def _threshold_case(
    suite: ET.Element, verdict: EntryVerdict, name: str, breach: Breach | None
) -> str:
    where = breach.location if breach else verdict.location
    case = _case(suite, f"auditor.{verdict.id}.gate", name, where.path, where.line)
    if breach is None:
        return "pass"
    ET.SubElement(
        case, "failure", {"message": clean(breach.message), "type": "auditor.threshold"}
    ).text = clean(f"{breach.message}\n{where}")
    return "failure"


def _suite(root: ET.Element, verdict: EntryVerdict, report: GateReport) -> dict[str, int]:
    assessment = verdict.result.assessment
    suite = ET.SubElement(root, "testsuite", {"name": clean(verdict.id)})
    props = ET.SubElement(suite, "properties")
    values = {
        "score": score_text(assessment.score),
        "tier": assessment.tier or "unknown",
        "location": str(verdict.location),
        **{f"axis.{a.id}": score_text(a.score) for a in assessment.axes},
    }
    for name, value in values.items():
        ET.SubElement(props, "property", {"name": name, "value": clean(value)})
    outcomes: list[str] = []
    thresholds = report.thresholds
    checks: list[tuple[str, str | None, str | None]] = []
    if thresholds.fail_under is not None:
        checks.append((f"composite score >= {thresholds.fail_under:g}", "gate/fail-under", None))
    checks += [
        (f"{axis} >= {score:g}", "gate/min-axis", axis)
        for axis, score in thresholds.minimums.items()
    ]
    if thresholds.fail_on_invalid_spec:
        checks.append(("spec is valid", "gate/spec-valid", None))
    for name, rule, axis in checks:
        breach = next((b for b in verdict.breaches if b.rule_id == rule and b.axis == axis), None)
        outcomes.append(_threshold_case(suite, verdict, name, breach))
    outcomes += [_signal_case(suite, verdict, s) for s in verdict.signals]
    counts = {
        "tests": len(outcomes),
        "failures": outcomes.count("failure"),
        "errors": 0,
        "skipped": outcomes.count("skipped"),
    }
    for key, count in counts.items():
        suite.set(key, str(count))
    if verdict.notes:
        ET.SubElement(suite, "system-out").text = clean("\n".join(verdict.notes))
    return counts


def render_junit(report: GateReport, medium: Medium = PLAIN) -> str:
    root = ET.Element(
        "testsuites",
        {"name": clean(f"auditor gate ({describe(report.thresholds, report.methodology)})")},
    )
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for verdict in report.verdicts:
        for key, value in _suite(root, verdict, report).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
