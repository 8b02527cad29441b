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

REGEX_KEYWORDS = frozenset({"pattern", "patternProperties"})


class NotFetched(Exception):
    """Raised by the registry's retriever: auditor never fetches ``$ref`` targets."""


class NeedsProcess(Exception):
    """A ``default`` check would match a document's regular expression against a value.

    Python's ``re`` backtracks (``^(a+)+$`` against 40 ``a`` and a ``!`` runs for hours) and
    holds the GIL while it does: no deadline check and no event loop runs meanwhile. Where
    the analysis runs in the event loop's process it asks to be moved to a worker process,
    which can be killed, instead (``analyse_spec(..., escalate=True)``).
    """


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

    def __init__(
        self, document: Any, minor: str, resolver: LocalResolver, escalate: bool = False
    ) -> None:
        self.document = document
        self.minor = minor
        self.local = resolver
        self.escalate = escalate
        self._resolver: Any = None
        self._regex: bool | None = None

    def _has_regex(self) -> bool:
        """Whether the document names a regular expression anywhere (one walk, remembered)."""
        if self._regex is None:
            found = False
            stack = [self.document]
            tick = self.local.deadline.tick
            while stack and not found:
                tick()
                node = stack.pop()
                if isinstance(node, dict):
                    found = not REGEX_KEYWORDS.isdisjoint(node)
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
            self._regex = found
        return self._regex

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
        if self.escalate and self._has_regex():
            raise NeedsProcess("a default value is checked against a regular expression")
        self.local.deadline.check()
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
