"""Which specification a parsed document claims to be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED = {"swagger": frozenset({"2.0"}), "openapi": frozenset({"3.0", "3.1", "3.2"})}
"""Versions auditor validates, per family (``swagger: 3.0`` or ``openapi: 2.0`` exist in no spec)."""


@dataclass(frozen=True, slots=True)
class SpecFormat:
    """The family and version a document declares; ``known`` when auditor validates it."""

    family: str  # "swagger", "openapi" or "unknown"
    version: str | None  # as declared, e.g. "3.0.3" (a YAML number normalised to text)

    @property
    def minor(self) -> str | None:
        if self.version is None:
            return None
        parts = self.version.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else self.version

    @property
    def known(self) -> bool:
        return self.minor in SUPPORTED.get(self.family, ())

    @property
    def label(self) -> str:
        if self.family == "swagger":
            return f"Swagger {self.version}"
        if self.family == "openapi":
            return f"OpenAPI {self.version}"
        return "unknown"


def normalise_version(value: Any) -> str | None:
    """The declared version as text: an unquoted YAML ``2.0`` is the float 2.0.

    The document itself is left as written (the meta-schema then rejects the
    number, as the specification requires a string), but detection and the
    report speak of "2.0", not of a crash.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else f"{value}"
    return None


def detect_format(document: Any) -> SpecFormat:
    if not isinstance(document, dict):
        return SpecFormat("unknown", None)
    for key, family in (("swagger", "swagger"), ("openapi", "openapi")):
        version = normalise_version(document.get(key))
        if version:
            return SpecFormat(family, version)
    return SpecFormat("unknown", None)
