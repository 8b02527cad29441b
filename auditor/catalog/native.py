"""auditor's own catalog format: YAML or JSON, a list of entries or ``{entries: [...]}``.

Keys are the Entry field names. A record without an id gets one from its
title; a record with neither is skipped; unknown keys are kept in ``raw``
and reported. Every problem names the file, the line and the field.
"""

from __future__ import annotations

from typing import Any

import yaml

from auditor.catalog.base import CatalogProblem, LoadedCatalog, slugify
from auditor.model import Entry

ENTRY_FIELDS = (
    "id",
    "title",
    "description",
    "organization",
    "base_url",
    "spec_url",
    "docs_url",
    "homepage_url",
    "contact",
    "license",
    "tags",
    "catalog",
    "catalog_url",
)
TEXT_FIELDS = tuple(f for f in ENTRY_FIELDS if f != "tags")


def _item_lines(text: str) -> list[int]:
    """1-based line of each entry record, when the text is YAML/JSON we can compose."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "entries"), None)
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def records_of(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("entries"), list):
        return list(document["entries"])
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def entry_from_record(
    record: Any, origin: str, index: int, catalog: str
) -> tuple[Entry | None, list[CatalogProblem]]:
    label = f"#{index + 1}"
    if not isinstance(record, dict):
        problem = CatalogProblem(origin, f"is a {type(record).__name__}, not a mapping", label)
        return None, [problem]
    problems: list[CatalogProblem] = []
    values = {f: _text(record.get(f)) for f in TEXT_FIELDS}
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
    raw_tags = record.get("tags")
    if isinstance(raw_tags, str):
        tags = tuple(t.strip() for t in raw_tags.split(",") if t.strip())
    elif isinstance(raw_tags, list):
        tags = tuple(str(t).strip() for t in raw_tags if str(t).strip())
    else:
        tags = ()
        if raw_tags is not None:
            problems.append(
                CatalogProblem(origin, "must be a list or a comma-separated string", label, "tags")
            )
    for key in record:
        if key not in ENTRY_FIELDS:
            problems.append(
                CatalogProblem(origin, "unknown field, kept in raw but not used", label, str(key))
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
        catalog=values["catalog"] or catalog,
        catalog_url=values["catalog_url"],
        origin=origin,
        raw=dict(record),
    )
    return entry, problems


def load_native(document: Any, text: str, origin: str) -> LoadedCatalog:
    records = records_of(document)
    loaded = LoadedCatalog()
    if records is None:
        loaded.problems.append(
            CatalogProblem(origin, "not a catalog: expected a list of entries or {entries: [...]}")
        )
        return loaded
    lines = _item_lines(text)
    for index, record in enumerate(records):
        where = f"{origin}:{lines[index]}" if index < len(lines) else origin
        entry, problems = entry_from_record(record, where, index, "file")
        loaded.problems.extend(problems)
        if entry is not None:
            loaded.entries.append(entry)
    return loaded
