"""GitHub Actions workflow commands: ``::error file=…,line=…,title=…::message``.

Errors for breaches and for points lost in an axis that failed, warnings for
other lost points, notices for what could not be established. Values are
escaped as the Actions toolkit does (``%``, CR and LF in the message; also
``:`` and ``,`` in properties), which also keeps spec text from smuggling in
a workflow command of its own. Before that, control characters other than CR
and LF (ESC, BEL, NUL...) and bidi overrides become U+FFFD, as in every
text output (:func:`auditor.render.terminal_text.terminal_text`).
"""

from __future__ import annotations

from auditor.gate.evaluate import GateReport, SignalVerdict
from auditor.gate.locations import Location
from auditor.gate.thresholds import describe
from auditor.render.terminal_text import PLAIN, Medium, terminal_text


def escape_data(text: str) -> str:
    text = terminal_text(text, keep_line_breaks=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(
    kind: str, message: str, where: Location | None = None, title: str | None = None
) -> str:
    props = []
    if where is not None:
        props += [f"file={escape_property(where.path)}", f"line={where.line}"]
    if title:
        props.append(f"title={escape_property(title)}")
    joined = (" " + ",".join(props)) if props else ""
    return f"::{kind}{joined}::{escape_data(message)}"


def _kind(s: SignalVerdict) -> str:
    if s.blocking:
        return "error"
    return "warning" if s.lost > 0 else "notice"


def render_github(report: GateReport, medium: Medium = PLAIN) -> str:
    lines = []
    for verdict in report.verdicts:
        for b in verdict.breaches:
            lines.append(command("error", b.message, b.location, f"auditor gate: {verdict.id}"))
        for s in verdict.reported:
            title = f"{verdict.id}: {s.axis.name} / {s.signal.name}"
            lines.append(command(_kind(s), s.describe(), s.location, title))
    for problem in report.problems:
        lines.append(command("warning", str(problem), title="auditor: catalog problem"))
    for note in report.notes:
        lines.append(command("notice", note, title="auditor gate"))
    status = "passed" if report.passed else "failed"
    bar = describe(report.thresholds, report.methodology)
    lines.append(
        f"auditor gate {status}: {len(report.failed)} of {len(report.verdicts)} "
        f"entries below the thresholds ({terminal_text(bar)})"
    )
    return "\n".join(lines) + "\n"
