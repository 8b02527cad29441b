"""The report site from a store: one run's pages, with the history of the runs before it.

``write_store_site`` opens the store read-only (``auditor.store.readonly``),
picks the run (the latest finished run scored under the methodology, or
``--run N``), rebuilds that run's results document from the stored
results and findings, reads the window's history in batched queries, and
hands the usual site writer (``auditor.render.site``) the extra parts:
uptime, the status strip, incidents, trends and "what changed" on each
entry page; open incidents, catalog uptime, changes and catalog trends on
the index; ``feed.xml`` and ``feeds/<name>.xml``; uptime badges in
``badges/uptime/``. Times on the site ("N days ago", "down since") are
counted from the end of the run shown, so rendering again gives the same
site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.methodology.model import Methodology
from auditor.render.change_view import ChangeRow, change_row
from auditor.render.feed import (
    FeedEntry,
    atom_feed,
    change_entry,
    change_html,
    incident_entries,
)
from auditor.render.folder import OutputFolder
from auditor.render.history_index import index_history
from auditor.render.history_view import DEGRADED_BANNER, entry_history
from auditor.render.language import ENGLISH, Language, language
from auditor.render.results_json import results_document
from auditor.render.site import SiteOptions, SiteResult, write_site
from auditor.render.uptime import incidents
from auditor.render.view import EntryView
from auditor.store.changes import entry_changes
from auditor.store.db import Store
from auditor.store.history import StoreHistory, entry_titles, load_history, run_entry_ids
from auditor.store.readonly import open_read_only
from auditor.store.records import load_results
from auditor.store.runs import RunInfo, list_runs, resolve_run
from auditor.store.schema import StoreError
from auditor.store.session import parse_iso


@contextmanager
def reading(path: Path) -> Iterator[Store]:
    store = open_read_only(path)
    try:
        yield store
    finally:
        store.close()


def pick_run(store: Store, methodology: Methodology, reference: str | None) -> RunInfo:
    """The run to report on; a clear StoreError naming the store when there is none."""
    runs = list_runs(store)
    if not runs:
        raise StoreError(
            f"{store.path}: the store holds no run yet; record one with "
            f"`auditor audit CATALOG --store {store.path}`"
        )
    finished = [r for r in runs if r.finished]
    if not finished:
        last = runs[-1]
        raise StoreError(
            f"{store.path}: the store holds only an unfinished run (run {last.id}, started "
            f"{last.started_at}); finish it with `auditor audit ... --store {store.path} --resume`"
        )
    wanted = (methodology.id, methodology.version)
    if reference is None:
        matching = [r for r in finished if (r.methodology_id, r.methodology_version) == wanted]
        if not matching:
            held = sorted({f"{r.methodology_id} v{r.methodology_version}" for r in finished})
            raise StoreError(
                f"{store.path}: no finished run was scored under methodology {methodology.id} "
                f"v{methodology.version} (the store holds {', '.join(held)}); pass --rules for "
                "that methodology, or score a run under this one with `auditor rescore`"
            )
        return matching[-1]
    run = resolve_run(store, reference)
    if not run.finished:
        raise StoreError(
            f"{store.path}: run {run.id} is unfinished; name a finished run (see "
            "`auditor diff --list`) or finish it with `auditor audit ... --resume`"
        )
    if (run.methodology_id, run.methodology_version) != wanted:
        raise StoreError(
            f"{store.path}: run {run.id} was scored under methodology {run.methodology_id} "
            f"v{run.methodology_version}, not {methodology.id} v{methodology.version}; "
            "pass --rules for that methodology"
        )
    return run


def identity(run: RunInfo) -> str:
    """What names the catalog in feed ids: its sources (stable from night to night)."""
    return "|".join(sorted(run.sources)) or "auditor"


@dataclass
class StoreExtras:
    """The history parts of one site (``auditor.render.site.SiteExtras``)."""

    history: StoreHistory
    changes: Mapping[str, tuple[ChangeRow, ...]]
    titles: Mapping[str, str]
    names: Mapping[str, str]
    gone: Mapping[str, str]
    methodology: Methodology
    base_url: str | None = None
    feed: str | None = "feed.xml"
    banner: str | None = None
    language: Language = field(default_factory=Language)
    """The pages' language; ``methodology`` is already in it (``auditor.render.site.described``)."""

    def entry(self, entry_id: str, name: str, view: EntryView) -> tuple[EntryView, Any]:
        title = self.titles.get(entry_id, view.title)
        part = entry_history(
            entry_id, title, name, self.history, self.changes.get(entry_id, ()), self.methodology,
            self.language,
        )  # fmt: skip
        schema = view.spec.schema
        if schema is not None and part.schema_age is not None:
            schema = replace(
                schema, source=part.schema_source or schema.source, age=part.schema_age
            )
            view = replace(view, spec=replace(view.spec, schema=schema))
        return view, part

    def index(self, rows: list[dict[str, Any]]) -> Any:
        every = [c for rows_ in self.changes.values() for c in rows_]
        part = index_history(
            self.history, self.titles, self.names, every, self.gone, self.methodology,
            self.language,
        )  # fmt: skip
        for row in rows:
            row["history"] = part.rows.get(row["id"])
        return part

    def _root(self, relative: str) -> str:
        return f"{self.base_url.rstrip('/')}/" if self.base_url else relative

    def write(self, out: OutputFolder, names: Mapping[str, str]) -> list[Path]:
        history = self.history
        tr = self.language
        key = identity(history.run)
        out.subfolder("feeds")
        files: list[Path] = []
        every: list[FeedEntry] = []
        for entry_id in history.entries:
            name = names.get(entry_id, self.names.get(entry_id, entry_id))
            title = self.titles.get(entry_id, entry_id)
            rows = self.changes.get(entry_id, ())
            htmls = [change_html(row, tr) for row in rows]
            for root, collected in (("../", []), ("", every)):
                page = f"{self._root(root)}entries/{name}.html"
                found = [
                    change_entry(key, r, page, h, tr) for r, h in zip(rows, htmls, strict=True)
                ]
                found += incident_entries(
                    key,
                    entry_id,
                    title,
                    incidents(history.verifications.get(entry_id, ()), history.as_of),
                    page,
                    tr,
                )
                if root:
                    files.append(
                        out.write(
                            f"feeds/{name}.xml",
                            atom_feed(
                                key,
                                f"entry/{entry_id}",
                                title=tr.gettext("%(title)s: what changed") % {"title": title},
                                subtitle=tr.gettext(
                                    "Score, tier, spec and availability changes of %(title)s"
                                )
                                % {"title": title},
                                self_href=f"{self._root('../')}feeds/{name}.xml",
                                page_href=page,
                                entries=found,
                                updated=history.as_of,
                                tr=tr,
                            ),
                        )
                    )
                else:
                    collected.extend(found)
        files.append(
            out.write(
                "feed.xml",
                atom_feed(
                    key,
                    "catalog",
                    title=tr.gettext("%(title)s: what changed") % {"title": self.methodology.title},
                    subtitle=tr.gettext(
                        "Score, tier, spec and availability changes of every entry"
                    ),
                    self_href=f"{self._root('')}feed.xml",
                    page_href=f"{self._root('')}index.html",
                    entries=every,
                    updated=history.as_of,
                    limit=200,
                    tr=tr,
                ),
            )
        )
        from auditor.render.history_badges import write_uptime_badges

        files += write_uptime_badges(out, history, names)
        return files


@dataclass(frozen=True, slots=True)
class StoredRun:
    """What a store gives the site: the run's results document and the history parts."""

    document: dict[str, Any]
    extras: StoreExtras
    run: RunInfo


def read_store(
    path: Path,
    methodology: Methodology,
    reference: str | None = None,
    base_url: str | None = None,
    tr: Language | None = None,
) -> StoredRun:
    """The run and its history; texts of the history parts in ``tr``'s language (English by
    default), with the methodology's names in it."""
    from auditor.render.site import described, result_names

    tr = tr or ENGLISH
    shown = described(methodology, tr)

    with reading(path) as store:
        run = pick_run(store, methodology, reference)
        results = load_results(store, run.id)
        history = load_history(store, run)
        changes = entry_changes(store, history)
        previous = history.previous
        gone = (
            entry_titles(
                store, previous.id, run_entry_ids(store, previous.id) - set(history.entries)
            )
            if previous is not None
            else {}
        )
    document = results_document(results, methodology)
    document["generated_at"] = history.as_of
    ids = [r.entry.id for r in results]
    names = dict(zip(ids, result_names([{"id": i} for i in ids]), strict=True))
    titles = {r.entry.id: r.entry.title or r.entry.id for r in results}
    rows = {
        entry_id: tuple(change_row(c, titles.get(entry_id, entry_id), names[entry_id], shown, tr)
                        for c in found)
        for entry_id, found in changes.items()
        if entry_id in names
    }  # fmt: skip
    extras = StoreExtras(
        history,
        rows,
        titles,
        names,
        gone,
        shown,
        base_url=base_url,
        banner=tr.gettext(DEGRADED_BANNER) if history.run_degraded else None,
        language=tr,
    )
    return StoredRun(document, extras, run)


def write_store_site(
    path: Path,
    methodology: Methodology,
    folder: Path,
    options: SiteOptions | None = None,
    reference: str | None = None,
) -> SiteResult:
    """The site of one stored run (default: the latest finished one) with its history."""
    options = options or SiteOptions()
    stored = read_store(path, methodology, reference, options.base_url, language(options.lang))
    now = parse_iso(stored.extras.history.as_of)
    return write_site(
        stored.document, methodology, folder, replace(options, now=now), stored.extras
    )
