"""Catalog text made inert for a terminal or a CI log: the one place it happens.

Titles, ids, organisations and messages come from strangers. Printed raw, an
ESC or BEL can retitle the window or clear the screen, a CR can overwrite what
the line said, a bidi override can make it read backwards, and a line break
can start a line of its own, which GitHub Actions runs as a workflow command
when it begins with ``::``. Every text output (tables, warnings, ``auditor
history``, the gate's text and annotations) passes its values through
:func:`terminal_text`; each format keeps only its own line breaks.

:func:`plain` is the same text as a rich ``Text``: rich parses ``[...]`` in a
plain string as markup (``[/]`` in a title would raise) and ``:name:`` as an
emoji code, a ``Text`` is printed as it is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

from auditor.render.text import clean_text

# What clean_text leaves of the controls (tab, LF, CR), and the Unicode line
# and paragraph separators: CR LF counts as one break.
_BREAKS = re.compile("\r\n|[\t\n\r\u2028\u2029]")
_SPACED = re.compile("[\t\u2028\u2029]")


def terminal_text(value: Any, *, keep_line_breaks: bool = False) -> str:
    """``value`` as text with no control character and no bidi override left.

    C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks
    become U+FFFD; line breaks (CR, LF, U+2028, U+2029) and tabs become a
    space, so a value never starts a line. ``keep_line_breaks`` leaves CR
    and LF for a format that escapes them itself (GitHub annotations write
    them as ``%0D``/``%0A``).
    """
    text = clean_text(value)
    if keep_line_breaks:
        return _SPACED.sub(" ", text)
    return _BREAKS.sub(" ", text)


def plain(value: Any, style: str | Style = "") -> Text:
    """``terminal_text`` as a rich ``Text``: no markup, no emoji codes."""
    return Text(terminal_text(value), style=style)


@dataclass(frozen=True, slots=True)
class Medium:
    """Where a reporter's output lands, for the formats that adapt to it (tables)."""

    terminal: bool = False
    """Standard output is a terminal: tables use its width and colours."""


PLAIN = Medium()


def console_text(medium: Medium, width: int, draw: Callable[[Console], None]) -> str:
    """What ``draw`` prints on a rich console, as text.

    On a terminal the console takes the terminal's width and colours, as a
    console on standard output would; elsewhere (a pipe, a file) it is
    ``width`` columns wide and plain, unless FORCE_COLOR says otherwise.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=None if medium.terminal else width,
        force_terminal=True if medium.terminal else None,
    )
    draw(console)
    return buffer.getvalue()
