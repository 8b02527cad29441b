"""Which specification a parsed document claims to be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED = frozenset({"2.0", "3.0", "3.1", "3.2"})


@dataclass(frozen=True, slots=True)
class SpecFormat:
    family: str  # "swagger", "openapi" or "unknown"
    version: str | None  # as declared, e.g. "3.0.3"

    @property
    def minor(self) -> str | None:
        if self.version is None:
            return None
        parts = self.version.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else self.version

    @property
    def known(self) -> bool:
        return self.family != "unknown" and self.minor in SUPPORTED

    @property
    def label(self) -> str:
        if self.family == "swagger":
            return f"Swagger {self.version}"
        if self.family == "openapi":
            return f"OpenAPI {self.version}"
        return "unknown"


def detect_format(document: Any) -> SpecFormat:
    if not isinstance(document, dict):
        return SpecFormat("unknown", None)
    if "swagger" in document:
        return SpecFormat("swagger", str(document["swagger"]))
    if "openapi" in document:
        return SpecFormat("openapi", str(document["openapi"]))
    return SpecFormat("unknown", None)
