"""The CI quality gate: thresholds over audit results, in the formats CI tools read.

``thresholds`` reads the bar (config and flags), ``evaluate`` decides per
entry, ``locations`` points each result at a file and line, and the
renderers (``render``; registered in :mod:`auditor.render.reporters`) speak
SARIF, JUnit, GitHub annotations, Markdown, text and JSON. Nothing here probes or scores: it reads Assessments.
"""

from auditor.gate.evaluate import EntryVerdict, GateReport, evaluate
from auditor.gate.render import FORMATS, render
from auditor.gate.thresholds import GateOptions, ThresholdError, Thresholds, resolve_options

__all__ = [
    "FORMATS",
    "EntryVerdict",
    "GateOptions",
    "GateReport",
    "ThresholdError",
    "Thresholds",
    "evaluate",
    "render",
    "resolve_options",
]
