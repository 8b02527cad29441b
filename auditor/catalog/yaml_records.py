"""Read a YAML catalog one record at a time: the same data as ``parse_document``, a
fraction of its memory, and each record's line for free.

``parse_document`` composes the whole YAML document into nodes before building
anything; nodes weigh about five times the data they describe (a 33 MiB,
100,000-entry catalog peaked at 1.2 GiB, while the same JSON took 0.3 GiB),
and the record lines were found by composing the document a second time. Here
libyaml's C parser emits events and each top-level record (an item of the root
list, or of a list under a key of the root mapping, such as ``entries:`` or
``data:``) is composed, alias-counted, constructed and converted on its own,
then its nodes are dropped. Conversions and caps are the spec parser's own
(``_expanded_size``, ``_jsonable``, ``_key``; alias expansion counted across
the whole document against ``max_nodes``, nesting against ``max_depth``), so
both paths give equal data. A document using what a per-record reading cannot
reproduce (a tag or an anchor on the root or on a streamed list, a merge key
or a complex key at the root) is parsed whole by ``parse_document`` instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from auditor.catalog.lines import yaml_record_lines
from auditor.spec.budget import Deadline
from auditor.spec.parse import (
    DocumentError,
    _expanded_size,
    _jsonable,
    _key,
    _too_deep,
    parse_document,
    paused_gc,
)

try:
    from yaml._yaml import CParser

    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    _LIBYAML = False

_PLAIN_TAGS = (None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_MERGE = "tag:yaml.org,2002:merge"


@dataclass
class YamlCatalog:
    """A parsed YAML document and the 1-based line of each record."""

    document: Any
    root_lines: list[int] | None = None
    """Lines of the root list's items (None when the root is not a list)."""
    member_lines: dict[str, list[int]] = field(default_factory=dict)
    """Lines of the items of each list under a key of the root mapping."""

    def lines(self, key: str | None) -> list[int]:
        """Record lines as ``lines.item_lines`` gives them: the root list's items, else
        those of the list under ``key``; [] when there is none."""
        if self.root_lines is not None:
            return self.root_lines
        return self.member_lines.get(key, []) if key is not None else []


class _Whole(Exception):
    """The document needs ``parse_document``'s whole-document reading."""


if _LIBYAML:

    class _RecordLoader(CParser, Composer, SafeConstructor, Resolver):
        """libyaml events composed by PyYAML's own composer, one subtree at a time."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
            """Keys interned: a catalog repeats the same dozen keys in every record, and
            one shared string each (as orjson's key cache gives JSON) saves ~10% of
            the memory of the document."""
            node = super().compose_mapping_node(anchor)
            for key, _ in node.value:
                if type(key.value) is str:
                    key.value = sys.intern(key.value)
            return node


class _Reader:
    def __init__(self, text: str, max_nodes: int, max_depth: int) -> None:
        # Any: the stubs type events as Optional[Event] and compose_node's index as int
        self.loader: Any = _RecordLoader(text)
        self.max_nodes = max_nodes
        self.left = max_nodes
        self.max_depth = max_depth
        self.deadline = Deadline()  # unbounded: catalog reading is linear and capped by nodes

    def spend(self, nodes: int) -> None:
        self.left -= nodes
        if self.left < 0:
            raise DocumentError(
                f"YAML alias expansion exceeds {self.max_nodes:,} nodes "
                "(a 'billion laughs' document?)"
            )

    def value(self, depth: int) -> Any:
        """Compose, count, construct and convert the next node, ``depth`` deep."""
        node = self.loader.compose_node(None, None)
        self.spend(_expanded_size(node, max(self.left, 0), self.deadline))
        try:
            return _jsonable(
                self.loader.construct_document(node), self.max_depth - depth, self.deadline
            )
        except DocumentError:  # the only one _jsonable raises: it saw the limit less depth
            raise _too_deep(self.max_depth) from None

    def items(self, depth: int) -> tuple[list[Any], list[int]]:
        """The items of the list whose start event is next, each ``depth`` deep."""
        start = self.loader.peek_event()
        if start.tag not in _PLAIN_TAGS or start.anchor is not None:
            raise _Whole
        self.loader.get_event()
        self.spend(1)
        items: list[Any] = []
        lines: list[int] = []
        while not self.loader.check_event(yaml.SequenceEndEvent):
            lines.append(self.loader.peek_event().start_mark.line + 1)
            items.append(self.value(depth))
        self.loader.get_event()
        return items, lines

    def mapping(self, catalog: YamlCatalog) -> dict[str, Any]:
        """The root mapping, lists under its keys read item by item."""
        self.loader.get_event()
        self.spend(1)
        constructed: dict[Any, Any] = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            key_node = self.loader.compose_node(None, None)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                raise _Whole
            self.spend(_expanded_size(key_node, max(self.left, 0), self.deadline))
            key = self.loader.construct_document(key_node)
            if self.loader.check_event(yaml.SequenceStartEvent):
                items, lines = self.items(2)
                constructed[key] = items
                catalog.member_lines[_key(key)] = lines
            else:
                constructed[key] = self.value(1)
        self.loader.get_event()
        # keys converted last, as _jsonable converts the constructed mapping's keys
        return {_key(k): v for k, v in constructed.items()}

    def document(self) -> YamlCatalog:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return YamlCatalog(None)
        document_start = loader.get_event()
        catalog = YamlCatalog(None)
        event = loader.peek_event()
        if isinstance(event, yaml.MappingStartEvent):
            if event.tag not in _PLAIN_TAGS or event.anchor is not None:
                raise _Whole
            catalog.document = self.mapping(catalog)
        elif isinstance(event, yaml.SequenceStartEvent):
            catalog.document, catalog.root_lines = self.items(1)
        else:
            catalog.document = self.value(0)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                document_start.start_mark,
                "but found another document",
                loader.get_event().start_mark,
            )
        return catalog


def load_yaml_catalog(data: bytes, text: str, *, max_nodes: int, max_depth: int) -> YamlCatalog:
    """``data`` (YAML, decoded as ``text``) parsed record by record; raises DocumentError
    as ``parse_document`` would."""
    if not _LIBYAML:  # pragma: no cover - depends on the PyYAML build
        return _whole(data, text, max_nodes, max_depth)
    reader = _Reader(text, max_nodes, max_depth)
    try:
        with paused_gc():
            return reader.document()
    except _Whole:
        pass
    except yaml.YAMLError as exc:
        raise DocumentError(f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError("YAML nesting is too deep") from exc
    finally:
        reader.loader.dispose()
    return _whole(data, text, max_nodes, max_depth)


def _whole(data: bytes, text: str, max_nodes: int, max_depth: int) -> YamlCatalog:
    document = parse_document(data, max_nodes=max_nodes, max_depth=max_depth)
    root, members = yaml_record_lines(text)
    return YamlCatalog(document, root_lines=root, member_lines=members)
