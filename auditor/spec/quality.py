"""How well a spec documents its API: shares of operations and parameters that carry docs.

Facts only, each a share in 0..1 (None when there is nothing to count, e.g.
no parameters at all — "unknown", never a silent 0 or 100%) or a yes/no.
``outcome`` is auditor's judgement for the ``spec.quality`` finding: the mean
of the known shares, pass at 0.6 or more; no operations means unknown.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from auditor.spec.inventory import deref_or_none, merged_parameters, operations, response_schemas
from auditor.spec.refs import LocalResolver

PASS_MARK = 0.6
SHARES = (
    "operation_id_share",
    "summary_share",
    "parameter_docs_share",
    "response_schema_share",
    "examples_share",
    "error_responses_share",
)
_PAGINATION = frozenset(
    {
        "page", "perpage", "pagesize", "limit", "offset", "cursor", "pagetoken", "nexttoken",
        "startingafter", "endingbefore", "top", "skip", "continuationtoken", "pagenumber",
        "nextcursor", "nextpage", "nextpagetoken", "hasmore", "nextlink",
    }
)  # fmt: skip
_RATE_HEADER = re.compile(r"rate-?limit|retry-after", re.IGNORECASE)
_RATE_TEXT = re.compile(r"rate[- ]?limit|throttl|requests per (second|minute|hour)", re.I)
_NO_BODY = frozenset({"204", "205", "304"})


@dataclass(frozen=True, slots=True)
class SpecQuality:
    operation_count: int
    operation_id_share: float | None
    summary_share: float | None
    parameter_docs_share: float | None
    response_schema_share: float | None
    examples_share: float | None
    error_responses_share: float | None
    servers_declared: bool
    security_declared: bool
    pagination_documented: bool
    rate_limit_documented: bool
    stricter_rules_passed: bool | None = None
    """No "stricter than openapi-spec-validator" note: the spec keeps the rules of the
    specification auditor checks beyond the reference (``swagger2_rules``, ``oas_rules``).
    None when they were not checked (a 3.2 document, a check that broke, an older analysis)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def score(self) -> float | None:
        known = [v for v in (getattr(self, name) for name in SHARES) if v is not None]
        return round(sum(known) / len(known), 3) if known else None

    @property
    def outcome(self) -> str:
        score = self.score
        if self.operation_count == 0 or score is None:
            return "unknown"
        return "pass" if score >= PASS_MARK else "fail"


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def _norm(name: Any) -> str:
    return re.sub(r"[^a-z]", "", str(name).lower())


def _has_example(node: Any, refs: LocalResolver) -> bool:
    node = deref_or_none(node, refs)
    if not isinstance(node, dict):
        return False
    if "example" in node or node.get("examples") or node.get("x-example") is not None:
        return True
    schema = deref_or_none(node.get("schema"), refs)
    if isinstance(schema, dict):
        if "example" in schema or schema.get("examples"):
            return True
        props = schema.get("properties")
        if isinstance(props, dict):  # a shared schema is looked at once per operation
            tick = refs.deadline.tick
            for value in props.values():
                tick()
                if isinstance(p := deref_or_none(value, refs), dict) and "example" in p:
                    return True
    return False


def _media(node: Any, refs: LocalResolver) -> list[Any]:
    node = deref_or_none(node, refs)
    content = node.get("content") if isinstance(node, dict) else None
    return list(content.values()) if isinstance(content, dict) else []


def assess_quality(document: dict[str, Any], minor: str, refs: LocalResolver) -> SpecQuality:
    v2 = minor == "2.0"
    paths = deref_or_none(document.get("paths"), refs)
    ops = with_id = with_summary = with_examples = with_errors = 0
    params = params_described = eligible = with_schema = 0
    pagination = rate_limit = False
    for _method, path, op in operations(document, refs):
        ops += 1
        with_id += isinstance(op.get("operationId"), str) and bool(op["operationId"].strip())
        with_summary += any(
            isinstance(op.get(k), str) and op[k].strip() for k in ("summary", "description")
        )
        item = deref_or_none(paths.get(path), refs) if isinstance(paths, dict) else None
        example = False
        for param in merged_parameters(item, op, refs):
            example = example or _has_example(param, refs)
            if param.get("in") == "body":
                continue
            params += 1
            params_described += isinstance(param.get("description"), str) and bool(
                param["description"].strip()
            )
            pagination = pagination or _norm(param.get("name")) in _PAGINATION
        example = example or any(_has_example(m, refs) for m in _media(op.get("requestBody"), refs))
        responses = deref_or_none(op.get("responses"), refs)
        responses = responses if isinstance(responses, dict) else {}
        success = [c for c in map(str, responses) if c.startswith("2") and c not in _NO_BODY]
        errors = [c for c in map(str, responses) if c[:1] in "45" or c == "default"]
        eligible += bool(success)
        schema_found = False
        for code, raw in responses.items():
            refs.deadline.tick()
            response = deref_or_none(raw, refs)
            if not isinstance(response, dict):
                continue
            rate_limit = rate_limit or str(code) == "429"
            headers = response.get("headers")
            if isinstance(headers, dict):
                rate_limit = rate_limit or any(_RATE_HEADER.search(str(h)) for h in headers)
                pagination = pagination or any(str(h).lower() == "link" for h in headers)
            if str(code) in success and response_schemas(response, v2):
                schema_found = True
            if v2:
                example = example or bool(response.get("examples"))
            example = example or any(_has_example(m, refs) for m in _media(response, refs))
        with_schema += schema_found and bool(success)
        with_examples += example
        with_errors += bool(errors)
    info = document.get("info")
    description = info.get("description") if isinstance(info, dict) else None
    rate_limit = rate_limit or bool(isinstance(description, str) and _RATE_TEXT.search(description))
    rate_limit = rate_limit or any(str(k).lower().startswith("x-ratelimit") for k in document)
    if v2:
        servers = isinstance(document.get("host"), str) and bool(document["host"])
        schemes = document.get("securityDefinitions")
    else:
        declared = document.get("servers")
        servers = isinstance(declared, list) and any(
            isinstance(s, dict) and isinstance(s.get("url"), str) and s["url"] not in ("", "/")
            for s in declared
        )
        components = document.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return SpecQuality(
        operation_count=ops,
        operation_id_share=_share(with_id, ops),
        summary_share=_share(with_summary, ops),
        parameter_docs_share=_share(params_described, params),
        response_schema_share=_share(with_schema, eligible),
        examples_share=_share(with_examples, ops),
        error_responses_share=_share(with_errors, ops),
        servers_declared=servers,
        security_declared=isinstance(schemes, dict) and bool(schemes),
        pagination_documented=pagination,
        rate_limit_documented=rate_limit,
    )
