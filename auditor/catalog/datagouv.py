"""data.gouv.fr dataservices: map one record of ``/api/1/dataservices/`` to an Entry,
and read saved dumps of such pages.

The mapping table is in docs/catalogs.md. Two rules matter for scores:

* ``Entry.catalog`` is ``datagouv`` only when the user selected the source as
  data.gouv.fr (``datagouv:`` or ``--source-type datagouv``); a file that merely
  looks like a dump is mapped the same way but cannot claim the listing.
* ``availability`` is what the publisher *declares*; it is moved to
  ``raw["declared_availability"]`` and never stored where a measured figure
  could be mistaken for it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING, Any

from auditor.catalog.base import (
    CatalogProblem,
    SourceRecord,
    SourceType,
    slugify,
    tag_list,
    text_value,
)
from auditor.catalog.native import Lines
from auditor.errors import CatalogError
from auditor.model import Entry

if TYPE_CHECKING:
    from auditor.catalog.material import Material

CATALOG_ID = "datagouv"
UNTRUSTED_CATALOG_ID = "file"
MARKER_FIELDS = frozenset(
    {"base_api_url", "machine_documentation_url", "technical_documentation_url", "self_api_url"}
)
URL_FIELDS = {
    "base_api_url": "base_url",
    "machine_documentation_url": "spec_url",
    "technical_documentation_url": "docs_url",
    "business_documentation_url": "homepage_url",
}


def is_dataservice(record: Any) -> bool:
    return isinstance(record, dict) and bool(MARKER_FIELDS & record.keys())


def is_page(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("data"), list)


def looks_like_dump(document: Any) -> bool:
    """A page, a list of pages, a list of dataservice records, or one record (judged
    on the first records, so one malformed record does not hide the shape)."""
    if is_dataservice(document):
        return True
    if is_page(document):
        data = document["data"]
        return any(is_dataservice(r) for r in data[:20]) or (
            not data and ("total" in document or "next_page" in document)
        )
    if isinstance(document, list) and document:
        head = document[:20]
        return all(is_page(p) for p in head) or any(is_dataservice(r) for r in head)
    return False


def _badges(organization: Any) -> list[str]:
    badges = organization.get("badges") if isinstance(organization, dict) else None
    kinds = []
    for badge in badges if isinstance(badges, list) else []:
        kind = badge.get("kind") if isinstance(badge, dict) else badge
        if isinstance(kind, str) and kind.strip():
            kinds.append(kind.strip())
    return kinds


def _contact(points: Any) -> str | None:
    for point in points if isinstance(points, list) else []:
        if isinstance(point, dict):
            found = text_value(point.get("email")) or text_value(point.get("contact_form"))
            if found:
                return found
    return None


def _license(value: Any) -> str | None:
    if isinstance(value, dict):
        return text_value(value.get("id")) or text_value(value.get("title"))
    return text_value(value)


def entry_from_dataservice(
    record: Any, origin: str, index: int, *, trusted: bool
) -> tuple[Entry | None, list[CatalogProblem]]:
    """Map one dataservice; ``trusted`` when the user selected the source as data.gouv.fr."""
    label = f"#{index + 1}"
    if not isinstance(record, dict):
        return None, [CatalogProblem(origin, f"is a {type(record).__name__}, not a record", label)]
    problems: list[CatalogProblem] = []
    title = text_value(record.get("title"))
    entry_id = text_value(record.get("slug")) or text_value(record.get("id"))
    if entry_id:
        label = f"#{index + 1} ({entry_id})"
    if not title and not entry_id:
        return None, [CatalogProblem(origin, "has no title, slug or id; skipped", label, "title")]
    if not title:
        problems.append(CatalogProblem(origin, "missing; using the slug as title", label, "title"))
    if not entry_id:
        entry_id = slugify(str(title))
        problems.append(
            CatalogProblem(origin, f"no slug or id; derived {entry_id!r} from title", label, "slug")
        )
    urls: dict[str, str | None] = {}
    for source_field, entry_field in URL_FIELDS.items():
        value = record.get(source_field)
        text = text_value(value)
        if source_field == "machine_documentation_url" and text is None:
            text = text_value(record.get("endpoint_description_url"))  # the older name
        if value is not None and not isinstance(value, str):
            problems.append(CatalogProblem(origin, "is not text; ignored", label, source_field))
            text = None
        urls[entry_field] = text  # kept as stated; an unusable URL is reported downstream
    organization = record.get("organization")
    if organization is not None and not isinstance(organization, dict):
        problems.append(
            CatalogProblem(origin, "is not an object; organisation unknown", label, "organization")
        )
    tags = tag_list(record.get("tags"))
    if tags is None:
        tags = ()
        if record.get("tags") is not None:
            problems.append(CatalogProblem(origin, "is not a list; ignored", label, "tags"))
    raw = {k: v for k, v in record.items() if k != "availability"}
    raw["organization_badges"] = _badges(organization)
    raw["declared_availability"] = record.get("availability")
    if not trusted:
        raw["catalog_claim"] = CATALOG_ID
    entry = Entry(
        id=entry_id,
        title=title or entry_id,
        description=text_value(record.get("description")),
        organization=text_value(organization.get("name"))
        if isinstance(organization, dict)
        else None,
        base_url=urls["base_url"],
        spec_url=urls["spec_url"],
        docs_url=urls["docs_url"],
        homepage_url=urls["homepage_url"],
        contact=_contact(record.get("contact_points")),
        license=_license(record.get("license")),
        tags=tags,
        catalog=CATALOG_ID if trusted else UNTRUSTED_CATALOG_ID,
        catalog_url=text_value(record.get("self_web_url")),
        origin=origin,
        raw=raw,
    )
    return entry, problems


def page_records(
    page: dict[str, Any], origin: str, start: int, *, trusted: bool, lines: list[int] | None = None
) -> Iterator[SourceRecord]:
    """The records of one page; ``start`` numbers them across pages."""
    for offset, record in enumerate(page["data"]):
        where = f"{origin}:{lines[offset]}" if lines and offset < len(lines) else origin
        entry, problems = entry_from_dataservice(record, where, start + offset, trusted=trusted)
        yield SourceRecord(entry, tuple(problems))


def dump_records(
    document: Any, lines_of: Lines, origin: str, *, trusted: bool
) -> Iterator[SourceRecord]:
    """Records of a saved dump: one page, a list of pages, a list of records or one record."""
    if not trusted:
        note = CatalogProblem(
            origin,
            "read as a data.gouv.fr dump (detected); its entries count as data.gouv.fr listings "
            "only when you select it with datagouv:PATH or --source-type datagouv",
        )
        yield SourceRecord(None, (note,))
    if is_page(document):
        yield from page_records(document, origin, 0, trusted=trusted, lines=lines_of("data"))
        return
    if is_dataservice(document):
        yield from page_records({"data": [document]}, origin, 0, trusted=trusted)
        return
    if not isinstance(document, list):
        problem = CatalogProblem(
            origin, "not a data.gouv.fr dump: expected a page {data: [...]} or a list"
        )
        yield SourceRecord(None, (problem,))
        return
    if document and all(is_page(p) for p in document):
        count = 0
        for number, page in enumerate(document, start=1):
            yield from page_records(page, f"{origin} page {number}", count, trusted=trusted)
            count += len(page["data"])
        return
    yield from page_records({"data": document}, origin, 0, trusted=trusted, lines=lines_of(None))


class DatagouvDumpSource:
    """A saved JSON dump of ``/api/1/dataservices/`` pages (parsed by the caller)."""

    def __init__(self, document: Any, lines_of: Lines, origin: str, *, trusted: bool) -> None:
        self.label = origin
        self._document = document
        self._lines_of = lines_of
        self._trusted = trusted

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        records = dump_records(self._document, self._lines_of, self.label, trusted=self._trusted)
        for record in records:
            yield record


def _read_dump(material: Material) -> DatagouvDumpSource:
    document = material.document("a data.gouv.fr dump", json=True)
    if not (is_page(document) or is_dataservice(document) or isinstance(document, list)):
        raise CatalogError(
            f"{material.location}: not a data.gouv.fr dump: expected a page {{data: [...]}} "
            "or a list"
        )
    return DatagouvDumpSource(
        document, material.record_lines, material.location, trusted=material.trusted
    )


DATAGOUV_DUMP = SourceType(
    "datagouv",
    "file",
    _read_dump,
    detect=lambda material: looks_like_dump(material.document()),
    prefix="datagouv:",
)
"""``datagouv:FILE``, or a file that looks like a dump (then it cannot claim the listing)."""
