"""Where in the publisher's files each gate result points: a path and a line.

Code scanning rejects a SARIF result without a physical location, and an
annotation without a file lands nowhere useful, so every result gets one:
the line of the field in the entry file (``Entry.origin`` is ``path:line``
for native catalogs) or in the spec (single-spec sources, and the local spec
given with ``--spec``). When the field is absent the nearest parent is used
(``info`` for a missing ``info.license``), and line 1 when the file cannot
be read as YAML. Paths are shown relative to the working directory, which is
the repository root in CI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from auditor.model import Entry
from auditor.yaml_loader import SafeLoader

MAX_LOCATE_BYTES = 5 * 1024 * 1024
"""Larger files are not parsed again just to find a line; results point at line 1."""

_ORIGIN_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

SPEC_CHECKS = frozenset({"spec.format_known", "spec.valid", "spec.fetched"})

CHECK_FIELDS: dict[str, str] = {
    "official_domain": "base_url",
    "availability": "base_url",
    "agent_discovery": "base_url",
    "license": "license",
    "portal_listing": "catalog",
    "government_github_org": "homepage_url",
    "reciprocal_link": "homepage_url",
    "published_policy": "homepage_url",
}

# Entry field -> where a spec says it, most specific first (entry_from_spec reads the same keys).
SPEC_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "title": (("info", "title"),),
    "description": (("info", "description"),),
    "organization": (("info", "contact", "name"), ("info", "x-providerName")),
    "contact": (("info", "contact"),),
    "license": (("info", "license"),),
    "base_url": (("servers",), ("host",)),
    "docs_url": (("externalDocs",),),
    "tags": (("tags",),),
    "spec_url": (("info",),),
    "homepage_url": (("info",),),
    "spec": (("openapi",), ("swagger",)),
}


@dataclass(frozen=True, slots=True)
class Location:
    """A file (relative to the working directory when under it) or URL, and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def uri(self) -> str:
        """The path as a URI reference, as SARIF's ``artifactLocation.uri`` wants it."""
        if _URL.match(self.path):
            return self.path
        if Path(self.path).is_absolute():
            return Path(self.path).as_uri()
        return quote(self.path, safe="/")


def split_origin(origin: str) -> tuple[str, int | None]:
    """``path:line`` -> (path, line); a bare path or URL has no line."""
    match = _ORIGIN_LINE.match(origin)
    if match and not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", match["path"]):
        return match["path"], int(match["line"])
    return origin, None


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _key_line(node: yaml.Node, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return None


def _path_line(root: yaml.Node, keys: tuple[str, ...]) -> tuple[int, bool]:
    """Line of the deepest key found along ``keys``, and whether all were found."""
    line = int(root.start_mark.line) + 1
    node: yaml.Node | None = root
    for key in keys:
        found = _key_line(node, key) if node is not None else None
        if found is None:
            return line, False
        line = found
        node = _child(node, key) if node is not None else None
    return line, True


class Locator:
    """Finds locations for one run; parses each file at most once."""

    def __init__(self, base: Path | None = None) -> None:
        self._base = (base or Path.cwd()).resolve()
        self._trees: dict[str, yaml.Node | None] = {}

    def display(self, path: str) -> str:
        if _URL.match(path):
            return path
        try:
            return Path(path).resolve().relative_to(self._base).as_posix()
        except (OSError, ValueError):
            return Path(path).as_posix()

    def _tree(self, path: str) -> yaml.Node | None:
        if path not in self._trees:
            tree = None
            if not _URL.match(path):
                try:
                    file = Path(path)
                    if file.stat().st_size <= MAX_LOCATE_BYTES:
                        tree = yaml.compose(file.read_text("utf-8", "replace"), Loader=SafeLoader)
                except (OSError, yaml.YAMLError, RecursionError):
                    tree = None
            self._trees[path] = tree
        return self._trees[path]

    def _in_spec(self, path: str, field: str) -> Location:
        tree = self._tree(path)
        candidates = SPEC_PATHS.get(field, SPEC_PATHS["spec"])
        if tree is None:
            return Location(self.display(path), 1)
        fallback = None
        for keys in candidates:
            line, complete = _path_line(tree, keys)
            if complete:
                return Location(self.display(path), line)
            fallback = fallback or line
        return Location(self.display(path), fallback or 1)

    def _record(self, path: str, line: int) -> yaml.Node | None:
        tree = self._tree(path)
        items = _child(tree, "entries") if isinstance(tree, yaml.MappingNode) else tree
        if isinstance(items, yaml.SequenceNode):
            for item in items.value:
                if isinstance(item, yaml.Node) and int(item.start_mark.line) + 1 == line:
                    return item
        return None

    def field(self, entry: Entry, field: str | None) -> Location:
        """The line that states ``field`` of ``entry`` (or the record's own line)."""
        origin = entry.origin or entry.local_spec or entry.spec_url or entry.catalog_url or entry.id
        path, line = split_origin(origin)
        if entry.catalog == "spec" and entry.local_spec and line is None:
            return self._in_spec(path, field or "spec")
        if line is None:
            return Location(self.display(path), 1)
        record = self._record(path, line) if field else None
        found = _key_line(record, field) if record is not None and field else None
        return Location(self.display(path), found or line)

    def spec(self, entry: Entry) -> Location:
        """Where spec findings point: the local spec when there is one, else the spec_url field."""
        if entry.local_spec:
            return self._in_spec(entry.local_spec, "spec")
        return self.field(entry, "spec_url")

    def for_check(self, entry: Entry, check: str) -> Location:
        if check in SPEC_CHECKS:
            return self.spec(entry)
        field = check.removeprefix("metadata.") if check.startswith("metadata.") else None
        return self.field(entry, field or CHECK_FIELDS.get(check))
