"""Badges from a store: the trust-score badge of a stored run, and the uptime badge.

``badges/<name>.svg``/``.json`` as ``auditor report`` writes them, and
``badges/uptime/<name>.svg``/``.json`` (``uptime 30d | 99.2%``, ``unknown``
when the 30 days hold no verification). ``auditor badge --store`` reads only
scores, tiers and verifications (no findings), so it stays quick on a large
store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from auditor.methodology.model import Methodology
from auditor.render.badge import DEFAULT_LABEL, badge_for, badge_svg, shields_endpoint
from auditor.render.folder import OutputFolder
from auditor.render.names import file_names
from auditor.render.results_json import json_bytes
from auditor.render.uptime import Uptime, uptimes
from auditor.render.uptime_badge import UPTIME_LABEL, uptime_badge
from auditor.store.history import StoreHistory, load_history
from auditor.store.schema import StoreError

UPTIME_FOLDER = "uptime"


def thirty_days(history: StoreHistory, entry_id: str) -> Uptime:
    figures = uptimes(history.verifications.get(entry_id, ()), history.as_of)
    return next(u for u in figures if u.key == "30d")


def write_uptime_badges(
    out: OutputFolder,
    history: StoreHistory,
    names: Mapping[str, str],
    under: str = "badges",
    entry_ids: Iterable[str] | None = None,
) -> list[Path]:
    """``<under>/uptime/<name>.svg`` and ``.json`` for each entry (default: every entry)."""
    folder = f"{under}/{UPTIME_FOLDER}" if under else UPTIME_FOLDER
    out.subfolder(folder)
    files = []
    for entry_id in history.entries if entry_ids is None else entry_ids:
        name = names.get(entry_id, entry_id)
        badge = uptime_badge(thirty_days(history, entry_id), UPTIME_LABEL)
        files.append(out.write(f"{folder}/{name}.svg", badge_svg(badge)))
        files.append(out.write(f"{folder}/{name}.json", json_bytes(shields_endpoint(badge))))
    return files


def write_store_badges(
    path: Path,
    methodology: Methodology,
    folder: Path,
    *,
    label: str = DEFAULT_LABEL,
    entry_ids: Iterable[str] = (),
    reference: str | None = None,
) -> list[Path]:
    """Trust-score and uptime badges of a stored run (default: the latest finished one)."""
    from auditor.render.history_site import pick_run, reading

    with reading(path) as store:
        run = pick_run(store, methodology, reference)
        history = load_history(store, run)
    wanted = list(dict.fromkeys(entry_ids))
    missing = sorted(set(wanted) - set(history.entries))
    if missing:
        raise StoreError(
            f"{path}: no entry with id {', '.join(map(repr, missing))} in run {run.id}"
        )
    chosen = wanted or list(history.entries)
    names = file_names(history.entries)
    out = OutputFolder(folder)
    written = []
    for entry_id in chosen:
        points = history.results.get(entry_id, ())
        last = points[-1] if points else None
        result = {"score": last.score if last else None, "tier": last.tier if last else None}
        badge = badge_for(result, methodology, label)
        written.append(out.write(f"{names[entry_id]}.svg", badge_svg(badge)))
        written.append(out.write(f"{names[entry_id]}.json", json_bytes(shields_endpoint(badge))))
    written += write_uptime_badges(out, history, names, under="", entry_ids=chosen)
    return written
