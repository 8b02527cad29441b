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

A run keeps at most ``max_catalog_entries`` records (entries passing the
filters, and skipped records): past it, the source being read is closed and the
remaining ones are not opened, each with a problem saying how to raise the cap.
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import replace

from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.catalog.select import SourceOptions, choose_source
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
    module doc); records without an entry only contribute their problems.

    Linear in the number of records: each id remembers the next ``~N`` to try, so
    100,000 copies of one id do not each count up from 2 again (that was quadratic),
    and the first entry of an id is made comparable once, not once per copy."""
    reserved = {entry.id for entry, _ in records if entry is not None}
    kept: dict[str, Entry] = {}
    comparable: dict[str, dict[str, object]] = {}
    next_number: dict[str, int] = {}
    for entry, problems in records:
        if entry is None:
            loaded.problems.extend(problems)
            continue
        first = kept.get(entry.id)
        if first is not None:
            if entry.id not in comparable:
                comparable[entry.id] = _comparable(first)
            if comparable[entry.id] == _comparable(entry):
                merged = CatalogProblem(
                    entry.origin or "?",
                    f"duplicate of the identical entry read from {first.origin}; merged",
                    entry.id,
                    "id",
                )
                loaded.problems.extend([*problems, merged])
                loaded.entry_problems.setdefault(entry.id, []).extend([*problems, merged])
                continue
            # numbers below next_number[id] were given earlier or are ids entries carry
            number = next_number.get(entry.id, 2)
            while f"{entry.id}~{number}" in reserved or f"{entry.id}~{number}" in kept:
                number += 1
            next_number[entry.id] = number + 1
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
    cap = settings.limits.max_catalog_entries
    loaded = LoadedCatalog()
    records: list[tuple[Entry | None, list[CatalogProblem]]] = []
    full = False
    for source in sources:
        if full:
            message = f"not read: the run already holds {cap:,} records; {_raise(cap)}"
            records.append((None, [CatalogProblem(source, message)]))
            continue
        source_type, reader = await choose_source(source, settings, options)
        searched = source_type.server_filtered
        async with aclosing(reader.records()) as stream:
            async for record in stream:
                if record.entry is not None and not matches(
                    record.entry, options, searched=searched
                ):
                    loaded.filtered_out += 1
                    continue
                if len(records) >= cap:
                    full = True
                    message = f"reading stopped after {cap:,} records; {_raise(cap)}"
                    records.append((None, [CatalogProblem(reader.label, message)]))
                    break
                records.append((record.entry, list(record.problems)))
    disambiguate(records, loaded)
    return loaded


def _raise(cap: int) -> str:
    return (
        f"max_catalog_entries is {cap:,} for the whole run (entries and skipped records); "
        "raise it with --limit max_catalog_entries=N to read the rest"
    )
