"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` (or a pull-request comment).

Untrusted text (titles, evidence quoted from specs and servers) is escaped so
it cannot break the table or inject HTML into the rendered summary.
"""

from __future__ import annotations

import html

from auditor.gate.evaluate import EntryVerdict, GateReport, score_text
from auditor.gate.thresholds import describe
from auditor.methodology.model import Methodology
from auditor.render.terminal_text import PLAIN, Medium, terminal_text

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#!~"})


def md(text: str) -> str:
    """Plain text made inert for a Markdown table cell or list item."""
    flat = " ".join(terminal_text(text).split())
    return html.escape(flat, quote=False).translate(_MD_SPECIAL)


def _row(verdict: EntryVerdict, methodology: Methodology) -> str:
    a = verdict.result.assessment
    status = "✅ pass" if verdict.passed else "❌ fail"
    tier = methodology.tier_by_id(a.tier)
    cells = [
        status,
        md(verdict.id),
        score_text(a.score),
        md(tier.name) if tier else "unknown",
        *(score_text(x.score) for x in a.axes),
    ]
    return "| " + " | ".join(cells) + " |"


def _details(verdict: EntryVerdict) -> list[str]:
    lines = [f"#### {md(verdict.id)} ({md(str(verdict.location))})", ""]
    lines += [f"- ❌ {md(b.message)}" for b in verdict.breaches]
    for s in verdict.reported:
        mark = "❌" if s.blocking else ("⚠️" if s.lost > 0 else "❔")
        lines.append(f"- {mark} {md(s.describe())} — {md(str(s.location))}")
    lines += [f"- ℹ️ {md(n)}" for n in verdict.notes]
    return [*lines, ""]


def render_markdown(report: GateReport, medium: Medium = PLAIN) -> str:
    methodology = report.methodology
    verdict = "✅ auditor gate passed" if report.passed else "❌ auditor gate failed"
    out = [
        f"## {verdict}",
        "",
        f"**Thresholds:** {md(describe(report.thresholds, methodology))} · "
        f"**Entries:** {len(report.verdicts)}, {len(report.failed)} below · "
        f"**Methodology:** {md(methodology.id)} {md(methodology.version)} · "
        f"**Network:** {'offline' if report.offline else 'online'}",
        "",
        "| Gate | Entry | Score | Tier | "
        + " | ".join(md(a.name) for a in methodology.axes)
        + " |",
        "| --- | --- | ---: | --- | " + " | ".join("---:" for _ in methodology.axes) + " |",
        *(_row(v, methodology) for v in report.verdicts),
        "",
    ]
    if report.notes or report.problems:
        out += [f"> {md(n)}" for n in report.notes]
        out += [f"> catalog: {md(str(p))}" for p in report.problems]
        out.append("")
    out += ["<details><summary>Why: thresholds missed and points lost</summary>", ""]
    for v in report.verdicts:
        out += _details(v)
    out += ["</details>", ""]
    return "\n".join(out)
