"""Plain text for a terminal or a CI log: the verdict first, then why.

Each line goes through :func:`auditor.render.terminal_text.terminal_text`:
ids, messages and evidence quoted from specs cannot move the cursor, retitle
the terminal, or start a line of their own (which a CI runner could read as
a command, ``::error::`` on GitHub Actions).
"""

from __future__ import annotations

from auditor.gate.evaluate import EntryVerdict, GateReport, score_text
from auditor.gate.thresholds import describe
from auditor.methodology.model import Methodology
from auditor.render.terminal_text import PLAIN, Medium, terminal_text


def _entry(verdict: EntryVerdict, methodology: Methodology) -> list[str]:
    a = verdict.result.assessment
    status = "PASS" if verdict.passed else "FAIL"
    tier = methodology.tier_by_id(a.tier)
    lines = [
        f"{status} {verdict.id}  score {score_text(a.score)} ({tier.name if tier else 'unknown'})"
        f"  {verdict.location}",
        "  axes: " + ", ".join(f"{x.id} {score_text(x.score)}" for x in a.axes),
    ]
    lines += [f"  x {b.message}" for b in verdict.breaches]
    for s in verdict.reported:
        mark = "x" if s.blocking else ("-" if s.lost > 0 else "?")
        lines.append(f"  {mark} {s.rule_id}: {s.describe()}  [{s.location}]")
    lines += [f"  note: {n}" for n in verdict.notes]
    return lines


def render_text(report: GateReport, medium: Medium = PLAIN) -> str:
    status = "PASSED" if report.passed else "FAILED"
    lines = [
        f"auditor gate {status}: {len(report.failed)} of {len(report.verdicts)} entries "
        f"below the thresholds ({describe(report.thresholds, report.methodology)})",
        f"methodology {report.methodology.id} {report.methodology.version}; "
        f"network {'offline' if report.offline else 'online'}; "
        "x: cost points and failed the gate, -: cost points, ?: unknown",
        "",
    ]
    for verdict in report.verdicts:
        lines += [*_entry(verdict, report.methodology), ""]
    lines += [f"catalog: {p}" for p in report.problems]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(terminal_text(line) for line in lines).rstrip() + "\n"
