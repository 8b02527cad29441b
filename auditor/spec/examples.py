"""Ready-to-paste ``curl`` lines for the operations of a spec ("Using the API" in reports).

The worker picks the operations (up to ``MAX_EXAMPLES``, easy reads first)
and fills in the required path, query and header parameters from the spec's
own example, examples, default or enum; a parameter the spec gives no value
for stays a visible placeholder (``/datasets/{dataset}/``), never an
invented value that would send a reader to a 404. Bodies get a neutral
value of the right type. Each request says what it accepts (the media type
of the operation's success response) and which credentials it needs (its
security scheme). The probe renders the command once the base URL is
known, because a relative server URL (``/v1``) resolves against where the
spec was fetched, which is not part of the cached, content-addressed
analysis.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urljoin

from auditor.spec.inventory import deref_or_none, merged_parameters, operations
from auditor.spec.refs import LocalResolver

MAX_EXAMPLES = 50
"""Operations given an example; the report page shows one per path of them."""
PLACEHOLDER_HOST = "https://API_HOST"
_METHOD_RANK = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
"""Reads first; for the one write shown, creating beats replacing beats deleting."""
_GLOB = frozenset("{}[]")
"""Characters curl reads as URL globbing unless told ``--globoff``."""
_SAMPLES = {
    "integer": 1,
    "number": 1,
    "boolean": True,
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "email": "user@example.org",
}


@dataclass(frozen=True, slots=True)
class RequestExample:
    operation: str
    method: str
    path: str
    """The path with its parameters filled in (``/pets/1``), or left as placeholders
    (``/pets/{petId}``) when the spec gives no value for them."""
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    auth: str | None = None
    """``bearer``, ``basic``, ``digest``, ``http:<scheme>`` or ``apikey:<in>:<name>`` when
    the operation needs credentials."""
    form: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    template: str = ""
    """The path as the spec writes it (``/pets/{petId}``); empty in older analyses."""
    accept: str | None = None
    """The media type of the operation's success response, sent as ``Accept``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> RequestExample:
        return cls(
            operation=str(data.get("operation", "")),
            method=str(data.get("method", "get")),
            path=str(data.get("path", "/")),
            query=tuple((str(k), str(v)) for k, v in data.get("query") or ()),
            headers=tuple((str(k), str(v)) for k, v in data.get("headers") or ()),
            body=data.get("body"),
            auth=data.get("auth"),
            form=tuple((str(k), str(v)) for k, v in data.get("form") or ()),
            content_type=data.get("content_type"),
            template=str(data.get("template") or ""),
            accept=data.get("accept"),
        )


def _sample(node: Any, refs: LocalResolver, name: str, depth: int = 0) -> Any:
    node = deref_or_none(node, refs)
    if not isinstance(node, dict) or depth > 3:
        return name
    for key in ("example", "x-example", "default"):
        if key in node and node[key] is not None:
            return node[key]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if isinstance(examples, dict) and examples:
        first = deref_or_none(next(iter(examples.values())), refs)
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    if "schema" in node:
        return _sample(node["schema"], refs, name, depth + 1)
    kind = node.get("type")
    kind = next((t for t in kind if t != "null"), None) if isinstance(kind, list) else kind
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in _SAMPLES:
        return _SAMPLES[fmt]
    if kind == "object" or "properties" in node:
        declared = node.get("properties")
        props: dict[str, Any] = declared if isinstance(declared, dict) else {}
        required = node.get("required")
        wanted: list[Any] = required if isinstance(required, list) else list(props)
        return {
            str(k): _sample(props.get(k), refs, str(k), depth + 1) for k in wanted[:8] if k in props
        }
    if kind == "array":
        return [_sample(node.get("items"), refs, name, depth + 1)]
    return _SAMPLES.get(str(kind), name)


def _declared(node: Any, refs: LocalResolver, depth: int = 0) -> tuple[bool, Any]:
    """(True, value) when the parameter or its schema gives an example, default or enum."""
    node = deref_or_none(node, refs)
    if not isinstance(node, dict) or depth > 3:
        return False, None
    for key in ("example", "x-example", "default"):
        if node.get(key) is not None:
            return True, node[key]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    if isinstance(examples, dict):
        for one in examples.values():
            one = deref_or_none(one, refs)
            if isinstance(one, dict) and one.get("value") is not None:
                return True, one["value"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return True, node["enum"][0]
    if "schema" in node:
        return _declared(node["schema"], refs, depth + 1)
    return False, None


def placeholder(name: str) -> str:
    """What stands for a value the spec does not give: ``{name}``, as in the path template."""
    return "{" + name + "}"


def _param_value(param: dict[str, Any], refs: LocalResolver, name: str) -> str:
    found, value = _declared(param, refs)
    return _text(value) if found else placeholder(name)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _auth(document: dict[str, Any], operation: dict[str, Any], v2: bool) -> str | None:
    """The credentials of the first security requirement the operation accepts.

    An empty requirement (``{}``) among the alternatives makes credentials
    optional: none are shown.
    """
    required = operation.get("security", document.get("security"))
    if not isinstance(required, list) or not required:
        return None
    if any(isinstance(r, dict) and not r for r in required):
        return None
    if v2:
        schemes = document.get("securityDefinitions")
    else:
        components = document.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return None
    for requirement in required:
        if not isinstance(requirement, dict):
            continue
        for name in requirement:
            scheme = schemes.get(name)
            if isinstance(scheme, dict):
                hint = _scheme_hint(scheme)
                if hint is not None:
                    return hint
    return None


def _scheme_hint(scheme: dict[str, Any]) -> str | None:
    kind, how = scheme.get("type"), str(scheme.get("scheme", "")).lower()
    if kind == "apiKey":
        where = scheme.get("in") if scheme.get("in") in ("header", "query", "cookie") else "header"
        return f"apikey:{where}:{scheme.get('name') or 'api_key'}"
    if kind == "basic" or (kind == "http" and how == "basic"):
        return "basic"
    if kind == "http" and how == "digest":
        return "digest"
    if kind == "http" and how and how != "bearer":
        return f"http:{how}"
    return "bearer" if kind in ("http", "oauth2", "openIdConnect") else None


def _accept(document: dict[str, Any], op: dict[str, Any], v2: bool, refs: Any) -> str | None:
    """The media type the operation answers with on success, for an ``Accept`` header."""
    if v2:
        produces = op.get("produces", document.get("produces"))
        types = [str(t) for t in produces] if isinstance(produces, list) else []
        return _best_media(types)
    responses = deref_or_none(op.get("responses"), refs)
    if not isinstance(responses, dict):
        return None
    # YAML may key responses by integers: 200, not "200"
    ordered = sorted(responses.items(), key=lambda kv: (not str(kv[0]).startswith("2"), str(kv[0])))
    for code, raw in ordered:
        if not (str(code).startswith("2") or code == "default"):
            continue
        response = deref_or_none(raw, refs)
        content = response.get("content") if isinstance(response, dict) else None
        if isinstance(content, dict) and content:
            return _best_media([str(m) for m in content])
    return None


def _best_media(types: list[str]) -> str | None:
    """JSON when offered, else the first concrete type (``*/*`` says nothing)."""
    concrete = [t for t in types if t and "*" not in t]
    if "application/json" in concrete:
        return "application/json"
    return next((t for t in concrete if "json" in t), next(iter(concrete), None))


def _form_type(document: dict[str, Any], op: dict[str, Any]) -> str:
    consumes = op.get("consumes", document.get("consumes"))
    if isinstance(consumes, list) and "multipart/form-data" in consumes:
        return "multipart/form-data"
    return "application/x-www-form-urlencoded"


def _pick_media(content: dict[str, Any]) -> str | None:
    for wanted in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data"):
        if wanted in content:
            return wanted
    return next((str(m) for m in content if "json" in str(m)), next(iter(content), None))


def _example(
    document: dict[str, Any], method: str, path: str, op: dict[str, Any], v2: bool, refs: Any
) -> RequestExample:
    paths = document.get("paths")
    item = deref_or_none(paths.get(path), refs) if isinstance(paths, dict) else None
    writes = method in ("post", "put", "patch")
    filled, query, headers, form = path, [], [], []
    body: str | None = None
    content_type: str | None = None
    for param in merged_parameters(item, op, refs):
        name, where, required = str(param.get("name")), param.get("in"), param.get("required")
        if where == "path":
            value = _param_value(param, refs, name)
            if value != placeholder(name):
                filled = filled.replace(placeholder(name), quote(value, safe=""))
        elif where == "body" and v2 and (writes or required is True):
            body, content_type = _text(_sample(param.get("schema"), refs, name)), "application/json"
        elif where == "formData" and v2 and required is True:
            form.append((name, _text(_sample(param, refs, name))))
            content_type = _form_type(document, op)
        elif required is True and where == "query":
            query.append((name, _param_value(param, refs, name)))
        elif required is True and where == "header":
            headers.append((name, _param_value(param, refs, name)))
    request_body = deref_or_none(op.get("requestBody"), refs)
    if isinstance(request_body, dict) and isinstance(request_body.get("content"), dict):
        content = request_body["content"]
        mime = _pick_media(content)
        if mime is not None and (writes or request_body.get("required") is True):
            sample = _sample(content[mime], refs, "body")
            content_type = mime
            if "form" in mime and isinstance(sample, dict):
                form = [(str(k), _text(v)) for k, v in sample.items()]
            else:
                body = _text(sample)
    label = op.get("operationId") if isinstance(op.get("operationId"), str) else None
    return RequestExample(
        operation=label or f"{method.upper()} {path}",
        method=method,
        path=filled,
        query=tuple(query),
        headers=tuple(headers),
        body=body,
        auth=_auth(document, op, v2),
        form=tuple(form),
        content_type=content_type,
        template=path,
        accept=_accept(document, op, v2, refs),
    )


def pick_examples(
    document: dict[str, Any], minor: str, refs: LocalResolver
) -> list[RequestExample]:
    """Up to ``MAX_EXAMPLES`` operations: GETs with the fewest required inputs first, and
    at least one write when the spec has any."""
    candidates = []
    for order, (method, path, op) in enumerate(operations(document, refs)):
        if op.get("deprecated") is True:
            continue
        params = op.get("parameters") if isinstance(op.get("parameters"), list) else []
        inputs = path.count("{") + sum(
            1 for p in params if isinstance(p, dict) and p.get("required") is True
        )
        rank = _METHOD_RANK.get(method, len(_METHOD_RANK))
        candidates.append((rank, inputs, order, method, path, op))
    candidates.sort(key=lambda c: c[:3])
    writes = [c for c in candidates if c[3] != "get"]
    gets = [c for c in candidates if c[3] == "get"][: MAX_EXAMPLES - min(1, len(writes))]
    others = writes[: MAX_EXAMPLES - len(gets)]
    chosen = sorted(gets + others, key=lambda c: c[:3])
    return [_example(document, m, p, op, minor == "2.0", refs) for *_, m, p, op in chosen]


def base_url(servers: tuple[str, ...], spec_url: str | None) -> str:
    """The first server, made absolute against the spec's URL when it is relative."""
    server = servers[0] if servers else ""
    if "://" in server:
        return server.rstrip("/")
    if spec_url and spec_url.startswith(("http://", "https://")):
        return urljoin(spec_url, server or "/").rstrip("/")
    # a spec read from a file, with a relative server: the host is not known
    return f"{PLACEHOLDER_HOST}/{server.strip('/')}".rstrip("/")


def _query_string(query: list[tuple[str, str]]) -> str:
    """``a=1&b={b}``: values encoded, a placeholder left readable."""
    return "&".join(
        f"{quote_plus(name)}={value if value == placeholder(name) else quote_plus(value)}"
        for name, value in query
    )


def curl_command(example: RequestExample, base: str | None) -> str:
    """The request as one shell-safe ``curl`` line (every value quoted for the shell)."""
    url = (base or PLACEHOLDER_HOST) + example.path
    query = list(example.query)
    parts = ["curl"]
    if example.method.lower() != "get":
        parts += ["-X", example.method.upper()]
    if example.accept:
        parts += ["-H", shlex.quote(f"Accept: {example.accept}")]
    auth = example.auth or ""
    if auth == "bearer":
        parts += ["-H", shlex.quote("Authorization: Bearer YOUR_TOKEN")]
    elif auth in ("basic", "digest"):
        parts += (["--digest"] if auth == "digest" else []) + ["-u", shlex.quote("USER:PASSWORD")]
    elif auth.startswith("http:"):
        scheme = auth.removeprefix("http:").capitalize()
        parts += ["-H", shlex.quote(f"Authorization: {scheme} YOUR_CREDENTIALS")]
    elif auth.startswith("apikey:"):
        _, where, name = auth.split(":", 2)
        if where == "query":
            query.append((name, "YOUR_API_KEY"))
        elif where == "cookie":
            parts += ["-b", shlex.quote(f"{name}=YOUR_API_KEY")]
        else:
            parts += ["-H", shlex.quote(f"{name}: YOUR_API_KEY")]
    if query:
        url += ("&" if "?" in url else "?") + _query_string(query)
    parts.insert(1, shlex.quote(url))
    if _GLOB & set(url):  # {dataset} is a placeholder for the reader, not a curl glob
        parts.insert(1, "-g")
    for name, value in example.headers:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if example.form:
        flag = "-F" if example.content_type == "multipart/form-data" else "--data-urlencode"
        for name, value in example.form:
            parts += [flag, shlex.quote(f"{name}={value}"[:500])]
    elif example.body is not None:
        if example.content_type:
            parts += ["-H", shlex.quote(f"Content-Type: {example.content_type}")]
        parts += ["-d", shlex.quote(example.body[:2000])]
    return " ".join(parts)
