"""``auditor methodology``: the methodology file rendered as Markdown.

This is the single source of the "How is this computed?" text: reports
include the same rendering.
"""

from __future__ import annotations

from auditor.methodology.model import Methodology
from auditor.render.templates import render_template

FUNCTION_TEXT = {
    "outcome": "all points on pass",
    "share": "points × share of passes",
    "lookup": "points from the table below",
    "ratio": "points × measured share",
}


def methodology_markdown(methodology: Methodology) -> str:
    return render_template(
        "methodology.md.j2",
        m=methodology,
        total_weight=sum(a.weight for a in methodology.axes),
        tiers=sorted(methodology.tiers, key=lambda t: t.min, reverse=True),
        functions=FUNCTION_TEXT,
    )
