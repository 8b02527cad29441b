"""Parse an untrusted JSON or YAML document into plain JSON-compatible data.

YAML aliases are counted before anything is built, so a billion-laughs
document is refused in milliseconds instead of eating the machine; mapping
keys written as YAML integers (``200:``) become strings as OpenAPI means them.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import yaml

from auditor.spec.budget import Deadline
from auditor.yaml_loader import SafeLoader as _Loader


class DocumentError(ValueError):
    """The document cannot be read as JSON or YAML; the message says why."""


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM tolerated); other encodings are named in the error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"invalid UTF-16 text: {exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not valid UTF-8 at byte {exc.start}") from exc


def _expanded_size(root: yaml.Node, limit: int, deadline: Deadline) -> int:
    """Nodes the document would have with every alias expanded (a DAG walk, memoised)."""
    return _ExpandedSize(limit, deadline.tick).size(root)


class _ExpandedSize:
    """``_expanded_size``'s walk: a method rather than a nested function that calls
    itself, which would be a cycle (the function and its own cell) left to the cyclic
    collector after every YAML document."""

    __slots__ = ("in_progress", "limit", "sizes", "tick")

    def __init__(self, limit: int, tick: Callable[[], None]) -> None:
        self.sizes: dict[int, int] = {}
        self.in_progress: set[int] = set()
        self.limit = limit
        self.tick = tick

    def size(self, node: yaml.Node) -> int:
        self.tick()
        key = id(node)
        sizes = self.sizes
        if key in sizes:
            return sizes[key]
        if key in self.in_progress:
            raise DocumentError("YAML document contains a recursive alias")
        self.in_progress.add(key)
        total, limit = 1, self.limit
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += self.size(child)
                if total > limit:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += self.size(k) + self.size(v)
                if total > limit:
                    break
        self.in_progress.discard(key)
        sizes[key] = total
        return total


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or walking a big document tree.

    A parsed spec is a tree of millions of small objects without cycles; with
    the collector on, every few thousand allocations it re-scans them all
    (large YAML loads ~3x slower, see /work/shared/notes/performance.md).
    Re-entrant and thread-safe: collection resumes when the last user leaves,
    and only if it was on to begin with.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _load_yaml(text: str, max_nodes: int, deadline: Deadline) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        deadline.check()
        expanded = _expanded_size(node, max_nodes, deadline)
        if expanded > max_nodes:
            raise DocumentError(
                f"YAML alias expansion exceeds {max_nodes:,} nodes (a 'billion laughs' document?)"
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise DocumentError(f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise DocumentError("YAML nesting is too deep") from exc
    finally:
        loader.dispose()


def _too_deep(max_depth: int) -> DocumentError:
    return DocumentError(f"document nesting exceeds {max_depth} levels")


def _check_depth(root: Any, max_depth: int, deadline: Deadline) -> None:
    """Refuse JSON nested deeper than ``max_depth``; iterative, so depth never costs stack."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    pop, push = stack.pop, stack.append
    visited = 0
    while stack:
        visited += 1
        if not visited & 4095:  # the hottest walk: the clock is read inline, not per tick
            deadline.check()
        value, depth = pop()
        if depth > max_depth:
            raise _too_deep(max_depth)
        children = value.values() if type(value) is dict else value
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))


def _scalar(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _key(value: Any) -> str:
    if isinstance(value, bool):  # YAML ``true:`` means the JSON text "true"
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(_scalar(value))


def _jsonable(root: Any, max_depth: int, deadline: Deadline) -> Any:
    """Keys to strings, dates to ISO text; refuses nesting deeper than ``max_depth``.

    Iterative (an explicit stack), so a hostile document can only hit the
    depth limit, never the interpreter's recursion limit. Shared YAML
    aliases become independent copies, as JSON has no sharing.
    """
    if not isinstance(root, dict | list):
        return _scalar(root)
    out: Any = {} if isinstance(root, dict) else []
    stack: list[tuple[Any, Any, int]] = [(root, out, 0)]
    tick = deadline.tick
    while stack:
        tick()
        source, target, depth = stack.pop()
        if depth > max_depth:
            raise _too_deep(max_depth)
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if isinstance(value, dict | list):
                copy: Any = {} if isinstance(value, dict) else []
                stack.append((value, copy, depth + 1))
            else:
                copy = _scalar(value)
            if isinstance(target, dict):
                target[_key(key)] = copy
            else:
                target.append(copy)
    return out


def parse_document(
    data: bytes,
    *,
    max_nodes: int = 2_000_000,
    max_depth: int = 512,
    deadline: Deadline | None = None,
) -> Any:
    """JSON when it looks like JSON (orjson straight from the bytes), YAML otherwise.

    ``deadline`` is ticked by the Python walks (not inside orjson or libyaml)."""
    deadline = deadline if deadline is not None else Deadline()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = decode_text(data).encode("utf-8")
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    stripped = raw.lstrip()
    if not stripped:
        raise DocumentError("empty document")
    first = stripped[:1]
    if first in (b"{", b"["):
        try:
            document = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            decode_text(data)  # names the byte when the failure is the encoding
            if first == b"[" or b"\n" not in stripped:
                raise DocumentError(f"not valid JSON: {exc}") from exc
            # YAML flow mappings also start with "{"; let YAML have a go.
        else:
            # orjson gives string keys and JSON types only: just bound the depth.
            _check_depth(document, max_depth, deadline)
            return document
    if first == b"<":
        raise DocumentError("document is HTML or XML, not JSON or YAML")
    with paused_gc():
        loaded = _load_yaml(decode_text(data), max_nodes, deadline)
        deadline.check()
        return _jsonable(loaded, max_depth, deadline)
