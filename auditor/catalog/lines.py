"""Line numbers of catalog records, so every problem can say where to look.

JSON is walked with the standard library's C scanner, which skips each
record whole (brackets inside strings never count); YAML is composed into nodes,
which carry their start marks. JSON goes through the JSON scanner first: PyYAML
refuses tab indentation, which JSON allows.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable
from typing import Any, cast

import yaml

from auditor.spec.parse import paused_gc
from auditor.yaml_loader import SafeLoader as _Loader

_WS = re.compile(r"[ \t\n\r]*")
# the C scanner behind json.loads: (value, end offset) for the value starting at an offset
_SCAN: Callable[[str, int], tuple[Any, int]] = cast(Any, json.scanner.make_scanner)(
    json.JSONDecoder()
)


def _skip(text: str, index: int) -> int:
    """The offset of the first non-blank character at or after ``index``."""
    match = _WS.match(text, index)
    return match.end() if match else index


def json_item_lines(text: str, key: str | None = "entries") -> list[int]:
    """1-based line of each element of the top-level array, or of the array under
    ``key`` in a top-level object; [] when neither is there or the text is not JSON.

    Values are skipped with the C JSON scanner, so only the few structural
    characters around the records are looked at from Python."""
    scan = _SCAN
    try:
        index = _skip(text, 0)
        start: int | None = None
        if text.startswith("[", index):
            start = index
        elif text.startswith("{", index) and key is not None:
            start = _find_member(text, index, key, scan)
        if start is None:
            return []
        lines: list[int] = []
        line, counted = 1, 0
        index = _skip(text, start + 1)
        if text.startswith("]", index):
            return []
        while True:
            line += text.count("\n", counted, index)
            counted = index
            lines.append(line)
            _, index = scan(text, index)
            index = _skip(text, index)
            if text.startswith("]", index):
                return lines
            if not text.startswith(",", index):
                return []
            index = _skip(text, index + 1)
    except (StopIteration, ValueError, IndexError, RecursionError):
        return []


def _find_member(
    text: str, index: int, key: str, scan: Callable[[str, int], tuple[Any, int]]
) -> int | None:
    """Offset of the ``[`` that starts member ``key`` of the object at ``index``."""
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        return None
    while True:
        name, index = scan(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            return None
        index = _skip(text, index + 1)
        if name == key and isinstance(name, str):
            return index if text.startswith("[", index) else None
        _, index = scan(text, index)
        index = _skip(text, index)
        if not text.startswith(",", index):
            return None
        index = _skip(text, index + 1)


def yaml_record_lines(text: str) -> tuple[list[int] | None, dict[str, list[int]]]:
    """(1-based lines of the root list's items, or None when the root is not a list;
    lines of the items of each list under a key of the root mapping), composing the
    document once. Catalogs are read by ``yaml_records``, which needs none of this;
    this is for documents it hands to the whole-document parser."""
    try:
        with paused_gc():
            node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None, {}
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value], {}
    members: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:  # a repeated key: the last one, as in the document
            if isinstance(value, yaml.SequenceNode):
                members[str(key.value)] = [item.start_mark.line + 1 for item in value.value]
            else:
                members.pop(str(key.value), None)
    return None, members


def yaml_item_lines(text: str, key: str | None = "entries") -> list[int]:
    """1-based line of each record of a YAML list (or of the list under ``key``)."""
    root, members = yaml_record_lines(text)
    if root is not None:
        return root
    return members.get(key, []) if key is not None else []


def item_lines(text: str, key: str | None = "entries") -> list[int]:
    """Record lines for JSON or YAML text; [] when they cannot be found."""
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        lines = json_item_lines(text, key)
        if lines:
            return lines
    return yaml_item_lines(text, key)
