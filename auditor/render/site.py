"""The static report site, written from one JSON results document.

Layout of the output folder::

    index.html            sortable, filterable table, charts, organisations
    methodology.html/.md  the methodology, generated from the rules file
    entries/<name>.html   one page per entry (and .md, and .json: its item of results.json)
    badges/<name>.svg     flat badge; badges/<name>.json the shields.io endpoint
    summary.csv           one row per entry (summary.parquet with pyarrow)
    results.json          the results document the site was made from

``<name>`` comes from :func:`auditor.render.names.file_names`: never a path
outside the folder, never shared by two entries. Every file goes through
:class:`auditor.render.folder.OutputFolder`, which never writes through a
link planted in the folder; JSON through the one encoder
(:func:`auditor.render.results_json.json_bytes`), CSV through the one CSV
writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from auditor.methodology.model import Methodology
from auditor.render.badge import DEFAULT_LABEL, badge_for, badge_svg, shields_endpoint
from auditor.render.charts import axis_means_svg, distribution_svg
from auditor.render.document import check_document
from auditor.render.folder import OutputFolder
from auditor.render.frame import (
    axis_means,
    distribution,
    organisations,
    summary_frame,
    write_tables,
)
from auditor.render.language import DEFAULT_LANGUAGE, Language, language
from auditor.render.names import file_names
from auditor.render.pages import (
    PageContext,
    entry_html,
    entry_markdown,
    index_html,
    index_row,
    methodology_html,
)
from auditor.render.results_json import json_bytes
from auditor.render.retell import retold
from auditor.render.view import EntryView, SiteLinks, badge_view, entry_view


@dataclass(frozen=True, slots=True)
class SiteOptions:
    base_url: str | None = None
    """Where the site will be published; badge snippets then use absolute URLs."""
    badge_label: str = DEFAULT_LABEL
    now: datetime | None = None
    """The time "N days ago" is counted from (default: now)."""
    lang: str = DEFAULT_LANGUAGE
    """The language of the pages ("en", "fr"); badges, JSON and CSV stay language-neutral."""


class SiteExtras(Protocol):
    """More for every page, from somewhere else than the results (the history of a store)."""

    banner: str | None
    """A notice printed at the top of every page."""
    feed: str | None
    """The site's Atom feed, relative to the site's root (``feed.xml``)."""

    def entry(self, entry_id: str, name: str, view: EntryView) -> tuple[EntryView, Any]:
        """The entry's view (possibly adjusted) and its extra part for the templates."""

    def index(self, rows: list[dict[str, Any]]) -> Any:
        """The index's extra part; may add cells to ``rows``."""

    def write(self, out: OutputFolder, names: Mapping[str, str]) -> list[Path]:
        """Files of its own (feeds, badges); ``names`` maps entry ids to file names."""


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


def result_names(results: list[Mapping[str, Any]]) -> list[str]:
    """The file stem of each result, by position (ids may repeat in a document)."""
    keys = result_keys(results)
    stems = file_names(keys)
    return [stems[key] for key in keys]


def write_badge_files(
    items: Iterable[tuple[Mapping[str, Any], str]],
    methodology: Methodology,
    folder: Path | OutputFolder,
    label: str = DEFAULT_LABEL,
    under: str = "",
) -> list[Path]:
    """``<name>.svg`` and ``<name>.json`` (shields.io endpoint) per (result, name), in
    ``folder`` (its subfolder ``under`` if given)."""
    out = folder if isinstance(folder, OutputFolder) else OutputFolder(folder)
    prefix = f"{under}/" if under else ""
    if under:
        out.subfolder(under)
    written = []
    for result, name in items:
        badge = badge_for(dict(result), methodology, label)
        written.append(out.write(f"{prefix}{name}.svg", badge_svg(badge)))
        written.append(out.write(f"{prefix}{name}.json", json_bytes(shields_endpoint(badge))))
    return written


def described(methodology: Methodology, tr: Language) -> Methodology:
    """The methodology in the pages' language: same ids and points, its own words."""
    return methodology if tr.english else methodology.localized(tr.code)


def write_site(
    document: Mapping[str, Any],
    methodology: Methodology,
    folder: Path,
    options: SiteOptions | None = None,
    extras: SiteExtras | None = None,
) -> SiteResult:
    options = options or SiteOptions()
    document = check_document(document, "results")
    results: list[Mapping[str, Any]] = list(document["results"])
    now = options.now or datetime.now(UTC)
    keys = result_keys(results)
    names = dict(enumerate(result_names(results)))
    generated_at = document.get("generated_at")
    tr = language(options.lang)
    shown = described(methodology, tr)
    ctx = PageContext(
        shown,
        generated_at if isinstance(generated_at, str) else None,
        extras.banner if extras else None,
        extras.feed if extras else None,
        tr,
    )
    site = SiteLinks(options.base_url, options.badge_label)

    out = OutputFolder(folder)
    out.subfolder("entries")
    files: list[Path] = []
    pages: dict[str, Path] = {}
    for position, result in enumerate(results):
        told, in_language = (result, tr.english)
        if not tr.english:
            told, in_language = retold(result, document.get("methodology"), shown)
        view = entry_view(told, shown, names[position], now, site, tr, in_language)
        if not tr.english:  # the badge files stay English: so do their snippets and alt text
            view = replace(view, badge=badge_view(result, methodology, names[position], site))
        part = None
        if extras is not None:
            view, part = extras.entry(keys[position], names[position], view)
        page = out.write(f"entries/{names[position]}.html", entry_html(view, ctx, part))
        files.append(page)
        files.append(out.write(f"entries/{names[position]}.md", entry_markdown(view, ctx, part)))
        files.append(out.write(f"entries/{names[position]}.json", json_bytes(dict(result))))
        pages[keys[position]] = page
    files += write_badge_files(
        zip(results, names.values(), strict=True),
        methodology,
        out,
        options.badge_label,
        under="badges",
    )

    frame = summary_frame(results, methodology, names)
    tables = write_tables(frame, out)
    files += tables
    charts = {
        "distribution": distribution_svg(distribution(frame), shown, tr),
        "axes": axis_means_svg(axis_means(frame, shown), tr),
    }
    rows = [index_row(r, names[i], shown) for i, r in enumerate(results)]
    parquet = any(p.suffix == ".parquet" for p in tables)
    part = extras.index(rows) if extras is not None else None
    index = out.write(
        "index.html", index_html(document, rows, charts, organisations(frame), ctx, parquet, part)
    )
    files.append(index)
    files.append(out.write("methodology.html", methodology_html(ctx)))
    files.append(out.write("methodology.md", ctx.methodology_md))
    files.append(out.write("results.json", json_bytes(document)))
    if extras is not None:
        files += extras.write(out, {keys[i]: name for i, name in names.items()})
    return SiteResult(folder, index, pages, tuple(files))
