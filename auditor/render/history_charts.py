"""Server-side SVG for the history: line charts over time and the daily status strip.

Geometry is computed here; ``reports/chart_line.svg.j2`` and
``reports/chart_strip.svg.j2`` draw it (autoescaped, no script, no font or
image from anywhere), each with a ``<title>``, an ``aria-label`` summing it
up and a ``<title>`` per point or cell. The pages print the same numbers as
a table beside each chart, the text alternative a screen reader or a
text browser reads.

An unknown value is a gap in the line, never a point at 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from auditor.methodology.model import Methodology
from auditor.render.badge import safe_color
from auditor.render.language import ENGLISH, Language
from auditor.render.text import clean_text
from auditor.render.uptime import DEGRADED, DOWN, NOT_VERIFIED, UP, Day
from auditor.store.session import parse_iso

ACCENT = "#0b5cad"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def escaped(value: str) -> str:
    """``value`` cleaned (``clean_text``) and escaped for HTML/SVG text and attributes.

    What autoescaping and the template environment's ``finalize`` do, in one
    ``str.translate``: charts and their tables print hundreds of values a page."""
    if not (value.isascii() and value.isprintable()):
        value = clean_text(value)
    return value.translate(_ESCAPES)


STATUS_COLORS = {UP: "#2e7d32", DEGRADED: "#d29922", DOWN: "#c62828", NOT_VERIFIED: "#d0d7de"}
WIDTH, HEIGHT = 640, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 74, 12, 30


@dataclass(frozen=True, slots=True)
class ChartPoint:
    at: str
    """ISO-8601 time of the point (a run's start, a verification)."""
    value: float | None
    label: str
    """The point's text: date, value, and what it is."""


@dataclass(frozen=True, slots=True)
class Band:
    low: float
    high: float
    name: str
    color: str


def tier_bands(methodology: Methodology) -> tuple[Band, ...]:
    """The methodology's tiers as horizontal bands from each tier's minimum to the next."""
    tiers = sorted(methodology.tiers, key=lambda t: t.min)
    bands = []
    for index, tier in enumerate(tiers):
        high = tiers[index + 1].min if index + 1 < len(tiers) else 100.0
        bands.append(Band(max(0.0, tier.min), min(100.0, high), tier.name, safe_color(tier.color)))
    return tuple(bands)


def nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above ``value``: ticks that read well."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(float(step * power) for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def line_svg(
    points: Sequence[ChartPoint],
    *,
    title: str,
    summary: str,
    unit: str = "",
    y_max: float | None = None,
    bands: Sequence[Band] = (),
    tr: Language | None = None,
) -> Markup:
    """A line over time; ``y_max`` None scales to the largest value (latencies). Numbers and
    the first and last days in ``tr``'s formats (English by default)."""
    tr = tr or ENGLISH
    known = [p.value for p in points if p.value is not None]
    top = y_max if y_max is not None else nice_top(max(known, default=0.0) * 1.05)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    times = [parse_iso(p.at).timestamp() for p in points]
    start = min(times, default=0.0)
    span = (max(times, default=0.0) - start) or 1.0
    if len(points) == 1:
        xs = [LEFT + plot_w / 2]
    else:
        xs = [round(LEFT + plot_w * (t - start) / span, 1) for t in times]

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - min(max(value, 0.0), top) / top), 1)

    segments: list[list[str]] = [[]]
    dots = []
    base = HEIGHT - BOTTOM
    for point, x in zip(points, xs, strict=True):
        label = escaped(point.label)
        if point.value is None:  # a gap, marked by a tick on the axis
            if segments[-1]:
                segments.append([])
            dots.append(
                f'<g class="point gap"><title>{label}</title><line x1="{x}" '
                f'y1="{base - 6}" x2="{x}" y2="{base}" stroke="#8c959f" stroke-width="2"/></g>'
            )
            continue
        py = y(point.value)
        segments[-1].append(f"{x},{py}")
        dots.append(
            f'<g class="point"><title>{label}</title><circle cx="{x}" cy="{py}" r="3" '
            f'fill="{ACCENT}"/></g>'
        )
    shown_bands = [
        {"y": y(b.high), "h": round(y(b.low) - y(b.high), 1), "name": b.name, "color": b.color,
         "label_y": round((y(b.low) + y(b.high)) / 2 + 4, 1)}
        for b in bands if b.high > b.low
    ]  # fmt: skip
    ticks = [{"y": y(v), "text": f"{tr.number(v)}{unit}"} for v in (0.0, top / 2, top)]
    return Markup(
        tr.render(
            "chart_line.svg.j2",
            title=title,
            summary=summary,
            width=WIDTH,
            height=HEIGHT,
            left=LEFT,
            right=WIDTH - RIGHT,
            top=TOP,
            base=HEIGHT - BOTTOM,
            bands=shown_bands,
            ticks=ticks,
            paths=[" ".join(s) for s in segments if len(s) > 1],
            dots=Markup("\n".join(dots)),
            color=ACCENT,
            first=tr.day(points[0].at) if points else "",
            last=tr.day(points[-1].at) if points else "",
        )
    )


def strip_svg(
    days: Sequence[Day], *, title: str, summary: str, tr: Language | None = None
) -> Markup:
    """One cell per day, coloured by status, each with its own ``<title>`` (in ``tr``'s
    language, English by default)."""
    tr = tr or ENGLISH
    cell, gap, height = 6, 1.5, 30
    width = max(1.0, len(days) * (cell + gap) - gap)
    # built here rather than looped over in the template: 90 cells on each of thousands of pages
    cells = "\n".join(
        f'<rect class="day {day.status.replace(" ", "-")}" x="{round(index * (cell + gap), 1)}" '
        f'y="0" width="{cell}" height="{height}" rx="1.5" fill="{STATUS_COLORS[day.status]}">'
        f"<title>{escaped(day.text_in(tr))}</title></rect>"
        for index, day in enumerate(days)
    )
    return Markup(
        tr.render(
            "chart_strip.svg.j2",
            title=title,
            summary=summary,
            width=width,
            height=height,
            cell=cell,
            cells=Markup(cells),
        )
    )
