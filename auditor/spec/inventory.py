"""The data fields an API exposes: every parameter and every schema property.

This is what a report shows as "Data schema (N fields)". Parameters are
listed per operation (that is where a caller meets them); properties per
named schema (``components/schemas``, ``definitions``) and per inline
request or response body, with nested inline objects as dotted names
(``address.city``) and array items as ``tags[]``. A ``$ref`` to a named
schema is not walked again where it is used: that schema has its own rows.
Only references inside the document are followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from auditor.spec.refs import ExternalRef, LocalResolver, RefError, is_ref

MAX_LISTED = 500
MAX_NESTING = 6
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")


@dataclass(frozen=True, slots=True)
class SpecField:
    """One data field: a parameter of an operation or a property of a schema."""

    name: str
    type: str | None
    format: str | None
    description: str | None
    schema: str
    """The schema or operation it belongs to (``Pet``, ``GET /pets``, ``POST /pets request body``)."""
    location: str
    """``property`` for schema properties; a parameter's ``in`` (query, path, header, …)."""
    read_only: bool = False
    write_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "schema": self.schema,
            "location": self.location,
            "read_only": self.read_only,
            "write_only": self.write_only,
        }


def operations(document: dict[str, Any], refs: LocalResolver) -> Iterator[tuple[str, str, Any]]:
    """(method, path, operation) for each operation, path-item ``$ref`` followed."""
    paths = deref_or_none(document.get("paths"), refs)
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item = deref_or_none(item, refs)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            refs.deadline.tick()
            operation = deref_or_none(item.get(method), refs)
            if isinstance(operation, dict):
                yield method, str(path), operation


def deref_or_none(node: Any, refs: LocalResolver) -> Any:
    try:
        return refs.deref(node)
    except (ExternalRef, RefError):
        return None


def ref_name(node: Any) -> str | None:
    """``Pet`` for ``{"$ref": "#/components/schemas/Pet"}``; None when not a reference."""
    if not is_ref(node):
        return None
    return str(node["$ref"]).rstrip("/").rsplit("/", 1)[-1] or None


def type_label(schema: Any, refs: LocalResolver, depth: int = 0) -> str | None:
    """A short type for a schema: ``string``, ``Pet``, ``array<Pet>``, ``string|null``."""
    name = ref_name(schema)
    if name is not None:
        return name
    if not isinstance(schema, dict):
        return "any" if schema is True else None
    declared = schema.get("type")
    if isinstance(declared, list):
        label = "|".join(str(t) for t in declared)
    elif isinstance(declared, str):
        label = declared
    elif "properties" in schema:
        label = "object"
    else:
        for keyword in ("oneOf", "anyOf", "allOf"):
            if isinstance(schema.get(keyword), list):
                return keyword
        return None
    if label == "array" and depth < 3:
        inner = type_label(schema.get("items"), refs, depth + 1)
        label = f"array<{inner}>" if inner else "array"
    if schema.get("nullable") is True and "null" not in label:
        label += "|null"
    return label


def _text(value: Any) -> str | None:
    return value.strip()[:500] or None if isinstance(value, str) else None


class Inventory:
    """Collects fields, counting them all but keeping only the first ``limit``."""

    def __init__(self, refs: LocalResolver, limit: int = MAX_LISTED) -> None:
        self.refs = refs
        self.limit = limit
        self.fields: list[SpecField] = []
        self.count = 0

    def add(self, item: SpecField) -> None:
        self.count += 1
        if len(self.fields) < self.limit:
            self.fields.append(item)

    def properties(self, schema: Any, owner: str, prefix: str = "", depth: int = 0) -> None:
        """Every property of an inline schema (and its inline sub-objects)."""
        if depth > MAX_NESTING or type(schema) is not dict or is_ref(schema):
            return
        for keyword in ("allOf", "oneOf", "anyOf"):
            members = schema.get(keyword)
            if type(members) is list:
                for member in members:
                    self.properties(member, owner, prefix, depth + 1)
        if schema.get("type") == "array":
            self.properties(schema.get("items"), owner, f"{prefix}[].", depth + 1)
        props = schema.get("properties")
        if type(props) is not dict:
            return
        tick = self.refs.deadline.tick
        for name, raw in props.items():
            tick()
            self.count += 1
            if len(self.fields) < self.limit:
                self.fields.append(self._property(name, raw, owner, prefix))
            if type(raw) is dict and "$ref" not in raw:
                if raw.get("type") == "array":
                    self.properties(raw.get("items"), owner, f"{prefix}{name}[].", depth + 1)
                else:
                    self.properties(raw, owner, f"{prefix}{name}.", depth + 1)

    def _property(self, name: str, raw: Any, owner: str, prefix: str) -> SpecField:
        target = deref_or_none(raw, self.refs) if is_ref(raw) else raw
        info = target if isinstance(target, dict) else {}
        fmt = info.get("format") if isinstance(info.get("format"), str) else None
        return SpecField(
            name=f"{prefix}{name}",
            type=type_label(raw, self.refs),
            format=None if is_ref(raw) else fmt,
            description=_text(info.get("description")) or _text(info.get("title")),
            schema=owner,
            location="property",
            read_only=info.get("readOnly") is True,
            write_only=info.get("writeOnly") is True,
        )

    def parameter(self, param: dict[str, Any], owner: str, v2: bool) -> None:
        location = str(param.get("in") or "?")
        schema = param.get("schema")
        if schema is None and isinstance(param.get("content"), dict):
            media = next(iter(param["content"].values()), None)
            schema = media.get("schema") if isinstance(media, dict) else None
        if v2 and location != "body":
            schema = param
        if location == "body":
            if is_ref(schema):
                self._field_from(param, schema, owner, location)
            else:
                self.properties(schema, f"{owner} request body")
            return
        self._field_from(param, schema, owner, location)

    def _field_from(self, param: dict[str, Any], schema: Any, owner: str, location: str) -> None:
        target = deref_or_none(schema, self.refs) if is_ref(schema) else schema
        info = target if isinstance(target, dict) else {}
        fmt = info.get("format") if isinstance(info.get("format"), str) else None
        self.add(
            SpecField(
                name=str(param.get("name") or "?"),
                type=type_label(schema, self.refs),
                format=fmt,
                description=_text(param.get("description")) or _text(info.get("description")),
                schema=owner,
                location=location,
                read_only=info.get("readOnly") is True,
                write_only=info.get("writeOnly") is True,
            )
        )


def merged_parameters(item: Any, operation: dict[str, Any], refs: LocalResolver) -> list[Any]:
    """The operation's parameters: path-level ones overridden by same (name, in) ones."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source in (
        item.get("parameters") if isinstance(item, dict) else None,
        operation.get("parameters"),
    ):
        if not isinstance(source, list):
            continue
        for raw in source:
            refs.deadline.tick()
            param = deref_or_none(raw, refs)
            if isinstance(param, dict):
                merged[(str(param.get("name")), str(param.get("in")))] = param
    return list(merged.values())


def build_inventory(document: dict[str, Any], minor: str, refs: LocalResolver) -> Inventory:
    inv = Inventory(refs)
    v2 = minor == "2.0"
    paths = deref_or_none(document.get("paths"), refs)
    for method, path, operation in operations(document, refs):
        owner = f"{method.upper()} {path}"
        item = deref_or_none(paths.get(path), refs) if isinstance(paths, dict) else None
        for param in merged_parameters(item, operation, refs):
            inv.parameter(param, owner, v2)
        body = deref_or_none(operation.get("requestBody"), refs)
        if isinstance(body, dict) and isinstance(body.get("content"), dict):
            for media in body["content"].values():
                if isinstance(media, dict):
                    inv.properties(media.get("schema"), f"{owner} request body")
                    break
        responses = deref_or_none(operation.get("responses"), refs)
        if isinstance(responses, dict):
            for code, raw in responses.items():
                refs.deadline.tick()
                response = deref_or_none(raw, refs)
                if not str(code).startswith("2") or not isinstance(response, dict):
                    continue
                for schema in response_schemas(response, v2):
                    inv.properties(schema, f"{owner} response {code}")
    components = document.get("components")
    named = document.get("definitions") if v2 else None
    if isinstance(components, dict):
        named = components.get("schemas")
    if isinstance(named, dict):
        for name, schema in named.items():
            refs.deadline.tick()
            inv.properties(deref_or_none(schema, refs), str(name))
    return inv


def response_schemas(response: dict[str, Any], v2: bool) -> list[Any]:
    if v2:
        return [response["schema"]] if "schema" in response else []
    content = response.get("content")
    if not isinstance(content, dict):
        return []
    return [m["schema"] for m in content.values() if isinstance(m, dict) and "schema" in m][:1]
