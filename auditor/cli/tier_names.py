"""Tier names for text a person reads: ``Good``, as the methodology writes it, everywhere.

The store and the JSON outputs keep tier ids (``good``), which scripts read;
``history`` and ``diff`` print them under the name the table, the badges
and the pages use. A run records its methodology id but not the file, so the
names come from the built-in methodologies; an id they do not know is
printed as it is.
"""

from __future__ import annotations

from functools import cache

from auditor.errors import AuditorError


@cache
def _builtin_tiers() -> dict[str, dict[str, str]]:
    """Methodology id -> tier id -> tier name, for the methodologies shipped with auditor."""
    from auditor.methodology import load_methodology
    from auditor.methodology.load import builtin_rules

    names: dict[str, dict[str, str]] = {}
    for path in builtin_rules().values():
        try:
            methodology = load_methodology(path)
        except AuditorError:  # pragma: no cover - the shipped files are tested
            continue
        names.setdefault(methodology.id, {t.id: t.name for t in methodology.tiers})
    return names


def tier_name(tier_id: str | None, methodology_id: str | None = None) -> str:
    """The name of ``tier_id`` under ``methodology_id`` (or any built-in), else the id."""
    if tier_id is None:
        return "unknown"
    known = _builtin_tiers()
    tiers = known.get(methodology_id or "")
    if tiers is not None:
        return tiers.get(tier_id, tier_id)
    return next((t[tier_id] for t in known.values() if tier_id in t), tier_id)
