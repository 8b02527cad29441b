"""``auditor methodology``: the methodology file rendered as Markdown.

This is the single source of the "How is this computed?" text: reports
include the same rendering.
"""

from __future__ import annotations

from auditor.methodology.model import Methodology
from auditor.render.language import ENGLISH, N_, Language

FUNCTION_TEXT = {
    "outcome": N_("all points on pass"),
    "share": N_("points × share of passes"),
    "lookup": N_("points from the table below"),
    "ratio": N_("points × measured share"),
}


def methodology_markdown(methodology: Methodology, tr: Language | None = None) -> str:
    """The methodology in ``tr``'s language (English by default): ``methodology`` is the
    one localised for it, this adds the page's own words."""
    tr = tr or ENGLISH
    return tr.render(
        "methodology.md.j2",
        m=methodology,
        total_weight=sum(a.weight for a in methodology.axes),
        tiers=sorted(methodology.tiers, key=lambda t: t.min, reverse=True),
        functions={key: tr.gettext(text) for key, text in FUNCTION_TEXT.items()},
    )
