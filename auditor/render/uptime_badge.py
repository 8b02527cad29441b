"""Uptime badges: ``uptime 30d | 99.2%``, SVG (shields.io flat style) and endpoint JSON.

Drawn by the same code as the trust-score badge (``auditor.render.badge``);
the colour steps follow shields.io's usual uptime colours. A period without
any verification says ``unknown``, in grey, never 0 or 100 %.
"""

from __future__ import annotations

from auditor.render.badge import UNKNOWN_COLOR, Badge
from auditor.render.uptime import Uptime, percent_text

UPTIME_LABEL = "uptime 30d"
STEPS = (
    (0.999, "#44cc11"),  # brightgreen
    (0.99, "#97ca00"),  # green
    (0.97, "#a4a61d"),  # yellowgreen
    (0.95, "#dfb317"),  # yellow
    (0.90, "#fe7d37"),  # orange
)
DOWN_COLOR = "#e05d44"  # red


def uptime_color(share: float | None) -> str:
    if share is None:
        return UNKNOWN_COLOR
    return next((color for floor, color in STEPS if share >= floor), DOWN_COLOR)


def uptime_badge(uptime: Uptime, label: str | None = None) -> Badge:
    """The badge for one period's uptime (the label names the period: ``uptime 30d``)."""
    return Badge(
        label or f"uptime {uptime.key}", percent_text(uptime.share), uptime_color(uptime.share)
    )
