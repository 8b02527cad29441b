"""One SOURCE argument as detectors and readers see it (``registry.py`` declares them).

For a file or URL the bytes are read once; they are parsed on first use (a
detector that only looks at the first line, like CSV's, parses nothing) and
the parsed document is shared by every detector and the reader. YAML goes
through ``yaml_records``, one record at a time; JSON through ``parse_document``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from auditor.catalog.lines import item_lines
from auditor.catalog.yaml_records import YamlCatalog, load_yaml_catalog
from auditor.context import AuditSettings
from auditor.errors import CatalogError
from auditor.spec.parse import DocumentError, decode_text, parse_document

if TYPE_CHECKING:
    from auditor.catalog.select import SourceOptions


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class _Parsed:
    document: Any
    text: str
    yaml: YamlCatalog | None
    """Set when the text was read as YAML record by record (it knows the record lines)."""


class Material:
    """Where a SOURCE is, what the user chose, and, for the ``file`` form, its content."""

    location: str
    settings: AuditSettings
    options: SourceOptions
    trusted: bool
    """The user chose the type (prefix or ``--source-type``): it was not detected."""

    def __init__(
        self,
        location: str,
        settings: AuditSettings,
        options: SourceOptions,
        *,
        trusted: bool,
        data: bytes | None = None,
    ) -> None:
        self.location = location
        self.settings = settings
        self.options = options
        self.trusted = trusted
        self._data = data
        self._parsed: _Parsed | DocumentError | None = None

    @property
    def url(self) -> str | None:
        return self.location if is_url(self.location) else None

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def data(self) -> bytes:
        """The bytes of a file or URL (``file`` form only)."""
        if self._data is None:
            raise CatalogError(f"{self.location}: has no content to read")
        return self._data

    def head_text(self) -> str:
        """The first 4 KiB as text, undecodable bytes dropped (for detectors)."""
        return self.data[:4096].decode("utf-8", "ignore")

    def document(self, what: str = "a catalog or a spec", *, json: bool = False) -> Any:
        """The parsed JSON/YAML document; ``what`` and ``json`` (the format is JSON) only
        shape the error: a JSON document that fails is reported with JSON's reason, not
        with the one of the YAML parser tried after it."""
        parsed = self._parse()
        if isinstance(parsed, DocumentError):
            reason = str(parsed)
            if json:
                reason = _json_reason(self.data) or reason
            raise CatalogError(f"{self.location}: cannot read as {what}: {reason}") from None
        return parsed.document

    def record_lines(self, key: str | None) -> list[int]:
        """1-based line of each record: the root list's items, else those of the list
        under ``key`` in the root mapping; [] when they cannot be found."""
        parsed = self._parse()
        if isinstance(parsed, DocumentError):
            return []
        if parsed.yaml is not None:
            return parsed.yaml.lines(key)
        return item_lines(parsed.text, key)

    def _parse(self) -> _Parsed | DocumentError:
        if self._parsed is None:
            limits = self.settings.limits
            try:
                text = decode_text(self.data)
                first = text.lstrip()[:1]
                if first in ("", "{", "[", "<"):  # JSON, or what parse_document refuses
                    document = parse_document(
                        self.data, max_nodes=limits.max_yaml_nodes, max_depth=limits.max_json_depth
                    )
                    self._parsed = _Parsed(document, text, None)
                else:
                    catalog = load_yaml_catalog(
                        self.data,
                        text,
                        max_nodes=limits.max_yaml_nodes,
                        max_depth=limits.max_json_depth,
                    )
                    self._parsed = _Parsed(catalog.document, text, catalog)
            except DocumentError as exc:
                self._parsed = exc
        return self._parsed


def _json_reason(data: bytes) -> str | None:
    """orjson's reason for refusing ``data`` when it starts like JSON, else None."""
    stripped = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] not in (b"{", b"["):
        return None
    try:
        orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        return f"not valid JSON: {exc}"
    return None
