"""Which reader a SOURCE argument gets: by URI prefix, by ``--source-type``, or detected.

``datagouv:`` (the live API; ``datagouv:URL`` for another udata site,
``datagouv:FILE`` for a saved dump), ``apigouv:PATH``, ``apisguru:PATH_OR_URL``
select a reader explicitly, and only an explicit choice lets api.gouv.fr and
data.gouv.fr entries claim their portal's listing. Anything else is a file,
folder or URL whose type is detected from its content.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.catalog.apigouv import ApiGouvSource
from auditor.catalog.apisguru import ApisGuruListSource, ApisGuruSpecsSource, looks_like_list
from auditor.catalog.base import CatalogSource, SourceRecord
from auditor.catalog.csv_source import CsvSource, looks_like_csv
from auditor.catalog.datagouv import (
    DatagouvDumpSource,
    is_dataservice,
    is_page,
    looks_like_dump,
)
from auditor.catalog.datagouv_api import DEFAULT_SITE, DatagouvApiSource
from auditor.catalog.native import NativeSource, records_of
from auditor.catalog.spec_source import SpecFolderSource, entry_from_spec, is_spec
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.net.fetcher import Fetcher
from auditor.spec.parse import DocumentError, decode_text, parse_document

SOURCE_TYPES = ("auto", "native", "csv", "spec", "specs", "datagouv", "apigouv", "apisguru")
PREFIXES = ("datagouv", "apigouv", "apisguru")


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How SOURCE arguments are read and filtered (``auditor audit``/``catalog`` flags)."""

    source_type: str = "auto"
    organization: str | None = None
    tag: str | None = None
    q: str | None = None
    datagouv_site: str = DEFAULT_SITE
    page_size: int = 100

    def __post_init__(self) -> None:
        if self.source_type not in SOURCE_TYPES:
            raise CatalogError(
                f"unknown source type {self.source_type!r}; expected one of {', '.join(SOURCE_TYPES)}"
            )


def split_prefix(source: str) -> tuple[str | None, str]:
    """(``datagouv``/``apigouv``/``apisguru`` or None, the rest)."""
    head, sep, rest = source.partition(":")
    if sep and head.lower() in PREFIXES:
        return head.lower(), rest
    return None, source


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


class SingleSpecSource:
    """One spec document as a one-entry catalog."""

    def __init__(self, document: dict[str, Any], origin: str, url: str | None) -> None:
        self.label = origin
        self._record = SourceRecord(entry_from_spec(document, origin, url=url))

    async def records(self) -> AsyncIterator[SourceRecord]:
        yield self._record


async def _fetch(url: str, settings: AuditSettings) -> bytes:
    async with Fetcher(settings) as fetcher:
        observation = await fetcher.fetch(url, max_bytes=settings.limits.max_spec_bytes)
    if observation.body is None or observation.status is None or observation.status >= 400:
        raise CatalogError(f"{url}: cannot fetch source: {observation.describe()}")
    return observation.body


async def _read(location: str, settings: AuditSettings) -> bytes:
    if _is_url(location):
        return await _fetch(location, settings)
    path = Path(location)
    try:
        size = path.stat().st_size
        if size > settings.limits.max_spec_bytes:
            raise CatalogError(
                f"{location}: {size:,} bytes, over the {settings.limits.max_spec_bytes:,}-byte cap"
            )
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{location}: cannot read: {exc.strerror or exc}") from exc


def _parse(data: bytes, origin: str, settings: AuditSettings) -> tuple[Any, str]:
    limits = settings.limits
    try:
        text = decode_text(data)
        document = parse_document(
            data, max_nodes=limits.max_yaml_nodes, max_depth=limits.max_json_depth
        )
    except DocumentError as exc:
        raise CatalogError(f"{origin}: cannot read as a catalog or a spec: {exc}") from exc
    return document, text


def _from_document(
    kind: str, document: Any, text: str, origin: str, url: str | None, *, trusted: bool
) -> CatalogSource:
    if kind == "auto":
        if is_spec(document):
            kind = "spec"
        elif looks_like_dump(document):
            kind = "datagouv"
        elif looks_like_list(document):
            kind = "apisguru"
        else:
            kind = "native"
    if kind == "spec":
        if not is_spec(document):
            raise CatalogError(f"{origin}: not an OpenAPI/Swagger document")
        return SingleSpecSource(document, origin, url)
    if kind == "datagouv":
        if not (is_page(document) or is_dataservice(document) or isinstance(document, list)):
            raise CatalogError(
                f"{origin}: not a data.gouv.fr dump: expected a page {{data: [...]}} or a list"
            )
        return DatagouvDumpSource(document, text, origin, trusted=trusted)
    if kind == "apisguru":
        if not looks_like_list(document):
            raise CatalogError(f"{origin}: not an APIs.guru list.json ({{id: {{versions: ...}}}})")
        return ApisGuruListSource(document, origin)
    if kind == "native":
        if records_of(document) is None:
            raise CatalogError(
                f"{origin}: not a catalog: expected a list of entries or {{entries: [...]}}"
            )
        return NativeSource(document, text, origin)
    raise CatalogError(f"{origin}: a {kind} source must be a folder")


async def open_source(
    source: str, settings: AuditSettings, options: SourceOptions | None = None
) -> CatalogSource:
    """The reader for one SOURCE argument; raises CatalogError when it cannot be read."""
    options = options or SourceOptions()
    prefix, location = split_prefix(source)
    kind = prefix or options.source_type
    trusted = kind in ("datagouv", "apigouv")  # chosen by the user, never detected
    if kind == "datagouv" and (location == "" or _is_url(location)):
        return DatagouvApiSource(
            settings,
            location or options.datagouv_site,
            organization=options.organization,
            tag=options.tag,
            q=options.q,
            page_size=options.page_size,
        )
    if not location:
        raise CatalogError(f"{source}: no path or URL after the prefix")
    path = Path(location)
    if not _is_url(location) and path.is_dir():
        if kind == "apigouv":
            return ApiGouvSource(path, settings, trusted=trusted)
        if kind == "apisguru":
            return ApisGuruSpecsSource(path, settings)
        if kind in ("auto", "specs"):
            if kind == "auto" and ((path / "_data" / "api").is_dir()):
                return ApiGouvSource(path, settings, trusted=False)
            return SpecFolderSource(path, settings)
        raise CatalogError(f"{location}: is a folder; a {kind} source is a file")
    if kind in ("apigouv", "specs"):
        raise CatalogError(f"{location}: a {kind} source must be a folder")
    data = await _read(location, settings)
    url = location if _is_url(location) else None
    if kind == "csv" or (kind == "auto" and (location.lower().endswith(".csv") or _csv_text(data))):
        try:
            text = decode_text(data)
        except DocumentError as exc:
            raise CatalogError(f"{location}: cannot read as CSV: {exc}") from exc
        if not looks_like_csv(text, detecting=False):
            raise CatalogError(
                f"{location}: not a catalog: the CSV header must name Entry fields, "
                "at least id or title"
            )
        return CsvSource(text, location)
    document, text = _parse(data, location, settings)
    return _from_document(kind, document, text, location, url, trusted=trusted)


def _csv_text(data: bytes) -> bool:
    return looks_like_csv(data[:4096].decode("utf-8", "ignore"))
