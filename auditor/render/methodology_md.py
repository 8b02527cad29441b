"""``auditor methodology``: the methodology file rendered as Markdown.

This is the single source of the "How is this computed?" text: reports
include the same rendering.
"""

from __future__ import annotations

from auditor.methodology.model import Methodology
from auditor.render.output_templates import environment

FUNCTION_TEXT = {
    "outcome": "all points on pass",
    "share": "points × share of passes",
    "lookup": "points from the table below",
    "ratio": "points × measured share",
}


def methodology_markdown(methodology: Methodology) -> str:
    template = environment().get_template("methodology.md.j2")
    return template.render(
        m=methodology,
        total_weight=sum(a.weight for a in methodology.axes),
        tiers=sorted(methodology.tiers, key=lambda t: t.min, reverse=True),
        functions=FUNCTION_TEXT,
    )
