"""Validate a parsed spec with openapi-spec-validator, the reference for verdicts.

The schema backend is pinned before the library is imported (it picks one at
import time): jsonschema-rs when installed, which gives the same verdicts
much faster, else jsonschema. Set AUDITOR_SCHEMA_BACKEND to override.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

from auditor.spec.detect import SpecFormat

MAX_ERRORS = 10


@cache
def backend() -> str:
    chosen = os.environ.get("AUDITOR_SCHEMA_BACKEND")
    if chosen is None:
        try:
            import jsonschema_rs  # noqa: F401

            chosen = "jsonschema-rs"
        except ImportError:
            chosen = "jsonschema"
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = chosen
    return chosen


@cache
def validator_id() -> str:
    """Names the validator and backend; part of the validation cache key."""
    return f"openapi-spec-validator {version('openapi-spec-validator')} ({backend()})"


@dataclass(frozen=True, slots=True)
class Verdict:
    valid: bool | None  # None: not validated (unsupported version)
    errors: tuple[str, ...]
    note: str | None = None


def _format_error(error: Any) -> str:
    path = "/".join(str(p) for p in getattr(error, "absolute_path", ()) or ())
    message = str(getattr(error, "message", error)).splitlines()[0][:300]
    return f"{path or '(root)'}: {message}"


def validate_document(document: Any, fmt: SpecFormat) -> Verdict:
    if not fmt.known:
        if fmt.family == "unknown":
            return Verdict(None, (), "not an OpenAPI or Swagger document")
        return Verdict(None, (), f"unsupported version {fmt.label}")
    backend()
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    try:
        cls = get_validator_cls(document)
    except (ValidatorDetectError, ValueError) as exc:
        return Verdict(None, (), f"version not recognised by the validator: {exc}")
    errors: list[str] = []
    try:
        for error in cls(document).iter_errors():
            errors.append(_format_error(error))
            if len(errors) >= MAX_ERRORS:
                break
    except RecursionError:
        return Verdict(False, ("(root): schema recursion too deep ($ref cycle?)",))
    except Exception as exc:  # the validator itself broke on this input
        return Verdict(False, (f"(root): validator failed: {type(exc).__name__}: {exc}"[:400],))
    return Verdict(not errors, tuple(errors))
