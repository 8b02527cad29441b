"""Inline SVG charts from the pandas aggregates: no script, no CDN, readable as text.

Geometry is computed here; ``reports/chart_*.svg.j2`` draws it, autoescaped,
with a ``<title>`` per bar so the numbers are there for screen readers.
"""

from __future__ import annotations

from markupsafe import Markup

from auditor.methodology.model import Methodology
from auditor.render.badge import UNKNOWN_COLOR, safe_color
from auditor.render.frame import AxisMean, Bin
from auditor.render.language import ENGLISH, Language

ACCENT = "#0b5cad"


def distribution_svg(
    bins: list[Bin], methodology: Methodology, tr: Language | None = None
) -> Markup:
    """Columns per 10-point bin, coloured by the tier the bin's lower bound falls in."""
    tr = tr or ENGLISH
    width, height, left, top, base = 560, 200, 8, 18, 165
    slot = (width - left - 8) / max(1, len(bins))
    tallest = max((b.count for b in bins), default=0) or 1
    bars = []
    for index, item in enumerate(bins):
        h = round((base - top) * item.count / tallest, 1)
        tier = methodology.tier_for(item.low) if item.low is not None else None
        bars.append(
            {
                "label": item.label if item.low is not None else tr.gettext("unknown"),
                "value": item.count,
                "x": round(left + index * slot + 3, 1),
                "w": round(slot - 6, 1),
                "y": round(base - h, 1),
                "h": h,
                "cx": round(left + index * slot + slot / 2, 1),
                "color": safe_color(tier.color) if tier else UNKNOWN_COLOR,
            }
        )
    total = sum(b.count for b in bins)
    return Markup(
        tr.render(
            "chart_columns.svg.j2",
            title=tr.ngettext(
                "Score distribution of %(num)d entries",
                "Score distribution of %(num)d entries",
                total,
            )
            % {"num": total},
            caption=tr.gettext("entries per score range (tier colours)"),
            width=width,
            height=height,
            left=left,
            base=base,
            bars=bars,
        )
    )


def axis_means_svg(means: list[AxisMean], tr: Language | None = None) -> Markup:
    """One bar per axis: the mean of the known scores, with how many were unknown."""
    tr = tr or ENGLISH
    longest = max((len(item.name) for item in means), default=0)
    # about 6.2 px a character at 11 px: longer (French) axis names widen the label column
    label_width, track, row_height = max(150, round(6.2 * longest) + 12), 240, 26
    width = label_width + track + 90
    rows = []
    for index, item in enumerate(means):
        text = tr.number(item.mean)
        if item.unknown:
            text += " " + tr.gettext("(%(num)d unknown)") % {"num": item.unknown}
        rows.append(
            {
                "label": item.name,
                "text": text,
                "y": 6 + index * row_height,
                "w": None if item.mean is None else round(track * item.mean / 100, 1),
                "color": ACCENT,
            }
        )
    return Markup(
        tr.render(
            "chart_rows.svg.j2",
            title=tr.gettext("Average score per axis (unknown scores left out)"),
            width=width + 40,
            height=12 + len(rows) * row_height,
            label_width=label_width,
            track=track,
            rows=rows,
        )
    )
