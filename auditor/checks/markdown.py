"""The check registry as Markdown, written between marker comments in README.md and docs.

The lists in the docs are generated, never edited by hand, so they cannot
drift from the ids the code emits: ``python -m auditor.checks --write
README.md docs/checks.md`` rewrites every marked block, ``--check`` fails
when one is out of date (a test runs it).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable

from auditor.checks import (
    AUDITOR_INTERNAL,
    AVAILABILITY_ENDPOINTS,
    CHECKS,
    METADATA,
    PROBE_FAILED,
    Check,
)

BLOCK = re.compile(
    r"(?P<open>[ \t]*<!-- checks:(?P<name>[a-z]+) [^>]*-->\n)(?P<body>.*?)"
    r"(?P<close>[ \t]*<!-- /checks:(?P=name) -->)",
    re.DOTALL,
)
"""A generated block: ``<!-- checks:NAME (generated ...) -->`` ... ``<!-- /checks:NAME -->``."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table() -> str:
    """Every check, one row each: id, probe, outcomes, what it says, how to fix a fail."""
    rows = [
        "| check id | emitted by | outcomes | what it establishes | remediation |",
        "|---|---|---|---|---|",
    ]
    for check in CHECKS.values():
        probe = f"`{check.probe}` probe" if check.probe else "audit loop"
        if check.id in {c.id for c in PROBE_FAILED.values()}:
            probe = f"verifier, for `{check.probe}`"
        outcomes = ", ".join(o.value for o in check.outcomes)
        extra = ""
        if check.classes:
            extra = " Classes: " + ", ".join(f"`{c}`" for c in check.classes) + "."
        if check.facts:
            extra = " Ratio facts: " + ", ".join(f"`{f}`" for f in check.facts) + "."
        rows.append(
            f"| `{check.id}` | {probe} | {outcomes} | {_cell(check.description + extra)}"
            f" | {_cell(check.remediation)} |"
        )
    return "\n".join(rows) + "\n"


def _families() -> dict[str, tuple[str, Iterable[Check]]]:
    """Families shown as one item in the short list: first member's id -> (label, members)."""
    families: list[tuple[str, dict[str, Check]]] = [
        ("`metadata.<field>` (" + ", ".join(METADATA) + ")", METADATA),
        ("`availability.{" + ",".join(AVAILABILITY_ENDPOINTS) + "}`", AVAILABILITY_ENDPOINTS),
        ("`probe.<name>` for a probe that broke or overran", PROBE_FAILED),
    ]
    return {
        next(iter(members.values())).id: (label, members.values()) for label, members in families
    }


def short_list() -> str:
    """The ids in one wrapped sentence, families folded (README's results-document section)."""
    families = _families()
    folded = {c.id for _, members in families.values() for c in members}
    items: list[str] = []
    for check in CHECKS.values():
        if check.id in families:
            items.append(families[check.id][0])
        elif check.id not in folded and check is not AUDITOR_INTERNAL:
            items.append(f"`{check.id}`")
    items.append(f"and `{AUDITOR_INTERNAL.id}` when the audit loop itself broke on an entry")
    text = ", ".join(items) + "."
    wrapped = textwrap.fill(
        text,
        width=88,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return wrapped + "\n"


GENERATORS: dict[str, Callable[[], str]] = {"list": short_list, "table": table}


def update(text: str) -> str:
    """``text`` with every marked block regenerated from the registry."""

    def fill(match: re.Match[str]) -> str:
        generate = GENERATORS.get(match["name"])
        if generate is None:
            raise ValueError(f"unknown generated block <!-- checks:{match['name']} -->")
        return match["open"] + generate() + match["close"]

    return BLOCK.sub(fill, text)


def blocks(text: str) -> list[str]:
    """The names of the generated blocks in ``text``, in order."""
    return [m["name"] for m in BLOCK.finditer(text)]
