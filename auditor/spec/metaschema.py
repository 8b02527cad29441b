"""Compiled jsonschema-rs validators for the JSON Schema passes of validation.

openapi-spec-validator runs two kinds of JSON Schema validation, both in
pure-Python jsonschema unless told otherwise:

* the whole document against the OpenAPI/Swagger schema (no format checks);
* every schema object it visits against the schema dialect's meta-schema
  (draft-04 for Swagger 2.0 and OpenAPI 3.0, the OAS dialect for 3.1/3.2),
  *with* openapi-schema-validator's format checker, so a ``pattern`` that
  Python's ``re`` cannot compile fails.

Both are reproduced here with jsonschema-rs (~300x faster on large specs);
each format named by a meta-schema is handed back to the very Python checker
openapi-schema-validator uses, so the verdicts are the same, not merely close.
Validators are compiled once per process and reused.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from auditor.spec.detect import SpecFormat
from auditor.spec.oas import oas

MAX_SCHEMA_ERRORS = 10

# The schema each OpenAPI minor version is checked against, as openapi-spec-validator ships it.
_DOCUMENT_SCHEMA = {"2.0": "2.0", "3.0": "3.0", "3.1": "3.1", "3.2": "3.2"}


def document_schema(minor: str) -> dict[str, Any]:
    """openapi-spec-validator's own copy of the schema, read without importing the package
    (its import pulls in pydantic and jsonschema-path: ~0.5 s per worker process)."""
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("openapi-spec-validator is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "resources" / "schemas" / f"v{_DOCUMENT_SCHEMA[minor]}" / "schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def document_validator(minor: str) -> Any:
    """The OpenAPI/Swagger schema for ``minor``, compiled; formats unchecked as in the reference."""
    return jsonschema_rs.validator_for(document_schema(minor), validate_formats=False)


def _formats_in(node: Any, found: set[str]) -> set[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            value = current.get("format")
            if isinstance(value, str):
                found.add(value)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _python_formats(checker: Any, meta_schemas: list[Any]) -> dict[str, Callable[[Any], bool]]:
    """Every format the meta-schemas name, decided by ``checker`` (unknown ones always pass)."""
    found: set[str] = set()
    for meta in meta_schemas:
        _formats_in(meta, found)

    def conforms(name: str) -> Callable[[Any], bool]:
        if name not in checker.checkers:
            return lambda _value: True
        return lambda value: bool(checker.conforms(value, name))

    return {name: conforms(name) for name in sorted(found)}


@cache
def schema_object_validator(minor: str) -> Any:
    """The meta-schema schema objects of this OpenAPI version must satisfy.

    Mirrors ``OAS30Validator.check_schema`` (2.0 and 3.0: draft-04 meta-schema)
    and ``OAS31Validator``/``OAS32Validator.check_schema`` (the OAS dialect,
    resolved from openapi-schema-validator's own registry, never the network).
    """
    library = oas()
    cls = library.validators[minor]
    meta = cls.META_SCHEMA
    resources = [(uri, library.registry.contents(uri)) for uri in library.registry]
    formats = _python_formats(cls.FORMAT_CHECKER, [meta, *(c for _, c in resources)])
    registry = jsonschema_rs.Registry(resources)
    return jsonschema_rs.validator_for(
        meta, validate_formats=True, formats=formats, registry=registry
    )


def _describe(error: Any) -> str:
    path = "/".join(str(p) for p in getattr(error, "instance_path", ()) or ())
    message = str(getattr(error, "message", error)).splitlines()[0][:300]
    return f"{path or '(root)'}: {message}"


def document_errors(document: Any, fmt: SpecFormat, limit: int = MAX_SCHEMA_ERRORS) -> list[str]:
    """The document's violations of its OpenAPI/Swagger schema (at most ``limit``)."""
    assert fmt.minor is not None
    errors: list[str] = []
    for error in document_validator(fmt.minor).iter_errors(document):
        errors.append(_describe(error))
        if len(errors) >= limit:
            break
    return errors


def schema_object_error(schema: Any, minor: str) -> str | None:
    """The first violation of the schema dialect's meta-schema by one schema object."""
    validator = schema_object_validator(minor)
    if validator.is_valid(schema):
        return None
    for error in validator.iter_errors(schema):
        return str(getattr(error, "message", error)).splitlines()[0][:300]
    return "schema object is invalid"  # pragma: no cover - is_valid and iter_errors disagree
