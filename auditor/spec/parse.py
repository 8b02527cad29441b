"""Parse an untrusted JSON or YAML document into plain JSON-compatible data.

YAML aliases are counted before anything is built, so a billion-laughs
document is refused in milliseconds instead of eating the machine; mapping
keys written as YAML integers (``200:``) become strings as OpenAPI means them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import yaml

try:  # libyaml's C loader is ~5x faster; fall back to pure Python where absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


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


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes the document would have with every alias expanded (a DAG walk, memoised)."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise DocumentError("YAML document contains a recursive alias")
        in_progress.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > limit:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > limit:
                    break
        in_progress.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _load_yaml(text: str, max_nodes: int) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node, max_nodes)
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


def _jsonable(value: Any, depth: int, max_depth: int) -> Any:
    """Keys to strings, dates to ISO text; refuses nesting deeper than ``max_depth``."""
    if depth > max_depth:
        raise DocumentError(f"document nesting exceeds {max_depth} levels")
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1, max_depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, depth + 1, max_depth) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def parse_document(data: bytes, *, max_nodes: int = 2_000_000, max_depth: int = 512) -> Any:
    """JSON when it looks like JSON (fast path via orjson), YAML otherwise."""
    text = decode_text(data)
    stripped = text.lstrip()
    if not stripped:
        raise DocumentError("empty document")
    if stripped[0] in "{[":
        try:
            return _jsonable(orjson.loads(stripped), 0, max_depth)
        except orjson.JSONDecodeError as exc:
            if stripped[0] == "[" or "\n" not in stripped:
                raise DocumentError(f"not valid JSON: {exc}") from exc
            # YAML flow mappings also start with "{"; let YAML have a go.
    if stripped[0] == "<":
        raise DocumentError("document is HTML or XML, not JSON or YAML")
    return _jsonable(_load_yaml(text, max_nodes), 0, max_depth)
