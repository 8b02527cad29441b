"""Turn the SOURCE arguments into entries: catalog files, spec files, folders, URLs.

A URL is fetched through the guarded fetcher like any other untrusted input.
A folder is read as a set of single-spec sources (``*.json``, ``*.yaml``,
``*.yml``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.catalog.native import load_native
from auditor.catalog.spec_source import entry_from_spec, is_spec
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.net.fetcher import Fetcher
from auditor.spec.parse import DocumentError, decode_text, parse_document

SPEC_SUFFIXES = (".json", ".yaml", ".yml")


def _from_bytes(
    data: bytes, origin: str, *, url: str | None, settings: AuditSettings
) -> LoadedCatalog:
    limits = settings.limits
    try:
        document = parse_document(
            data, max_nodes=limits.max_yaml_nodes, max_depth=limits.max_json_depth
        )
        text = decode_text(data)
    except DocumentError as exc:
        raise CatalogError(f"{origin}: cannot read as a catalog or a spec: {exc}") from exc
    if is_spec(document):
        return LoadedCatalog([entry_from_spec(document, origin, url=url)])
    loaded = load_native(document, text, origin)
    if not loaded.entries and loaded.problems and "not a catalog" in loaded.problems[0].message:
        raise CatalogError(str(loaded.problems[0]))
    return loaded


def _load_folder(folder: Path, settings: AuditSettings) -> LoadedCatalog:
    loaded = LoadedCatalog()
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SPEC_SUFFIXES):
        try:
            data = path.read_bytes()
            document = parse_document(data, max_nodes=settings.limits.max_yaml_nodes)
        except (OSError, DocumentError) as exc:
            loaded.problems.append(CatalogProblem(str(path), f"skipped: {exc}"))
            continue
        if is_spec(document):
            loaded.entries.append(entry_from_spec(document, str(path)))
        else:
            loaded.problems.append(
                CatalogProblem(str(path), "skipped: not an OpenAPI/Swagger document")
            )
    return loaded


async def _load_url(url: str, settings: AuditSettings) -> LoadedCatalog:
    async with Fetcher(settings) as fetcher:
        observation = await fetcher.fetch(url, max_bytes=settings.limits.max_spec_bytes)
    if observation.body is None or observation.status is None or observation.status >= 400:
        raise CatalogError(f"{url}: cannot fetch source: {observation.describe()}")
    return _from_bytes(observation.body, url, url=url, settings=settings)


async def load_source(source: str, settings: AuditSettings) -> LoadedCatalog:
    if source.startswith(("http://", "https://")):
        return await _load_url(source, settings)
    path = Path(source)
    if path.is_dir():
        return _load_folder(path, settings)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    return _from_bytes(data, source, url=None, settings=settings)


async def load_sources(sources: list[str], settings: AuditSettings) -> LoadedCatalog:
    """Load every source; ids repeated across sources get a ``~2`` suffix and a problem."""
    loaded = LoadedCatalog()
    for source in sources:
        loaded.extend(await load_source(source, settings))
    seen: dict[str, int] = {}
    unique = []
    for entry in loaded.entries:
        count = seen.get(entry.id, 0) + 1
        seen[entry.id] = count
        if count > 1:
            new_id = f"{entry.id}~{count}"
            loaded.problems.append(
                CatalogProblem(
                    entry.origin or "?", f"duplicate id; renamed to {new_id!r}", entry.id, "id"
                )
            )
            entry = replace(entry, id=new_id)
        unique.append(entry)
    loaded.entries = unique
    return loaded
