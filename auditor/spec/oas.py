"""openapi-schema-validator's pieces, imported once, under a lock.

They are imported lazily (~0.3 s: the package pulls in pydantic), and the
first import may happen in several analysis threads at once; Python can then
hand one thread the package half-initialised ("cannot import name … from
partially initialized module"). So the first import holds a lock, and every
caller gets the same fully loaded set.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_loaded: OasLibrary | None = None


@dataclass(frozen=True, slots=True)
class OasLibrary:
    validators: dict[str, Any]
    """OAS30Validator (2.0 and 3.0), OAS31Validator, OAS32Validator by OpenAPI minor version."""
    format_checkers: dict[str, Any]
    registry: Any
    """openapi-schema-validator's registry of meta-schemas (OAS dialects, JSON Schema drafts)."""
    validator_for: Any
    schema_error: type[Exception]
    referencing_registry: Any
    draft202012: Any


def oas() -> OasLibrary:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def _load() -> OasLibrary:
    from jsonschema import SchemaError
    from jsonschema.validators import validator_for
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        OAS32Validator,
        oas30_format_checker,
        oas31_format_checker,
        oas32_format_checker,
    )

    # Private, and kept: no public name gives this registry (the OAS dialects and
    # vocabularies with every JSON Schema draft). It is the very object the validators'
    # own check_schema resolves meta-schemas through, so the meta-schema verdicts match
    # exactly; docs/spec-pipeline.md says to check it on each upgrade.
    from openapi_schema_validator._specifications import REGISTRY
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    return OasLibrary(
        validators={
            "2.0": OAS30Validator,
            "3.0": OAS30Validator,
            "3.1": OAS31Validator,
            "3.2": OAS32Validator,
        },
        format_checkers={
            "2.0": oas30_format_checker,
            "3.0": oas30_format_checker,
            "3.1": oas31_format_checker,
            "3.2": oas32_format_checker,
        },
        registry=REGISTRY,
        validator_for=validator_for,
        schema_error=SchemaError,
        referencing_registry=Registry,
        draft202012=DRAFT202012,
    )
