"""Everything auditor learns from one spec document, in one picklable report.

``analyse_spec`` is the unit of CPU work: it runs in a worker process for
large specs and hands back a compact summary (at most 500 inventory rows, a
few request examples), never the parsed document. It never raises: whatever
breaks on a hostile document is reported in the ``SpecReport``, and so is an
analysis that ran out of time (``budget``: ``spec.valid`` unknown, the
cause named, the report marked so that no cache keeps it).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from auditor.spec.budget import Deadline, OverBudget
from auditor.spec.detect import SpecFormat, detect_format
from auditor.spec.examples import RequestExample, pick_examples
from auditor.spec.inventory import MAX_LISTED, build_inventory, operations
from auditor.spec.oas_rules import MINORS as OAS_MINORS
from auditor.spec.oas_rules import NOT_CHECKED
from auditor.spec.oas_rules import stricter_notes as oas_notes
from auditor.spec.parse import DocumentError, parse_document, paused_gc
from auditor.spec.quality import SpecQuality, assess_quality
from auditor.spec.refs import LocalResolver
from auditor.spec.swagger2_rules import stricter_notes as swagger2_notes
from auditor.spec.validate import Verdict, validate_document, validator_id
from auditor.spec.values import NeedsProcess

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True, slots=True)
class SpecReport:
    sha256: str
    size: int
    family: str = "unknown"
    version: str | None = None
    format_label: str = "unknown"
    format_known: bool = False
    parse_error: str | None = None
    valid: bool | None = None
    errors: tuple[str, ...] = ()
    note: str | None = None
    validator: str = ""
    title: str | None = None
    license: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    servers: tuple[str, ...] = ()
    path_count: int = 0
    operation_count: int = 0
    duration_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    field_count: int = 0
    fields: tuple[dict[str, Any], ...] = ()
    """The first 500 of ``field_count`` data fields, as ``SpecField.to_dict()`` rows: they
    are facts for findings and JSON for caches, so they stay plain (and cheap to reload)."""
    operations: tuple[str, ...] = ()
    """``GET /pets``… (first 500)."""
    examples: tuple[RequestExample, ...] = ()
    quality: SpecQuality | None = None
    external_refs: tuple[str, ...] = ()
    external_ref_count: int = 0
    notes: tuple[str, ...] = ()
    """What did not change the verdict but is worth saying (recursive schemas, skipped parts)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpecReport:
        """The inverse of ``to_dict`` (JSON caches); raises KeyError/TypeError on bad data."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("errors", "servers", "operations", "external_refs", "notes"):
            values[name] = tuple(str(v) for v in values.get(name) or ())
        # rows read from JSON are fresh dicts already: 500 copies a report cost ~0.5 ms
        values["fields"] = tuple(
            f if type(f) is dict else dict(f) for f in values.get("fields") or ()
        )
        values["examples"] = tuple(
            RequestExample.from_dict(e) for e in values.get("examples") or ()
        )
        quality = values.get("quality")
        values["quality"] = SpecQuality(**quality) if isinstance(quality, dict) else None
        return cls(**values)


def _servers(document: dict[str, Any]) -> tuple[str, ...]:
    if isinstance(document.get("servers"), list):
        urls = []
        for server in document["servers"]:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            variables = server.get("variables")
            if isinstance(variables, dict):
                for name, spec in variables.items():
                    if isinstance(spec, dict) and "default" in spec:
                        url = url.replace("{" + str(name) + "}", str(spec["default"]))
            urls.append(url)
        return tuple(urls)
    host = document.get("host")
    base = document.get("basePath") if isinstance(document.get("basePath"), str) else ""
    if isinstance(host, str):
        schemes = document.get("schemes") or ["https"]
        if not isinstance(schemes, list):  # "schemes": 5 is invalid, not a crash
            schemes = ["https"]
        return tuple(f"{scheme}://{host}{base}" for scheme in schemes if isinstance(scheme, str))
    if "swagger" in document:
        return (base,) if base else ()  # relative to the host the spec came from
    return ()


def _mapping(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


OVER_BUDGET = "over_budget"
"""``SpecReport.extra`` key of an analysis stopped by its deadline (the stage it was in)."""
NEEDS_PROCESS = "needs_process"
"""``SpecReport.extra`` key of an analysis that asked to run in a worker process instead."""


def _describe(document: dict[str, Any], minor: str, deadline: Deadline) -> dict[str, Any]:
    """Inventory, operations, examples and quality; a failure in one leaves a note."""
    deadline.stage = "summary"
    refs = LocalResolver(document, deadline)
    found: dict[str, Any] = {"notes": []}
    try:
        ops = [f"{m.upper()} {p}" for m, p, _ in operations(document, refs)]
        found["operation_count"] = len(ops)
        found["operations"] = tuple(ops[:MAX_LISTED])
        inv = build_inventory(document, minor, refs)
        found["field_count"] = inv.count
        found["fields"] = tuple(field.to_dict() for field in inv.fields)
        found["quality"] = assess_quality(document, minor, refs)
        found["examples"] = tuple(pick_examples(document, minor, refs))
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as exc:
        found["notes"].append(f"summary incomplete: {type(exc).__name__}: {exc}"[:300])
    return found


def analyse_spec(
    data: bytes,
    max_nodes: int = 2_000_000,
    max_depth: int = 512,
    budget: float | None = None,
    escalate: bool = False,
) -> SpecReport:
    """Parse, detect, validate and summarise one document (the collector paused: see parse).

    ``budget``: seconds the analysis may take (None: no limit); past them it stops and says
    so. ``escalate``: stop, marked ``NEEDS_PROCESS``, rather than run a regular expression
    against a value (``values.NeedsProcess``): for analyses in the event loop's process.
    """
    with paused_gc():
        return _analyse(data, max_nodes, max_depth, Deadline(budget), escalate)


MIN_BUDGET = 0.1
"""Seconds an analysis gets even when its time was spent waiting for a thread or a worker."""


def analyse_until(
    analyse: Callable[..., SpecReport], stop: float, data: bytes, *args: Any
) -> SpecReport:
    """``analyse(data, max_nodes, max_depth, budget, *rest)`` with the budget left when it
    starts (``stop`` minus now): time spent in a queue is not given again. ``stop`` is
    wall-clock time, the one clock a worker process shares with the run; ``analyse`` is
    ``analyse_spec`` (passed in, so that a caller's replacement is the one that runs)."""
    max_nodes, max_depth, *rest = args
    return analyse(data, max_nodes, max_depth, max(MIN_BUDGET, stop - time.time()), *rest)


def over_budget_note(exc: OverBudget) -> str:
    """The note of a stopped analysis; "analysis failed" keeps stores from reusing it."""
    return f"analysis failed: {exc}"


@dataclass(frozen=True, slots=True)
class _Subject:
    """One analysis: the document as parsed and what every report about it carries."""

    document: Any
    fmt: SpecFormat
    digest: str
    size: int
    started: float

    def report(
        self,
        verdict: Verdict | None,
        problem: str | None,
        described: dict[str, Any],
        notes: list[str],
        extra: dict[str, Any] | None = None,
    ) -> SpecReport:
        document = self.document if isinstance(self.document, dict) else {}
        raw_info, raw_paths = document.get("info"), document.get("paths")
        info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
        paths: dict[str, Any] = raw_paths if isinstance(raw_paths, dict) else {}
        return SpecReport(
            sha256=self.digest,
            size=self.size,
            family=self.fmt.family,
            version=self.fmt.version,
            format_label=self.fmt.label,
            format_known=self.fmt.known,
            valid=verdict.valid if verdict else None,
            errors=verdict.errors if verdict else (),
            note=verdict.note if verdict else problem,
            validator=validator_id(),
            title=str(info["title"]) if "title" in info else None,
            license=_mapping(info.get("license")),
            contact=_mapping(info.get("contact")),
            servers=_servers(document),
            path_count=len(paths),
            operation_count=described.pop("operation_count", _count_operations(paths)),
            duration_ms=round((time.perf_counter() - self.started) * 1000, 1),
            external_refs=verdict.external_refs if verdict else (),
            external_ref_count=verdict.external_ref_count if verdict else 0,
            notes=tuple(notes),
            extra=extra or {},
            **described,
        )


def _analyse(
    data: bytes, max_nodes: int, max_depth: int, deadline: Deadline, escalate: bool
) -> SpecReport:
    started = time.perf_counter()
    digest = hashlib.sha256(data).hexdigest()
    try:
        document = parse_document(data, max_nodes=max_nodes, max_depth=max_depth, deadline=deadline)
    except DocumentError as exc:
        return SpecReport(digest, len(data), parse_error=str(exc), validator=validator_id())
    except OverBudget as exc:  # nothing is known about the document
        extra = {"analysis_failed": True, OVER_BUDGET: exc.stage}
        note = over_budget_note(exc)
        return SpecReport(digest, len(data), note=note, validator=validator_id(), extra=extra)
    subject = _Subject(document, detect_format(document), digest, len(data), started)
    try:
        return _examine(subject, deadline, escalate)
    except OverBudget as exc:  # the format is known; the verdict and the summaries are not
        return subject.report(None, over_budget_note(exc), {}, [], {OVER_BUDGET: exc.stage})
    except NeedsProcess as exc:
        return subject.report(None, f"not analysed here: {exc}", {}, [], {NEEDS_PROCESS: True})


def _examine(subject: _Subject, deadline: Deadline, escalate: bool) -> SpecReport:
    fmt = subject.fmt
    problem: str | None = None
    verdict = None
    try:
        verdict = validate_document(subject.document, fmt, deadline, escalate)
    except (OverBudget, NeedsProcess):
        raise
    except RecursionError:
        problem = "validation stopped: structure nested too deeply"
    except Exception as exc:  # a validator bug must not take the run down
        problem = f"validation failed: {type(exc).__name__}: {exc}"[:400]
    document = subject.document if isinstance(subject.document, dict) else {}
    described = _describe(document, fmt.minor or "", deadline) if fmt.known else {"notes": []}
    notes = [*(verdict.notes if verdict else ()), *described.pop("notes")]
    deadline.stage = "stricter rules"
    stricter = _stricter(document, fmt.family, fmt.minor, deadline) if fmt.known else None
    notes += stricter or ()
    if isinstance(described.get("quality"), SpecQuality):  # the notes feed the profile
        passed = (
            None if stricter is None or any(NOT_CHECKED in n for n in stricter) else not stricter
        )
        described["quality"] = replace(described["quality"], stricter_rules_passed=passed)
    return subject.report(verdict, problem, described, notes)


def _stricter(
    document: dict[str, Any], family: str, minor: str | None, deadline: Deadline
) -> tuple[str, ...] | None:
    """Notes on the rules of the specification the reference skips; None where auditor has
    none for that version (OpenAPI 3.2)."""
    if family == "swagger":
        return tuple(swagger2_notes(document, deadline=deadline))
    if minor in OAS_MINORS:
        return oas_notes(document, minor)
    return None


def _count_operations(paths: dict[str, Any]) -> int:
    return sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )
