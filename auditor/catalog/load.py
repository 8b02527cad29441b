"""Turn the SOURCE arguments into entries: open each source, filter, disambiguate ids.

Sources are read one after the other, each record as its source yields it.
Ids must be unique across the run. When two entries share an id:

* if they say exactly the same thing (every mapped field but ``origin``), the
  later one is merged into the first and the merge is reported;
* otherwise the later one is renamed ``<id>~N`` with the smallest N that is
  neither an id some entry already has nor one given earlier, and the rename is
  reported. Original ids are never taken away from the entry that carries them.

Every problem is kept in ``problems`` (the flat list the audit prints) and, for
problems about one entry, also under its final id in ``entry_problems``.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.catalog.datagouv_api import DatagouvApiSource
from auditor.catalog.select import SourceOptions, open_source
from auditor.context import AuditSettings
from auditor.model import Entry


def organization_keys(entry: Entry) -> set[str]:
    """Names and identifiers an --organization filter may give for this entry."""
    keys = {entry.organization}
    raw = entry.raw
    organization = raw.get("organization")
    if isinstance(organization, dict):
        keys.update(organization.get(k) for k in ("id", "slug", "name", "acronym"))
    keys.update(raw.get(k) for k in ("producer", "provider"))
    return {k.strip().casefold() for k in keys if isinstance(k, str) and k.strip()}


def matches(entry: Entry, options: SourceOptions, *, searched: bool = False) -> bool:
    """Whether the entry passes --organization, --tag and --q (``searched`` when the
    source already applied --q with its own search engine)."""
    if options.organization and options.organization.strip().casefold() not in (
        organization_keys(entry)
    ):
        return False
    if options.tag and options.tag.strip().casefold() not in {t.casefold() for t in entry.tags}:
        return False
    if options.q and not searched:
        needle = options.q.strip().casefold()
        haystack = (entry.id, entry.title, entry.description or "", *entry.tags)
        if not any(needle in text.casefold() for text in haystack):
            return False
    return True


def _comparable(entry: Entry) -> dict[str, object]:
    data = entry.to_dict()
    data.pop("origin")
    return data


def disambiguate(
    records: list[tuple[Entry | None, list[CatalogProblem]]], loaded: LoadedCatalog
) -> None:
    """Append the records to ``loaded`` in reading order, entries with unique ids (see the
    module doc); records without an entry only contribute their problems."""
    reserved = {entry.id for entry, _ in records if entry is not None}
    kept: dict[str, Entry] = {}
    for entry, problems in records:
        if entry is None:
            loaded.problems.extend(problems)
            continue
        first = kept.get(entry.id)
        if first is not None and _comparable(first) == _comparable(entry):
            merged = CatalogProblem(
                entry.origin or "?",
                f"duplicate of the identical entry read from {first.origin}; merged",
                entry.id,
                "id",
            )
            loaded.problems.extend([*problems, merged])
            loaded.entry_problems.setdefault(entry.id, []).extend([*problems, merged])
            continue
        if first is not None:
            number = 2
            while f"{entry.id}~{number}" in reserved or f"{entry.id}~{number}" in kept:
                number += 1
            new_id = f"{entry.id}~{number}"
            problems = [
                *problems,
                CatalogProblem(
                    entry.origin or "?", f"duplicate id; renamed to {new_id!r}", entry.id, "id"
                ),
            ]
            entry = replace(entry, id=new_id)
        kept[entry.id] = entry
        loaded.entries.append(entry)
        loaded.problems.extend(problems)
        if problems:
            loaded.entry_problems.setdefault(entry.id, []).extend(problems)


async def load_sources(
    sources: list[str], settings: AuditSettings, options: SourceOptions | None = None
) -> LoadedCatalog:
    """Load every source in order; raises CatalogError when a source cannot be read at all."""
    options = options or SourceOptions()
    loaded = LoadedCatalog()
    records: list[tuple[Entry | None, list[CatalogProblem]]] = []
    for source in sources:
        reader = await open_source(source, settings, options)
        searched = isinstance(reader, DatagouvApiSource)
        async for record in reader.records():
            if record.entry is None or matches(record.entry, options, searched=searched):
                records.append((record.entry, list(record.problems)))
            else:
                loaded.filtered_out += 1
    disambiguate(records, loaded)
    return loaded
