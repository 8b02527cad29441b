"""The technical half of an entry's page: schema, verification, usage, spec quality.

Each part reads one family of findings (``spec.inventory``,
``availability.*``, ``spec.examples``, ``spec.quality``) and is None or
empty when the finding is absent, so results from an auditor without that
probe still render, saying what is missing instead of inventing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditor.render.findings import Findings, age_text, items, mapping, number, parse_time, text
from auditor.render.language import ENGLISH, N_, Language
from auditor.render.text import one_line, safe_url

MAX_FIELDS = 500
MAX_EXAMPLES = 12
PROBED_ENDPOINTS = (
    ("base_url", N_("Base URL")),
    ("spec_url", N_("Spec")),
    ("docs_url", N_("Docs")),
)
QUALITY_SHARES = (
    ("operation_id_share", N_("Operations with an operationId")),
    ("summary_share", N_("Operations with a summary")),
    ("parameter_docs_share", N_("Parameters described")),
    ("response_schema_share", N_("Responses with a schema")),
    ("examples_share", N_("Operations with examples")),
    ("error_responses_share", N_("Operations documenting errors")),
)
QUALITY_FLAGS = (
    ("servers_declared", N_("Servers declared")),
    ("security_declared", N_("Security schemes declared")),
    ("pagination_documented", N_("Pagination documented")),
    ("rate_limit_documented", N_("Rate limits documented")),
    ("stricter_rules_passed", N_("Keeps the spec rules the validator skips")),
)


@dataclass(frozen=True, slots=True)
class FieldRow:
    name: str
    type: str
    description: str
    where: str
    access: str


@dataclass(frozen=True, slots=True)
class SchemaView:
    field_count: int
    fields: tuple[FieldRow, ...]
    truncated: bool
    source: str
    age: str


@dataclass(frozen=True, slots=True)
class ProbeRow:
    label: str
    url: str | None
    link: str | None
    outcome: str
    status: str
    latency: str
    tls: str
    expiry: str
    message: str


@dataclass(frozen=True, slots=True)
class Example:
    operation: str
    method: str
    path: str
    command: str


@dataclass(frozen=True, slots=True)
class QualityRow:
    label: str
    share: float | None  # 0-1 for shares, None for yes/no rows
    value: str


@dataclass(frozen=True, slots=True)
class SpecView:
    schema: SchemaView | None
    verification: str | None
    verification_outcome: str
    probes: tuple[ProbeRow, ...]
    base_url: str | None
    base_link: str | None
    format: str | None
    examples: tuple[Example, ...]
    examples_absent: str
    """Why there is no example, said when ``examples`` is empty."""
    quality: tuple[QualityRow, ...]
    spec: Mapping[str, Any] | None
    errors: tuple[str, ...]


def _schema(
    findings: Findings, spec_format: str | None, now: datetime, tr: Language
) -> SchemaView | None:
    finding = findings.first("spec.inventory")
    facts = findings.facts("spec.inventory")
    if finding is None or facts is None:
        return None
    raw_fields = items(facts.get("fields"))
    rows = []
    for item in raw_fields[:MAX_FIELDS]:
        if not isinstance(item, Mapping):
            continue
        kind = text(item.get("type")) or "?"
        if text(item.get("format")):
            kind = f"{kind} ({item['format']})"
        access = (
            tr.gettext("read-only")
            if item.get("read_only")
            else tr.gettext("write-only")
            if item.get("write_only")
            else ""
        )
        rows.append(
            FieldRow(
                name=one_line(item.get("name"), 120),
                type=one_line(kind, 60),
                description=one_line(item.get("description"), 240),
                where=one_line(item.get("schema") or item.get("location"), 80),
                access=access,
            )
        )
    count = facts.get("field_count")
    return SchemaView(
        field_count=int(count)
        if isinstance(count, int) and not isinstance(count, bool)
        else len(rows),
        fields=tuple(rows),
        truncated=bool(facts.get("truncated")) or len(raw_fields) > len(rows),
        source=spec_format or tr.gettext("the spec"),
        age=age_text(parse_time(finding.get("observed_at")), now, tr),
    )


def _expiry(facts: Mapping[str, Any], observed: datetime | None, tr: Language) -> str:
    days = number(facts.get("cert_days_left"))
    if days is None:
        return "—"
    when = ""
    if observed is not None:
        try:
            when = f" ({tr.date(observed + timedelta(days=days))})"
        except OverflowError:
            when = ""
    if days >= 0:
        return tr.gettext("in %(days)s days") % {"days": tr.number(days)} + when
    return tr.gettext("expired %(days)s days ago") % {"days": tr.number(-days)}


def _milliseconds(latency: float, tr: Language) -> str:
    return f"{latency:.0f}" if tr.english else tr.number(round(latency))


def _probes(findings: Findings, tr: Language) -> tuple[ProbeRow, ...]:
    rows = []
    for field, label in PROBED_ENDPOINTS:
        finding = findings.first(f"availability.{field}")
        if finding is None:
            continue
        facts = mapping(finding.get("facts"))
        url = text(facts.get("url")) or text(finding.get("subject"))
        status = number(facts.get("status"))
        latency = number(facts.get("latency_ms"))
        rows.append(
            ProbeRow(
                label=tr.gettext(label),
                url=url,
                link=safe_url(url),
                outcome=str(finding.get("outcome") or "unknown"),
                status=f"HTTP {status:g}"
                if status is not None
                else str(facts.get("error_class") or "—"),
                latency="—" if latency is None else f"{_milliseconds(latency, tr)} ms",
                tls=text(facts.get("tls_version")) or "—",
                expiry=_expiry(facts, parse_time(finding.get("observed_at")), tr),
                message=str(finding.get("message") or ""),
            )
        )
    return tuple(rows)


def _examples(findings: Findings) -> tuple[Example, ...]:
    """One request per path (the first, an easy read when there is one), up to MAX_EXAMPLES;
    the finding's facts keep every operation's."""
    facts = findings.facts("spec.examples") or {}
    curl = items(facts.get("curl"))
    examples: list[Example] = []
    paths: set[str] = set()
    for item in curl:
        if len(examples) >= MAX_EXAMPLES:
            break
        if not isinstance(item, Mapping) or not text(item.get("command")):
            continue
        path = one_line(item.get("path"), 200)
        if path in paths:
            continue
        paths.add(path)
        examples.append(
            Example(
                operation=one_line(item.get("operation"), 120),
                method=one_line(item.get("method"), 10).upper(),
                path=path,
                command=str(item["command"])[:4000],
            )
        )
    return tuple(examples)


def _examples_absent(spec: Mapping[str, Any] | None, tr: Language) -> str:
    if spec is None:
        return tr.gettext("No spec is declared for this entry, so there are no query examples.")
    spec_format = text(spec.get("format"))
    if spec_format is None and not text(spec.get("sha256")):
        return tr.gettext("The spec could not be fetched, so there are no query examples.")
    if spec_format in (None, "unknown"):
        return tr.gettext(
            "The spec is not an OpenAPI or Swagger document, so there are no query examples."
        )
    return tr.gettext("No query examples were extracted from the spec.")


def _quality(findings: Findings, tr: Language) -> tuple[QualityRow, ...]:
    facts = findings.facts("spec.quality")
    if not facts:
        return ()
    rows = []
    for key, label in QUALITY_SHARES:
        share = number(facts.get(key))
        if key in facts:
            share = None if share is None else min(1.0, max(0.0, share))
            rows.append(QualityRow(tr.gettext(label), share, tr.percent(share)))
    for key, label in QUALITY_FLAGS:
        if key in facts:
            value = facts.get(key)
            shown = (
                tr.gettext("yes")
                if value is True
                else tr.gettext("no")
                if value is False
                else tr.gettext("unknown")
            )
            rows.append(QualityRow(tr.gettext(label), None, shown))
    return tuple(rows)


def spec_view(
    result: Mapping[str, Any], findings: Findings, now: datetime, tr: Language | None = None
) -> SpecView:
    tr = tr or ENGLISH
    spec = result.get("spec") if isinstance(result.get("spec"), Mapping) else None
    entry = mapping(result.get("entry"))
    spec_format = text(spec.get("format")) if spec else None
    verification = findings.first("availability")
    errors = spec.get("errors") if spec and isinstance(spec.get("errors"), list) else []
    base_url = text(entry.get("base_url"))
    return SpecView(
        schema=_schema(findings, spec_format, now, tr),
        verification=str(verification.get("message")) if verification else None,
        verification_outcome=str(verification.get("outcome")) if verification else "unknown",
        probes=_probes(findings, tr),
        base_url=base_url,
        base_link=safe_url(base_url),
        format=spec_format,
        examples=_examples(findings),
        examples_absent=_examples_absent(spec, tr),
        quality=_quality(findings, tr),
        spec=spec,
        errors=tuple(one_line(e, 400) for e in errors[:50]),
    )
