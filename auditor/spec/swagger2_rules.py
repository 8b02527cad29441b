"""Swagger 2.0 rules openapi-spec-validator does not check: notes, never verdicts.

openapi-spec-validator 0.9 (the reference for ``valid``) accepts 15 of swagger-parser's
invalid test documents. These are swagger-parser's rules (``lib/validators/spec.js``) minus
those the reference already makes errors (duplicate parameters or operationIds, path
parameters against the template); findings become ``SpecReport.notes`` prefixed ``stricter
than openapi-spec-validator:``, so the verdict and every score stay the reference's. One pass
over paths and operations, then each definition; local ``$ref``s only, shared objects once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import islice
from typing import Any

from auditor.spec.budget import Deadline
from auditor.spec.inventory import deref_or_none
from auditor.spec.refs import LocalResolver, is_ref

PREFIX = "stricter than openapi-spec-validator: "
MAX_NOTES = 20
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
PATH_ITEM_FIELDS = frozenset({"$ref", "parameters", *METHODS})
MAX_ITEMS_DEPTH = 32
MAX_KEPT = 200
"""Problems kept at most (the rest only counted): a hostile document cannot make the list grow."""
MAX_LABEL = 120
"""Characters of a path, name or media type quoted in a problem (hostile labels are long)."""
MAX_ALLOF_NODES = 64
"""Schemas walked at most to gather an object's properties through ``allOf`` (then: unknown)."""
_PLACEHOLDER = re.compile(r"\{[^/}]+\}")  # swagger-parser's swaggerParamRegExp
_FILE_MEDIA_TEXT = "multipart/form-data or application/x-www-form-urlencoded"


def _short(text: object) -> str:
    """``text`` as quoted in a problem: at most ``MAX_LABEL`` characters."""
    value = str(text)
    return value if len(value) <= MAX_LABEL else value[: MAX_LABEL - 1] + "…"


def _form_media(media: str) -> bool:
    """swagger-parser's ``multipart/(.*\\+)?form-data|application/(.*\\+)?x-www-form-urlencoded``,
    tested in linear time (the regex backtracks quadratically on ``multipart/`` repeated)."""
    for kind, name in (("multipart/", "form-data"), ("application/", "x-www-form-urlencoded")):
        start = media.find(kind)
        if start >= 0 and (kind + name in media or "+" + name in media[start + len(kind) :]):
            return True
    return False


def check_body_count(where: str, params: list[dict[str, Any]]) -> list[str]:
    """Parameter Object, ``in: body``: "Since there can only be one payload, there can only be
    one body parameter." (path-level and operation parameters together, the operation's
    overriding the path's by name and location)."""
    count = sum(1 for p in params if p.get("in") == "body")
    return [f"{where}: {count} body parameters (Swagger 2.0 allows one)"] if count > 1 else []


def check_body_and_form(where: str, params: list[dict[str, Any]]) -> list[str]:
    """Parameter Object: "body and form parameters cannot exist together for the same
    operation" (both are the payload)."""
    places = [p.get("in") for p in params]
    if "body" in places and "formData" in places:
        return [f"{where}: body and formData parameters together (Swagger 2.0: one or the other)"]
    return []


def accepts_files(consumes: Any) -> bool:
    """Whether a ``consumes`` list names a form media type a ``file`` parameter needs."""
    return isinstance(consumes, list) and any(
        isinstance(m, str) and _form_media(m) for m in consumes
    )


def check_file_consumes(
    where: str, params: list[dict[str, Any]], consumes: Any, accepted: bool | None = None
) -> list[str]:
    """Parameter Object, ``type``: "If type is "file", the consumes MUST be either
    "multipart/form-data", "application/x-www-form-urlencoded" or both" (an operation's
    ``consumes`` replaces the document's; ``multipart/vnd.x+form-data`` counts, as there)."""
    files = [p.get("name") for p in params if p.get("type") == "file"]
    if not files or (accepts_files(consumes) if accepted is None else accepted):
        return []
    listed = (m for m in consumes if isinstance(m, str)) if isinstance(consumes, list) else iter(())
    media = list(islice(listed, 4))  # only what the message shows: never the whole list
    shown = [_short(m) for m in media[:3]] + ["…"] * (len(media) > 3)
    declared, need = f"consumes {shown}" if media else "no consumes", _FILE_MEDIA_TEXT
    name = _short(files[0])
    return [f"{where}: file parameter '{name}' with {declared} (Swagger 2.0 requires {need})"]


def check_array_items(where: str, node: Any, nested: bool) -> list[str]:
    """Parameter, Header and Items Objects, ``items``: "Required if type is "array"."
    ``nested`` follows an Items Object's own ``items``. A body or response Schema Object is
    checked at its top level only, as swagger-parser does: its array needs ``items`` too there."""
    for depth in range(MAX_ITEMS_DEPTH):
        if not isinstance(node, dict) or node.get("type") != "array":
            return []
        if node.get("items") is None:
            return [f"{where}{'[]' * depth}: type array without items"]
        node = node["items"] if nested else None  # a Schema Object: its top level only
    return []


def check_response_code(where: str, code: str) -> list[str]:
    """Responses Object: "Any HTTP status code can be used as the property name" — and HTTP
    status codes run from 100 to 599 (RFC 9110 §15); the JSON Schema only asks for 3 digits."""
    # isascii: "²".isdigit() is True; 3 digits before int(): a 5,000-digit code is not one
    if code.isascii() and code.isdigit() and not (len(code) == 3 and 100 <= int(code) <= 599):
        return [f"{where}: response code {_short(code)} is not an HTTP status code (100-599)"]
    return []


def check_placeholders(where: str, path: str) -> list[str]:
    """Paths Object / Parameter Object ``name``: "If in is "path", the name field MUST
    correspond to the associated path segment": one name cannot stand for two segments."""
    counts = Counter(_PLACEHOLDER.findall(path))
    repeated = sorted(p for p, n in counts.items() if n > 1)
    return [f"{where}: path template repeats {_short(p)}" for p in repeated]


def check_required_defined(where: str, schema: Any, refs: LocalResolver) -> list[str]:
    """Not a Swagger 2.0 sentence but swagger-parser's rule: an object schema's ``required``
    names must be among its ``properties`` (its own or its ``allOf`` parents'). JSON Schema
    allows it; in an API description it is nearly always a typo or a stale field."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if not (kind == "object" or (isinstance(kind, list) and "object" in kind)):
        return []
    if not isinstance(required := schema.get("required"), list) or not required:
        return []
    props: set[str] = set()
    stack: list[Any] = [schema]
    seen: set[int] = set()
    while stack:
        if len(seen) >= MAX_ALLOF_NODES:
            return []  # a chain this long: its properties are not worth the walk, say nothing
        raw = stack.pop()
        node = deref_or_none(raw, refs)
        if node is None and raw is not None:
            return []  # a parent outside the document (or broken): its properties are unknown
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.get("properties"), dict):
            props.update(str(k) for k in node["properties"])
        if isinstance(node.get("allOf"), list):
            stack.extend(node["allOf"])
    missing = [str(r) for r in required if str(r) not in props]
    return [f"{where}: required property '{_short(m)}' is not defined" for m in missing]


def check_path_item_ref(where: str, resolved: Any) -> list[str]:
    """Path Item Object, ``$ref``: "The referenced structure MUST be in the format of a Path
    Item Object." (the reference does not look at the target)."""
    keys = [_short(k) for k in resolved] if isinstance(resolved, dict) else [str(resolved)[:40]]
    alien = sorted(k for k in keys if k not in PATH_ITEM_FIELDS and not k.startswith("x-"))
    if alien:
        return [f"{where}: $ref target is not a Path Item Object (has {', '.join(alien[:3])})"]
    return []


def _named(raw: Any, fallback: str) -> str:
    """A ``$ref``'d object is named by its target (it may be used in many places)."""
    return _short(raw["$ref"]) if is_ref(raw) else fallback


def _key(param: dict[str, Any]) -> tuple[Any, Any]:
    """A parameter's identity, (in, name): an operation's overrides the path item's."""
    place, name = param.get("in"), param.get("name")
    return (place, name) if type(place) is str and type(name) is str else (repr(place), repr(name))


class _Walk:
    """The single pass: per path, per operation; each shared object checked once."""

    def __init__(self, document: dict[str, Any], deadline: Deadline | None = None) -> None:
        self.doc = document
        self.refs = LocalResolver(document, deadline)
        self.tick = self.refs.deadline.tick
        self.kept: dict[str, None] = {}
        self.found = 0
        self.seen: set[tuple[str, int]] = set()
        self.targets: dict[str, Any] = {}
        self.form_media: dict[int, bool] = {}

    def add(self, problems: list[str]) -> None:
        """Keep the first ``MAX_KEPT`` distinct problems; count every one."""
        self.found += len(problems)
        for problem in problems:
            if len(self.kept) < MAX_KEPT:
                self.kept.setdefault(problem)

    def deref(self, node: Any) -> Any:
        """``node``, or what its ``$ref`` leads to (None if nowhere), each target looked up once."""
        ref = node.get("$ref") if type(node) is dict else None
        if type(ref) is not str:
            return node  # as jsonschema-path: only a string $ref is a reference
        if ref not in self.targets:
            self.targets[ref] = deref_or_none(node, self.refs)
        return self.targets[ref]

    def first_time(self, rule: str, node: Any) -> bool:
        """Whether ``rule`` has yet to look at ``node`` (shared objects are checked once)."""
        if node is None or (rule, id(node)) in self.seen:
            return False
        self.seen.add((rule, id(node)))
        return True

    def required(self, where: str, raw: Any) -> None:
        schema = self.deref(raw)
        if self.first_time("required", schema):
            self.add(check_required_defined(_named(raw, where), schema, self.refs))

    def params(self, raw: Any, where: str) -> list[tuple[dict[str, Any], Any, str]]:
        """(parameter, as written, the list's owner): labels are built only for a problem."""
        entries = raw if isinstance(raw, list) else ()
        return [(p, e, where) for e in entries if isinstance(p := self.deref(e), dict)]

    def run(self) -> list[str]:
        paths = self.doc.get("paths")
        for path, raw_item in (paths if isinstance(paths, dict) else {}).items():
            self.tick()
            item = self.deref(raw_item) if str(path).startswith("/") else None
            if is_ref(raw_item) and item is not None:  # None: external or broken, not followed
                self.add(check_path_item_ref(f"path {_short(path)}", item))
            if not isinstance(item, dict):
                continue
            if "{" in str(path):
                self.add(check_placeholders(f"path {_short(path)}", str(path)))
            shared = self.params(item.get("parameters"), f"path {_short(path)}")
            for method in METHODS:
                operation = self.deref(item.get(method))
                if isinstance(operation, dict):
                    self.operation(f"{method.upper()} {_short(path)}", operation, shared)
        definitions = self.doc.get("definitions")
        for name, schema in (definitions if isinstance(definitions, dict) else {}).items():
            self.tick()
            self.required(f"#/definitions/{_short(name)}", schema)
        return list(self.kept)

    def operation(self, label: str, op: dict[str, Any], shared: list[Any]) -> None:
        merged = self.params(op.get("parameters"), label)
        keys = {_key(p) for p, _, _ in merged}
        merged += [s for s in shared if _key(s[0]) not in keys]
        params = [p for p, _, _ in merged]
        places = {_key(p)[0] for p in params}
        if "body" in places:
            self.add(check_body_count(label, params))
            self.add(check_body_and_form(label, params))
        if places - {"body", "query", "path"}:  # a file parameter is in formData (or invalid)
            consumes = op["consumes"] if "consumes" in op else self.doc.get("consumes", [])
            if id(consumes) not in self.form_media:  # the document's list, scanned once
                self.form_media[id(consumes)] = accepts_files(consumes)
            self.add(check_file_consumes(label, params, consumes, self.form_media[id(consumes)]))
        for param, entry, owner in merged:
            self.tick()
            body = param.get("in") == "body"
            if not (body or param.get("type") == "array") or not self.first_time("param", param):
                continue
            where = f"{_named(entry, owner)} parameter '{_short(param.get('name'))}'"
            if body:
                schema = self.deref(param.get("schema"))
                self.add(check_array_items(f"{where} schema", schema, False))
                self.required(f"{where} schema", param.get("schema"))
            else:
                self.add(check_array_items(where, param, True))
        responses = op.get("responses")
        for code, raw in (responses if isinstance(responses, dict) else {}).items():
            self.tick()
            self.add(check_response_code(label, str(code)))
            response = self.deref(raw)
            if not isinstance(response, dict) or not self.first_time("response", response):
                continue
            here = _named(raw, f"{label} response {_short(code)}")
            headers = response.get("headers")
            for name, header in (headers if isinstance(headers, dict) else {}).items():
                self.tick()
                header = self.deref(header)
                self.add(check_array_items(f"{here} header '{_short(name)}'", header, True))
            if "schema" in response:
                schema = self.deref(response["schema"])
                named = _named(response["schema"], f"{here} schema")
                self.add(check_array_items(named, schema, False))


def _walked(document: Any, deadline: Deadline | None = None) -> tuple[tuple[str, ...], int]:
    """The first ``MAX_KEPT`` distinct problems, in document order, and how many in all."""
    if not isinstance(document, dict):
        return (), 0
    walk = _Walk(document, deadline)
    kept = walk.run()
    return tuple(kept), max(walk.found, len(kept))


def swagger2_problems(document: Any) -> tuple[str, ...]:
    """The problems the rules above find in a parsed Swagger 2.0 document, in document order
    (the first ``MAX_KEPT`` distinct ones)."""
    return _walked(document)[0]


def stricter_notes(
    document: Any, limit: int = MAX_NOTES, deadline: Deadline | None = None
) -> tuple[str, ...]:
    """The problems as ``SpecReport`` notes: prefixed, at most ``limit`` and a count of the rest.

    ``deadline`` is ticked per path, parameter, response and definition (``OverBudget``)."""
    try:
        problems, found = _walked(document, deadline)
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        return (f"{PREFIX}Swagger 2.0 rules not checked: {type(exc).__name__}"[:300],)
    return as_notes(problems, found, limit)


def as_notes(problems: Sequence[str], found: int, limit: int) -> tuple[str, ...]:
    """Problems as ``SpecReport`` notes (both rule sets): prefixed, cut, at most ``limit``,
    then a count of the rest."""
    notes = [PREFIX + p[:300] for p in problems[:limit]]
    if found > len(notes):
        notes.append(f"{PREFIX}… and {found - len(notes)} more")
    return tuple(notes)
