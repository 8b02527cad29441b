"""The JSON results document as renderer input: read it, check it, say what is wrong.

Renderers accept only what ``audit --format json`` writes (``schema_version``
1). A file from a newer auditor, or one that is not a results document at
all, is refused with a message naming the file, not half-rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import AuditorError
from auditor.methodology.model import Methodology
from auditor.render.results_json import SCHEMA_VERSION

MAX_RESULTS_BYTES = 512 * 1024 * 1024


class ResultsError(AuditorError):
    """A results file that cannot be rendered."""


def looks_like_results(data: Any) -> bool:
    return isinstance(data, Mapping) and "schema_version" in data and "results" in data


def read_json(path: Path) -> Any | None:
    """The parsed JSON of a ``.json`` file, or None when it is not JSON (maybe a catalog)."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    if path.stat().st_size > MAX_RESULTS_BYTES:
        return None
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def check_document(data: Any, origin: str) -> dict[str, Any]:
    """The document when it can be rendered; ResultsError naming ``origin`` otherwise."""
    if not looks_like_results(data):
        raise ResultsError(f"{origin}: not a results document (no schema_version/results)")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ResultsError(f"{origin}: schema_version must be an integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise ResultsError(
            f"{origin}: schema_version {version} was written by a newer auditor; "
            f"this one reads version {SCHEMA_VERSION}"
        )
    results = data.get("results")
    if not isinstance(results, list):
        raise ResultsError(f"{origin}: 'results' must be a list")
    for index, result in enumerate(results):
        if not isinstance(result, Mapping) or not isinstance(result.get("id"), str):
            raise ResultsError(f"{origin}: results[{index}] has no string 'id'")
    return dict(data)


def methodology_mismatch(document: Mapping[str, Any], methodology: Methodology) -> str | None:
    """A warning when the results were scored under another methodology than the one given."""
    stated = document.get("methodology")
    if not isinstance(stated, Mapping):
        return None
    if (stated.get("id"), stated.get("version")) == (methodology.id, methodology.version):
        return None
    return (
        f"results were scored with methodology {stated.get('id')!r} v{stated.get('version')}, "
        f"but the pages describe {methodology.id!r} v{methodology.version} (pass --rules)"
    )
