"""Results documents for the renderer tests, made the real way: findings → engine → JSON.

Also what the renderer tests check output with: ``Tags`` (the start tags a
browser would build) and the shields.io endpoint schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from auditor.methodology import load_methodology
from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import RECOMMENDED_FIELDS, AuditResult, Entry, Finding, Outcome
from auditor.render.results_json import results_document

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OBSERVED = "2026-03-01T12:00:00Z"  # 9 days before NOW
HOSTILE = (
    '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    "[click](javascript:alert(3)) ]]>&amp;<!-- \u202eevil\u202c '\"\x07"
)
METHODOLOGY = load_methodology()


def finding(check: str, outcome: str, message: str, **facts: Any) -> Finding:
    subject = facts.pop("subject", None)
    return Finding(check, Outcome(outcome), message, "test", subject, facts, OBSERVED)


def metadata_findings(entry: Entry) -> list[Finding]:
    found = []
    for field in RECOMMENDED_FIELDS:
        value = getattr(entry, field)
        ok = bool(value)
        found.append(
            finding(
                f"metadata.{field}",
                "pass" if ok else "fail",
                f"{field} {'populated' if ok else 'missing'}",
                value=str(value or ""),
            )
        )
    return found


def full_findings(entry: Entry) -> list[Finding]:
    """Everything a rich entry has: proof, probes, spec inventory, examples, quality."""
    base = entry.base_url or "https://api.example.gouv.fr/v1"
    return [
        *metadata_findings(entry),
        finding(
            "official_domain",
            "pass",
            "official domain (example.gouv.fr), list: gov-suffixes",
            subject=base,
            registrable_domain="example.gouv.fr",
            list="gov-suffixes",
        ),
        finding(
            "portal_listing",
            "fail",
            "catalog 'file' is not an official portal",
            catalog="file",
            catalog_url=None,
        ),
        finding(
            "availability.base_url",
            "pass",
            "base_url: HTTP 200 in 42 ms",
            subject=base,
            url=base,
            status=200,
            latency_ms=42.4,
            tls_version="TLSv1.3",
            cert_days_left=80,
        ),
        finding(
            "availability.spec_url",
            "pass",
            "spec_url: HTTP 200 in 7 ms",
            subject=entry.spec_url,
            url=entry.spec_url,
            status=200,
            latency_ms=7.0,
            tls_version="TLSv1.3",
            cert_days_left=80,
        ),
        finding("availability", "pass", "verification succeeded: base_url: HTTP 200 in 42 ms"),
        finding("spec.format_known", "pass", "format: OpenAPI 3.0.3", format_label="OpenAPI 3.0.3"),
        finding(
            "spec.valid",
            "fail",
            "invalid OpenAPI 3.0.3: 1 error(s)",
            format_label="OpenAPI 3.0.3",
            version="3.0.3",
            valid=False,
            errors=["paths./x: 'responses' is a required property"],
            validator="openapi-spec-validator",
            operation_count=2,
        ),
        finding(
            "spec.inventory",
            "pass",
            "3 fields",
            field_count=3,
            truncated=False,
            fields=[
                {
                    "name": "id",
                    "type": "string",
                    "format": "uuid",
                    "description": "The **id**",
                    "schema": "Item",
                    "location": "body",
                    "read_only": True,
                    "write_only": False,
                },
                {
                    "name": "title",
                    "type": "string",
                    "format": None,
                    "description": HOSTILE,
                    "schema": "Item",
                    "location": "body",
                    "read_only": False,
                    "write_only": False,
                },
                {
                    "name": "page",
                    "type": "integer",
                    "format": "int32",
                    "description": "Page number",
                    "schema": None,
                    "location": "query",
                    "read_only": False,
                    "write_only": False,
                },
            ],
        ),
        finding(
            "spec.examples",
            "pass",
            "2 examples",
            curl=[
                {
                    "operation": "listItems",
                    "method": "get",
                    "path": "/items",
                    "command": f"curl -s '{base}/items?page=1'",
                },
                {
                    "operation": "evil",
                    "method": "post",
                    "path": "/x",
                    "command": "curl -d '```</code></pre><script>alert(4)</script>' " + base,
                },
            ],
        ),
        finding(
            "spec.quality",
            "pass",
            "quality profile",
            operation_id_share=0.5,
            summary_share=1.0,
            parameter_docs_share=0.25,
            response_schema_share=1,
            examples_share=0.0,
            error_responses_share=0.5,
            servers_declared=True,
            security_declared=False,
            pagination_documented=False,
            rate_limit_documented=True,
        ),
        finding("license", "pass", "licence etalab-2.0", **{"class": "open"}),
        finding("agent_discovery", "fail", "no llms.txt"),
    ]


def result(
    entry: Entry, findings: list[Finding], methodology: Methodology = METHODOLOGY
) -> AuditResult:
    return AuditResult(entry, tuple(findings), assess(entry.id, findings, methodology))


RICH = Entry(
    id="rich-api",
    title="Rich API",
    description="A *rich* API with [docs](https://docs.example.gouv.fr).",
    organization="Ministère de l'Exemple",
    base_url="https://api.example.gouv.fr/v1",
    spec_url="https://api.example.gouv.fr/v1/openapi.json",
    docs_url="https://docs.example.gouv.fr/",
    homepage_url="https://example.gouv.fr/",
    contact="api@example.gouv.fr",
    license="etalab-2.0",
    tags=("open data",),
)


BARE = Entry(id="bare", title="Bare API")  # nothing probed: every axis but metadata unknown


HOSTILE_ENTRY = Entry(
    id="../../etc/passwd",
    title=HOSTILE,
    description=HOSTILE + "\n\n<iframe src=x></iframe>",
    organization=HOSTILE,
    base_url="javascript:alert(5)",
    docs_url='https://ok.example.org/"><b>x',
    homepage_url="data:text/html,<script>alert(6)</script>",
    contact="javascript:alert(7)",
    tags=(HOSTILE,),
)


def document(*results: AuditResult, methodology: Methodology = METHODOLOGY) -> dict[str, Any]:
    return results_document(list(results), methodology)


def standard_document() -> dict[str, Any]:
    """A rich entry, a bare one, a hostile one, and an id that differs only by case."""
    twin = Entry(id="RICH-API", title="Rich twin", organization="Ministère de l'Exemple")
    return document(
        result(RICH, full_findings(RICH)),
        result(BARE, metadata_findings(BARE)),
        result(HOSTILE_ENTRY, metadata_findings(HOSTILE_ENTRY)),
        result(twin, metadata_findings(twin)),
    )


class Tags(HTMLParser):
    """Every start tag with its attributes, to assert what a browser would build."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# shields.io's endpoint badge format (https://shields.io/badges/endpoint-badge):
# schemaVersion 1, label and a non-empty message required, optional styling keys;
# shields rejects keys it does not know.
SHIELDS_ENDPOINT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schemaVersion", "label", "message"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "label": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "color": {"type": "string", "pattern": r"^(#?([0-9a-fA-F]{3}){1,2}|[a-z]+)$"},
        "labelColor": {"type": "string"},
        "isError": {"type": "boolean"},
        "namedLogo": {"type": "string"},
        "logoSvg": {"type": "string"},
        "logoColor": {"type": "string"},
        "logoWidth": {"type": "number"},
        "style": {"enum": ["flat", "flat-square", "plastic", "for-the-badge", "social"]},
        "cacheSeconds": {"type": "integer", "minimum": 300},
    },
}
