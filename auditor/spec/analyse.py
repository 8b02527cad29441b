"""Everything auditor learns from one spec document, in one picklable report.

``analyse_spec`` is the unit of CPU work: it runs in a worker process for
large specs and hands back a compact summary, never the parsed document.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from auditor.spec.detect import detect_format
from auditor.spec.parse import DocumentError, parse_document
from auditor.spec.validate import validate_document, validator_id

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True, slots=True)
class SpecReport:
    sha256: str
    size: int
    family: str = "unknown"
    version: str | None = None
    format_label: str = "unknown"
    format_known: bool = False
    parse_error: str | None = None
    valid: bool | None = None
    errors: tuple[str, ...] = ()
    note: str | None = None
    validator: str = ""
    title: str | None = None
    license: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    servers: tuple[str, ...] = ()
    path_count: int = 0
    operation_count: int = 0
    duration_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _servers(document: dict[str, Any]) -> tuple[str, ...]:
    if isinstance(document.get("servers"), list):
        return tuple(
            str(s["url"]) for s in document["servers"] if isinstance(s, dict) and "url" in s
        )
    host = document.get("host")
    if isinstance(host, str):
        schemes = document.get("schemes") or ["https"]
        base = document.get("basePath") or ""
        return tuple(f"{scheme}://{host}{base}" for scheme in schemes if isinstance(scheme, str))
    return ()


def _mapping(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


def analyse_spec(data: bytes, max_nodes: int = 2_000_000, max_depth: int = 512) -> SpecReport:
    started = time.perf_counter()
    digest = hashlib.sha256(data).hexdigest()
    try:
        document = parse_document(data, max_nodes=max_nodes, max_depth=max_depth)
    except DocumentError as exc:
        return SpecReport(digest, len(data), parse_error=str(exc), validator=validator_id())
    fmt = detect_format(document)
    verdict = validate_document(document, fmt)
    info = document.get("info") if isinstance(document, dict) else None
    info = info if isinstance(info, dict) else {}
    paths = document.get("paths") if isinstance(document, dict) else None
    paths = paths if isinstance(paths, dict) else {}
    operations = sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )
    return SpecReport(
        sha256=digest,
        size=len(data),
        family=fmt.family,
        version=fmt.version,
        format_label=fmt.label,
        format_known=fmt.known,
        valid=verdict.valid,
        errors=verdict.errors,
        note=verdict.note,
        validator=validator_id(),
        title=str(info["title"]) if "title" in info else None,
        license=_mapping(info.get("license")),
        contact=_mapping(info.get("contact")),
        servers=_servers(document) if isinstance(document, dict) else (),
        path_count=len(paths),
        operation_count=operations,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
