"""``$ref`` resolution inside one document, and nothing else.

A spec is untrusted: a ``$ref`` to ``http://169.254.169.254/…`` or
``file:///etc/passwd`` must never be fetched or read. Only references into
the document itself (``#/…`` JSON pointers, ``#`` for the root) are
followed; every other target is recorded as "not followed" and the caller
treats that part of the document as unchecked. Chains of references that
come back on themselves are reported instead of looping.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

MAX_EXTERNAL = 20
"""External targets remembered per document (a spec may name thousands)."""


class RefError(Exception):
    """A local ``$ref`` that leads nowhere or round in circles."""


class ExternalRef(Exception):
    """A ``$ref`` outside the document: deliberately not followed."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def is_ref(node: Any) -> bool:
    """The test jsonschema-path applies: a mapping whose ``$ref`` is a string."""
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


class LocalResolver:
    """Follows ``$ref`` chains within ``root``; remembers what it refused to follow."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.external: list[str] = []
        self._external_seen: set[str] = set()
        self.external_count = 0
        self._cache: dict[str, Any] = {}
        self._anchors: dict[str, Any] | None = None

    def note_external(self, target: str) -> None:
        if target not in self._external_seen:
            self._external_seen.add(target)
            self.external_count += 1
            if len(self.external) < MAX_EXTERNAL:
                self.external.append(target)

    def lookup(self, ref: str) -> Any:
        """The node a single reference points at (no further dereferencing)."""
        if ref in self._cache:
            return self._cache[ref]
        if not ref.startswith("#") and ref != "":
            raise ExternalRef(ref)
        fragment = unquote(ref[1:])
        node = self.root
        if fragment:
            if not fragment.startswith("/"):
                return self._anchor(ref, fragment)
            for raw in fragment[1:].split("/"):
                segment = raw.replace("~1", "/").replace("~0", "~")
                if isinstance(node, dict) and segment in node:
                    node = node[segment]
                elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                    node = node[int(segment)]
                else:
                    raise RefError(f"unresolvable $ref {ref!r}")
        self._cache[ref] = node
        return node

    def _anchor(self, ref: str, name: str) -> Any:
        """``#name``: the schema declaring ``$anchor: name`` (JSON Schema 2019-09+)."""
        if self._anchors is None:
            self._anchors = {}
            stack = [self.root]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    anchor = node.get("$anchor")
                    if isinstance(anchor, str):
                        self._anchors.setdefault(anchor, node)
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
        if name not in self._anchors:
            raise RefError(f"unresolvable $ref {ref!r}")
        return self._anchors[name]

    def deref(self, node: Any) -> Any:
        """Follow ``node``'s ``$ref`` chain to a value that is not a reference."""
        if type(node) is not dict or type(node.get("$ref")) is not str:
            return node  # the hot path: most nodes are not references
        seen: list[str] = []
        while is_ref(node):
            ref = node["$ref"]
            if ref in seen:
                raise RefError("circular $ref chain: " + " -> ".join([*seen, ref]))
            seen.append(ref)
            try:
                node = self.lookup(ref)
            except ExternalRef as exc:
                self.note_external(exc.target)
                raise
        return node
