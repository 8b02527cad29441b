"""Trust-score badges: SVG in shields.io's flat style, and shields.io endpoint JSON.

The geometry follows shields.io's badge-maker (flat style) and text is
measured with its Verdana 11px table, so a badge looks like its shields.io
twin and a label never overflows its box. Output depends only on the
label, message and colour: the same input gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auditor.methodology.model import Methodology
from auditor.render.templates import render_template
from auditor.render.text import one_line
from auditor.render.verdana import preferred_width

DEFAULT_LABEL = "trust score"
UNKNOWN_COLOR = "#9f9f9f"
LABEL_COLOR = "#555"
CACHE_SECONDS = 3600
MAX_TEXT = 64
HEIGHT = 20
PADDING = 5
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    message: str
    color: str

    @property
    def text(self) -> str:
        """What a screen reader says, and the ``alt`` of an embedded badge."""
        return f"{self.label}: {self.message}" if self.label else self.message


def safe_color(color: str | None) -> str:
    """A ``#rgb``/``#rrggbb`` colour from the methodology, or grey if it is anything else."""
    return color.lower() if color and _HEX.fullmatch(color) else UNKNOWN_COLOR


def score_text(score: float | None) -> str:
    return "unknown" if score is None else f"{score:g}"


def badge_for(
    result: dict[str, Any], methodology: Methodology, label: str = DEFAULT_LABEL
) -> Badge:
    """The badge for one result of the JSON results document."""
    score = result.get("score")
    tier = methodology.tier_by_id(result.get("tier"))
    if not isinstance(score, int | float) or tier is None:
        message = score_text(score if isinstance(score, int | float) else None)
        return Badge(one_line(label, MAX_TEXT), message, UNKNOWN_COLOR)
    message = f"{score_text(score)} · {one_line(tier.name, 24)}"
    return Badge(one_line(label, MAX_TEXT), message, safe_color(tier.color))


def _brightness(color: str) -> float:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return round((red * 299 + green * 587 + blue * 114) / 255000, 2)


def _text(margin: int, width: int, background: str, content: str) -> dict[str, Any]:
    dark = _brightness(background) > 0.69
    return {
        "content": content,
        "x": 10 * margin + 5 * width + 10 * PADDING,
        "length": 10 * width,
        "fill": "#333" if dark else "#fff",
        "shadow": "#ccc" if dark else "#010101",
    }


def badge_svg(badge: Badge) -> str:
    """The flat-style SVG; ``role="img"``, ``aria-label`` and ``<title>`` carry the text."""
    color = safe_color(badge.color)
    label_width = preferred_width(badge.label) if badge.label else 0
    message_width = preferred_width(badge.message)
    left = label_width + 2 * PADDING if badge.label else 0
    right = message_width + 2 * PADDING
    texts = []
    if badge.label:
        texts.append(_text(1, label_width, LABEL_COLOR, badge.label))
    texts.append(_text(left - 1 if badge.label else 0, message_width, color, badge.message))
    return render_template(
        "badge.svg.j2",
        badge=badge,
        width=left + right,
        height=HEIGHT,
        left=left,
        right=right,
        label_color=LABEL_COLOR if badge.label else color,
        color=color,
        texts=texts,
    )


def shields_endpoint(badge: Badge, cache_seconds: int = CACHE_SECONDS) -> dict[str, Any]:
    """shields.io's endpoint-badge document (https://shields.io/badges/endpoint-badge)."""
    return {
        "schemaVersion": 1,
        "label": badge.label,
        "message": badge.message,
        "color": safe_color(badge.color),
        "cacheSeconds": cache_seconds,
    }
