"""Validate a parsed spec: auditor's fast engine, with openapi-spec-validator as the reference.

The verdicts are openapi-spec-validator's (0.9): the same JSON Schema pass
over the whole document and the same semantic checks (``semantic.py``), run
with jsonschema-rs and plain dicts instead of pure-Python jsonschema and
jsonschema-path — about an order of magnitude faster on large specs.
``reference_verdict`` runs the real openapi-spec-validator, with its schema
backend pinned per call and with ``$ref`` retrieval disabled; tests and
``benchmarks/spec_validation.py`` hold the two to the same verdicts.

Nothing here fetches: a ``$ref`` outside the document is reported as "external
$ref not followed", and a document whose only gap is such a reference gets no
verdict (``valid=None``) rather than an unearned pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

from auditor import __version__
from auditor.spec.budget import Deadline
from auditor.spec.detect import SpecFormat
from auditor.spec.metaschema import document_errors
from auditor.spec.refs import LocalResolver
from auditor.spec.semantic import SemanticChecker
from auditor.spec.values import NotFetched, not_fetched_target

MAX_ERRORS = 10
REFERENCE_BACKENDS = ("jsonschema", "jsonschema-rs")


@dataclass(frozen=True, slots=True)
class Verdict:
    valid: bool | None  # None: not validated (unsupported version, external $refs)
    errors: tuple[str, ...]
    note: str | None = None
    external_refs: tuple[str, ...] = ()
    """``$ref`` targets outside the document, deliberately not fetched (first 20)."""
    external_ref_count: int = 0
    notes: tuple[str, ...] = ()
    """Observations that do not change the verdict (e.g. recursive schema composition)."""


ANALYSIS_REVISION = 4
"""Bumped when an analysis reports something new for the same document (r2: the
Swagger 2.0 rules stricter than the reference; r3: the OpenAPI 3.0/3.1 ones, and the
quality profile's ``stricter_rules_passed``; r4: request examples keep path placeholders,
say what they accept, and cover up to 50 operations), so caches and stores analyse again.
Bump it too when the findings made from an analysis change (``report_findings`` in
``probes/spec_findings.py``): a store reuses an unchanged document's findings under the
same id (``store/spec_reuse.py``)."""


@cache
def validator_id() -> str:
    """Names the engine and everything its verdicts depend on; part of the cache key."""
    parts = ", ".join(
        f"{name} {version(name)}"
        for name in ("jsonschema-rs", "openapi-schema-validator", "openapi-spec-validator")
    )
    return f"auditor {__version__} spec engine r{ANALYSIS_REVISION} ({parts})"


def _unvalidated(fmt: SpecFormat) -> Verdict | None:
    if fmt.known:
        return None
    if fmt.family == "unknown":
        return Verdict(None, (), "not an OpenAPI or Swagger document")
    return Verdict(None, (), f"unsupported version {fmt.label}")


def _external_note(refs: LocalResolver) -> str:
    first = refs.external[0]
    more = refs.external_count - 1
    return f"external $ref not followed: {first}" + (f" (and {more} more)" if more else "")


def validate_document(
    document: Any, fmt: SpecFormat, deadline: Deadline | None = None, escalate: bool = False
) -> Verdict:
    """auditor's verdict for a parsed document of format ``fmt``.

    ``deadline`` bounds the walks (``OverBudget`` when it passes); ``escalate`` raises
    ``NeedsProcess`` rather than match a regular expression against a value here (see
    ``values.py``)."""
    skipped = _unvalidated(fmt)
    if skipped is not None:
        return skipped
    assert fmt.minor is not None
    deadline = deadline if deadline is not None else Deadline()
    deadline.stage = "validation: schema"
    try:
        errors = document_errors(document, fmt, MAX_ERRORS)
    except (ValueError, TypeError, OverflowError) as exc:  # values jsonschema-rs cannot take
        errors = [f"(root): document cannot be checked: {type(exc).__name__}: {exc}"[:400]]
    deadline.check()
    deadline.stage = "validation: semantic checks"
    refs = LocalResolver(document, deadline)
    semantic = SemanticChecker(document, fmt.minor, refs, MAX_ERRORS, escalate).run()
    errors = (errors + semantic.errors)[:MAX_ERRORS]
    external = tuple(refs.external)
    if errors:
        valid: bool | None = False
        note = None
    elif external:
        valid, note = None, _external_note(refs)
    else:
        valid, note = True, None
    return Verdict(
        valid,
        tuple(errors),
        note,
        external_refs=external,
        external_ref_count=refs.external_count,
        notes=tuple(semantic.notes),
    )


# --- the reference: openapi-spec-validator itself ----------------------------------


class _RefuseAll(Mapping[str, Any]):
    """jsonschema-path resolver handlers: every scheme is known, none is fetched.

    jsonschema-path falls back to ``urllib.request.urlopen`` for schemes its
    handlers do not list (``ftp:``, ``data:``, relative paths…), so the mapping
    claims them all and refuses each.
    """

    def __getitem__(self, scheme: str) -> Any:
        def refuse(uri: str) -> Any:
            raise NotFetched(uri)

        return refuse

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@cache
def _reference_class(minor: str, backend: str) -> Any:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
        OpenAPIV32SpecValidator,
    )
    from openapi_spec_validator.schemas import schema_v2, schema_v30, schema_v31, schema_v32

    # The package picks its schema backend from an environment variable, once per process;
    # its two backend modules' factories (no underscore, but not re-exported) pin it per call.
    from openapi_spec_validator.schemas.backend.jsonschema import (
        create_validator as create_jsonschema_validator,
    )
    from openapi_spec_validator.schemas.backend.jsonschema_rs import (
        create_validator as create_jsonschema_rs_validator,
    )

    base, schema = {
        "2.0": (OpenAPIV2SpecValidator, schema_v2),
        "3.0": (OpenAPIV30SpecValidator, schema_v30),
        "3.1": (OpenAPIV31SpecValidator, schema_v31),
        "3.2": (OpenAPIV32SpecValidator, schema_v32),
    }[minor]
    if backend == "jsonschema-rs":
        checker = create_jsonschema_rs_validator(dict(schema))
    elif backend == "jsonschema":
        checker = create_jsonschema_validator(dict(schema))
    else:
        raise ValueError(f"unknown schema backend {backend!r}")
    attrs = {"schema_validator": checker, "resolver_handlers": _RefuseAll()}
    return type(f"Pinned{base.__name__}", (base,), attrs)


def reference_verdict(document: Any, fmt: SpecFormat, backend: str = "jsonschema") -> Verdict:
    """openapi-spec-validator's verdict, its schema backend pinned, ``$ref`` fetching refused.

    An exception inside the validator (a ``$ref`` it cannot resolve, a
    recursion it cannot end) makes ``validate()`` raise, so it counts as
    invalid here too; the error text says it was a crash.
    """
    skipped = _unvalidated(fmt)
    if skipped is not None:
        return skipped
    assert fmt.minor is not None
    cls = _reference_class(fmt.minor, backend)
    errors: list[str] = []
    try:
        for error in cls(document).iter_errors():
            path = "/".join(str(p) for p in getattr(error, "absolute_path", ()) or ())
            message = str(getattr(error, "message", error)).splitlines()[0][:300]
            errors.append(f"{path or '(root)'}: {message}")
            if len(errors) >= MAX_ERRORS:
                break
    except RecursionError:
        errors.append("(root): validator crashed: RecursionError")
    except Exception as exc:
        target = not_fetched_target(exc)
        if target is not None and not errors:
            return Verdict(None, (), f"external $ref not followed: {target}", (target,), 1)
        errors.append(f"(root): validator crashed: {type(exc).__name__}: {exc}"[:400])
    return Verdict(not errors, tuple(errors))
