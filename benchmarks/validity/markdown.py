"""Small Markdown helpers for the report: tables, numbers, shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell(value: object) -> str:
    """A table cell: None as an en dash, floats without trailing zeros, pipes escaped."""
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if text != "-0" else "0"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A pipe table; ``align`` is one letter per column (``l``/``r``), left by default."""
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(headers), "l")]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def share(part: int, whole: int) -> str:
    """``12 (7.1%)``; ``0`` alone when the whole is empty."""
    if not whole:
        return str(part)
    return f"{part} ({100 * part / whole:.1f}%)"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def code_list(items: Iterable[str], limit: int | None = None) -> str:
    """``a``, ``b``… with a count of what was left out past ``limit``."""
    items = list(items)
    shown = items if limit is None else items[:limit]
    text = ", ".join(f"`{i}`" for i in shown)
    if limit is not None and len(items) > limit:
        text += f" and {len(items) - limit} more"
    return text or "none"
