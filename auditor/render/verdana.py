"""Text width in Verdana 11px, the font shields.io badges are measured in.

The table (``data/verdana-11px-normal.json``, ranges of code points and
their advance width in pixels) is anafanafo 2.0.0's, the one shields.io's
badge-maker uses (MIT, Metabolize LLC, see ``data/LICENSE-anafanafo``).
Measuring with the same table gives the same badge widths as shields.io, and
the badge's ``textLength`` makes any substitute font fit the measured box.
"""

from __future__ import annotations

import bisect
import json
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def _table() -> tuple[list[int], list[int], list[float], float]:
    raw = json.loads(files("auditor.render").joinpath("data/verdana-11px-normal.json").read_text())
    lows = [int(low) for low, _, _ in raw]
    highs = [int(high) for _, high, _ in raw]
    widths = [float(width) for _, _, width in raw]
    index = bisect.bisect_right(lows, ord("m")) - 1
    return lows, highs, widths, widths[index]


def char_width(char: str) -> float:
    """Width of one character; a character the table lacks counts as an ``m``."""
    code = ord(char)
    if code <= 31 or code == 127:
        return 0.0
    lows, highs, widths, em = _table()
    index = bisect.bisect_right(lows, code) - 1
    if index >= 0 and code <= highs[index]:
        return widths[index]
    return em


def text_width(text: str) -> float:
    return sum(char_width(c) for c in text)


def preferred_width(text: str) -> int:
    """badge-maker's rounding: truncate, then round up to odd for pixel alignment."""
    width = int(text_width(text))
    return width + 1 if width % 2 == 0 else width
