"""Text colours that stay readable on the methodology's own tier colours.

The rules file chooses tier colours for the badge and the charts; a label drawn
on them must still meet WCAG AA (4.5:1 for normal text), whatever the colours
are. So the text colour is not fixed: it is black or white, whichever contrasts
more with the background, and either way that is at least 4.58:1 for any
colour (the worst case is a mid grey).
"""

from __future__ import annotations

import re

BLACK = "#000000"
WHITE = "#ffffff"
AA_NORMAL = 4.5
GREY = "#9f9f9f"  # the badge's colour for what is not a colour (render.badge.UNKNOWN_COLOR)
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def safe_color(color: str | None) -> str:
    return color.lower() if color and _HEX.fullmatch(color) else GREY


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of a ``#rgb`` or ``#rrggbb`` colour."""
    hex_digits = safe_color(color).lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(d * 2 for d in hex_digits)
    r, g, b = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(background: str | None) -> str:
    """Black or white, whichever reads better on ``background``."""
    color = safe_color(background)
    return BLACK if contrast(color, BLACK) >= contrast(color, WHITE) else WHITE
