"""The semantic checks openapi-spec-validator runs after its schema pass, on plain dicts.

openapi-spec-validator 0.9 (``validation/keywords.py``) decides a document's
verdict with these checks besides the JSON Schema pass: unique tag names (and,
in 3.2, the tag parent tree), unique operationIds, unique (name, in)
parameters, path templates matching path parameters, every schema object it
visits valid against its dialect's meta-schema, ``required`` naming defined
properties under ``allOf``, and ``default`` values valid against their
schema. It walks the document through jsonschema-path, resolving every
``$ref`` through ``referencing`` — most of its run time on large specs.

This module walks the same nodes in the same order with the same dedupe rules
(schema objects by identity), but over plain dicts with a local resolver,
and hands the meta-schema checks to jsonschema-rs. Where the reference would
crash rather than answer (a ``$ref`` cycle through ``allOf``/``items``,
upstream #400) this walk records a note and carries on.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.spec.composition import PropertyReach
from auditor.spec.metaschema import schema_object_error
from auditor.spec.refs import ExternalRef, LocalResolver, RefError
from auditor.spec.tag_tree import tag_cycles
from auditor.spec.values import DefaultChecker

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATIONS_32 = (*OPERATIONS, "query")
OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
OAS32_DIALECT = "https://spec.openapis.org/oas/3.2/dialect/2025-09-17"


class CheckError(Exception):
    """A node the reference validator could not process (it would raise here)."""


@dataclass
class SemanticResult:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    limit: int = field(default=10, compare=False, repr=False)
    """At most this many notes (and errors: ``SemanticChecker.error``)."""

    def note(self, message: str) -> None:
        if message not in self.notes and len(self.notes) < self.limit:
            self.notes.append(message)


def _children(node: Any, where: str) -> list[Any]:
    """What iterating a jsonschema-path node yields: list items, or a mapping's values."""
    if isinstance(node, list):
        return node
    if isinstance(node, dict):
        return list(node.values())
    raise CheckError(f"{where}: expected an array, got {type(node).__name__}")


def _items(node: Any, where: str) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        return list(node.items())
    if isinstance(node, list):
        return list(enumerate(node))
    raise CheckError(f"{where}: expected an object, got {type(node).__name__}")


def _keys(node: Any, where: str) -> list[Any]:
    return [key for key, _ in _items(node, where)]


class SemanticChecker:
    """One document's semantic pass; ``run`` returns errors (verdict) and notes (not verdict)."""

    def __init__(
        self,
        document: dict[str, Any],
        minor: str,
        resolver: LocalResolver,
        limit: int = 10,
        escalate: bool = False,
    ) -> None:
        self.doc = document
        self.minor = minor
        self.resolver = resolver
        self.limit = limit
        self.result = SemanticResult(limit=limit)
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.operation_ids: set[Any] = set()
        self.defaults = DefaultChecker(document, minor, resolver, escalate)
        self.tick = resolver.deadline.tick
        # Given the resolver's and the result's methods, not this checker's own: a walk
        # holding the checker's would make a cycle with it, and the document it holds
        # (~700 containers a spec) would wait for the cyclic collector, which then walks
        # it all: 0.5 s of a 500-spec cold run's CPU, 362,755 objects found only by it.
        self.reach = PropertyReach(resolver.deref, _keys, _children, self.result.note, self.tick)
        self._dialect: str | None = None

    # -- plumbing -------------------------------------------------------------

    def full(self) -> bool:
        return len(self.result.errors) >= self.limit

    def error(self, where: str, message: str) -> None:
        if not self.full():
            self.result.errors.append(f"{where}: {message}"[:400])

    def deref(self, node: Any) -> Any:
        return self.resolver.deref(node)

    def guarded(self, where: str, work: Iterator[None]) -> None:
        """Run one unit of checks; a broken or external reference ends only that unit.

        Every step of every unit passes here: the analysis deadline is ticked once a step.
        """
        tick = self.tick
        try:
            for _ in work:
                tick()
                if self.full():
                    return
        except ExternalRef:
            return  # recorded by the resolver; the unit stays unchecked
        except RefError as exc:
            self.error(where, str(exc))
        except CheckError as exc:
            self.error(where, str(exc))
        except RecursionError:
            self.error(where, "structure nested too deeply to check")
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self.error(where, f"cannot be checked: {type(exc).__name__}: {exc}")

    # -- root -------------------------------------------------------------------

    def run(self) -> SemanticResult:
        doc = self.doc
        if "tags" in doc:
            self.guarded("tags", self._tags(doc["tags"]))
        if "paths" in doc:
            self.guarded("paths", self._paths(doc["paths"]))
        if "components" in doc and not self.full():
            self.guarded("components", self._components(doc["components"]))
        return self.result

    def _tags(self, tags: Any) -> Iterator[None]:
        seen: set[str] = set()
        parents: dict[str, str | None] = {}
        for tag in _children(self.deref(tags), "tags"):
            tag = self.deref(tag)
            name = self._read_str(tag, "name", "tags")
            if name in seen:
                self.error("tags", f"Duplicate tag name '{name}'")
            seen.add(name)
            if self.minor == "3.2":
                parents[name] = self._read_str(tag, "parent", "tags") if "parent" in tag else None
            yield None
        for name, parent in parents.items():
            if parent is not None and parent not in seen:
                self.error("tags", f"Tag '{name}' references unknown parent tag '{parent}'")
        for cycle in tag_cycles(parents, seen, self.tick):
            self.error("tags", f"Circular tag hierarchy detected: {cycle}")
            if self.full():
                break

    def _read_str(self, node: Any, key: str, where: str) -> str:
        if not isinstance(node, dict) or key not in node:
            raise CheckError(f"{where}: missing '{key}'")
        value = self.deref(node[key])
        if not isinstance(value, str):
            raise CheckError(f"{where}: '{key}' is not a string")
        return value

    # -- paths and operations ---------------------------------------------------

    def _paths(self, paths: Any) -> Iterator[None]:
        operations = OPERATIONS_32 if self.minor == "3.2" else OPERATIONS
        for url, item in _items(self.deref(paths), "paths"):
            where = f"paths/{url}"
            self.guarded(where, self._path_item(str(url), item, operations))
            yield None

    def _path_item(self, url: str, item: Any, operations: tuple[str, ...]) -> Iterator[None]:
        where = f"paths/{url}"
        item = self.deref(item)
        shared = None
        if isinstance(item, dict) and "parameters" in item:
            shared = self.deref(item["parameters"])
            self.guarded(f"{where}/parameters", self._parameters(shared, where))
        for name, operation in _items(item, where):
            if not isinstance(name, str):
                raise CheckError(f"{where}: non-string field {name!r}")
            if name in operations:
                self.guarded(f"{where}/{name}", self._operation(url, name, operation, shared))
            elif name == "additionalOperations" and self.minor == "3.2":
                for extra, op in _items(self.deref(operation), where):
                    self.guarded(f"{where}/{extra}", self._operation(url, str(extra), op, shared))
            yield None

    def _operation(self, url: str, name: str, operation: Any, shared: Any) -> Iterator[None]:
        where = f"paths/{url}/{name}"
        operation = self.deref(operation)
        if isinstance(operation, dict) and "operationId" in operation:
            op_id = self.deref(operation["operationId"])
            if op_id is not None and op_id in self.operation_ids:
                self.error(where, f"Operation ID '{op_id}' for '{name}' in '{url}' is not unique")
            self.operation_ids.add(op_id)
        if isinstance(operation, dict) and "responses" in operation:
            self.guarded(f"{where}/responses", self._responses(operation["responses"]))
        names: list[str] = []
        if isinstance(operation, dict) and "parameters" in operation:
            own = self.deref(operation["parameters"])
            self.guarded(f"{where}/parameters", self._parameters(own, where))
            names += self._path_param_names(own, where)
        if shared is not None:
            names += self._path_param_names(shared, where)
        declared = set(names)
        in_url = {item[1] for item in string.Formatter().parse(url) if item[1]}
        for param in sorted(in_url):
            if param not in declared:
                self.error(
                    where,
                    f"Path parameter '{param}' for '{name}' operation in '{url}' was not resolved",
                )
        for param in sorted(declared):
            if param not in in_url:
                self.error(
                    where,
                    f"Path parameter '{param}' for '{name}' operation in '{url}' was not resolved",
                )
        yield None

    def _path_param_names(self, parameters: Any, where: str) -> list[str]:
        names = []
        for param in _children(parameters, f"{where}/parameters"):
            self.tick()
            param = self.deref(param)
            if self._read_str(param, "in", f"{where}/parameters") == "path":
                names.append(self._read_str(param, "name", f"{where}/parameters"))
        return names

    def _parameters(self, parameters: Any, where: str) -> Iterator[None]:
        seen: set[tuple[Any, Any]] = set()
        for index, raw in enumerate(_children(parameters, f"{where}/parameters")):
            param = self.deref(raw)
            here = f"{where}/parameters/{index}"
            if isinstance(param, dict) and "schema" in param:
                self.guarded(here, self._schema(param["schema"], True, False, here))
            if self.minor == "2.0" and isinstance(param, dict) and "default" in param:
                value = self.deref(param["default"])
                self.guarded(here, self._default(param, value, here))
            if not isinstance(param, dict) or "name" not in param or "in" not in param:
                raise CheckError(f"{here}: parameter without 'name' or 'in'")
            key = (_hashable(param["name"]), _hashable(param["in"]))
            if key in seen:
                self.error(here, f"Duplicate parameter '{param['name']}'")
            seen.add(key)
            yield None

    def _responses(self, responses: Any) -> Iterator[None]:
        for code, raw in _items(self.deref(responses), "responses"):
            response = self.deref(raw)
            here = f"responses/{code}"
            if self.minor == "2.0":
                if isinstance(response, dict) and "schema" in response:
                    self.guarded(here, self._schema(response["schema"], True, False, here))
            elif isinstance(response, dict) and "content" in response:
                content = self.deref(response["content"])
                for mime, media in _items(content, f"{here}/content"):
                    media = self.deref(media)
                    if isinstance(media, dict) and "schema" in media:
                        self.guarded(
                            f"{here}/content/{mime}",
                            self._schema(media["schema"], True, False, f"{here}/{mime}"),
                        )
            yield None

    def _components(self, components: Any) -> Iterator[None]:
        components = self.deref(components)
        if isinstance(components, dict) and "schemas" in components:
            for name, schema in _items(self.deref(components["schemas"]), "components/schemas"):
                here = f"components/schemas/{name}"
                self.guarded(here, self._schema(schema, True, False, here))
                yield None

    # -- schema objects ---------------------------------------------------------

    def _meta_error(self, value: Any) -> str | None:
        if self.minor in ("2.0", "3.0"):
            return schema_object_error(value, self.minor)
        dialect = value.get("$schema") if isinstance(value, dict) else None
        if dialect is None:
            dialect = self._default_dialect()
        if not isinstance(dialect, str):
            return f"Unknown JSON Schema dialect: {dialect!r}"
        if dialect == (OAS31_DIALECT if self.minor == "3.1" else OAS32_DIALECT):
            return schema_object_error(value, self.minor)
        return self.defaults.foreign_dialect_error(value, dialect)

    def _default_dialect(self) -> Any:
        if self._dialect is None:
            declared = self.doc.get("jsonSchemaDialect")
            fallback = OAS31_DIALECT if self.minor == "3.1" else OAS32_DIALECT
            self._dialect = declared if isinstance(declared, str) else fallback
        return self._dialect

    def _schema(
        self, node: Any, require_properties: bool, meta_checked: bool, where: str
    ) -> Iterator[None]:
        """SchemaValidator.__call__, with an explicit stack for the nested schemas."""
        stack: list[tuple[Any, bool, bool]] = [(node, require_properties, meta_checked)]
        while stack:
            raw, require, checked = stack.pop()
            try:
                value = self.deref(raw)
            except ExternalRef:
                continue
            if not isinstance(value, dict | bool):
                self.error(where, f"{value!r} is not of type 'object', 'boolean'"[:300])
                continue
            key = id(value)
            if not checked and key not in self.meta_checked:
                self.meta_checked.add(key)
                problem = self._meta_error(value)
                if problem is not None:
                    self.error(where, problem)
                    continue
            if key in self.visited:
                continue
            self.visited.add(key)
            if not isinstance(value, dict):
                continue
            nested: set[Any] = set()
            nested_children: list[Any] = []
            for keyword in ("allOf", "anyOf", "oneOf"):
                if keyword in value:
                    for inner in _children(self.deref(value[keyword]), f"{where}/{keyword}"):
                        nested_children.append(inner)
                        if keyword == "allOf":
                            nested |= self.reach.collect(inner, where)
            for keyword in ("not", "items"):
                if keyword in value:
                    nested_children.append(value[keyword])
            if "properties" in value:
                for _, prop in _items(self.deref(value["properties"]), f"{where}/properties"):
                    nested_children.append(prop)
            for child in reversed(nested_children):
                stack.append((child, False, True))
            required = self.deref(value["required"]) if "required" in value else None
            properties = (
                _keys(self.deref(value["properties"]), where) if "properties" in value else []
            )
            if "allOf" in value:
                extra = set(required or []) - set(properties) - nested
                if extra and require:
                    self.error(where, f"Required list has not defined properties: {sorted(extra)}")
            if "default" in value:
                default = self.deref(value["default"])
                nullable = self.deref(value["nullable"]) if "nullable" in value else False
                if default is not None or nullable is not True:
                    yield from self._default(value, default, where)
            yield None

    def _default(self, schema: Any, value: Any, where: str) -> Iterator[None]:
        problem = self.defaults.error(schema, value)
        if problem is not None:
            self.error(where, problem)
        yield None


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)
