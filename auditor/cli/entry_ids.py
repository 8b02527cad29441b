"""An entry id that matches nothing: the ids that come close, and where auditor looked.

``auditor history datagouv`` should not end at "no entry 'datagouv'": the
message names the file or store searched and suggests the nearest ids
(difflib, ignoring case), or a few of the ids there when none is close.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from auditor.render.terminal_text import terminal_text

MAX_SUGGESTIONS = 3
MAX_LISTED = 5


def close_ids(wanted: str, known: Iterable[str]) -> list[str]:
    """The known ids nearest to ``wanted``, nearest first; ignoring case when nothing is close
    as typed (``DATA.GOUV.FR`` finds ``data.gouv.fr``)."""
    ids = list(dict.fromkeys(known))
    matches = difflib.get_close_matches(wanted, ids, n=MAX_SUGGESTIONS, cutoff=0.6)
    if matches:
        return matches
    by_lower: dict[str, str] = {}
    for one in ids:
        by_lower.setdefault(one.lower(), one)
    matches = difflib.get_close_matches(wanted.lower(), by_lower, n=MAX_SUGGESTIONS, cutoff=0.6)
    return [by_lower[m] for m in matches]


def unknown_entry(wanted: str, known: Iterable[str], where: str) -> str:
    """``no entry 'x' in WHERE (N entries); did you mean 'y'?`` (or a few of the ids there)."""
    ids = sorted(set(known))
    count = f"{len(ids)} entr{'y' if len(ids) == 1 else 'ies'}"
    head = f"no entry {terminal_text(wanted)!r} in {where} ({count})"
    if not ids:
        return head
    close = close_ids(wanted, ids)
    if close:
        return f"{head}; did you mean {' or '.join(repr(terminal_text(c)) for c in close)}?"
    listed = ", ".join(repr(terminal_text(i)) for i in ids[:MAX_LISTED])
    more = f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
    return f"{head}; its ids include {listed}{more}"
