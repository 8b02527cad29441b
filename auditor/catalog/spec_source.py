"""A single OpenAPI/Swagger document as a one-entry catalog.

The entry is derived from the spec itself: ``info`` (title, description,
contact, licence), ``servers`` or ``host``/``basePath``, ``externalDocs`` and
``tags``. A local file is analysed from disk (``local_spec``); a URL is the
entry's ``spec_url``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.catalog.base import slugify
from auditor.model import Entry
from auditor.spec.analyse import _servers  # the one place servers are read


def is_spec(document: Any) -> bool:
    return isinstance(document, dict) and ("openapi" in document or "swagger" in document)


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def entry_from_spec(document: dict[str, Any], origin: str, *, url: str | None = None) -> Entry:
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    title = _str(_get(info, "title")) or Path(origin).stem
    servers = [s for s in _servers(document) if s.startswith(("http://", "https://"))]
    contact = _str(_get(info, "contact", "email")) or _str(_get(info, "contact", "url"))
    licence = _str(_get(info, "license", "identifier")) or _str(_get(info, "license", "name"))
    tags = tuple(
        t["name"] for t in document.get("tags") or [] if isinstance(t, dict) and _str(t.get("name"))
    )
    return Entry(
        id=slugify(title),
        title=title,
        description=_str(_get(info, "description")),
        organization=_str(_get(info, "contact", "name")) or _str(_get(info, "x-providerName")),
        base_url=servers[0] if servers else None,
        spec_url=url,
        docs_url=_str(_get(document, "externalDocs", "url")),
        homepage_url=None,
        contact=contact,
        license=licence,
        tags=tags,
        catalog="spec",
        origin=origin,
        local_spec=None if url else origin,
        raw={"info": info},
    )
