"""A single OpenAPI/Swagger document as a one-entry catalog, and folders of them.

The entry is derived from the spec itself: ``info`` (title, description,
contact, licence), ``servers`` or ``host``/``basePath``, ``externalDocs`` and
``tags``. A local file is analysed from disk (``local_spec``); a URL is the
entry's ``spec_url``. Only the spec's ``info`` is kept in ``raw``, so a folder
of large specs is never held in memory.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.catalog.base import CatalogProblem, SourceRecord, SourceType, slugify
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.model import Entry
from auditor.spec.analyse import _servers  # the one place servers are read
from auditor.spec.parse import DocumentError, parse_document

if TYPE_CHECKING:
    from auditor.catalog.material import Material

SPEC_SUFFIXES = (".json", ".yaml", ".yml")


def is_spec(document: Any) -> bool:
    return isinstance(document, dict) and ("openapi" in document or "swagger" in document)


def get_path(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def str_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def absolute_servers(document: dict[str, Any]) -> list[str]:
    return [s for s in _servers(document) if s.startswith(("http://", "https://"))]


def entry_from_spec(document: dict[str, Any], origin: str, *, url: str | None = None) -> Entry:
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    title = str_or_none(get_path(info, "title")) or Path(origin).stem
    servers = absolute_servers(document)
    contact = str_or_none(get_path(info, "contact", "email")) or str_or_none(
        get_path(info, "contact", "url")
    )
    licence = str_or_none(get_path(info, "license", "identifier")) or str_or_none(
        get_path(info, "license", "name")
    )
    tags = tuple(
        t["name"]
        for t in document.get("tags") or []
        if isinstance(t, dict) and str_or_none(t.get("name"))
    )
    return Entry(
        id=slugify(title),
        title=title,
        description=str_or_none(get_path(info, "description")),
        organization=str_or_none(get_path(info, "contact", "name"))
        or str_or_none(get_path(info, "x-providerName")),
        base_url=servers[0] if servers else None,
        spec_url=url,
        docs_url=str_or_none(get_path(document, "externalDocs", "url")),
        homepage_url=None,
        contact=contact,
        license=licence,
        tags=tags,
        catalog="spec",
        origin=origin,
        local_spec=None if url else origin,
        raw={"info": info},
    )


def spec_files(folder: Path) -> list[Path]:
    """Spec-looking files under ``folder``, sorted so every run sees the same order."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SPEC_SUFFIXES and p.is_file())


def read_spec_file(path: Path, settings: AuditSettings) -> Any:
    """The parsed document; raises OSError or DocumentError (over-size files included)."""
    limits = settings.limits
    size = path.stat().st_size
    if size > limits.max_spec_bytes:
        raise DocumentError(f"{size:,} bytes, over the {limits.max_spec_bytes:,}-byte cap")
    return parse_document(
        path.read_bytes(), max_nodes=limits.max_yaml_nodes, max_depth=limits.max_json_depth
    )


class SpecFolderSource:
    """Every spec file under a folder, each a one-entry catalog; other files are reported."""

    def __init__(self, folder: Path, settings: AuditSettings) -> None:
        self.label = str(folder)
        self._folder = folder
        self._settings = settings

    def _iter(self) -> Iterator[SourceRecord]:
        for path in spec_files(self._folder):
            try:
                document = read_spec_file(path, self._settings)
            except (OSError, DocumentError) as exc:
                problem = CatalogProblem(str(path), f"skipped: {exc}")
                yield SourceRecord(None, (problem,))
                continue
            if is_spec(document):
                yield SourceRecord(entry_from_spec(document, str(path)))
            else:
                problem = CatalogProblem(str(path), "skipped: not an OpenAPI/Swagger document")
                yield SourceRecord(None, (problem,))

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        for record in self._iter():
            yield record


class SingleSpecSource:
    """One spec document as a one-entry catalog."""

    def __init__(self, document: dict[str, Any], origin: str, url: str | None) -> None:
        self.label = origin
        self._record = SourceRecord(entry_from_spec(document, origin, url=url))

    async def records(self) -> AsyncGenerator[SourceRecord, None]:
        yield self._record


def _read_spec(material: Material) -> SingleSpecSource:
    document = material.document()
    if not is_spec(document):
        raise CatalogError(f"{material.location}: not an OpenAPI/Swagger document")
    return SingleSpecSource(document, material.location, material.url)


SPEC = SourceType("spec", "file", _read_spec, detect=lambda material: is_spec(material.document()))
"""One OpenAPI/Swagger document, a file or a URL."""
SPEC_FOLDER = SourceType(
    "specs",
    "folder",
    lambda material: SpecFolderSource(material.path, material.settings),
    detect=lambda material: True,
)
"""Every spec under a folder; detection's last resort for folders."""
