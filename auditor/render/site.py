"""The static report site, written from one JSON results document.

Layout of the output folder::

    index.html            sortable, filterable table, charts, organisations
    methodology.html/.md  the methodology, generated from the rules file
    entries/<name>.html   one page per entry (and .md)
    badges/<name>.svg     flat badge; badges/<name>.json the shields.io endpoint
    summary.csv           one row per entry (summary.parquet with pyarrow)
    results.json          the results document the site was made from

``<name>`` comes from :func:`auditor.render.names.file_names`: never a path
outside the folder, never shared by two entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from auditor.methodology.model import Methodology
from auditor.render.badge import DEFAULT_LABEL, badge_for, badge_svg, shields_endpoint
from auditor.render.charts import axis_means_svg, distribution_svg
from auditor.render.document import check_document
from auditor.render.frame import (
    axis_means,
    distribution,
    organisations,
    summary_frame,
    write_tables,
)
from auditor.render.names import file_names
from auditor.render.pages import (
    PageContext,
    entry_html,
    entry_markdown,
    index_html,
    index_row,
    methodology_html,
)
from auditor.render.view import SiteLinks, entry_view


@dataclass(frozen=True, slots=True)
class SiteOptions:
    base_url: str | None = None
    """Where the site will be published; badge snippets then use absolute URLs."""
    badge_label: str = DEFAULT_LABEL
    now: datetime | None = None
    """The time "N days ago" is counted from (default: now)."""


@dataclass(frozen=True, slots=True)
class SiteResult:
    folder: Path
    index: Path
    pages: dict[str, Path] = field(default_factory=dict)
    files: tuple[Path, ...] = ()


def result_keys(results: list[Mapping[str, Any]]) -> list[str]:
    """A distinct key per result: its id, or ``id#n`` for the n-th repeat of an id."""
    seen: dict[str, int] = {}
    keys = []
    for result in results:
        entry_id = str(result.get("id"))
        seen[entry_id] = seen.get(entry_id, 0) + 1
        keys.append(entry_id if seen[entry_id] == 1 else f"{entry_id}#{seen[entry_id]}")
    return keys


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="\n")
    else:
        path.write_bytes(content)
    return path


def result_names(results: list[Mapping[str, Any]]) -> list[str]:
    """The file stem of each result, by position (ids may repeat in a document)."""
    keys = result_keys(results)
    stems = file_names(keys)
    return [stems[key] for key in keys]


def write_badge_files(
    items: Iterable[tuple[Mapping[str, Any], str]],
    methodology: Methodology,
    folder: Path,
    label: str = DEFAULT_LABEL,
) -> list[Path]:
    """``<name>.svg`` and ``<name>.json`` (shields.io endpoint) per (result, name), in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for result, name in items:
        badge = badge_for(dict(result), methodology, label)
        endpoint = orjson.dumps(shields_endpoint(badge), option=orjson.OPT_INDENT_2) + b"\n"
        written.append(_write(folder / f"{name}.svg", badge_svg(badge)))
        written.append(_write(folder / f"{name}.json", endpoint))
    return written


def write_site(
    document: Mapping[str, Any],
    methodology: Methodology,
    folder: Path,
    options: SiteOptions | None = None,
) -> SiteResult:
    options = options or SiteOptions()
    document = check_document(document, "results")
    results: list[Mapping[str, Any]] = list(document["results"])
    now = options.now or datetime.now(UTC)
    keys = result_keys(results)
    names = dict(enumerate(result_names(results)))
    generated_at = document.get("generated_at")
    ctx = PageContext(methodology, generated_at if isinstance(generated_at, str) else None)
    site = SiteLinks(options.base_url, options.badge_label)

    (folder / "entries").mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    pages: dict[str, Path] = {}
    for position, result in enumerate(results):
        view = entry_view(result, methodology, names[position], now, site)
        page = _write(folder / "entries" / f"{names[position]}.html", entry_html(view, ctx))
        files.append(page)
        files.append(
            _write(folder / "entries" / f"{names[position]}.md", entry_markdown(view, ctx))
        )
        pages[keys[position]] = page
    files += write_badge_files(
        zip(results, names.values(), strict=True),
        methodology,
        folder / "badges",
        options.badge_label,
    )

    frame = summary_frame(results, methodology, names)
    tables = write_tables(frame, folder)
    files += tables
    charts = {
        "distribution": distribution_svg(distribution(frame), methodology),
        "axes": axis_means_svg(axis_means(frame, methodology)),
    }
    rows = [index_row(r, names[i], methodology) for i, r in enumerate(results)]
    parquet = any(p.suffix == ".parquet" for p in tables)
    index = _write(
        folder / "index.html",
        index_html(document, rows, charts, organisations(frame), ctx, parquet),
    )
    files.append(index)
    files.append(_write(folder / "methodology.html", methodology_html(ctx)))
    files.append(_write(folder / "methodology.md", ctx.methodology_md))
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    files.append(_write(folder / "results.json", data))
    return SiteResult(folder, index, pages, tuple(files))
