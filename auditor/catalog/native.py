"""auditor's own catalog format: YAML or JSON, a list of entries or ``{entries: [...]}``.

Keys are the Entry field names. A record without an id gets one from its
title; a record with neither is skipped; unknown keys are kept in ``raw``
and reported. Every problem names the file, the line and the field.

A record may name its ``catalog`` (free text), but never an official portal
(``api_gouv_fr``, ``datagouv``): anyone can write a file, and that listing is
worth points. Such a claim stays in ``raw`` and is reported.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from auditor.catalog.base import (
    CatalogProblem,
    SourceRecord,
    SourceType,
    official_claim,
    slugify,
    tag_list,
    text_value,
)
from auditor.errors import CatalogError
from auditor.model import ENTRY_FIELDS, Entry

if TYPE_CHECKING:
    from auditor.catalog.material import Material

TEXT_FIELDS = tuple(f for f in ENTRY_FIELDS if f != "tags")


def records_of(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("entries"), list):
        return list(document["entries"])
    return None


def entry_from_record(
    record: Any, origin: str, index: int, catalog: str, *, report_unknown: bool = True
) -> tuple[Entry | None, list[CatalogProblem]]:
    """Map one native record; ``catalog`` is the id used when the record names none."""
    label = f"#{index + 1}"
    if not isinstance(record, dict):
        problem = CatalogProblem(origin, f"is a {type(record).__name__}, not a mapping", label)
        return None, [problem]
    problems: list[CatalogProblem] = []
    values = {f: text_value(record.get(f)) for f in TEXT_FIELDS}
    entry_id, title = values["id"], values["title"]
    if entry_id:
        label = f"#{index + 1} ({entry_id})"
    if not entry_id and not title:
        return None, [CatalogProblem(origin, "has neither id nor title; skipped", label, "id")]
    if not entry_id:
        entry_id = slugify(str(title))
        problems.append(
            CatalogProblem(origin, f"missing; derived {entry_id!r} from title", label, "id")
        )
    if not title:
        title = entry_id
        problems.append(CatalogProblem(origin, "missing; using the id as title", label, "title"))
    tags = tag_list(record.get("tags"))
    if tags is None:
        tags = ()
        if record.get("tags") is not None:
            problems.append(
                CatalogProblem(origin, "must be a list or a comma-separated string", label, "tags")
            )
    for name in TEXT_FIELDS:
        value = record.get(name)
        if isinstance(value, dict | list):
            problems.append(
                CatalogProblem(
                    origin, f"is a {type(value).__name__}, not text; ignored", label, name
                )
            )
    catalog_id = values["catalog"] or catalog
    claimed = official_claim(values["catalog"])
    if claimed is not None:
        catalog_id = catalog
        problems.append(
            CatalogProblem(
                origin,
                f"claims the official catalog {claimed!r}; only the api.gouv.fr and data.gouv.fr "
                "sources can set it, so it is kept in raw but not used",
                label,
                "catalog",
            )
        )
    if report_unknown:
        for key in record:
            if key not in ENTRY_FIELDS:
                problems.append(
                    CatalogProblem(
                        origin, "unknown field, kept in raw but not used", label, str(key)
                    )
                )
    entry = Entry(
        id=str(entry_id),
        title=str(title),
        description=values["description"],
        organization=values["organization"],
        base_url=values["base_url"],
        spec_url=values["spec_url"],
        docs_url=values["docs_url"],
        homepage_url=values["homepage_url"],
        contact=values["contact"],
        license=values["license"],
        tags=tags,
        catalog=catalog_id,
        catalog_url=values["catalog_url"],
        origin=origin,
        raw=dict(record),
    )
    return entry, problems


Lines = Callable[[str | None], list[int]]
"""Record lines of a parsed document, for the list at its root or under a key
(``Material.record_lines``)."""


def native_records(
    document: Any, lines_of: Lines, origin: str, catalog: str = "file"
) -> Iterator[SourceRecord]:
    """One SourceRecord per record of a parsed native catalog, mapped lazily."""
    records = records_of(document)
    if records is None:
        problem = CatalogProblem(
            origin, "not a catalog: expected a list of entries or {entries: [...]}"
        )
        yield SourceRecord(None, (problem,))
        return
    lines = lines_of("entries")
    for index, record in enumerate(records):
        where = f"{origin}:{lines[index]}" if index < len(lines) else origin
        entry, problems = entry_from_record(record, where, index, catalog)
        yield SourceRecord(entry, tuple(problems))


class NativeSource:
    """A parsed native catalog document (the file was read and parsed by the caller)."""

    def __init__(self, document: Any, lines_of: Lines, origin: str) -> None:
        self.label = origin
        self._document = document
        self._lines_of = lines_of

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        for record in native_records(self._document, self._lines_of, self.label):
            yield record


def _read_native(material: Material) -> NativeSource:
    document = material.document()
    if records_of(document) is None:
        raise CatalogError(
            f"{material.location}: not a catalog: expected a list of entries or {{entries: [...]}}"
        )
    return NativeSource(document, material.record_lines, material.location)


NATIVE = SourceType("native", "file", _read_native, detect=lambda material: True)
"""auditor's own YAML/JSON catalog; detection's last resort for files and URLs."""
