"""What ``auditor catalog`` shows: the normalised entries and their metadata problems,
without probing anything.

Per entry: the mapped fields, the problems met while mapping it, the
recommended fields it leaves empty, URL fields that cannot be probed, and the
figures the catalog *declares* (access type, availability, rate limit, badges),
labelled as declared. The JSON document has ``schema_version: 1``; fields may be
added, never changed or removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor import __version__
from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.model import ENTRY_FIELDS, ENTRY_URL_FIELDS, Entry, utc_now
from auditor.model import RECOMMENDED_FIELDS as MODEL_RECOMMENDED
from auditor.net.guard import url_problem

SCHEMA_VERSION = 1
RECOMMENDED_FIELDS = tuple(f for f in MODEL_RECOMMENDED if f != "title")
"""Title is always set (an entry without one gets its id), so it is never missing."""
DECLARED_KEYS = (
    "access_type",
    "declared_availability",
    "rate_limiting",
    "organization_badges",
    "unofficial_spec",
)
CSV_COLUMNS = (
    *ENTRY_FIELDS,
    "origin",
    "missing",
    "problems",
)


def missing_fields(entry: Entry) -> list[str]:
    """Recommended fields left empty (a spec read from disk stands in for spec_url)."""
    return [
        name
        for name in RECOMMENDED_FIELDS
        if not getattr(entry, name) and not (name == "spec_url" and entry.local_spec)
    ]


def url_problems(entry: Entry) -> list[CatalogProblem]:
    problems = []
    for name in ENTRY_URL_FIELDS:
        value = getattr(entry, name)
        why = url_problem(value) if value else None
        if why is not None:
            problems.append(
                CatalogProblem(entry.origin or "?", f"cannot be probed: {why}", entry.id, name)
            )
    return problems


def declared(entry: Entry) -> dict[str, Any]:
    return {k: entry.raw[k] for k in DECLARED_KEYS if entry.raw.get(k) not in (None, [], False)}


def entry_problems(loaded: LoadedCatalog, entry: Entry) -> list[CatalogProblem]:
    return [*loaded.entry_problems.get(entry.id, []), *url_problems(entry)]


def entry_listing(loaded: LoadedCatalog, entry: Entry, *, with_raw: bool) -> dict[str, Any]:
    data = entry.to_dict()
    data["declared"] = declared(entry)
    data["missing"] = missing_fields(entry)
    data["problems"] = [p.to_dict() for p in entry_problems(loaded, entry)]
    if with_raw:
        data["raw"] = dict(entry.raw)
    return data


def source_problems(loaded: LoadedCatalog) -> list[CatalogProblem]:
    """Problems that belong to no listed entry (skipped records, source notes)."""
    attached = {id(p) for problems in loaded.entry_problems.values() for p in problems}
    return [p for p in loaded.problems if id(p) not in attached]


def listing_document(
    loaded: LoadedCatalog, sources: list[str], *, with_raw: bool = False
) -> dict[str, Any]:
    entries = [entry_listing(loaded, e, with_raw=with_raw) for e in loaded.entries]
    missing = Counter(name for e in entries for name in e["missing"])
    fields = Counter(p["field"] or "(record)" for e in entries for p in e["problems"])
    return {
        "schema_version": SCHEMA_VERSION,
        "auditor_version": __version__,
        "generated_at": utc_now(),
        "sources": sources,
        "summary": {
            "entries": len(entries),
            "entries_with_problems": sum(1 for e in entries if e["problems"]),
            "problems": sum(len(e["problems"]) for e in entries),
            "problems_by_field": dict(sorted(fields.items())),
            "missing_by_field": {name: missing.get(name, 0) for name in RECOMMENDED_FIELDS},
            "source_problems": len(source_problems(loaded)),
            "filtered_out": loaded.filtered_out,
        },
        "entries": entries,
        "source_problems": [p.to_dict() for p in source_problems(loaded)],
    }


def listing_rows(loaded: LoadedCatalog) -> list[dict[str, str]]:
    """One flat row per entry for CSV (tags, missing fields and problems joined)."""
    rows = []
    for entry in loaded.entries:
        data = entry.to_dict()
        row = {k: "" if data.get(k) is None else str(data[k]) for k in CSV_COLUMNS[:-2]}
        row["tags"] = ", ".join(entry.tags)
        row["missing"] = ", ".join(missing_fields(entry))
        row["problems"] = "; ".join(
            f"{p.field}: {p.message}" if p.field else p.message
            for p in entry_problems(loaded, entry)
        )
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class Listing:
    """What ``auditor catalog`` reports: the catalog as read, nothing probed.

    Built here (:func:`listing`), where it is known which fields are missing and
    which URLs are unusable; the renderers (``auditor/render/listing.py``) only present it.
    """

    document: Mapping[str, Any]
    """The JSON document (``listing_document``); the table reads its entries and summary."""
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    """One flat row an entry, for CSV."""
    source_problems: list[str]
    """Problems that belong to no listed entry, as text."""


def listing(loaded: LoadedCatalog, sources: list[str], *, with_raw: bool = False) -> Listing:
    """What ``auditor catalog`` hands its renderers (``auditor/render/listing.py``)."""
    return Listing(
        document=listing_document(loaded, sources, with_raw=with_raw),
        columns=CSV_COLUMNS,
        rows=listing_rows(loaded),
        source_problems=[str(p) for p in source_problems(loaded)],
    )
