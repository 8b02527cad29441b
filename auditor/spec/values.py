"""Checks that need openapi-schema-validator's own Python validators, never the network.

``default`` values are validated exactly as openapi-spec-validator does it
(OAS30/31/32Validator with its format checker, ``nullable`` and
discriminator rules included); they are few, so Python speed is fine here.
References are resolved by ``referencing`` inside the document only: any
other URI raises ``NotFetched`` instead of being downloaded, and is recorded
as an external reference that was not followed.
"""

from __future__ import annotations

from typing import Any

from auditor.spec.oas import oas
from auditor.spec.refs import LocalResolver


class NotFetched(Exception):
    """Raised by the registry's retriever: auditor never fetches ``$ref`` targets."""


def _refuse(uri: str) -> Any:
    raise NotFetched(uri)


def not_fetched_target(exc: BaseException) -> str | None:
    """The URI an exception chain refused to fetch, if that is what happened."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NotFetched):
            return str(current.args[0]) if current.args else "?"
        wrapped = getattr(current, "_wrapped", None)
        current = current.__cause__ or current.__context__ or wrapped
    return None


class DefaultChecker:
    """Validates values against schemas of one document, lazily building what it needs."""

    def __init__(self, document: Any, minor: str, resolver: LocalResolver) -> None:
        self.document = document
        self.minor = minor
        self.local = resolver
        self._resolver: Any = None

    def _classes(self) -> tuple[Any, Any]:
        library = oas()
        return library.validators[self.minor], library.format_checkers[self.minor]

    def resolver(self) -> Any:
        """A ``referencing`` resolver over this document alone (as jsonschema-path builds one)."""
        if self._resolver is None:
            library = oas()
            registry: Any = library.referencing_registry(retrieve=_refuse).with_resource(
                "", library.draft202012.create_resource(self.document)
            )
            self._resolver = registry.resolver(base_uri="")
        return self._resolver

    def error(self, schema: Any, value: Any) -> str | None:
        """Why ``value`` does not satisfy ``schema`` (None if it does or if unchecked)."""
        cls, checker = self._classes()
        try:
            validator = cls(schema, _resolver=self.resolver(), format_checker=checker)
            for problem in validator.iter_errors(value):
                return f"default {problem.message}"[:300]
        except RecursionError:
            return "default value cannot be checked: schema recursion too deep"
        except Exception as exc:  # the reference validator raises here too
            target = not_fetched_target(exc)
            if target is not None:
                self.local.note_external(target)
                return None
            return f"default value cannot be checked: {type(exc).__name__}: {exc}"[:300]
        return None

    def foreign_dialect_error(self, schema: Any, dialect: str) -> str | None:
        """A 3.1+ schema naming another ``$schema``: checked by that dialect's Python validator."""
        library = oas()
        _, checker = self._classes()
        cls: Any = library.validator_for({"$schema": dialect}, default=None)
        if cls is None:
            return f"Unknown JSON Schema dialect: {dialect!r}"
        try:
            cls.check_schema(schema, format_checker=checker)
        except library.schema_error as exc:
            return str(getattr(exc, "message", exc))[:300]
        return None
