"""A spec's fields and operations, as a snapshot keeps them to compare versions.

Keys are a field's identity across versions (``Pet.name``, ``GET /pets query
limit``), sorted, with the counts beside them: the analysis lists at most 500
rows, so a diff of the lists can only speak of the listed part.

Since schema v8 a snapshot holding its analysis keeps no inventory of its own:
the analysis lists the same rows, and a reader (a diff, ``auditor history``)
derives the keys from it (``snapshot_inventory``). Writing them cost a
recording run ~0.1 ms a document (the rows' keys, sorted, then serialised and
packed), for the few documents a diff ever reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.model import Finding
from auditor.spec.analyse import SpecReport
from auditor.store.codec import load_packed


def field_key(item: Any) -> str:
    """A field's identity across versions: ``Pet.name`` (property), ``GET /pets query limit``."""
    if isinstance(item, str):
        return item
    data = item if isinstance(item, Mapping) else {}

    def get(name: str) -> Any:
        return data.get(name) if data else getattr(item, name, None)

    schema, location, name = get("schema"), get("location"), get("name")
    if location in (None, "property"):
        return f"{schema}.{name}" if schema else str(name)
    return f"{schema} {location} {name}"


def _row_key(row: dict[str, Any]) -> str:
    """``field_key`` of a plain row (the analysis's own kind), without its lookups: a
    snapshot's 500 rows cost ~1 ms through the general one."""
    schema, location, name = row.get("schema"), row.get("location"), row.get("name")
    if location is None or location == "property":
        return f"{schema}.{name}" if schema else str(name)
    return f"{schema} {location} {name}"


def _inventory(
    fields: Iterable[Any], operations: Iterable[Any], facts: Mapping[str, Any]
) -> dict[str, Any]:
    keys = sorted({_row_key(f) if type(f) is dict else field_key(f) for f in fields})
    ops = sorted({str(o) for o in operations})
    return {
        "fields": keys,
        "operations": ops,
        "field_count": facts.get("field_count", len(keys)),
        "operation_count": facts.get("operation_count", len(ops)),
    }


Listing = tuple[Iterable[Any], Iterable[Any], Mapping[str, Any]]
"""A spec's field rows, its operations and the counts beside them."""


def _listing(findings: Iterable[Finding], report: SpecReport | None) -> Listing | None:
    """What the spec lists: the ``spec.inventory`` finding's, else the analysis's."""
    for finding in findings:
        if finding.check == "spec.inventory":
            facts = finding.facts
            return facts.get("fields") or (), facts.get("operations") or (), facts
    if report is not None and (report.fields or report.operations):
        counts = {"field_count": report.field_count, "operation_count": report.operation_count}
        return report.fields, report.operations, counts
    return None


def inventory(findings: Iterable[Finding], report: SpecReport | None = None) -> dict[str, Any]:
    """Fields and operations of the spec: the ``spec.inventory`` finding, else the analysis.

    Lists are capped by the analysis (500 rows); a diff of capped lists can only
    speak of the listed part, which is why the counts are kept beside them.
    """
    found = _listing(findings, report)
    return _inventory(*found) if found is not None else {}


def field_count(findings: Iterable[Finding], report: SpecReport | None = None) -> Any:
    """The count ``inventory`` gives, without making the inventory (a snapshot's column)."""
    found = _listing(findings, report)
    return found[2].get("field_count") if found is not None else None


def _listed(report: Mapping[str, Any]) -> bool:
    """The analysis yields a ``spec.inventory`` finding (``probes.spec_findings``): a
    document read and recognised, with its documentation assessed."""
    extra = report.get("extra")
    failed = isinstance(extra, Mapping) and bool(extra.get("analysis_failed"))
    return (
        report.get("format_known") is True
        and report.get("quality") is not None
        and report.get("parse_error") is None
        and not failed
    )


def snapshot_inventory(inventory_value: str | bytes | None, report_value: bytes | None) -> Any:
    """A snapshot's inventory from its row: the one stored (snapshots written before schema
    v8, or without an analysis), else derived from its stored analysis; {} for none.

    Any stored analysis will do, however old its auditor: only its ``fields``,
    ``operations`` and counts are read, as ``inventory`` read them. A readable
    OpenAPI/Swagger document listing no field and no operation has an inventory, an
    empty one (its ``spec.inventory`` finding says so): a diff from it, or to it, is
    known, and one that empties a spec is breaking.
    """
    found = load_packed(inventory_value)
    if found or report_value is None:
        return found or {}
    report = load_packed(report_value)
    if not isinstance(report, Mapping):
        return {}
    fields, operations = report.get("fields") or [], report.get("operations") or []
    if not isinstance(fields, list) or not isinstance(operations, list):
        return {}
    if not fields and not operations and not _listed(report):
        return {}
    counts = {k: report[k] for k in ("field_count", "operation_count") if k in report}
    return _inventory(fields, operations, counts)
