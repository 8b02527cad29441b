"""OpenAPI 3.0 and 3.1 rules openapi-spec-validator does not check: notes, never verdicts.

openapi-spec-validator 0.9 (the reference for ``valid``) accepts documents that break these
sentences of the specification. As for Swagger 2.0 (``swagger2_rules``), the verdict and every
score stay the reference's, and what it misses becomes ``SpecReport.notes`` prefixed
``stricter than openapi-spec-validator:``, each naming its section of the published texts
(spec.openapis.org): a 3.0.x document is held to 3.0.3, a 3.1.x one to 3.1.0, since "the patch
version SHOULD NOT be considered by tooling" (§4.1 of both).

- Security Requirement Object (3.0.3 §4.7.30.1, 3.1.0 §4.8.30.1): "Each name MUST correspond
  to a security scheme which is declared in the Security Schemes under the Components Object"
  (the document's ``security`` and every operation's).
- Discriminator Object, ``mapping`` (3.0.3 §4.7.25.1, 3.1.0 §4.8.25.1): its values are "schema
  names or references"; a name that ``components.schemas`` does not hold, or a ``#…``
  reference that leads nowhere, maps a payload value to no schema.
- Server Variable Object, ``default`` (3.1.0 §4.8.6.1): "If the enum is defined, the value MUST
  exist in the enum's values." 3.0.3 (§4.7.6.1) says nothing of it and 3.0.4 only makes it a
  SHOULD, so 3.0 documents are not held to it.
- Server Object, ``url`` (3.0.3 §4.7.5.1, 3.1.0 §4.8.5.1): "Variable substitutions will be made
  when a variable is named in {brackets}", with the value of ``variables``; a name the map does
  not define has no value (not even the default every variable MUST have) and the URL cannot
  be built. The text states no MUST of its own here: the note says what cannot work.
- Paths Object (3.0.3 §4.7.8.1, 3.1.0 §4.8.8.1): "Templated paths with the same hierarchy but
  different templated names MUST NOT exist as they are identical."

Bounded on hostile documents as the Swagger 2.0 rules are: labels cut to ``MAX_LABEL``
characters, at most ``MAX_KEPT`` problems kept (the rest counted), linear passes: path items
and operations once each, every server once, the schema tree once (``MAX_WALK`` containers at
most), missing security schemes reported once per name. 3.2 documents are left out: their
sections are numbered otherwise and a requirement may name a scheme by URI there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from auditor.spec.inventory import deref_or_none
from auditor.spec.refs import ExternalRef, LocalResolver, RefError
from auditor.spec.swagger2_rules import MAX_KEPT, MAX_LABEL, MAX_NOTES, PREFIX, as_notes

MINORS = ("3.0", "3.1")
"""The OpenAPI versions these rules hold documents to."""
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SECTIONS: dict[str, dict[str, str]] = {
    "3.0": {
        "server": "OpenAPI 3.0.3 §4.7.5.1",
        "paths": "OpenAPI 3.0.3 §4.7.8.1",
        "discriminator": "OpenAPI 3.0.3 §4.7.25.1",
        "security": "OpenAPI 3.0.3 §4.7.30.1",
    },
    "3.1": {
        "server": "OpenAPI 3.1.0 §4.8.5.1",
        "variable": "OpenAPI 3.1.0 §4.8.6.1",
        "paths": "OpenAPI 3.1.0 §4.8.8.1",
        "discriminator": "OpenAPI 3.1.0 §4.8.25.1",
        "security": "OpenAPI 3.1.0 §4.8.30.1",
    },
}
MAX_WALK = 4_000_000
"""Containers the schema walk visits at most (a parsed spec holds at most 2,000,000 nodes)."""
MAX_PLACES = 2
"""Places quoted for one undeclared security scheme (the rest counted)."""
NOT_CHECKED = "rules not checked"
"""In the note of a check that broke (the Swagger 2.0 rules' says the same)."""
_TEMPLATE = re.compile(r"\{[^{}/]*\}")  # one template expression of a path
_VARIABLE = re.compile(r"\{([^{}]*)\}")  # one variable of a server URL
_COMPONENT_NAME = re.compile(r"[A-Za-z0-9_-]+")  # §4.8.7.1 minus "." (a dot may be a file name)
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "schemas"})
"""Keys whose object maps names to schemas: a schema there may be called ``discriminator``."""
_NOT_SCHEMAS = frozenset({"example", "examples", "default", "enum", "const"})
"""Keys holding instance data, not schemas: a payload may say ``discriminator`` too."""


def _short(text: object) -> str:
    """``text`` as quoted in a problem: at most ``MAX_LABEL`` characters."""
    value = str(text)
    return value if len(value) <= MAX_LABEL else value[: MAX_LABEL - 1] + "…"


def _pointer(chain: Any) -> str:
    """The JSON pointer of a node from its chain of (parent chain, key) links."""
    keys: list[str] = []
    while chain is not None:
        chain, key = chain
        keys.append(str(key).replace("~", "~0").replace("/", "~1"))
    return "#/" + "/".join(reversed(keys))


class _Rules:
    """One document's pass: ``run`` returns the distinct problems kept and how many in all."""

    def __init__(self, document: dict[str, Any], minor: str) -> None:
        self.doc = document
        self.minor = minor
        self.sections = SECTIONS[minor]
        self.refs = LocalResolver(document)
        self.kept: dict[str, None] = {}
        self.distinct: set[int] = set()
        self.servers_seen: set[int] = set()
        self.missing_schemes: dict[str, list[str]] = {}
        self.missing_uses: dict[str, int] = {}
        components = document.get("components")
        self.components = components if isinstance(components, dict) else {}
        schemes = self.components.get("securitySchemes")
        self.schemes = schemes if isinstance(schemes, dict) else {}
        schemas = self.components.get("schemas")
        self.schemas = schemas if isinstance(schemas, dict) else {}

    def add(self, problem: str) -> None:
        """Keep the first ``MAX_KEPT`` distinct problems; count every distinct one."""
        if len(self.kept) < MAX_KEPT:
            self.kept.setdefault(problem)
        self.distinct.add(hash(problem))

    def run(self) -> tuple[tuple[str, ...], int]:
        self.security(self.doc.get("security"), "the document's security")
        self.servers(self.doc.get("servers"))
        self.path_templates()
        for label, operation in self.operations():
            self.security(operation.get("security"), label)
            self.servers(operation.get("servers"))
        for name, places in self.missing_schemes.items():
            more = self.missing_uses[name] - len(places)
            where = ", ".join(places) + (f" and {more} more" if more else "")
            self.add(
                f"security requirement names '{name}', which components.securitySchemes"
                f" does not declare ({where}; {self.sections['security']})"
            )
        self.discriminators()
        return tuple(self.kept), max(len(self.distinct), len(self.kept))

    # -- security requirements ----------------------------------------------------------

    def security(self, requirements: Any, where: str) -> None:
        """Each requirement's names against ``components.securitySchemes``, per name."""
        for requirement in requirements if isinstance(requirements, list) else ():
            for name in requirement if isinstance(requirement, dict) else ():
                if name in self.schemes:
                    continue
                label = _short(name)
                if label not in self.missing_schemes and len(self.missing_schemes) >= MAX_KEPT:
                    self.distinct.add(hash(("scheme", label)))  # counted, not listed
                    continue
                places = self.missing_schemes.setdefault(label, [])
                self.missing_uses[label] = self.missing_uses.get(label, 0) + 1
                if len(places) < MAX_PLACES and where not in places:
                    places.append(where)

    # -- servers --------------------------------------------------------------------------

    def servers(self, servers: Any) -> None:
        for server in servers if isinstance(servers, list) else ():
            if not isinstance(server, dict) or id(server) in self.servers_seen:
                continue
            self.servers_seen.add(id(server))
            url = server.get("url")
            if not isinstance(url, str):
                continue
            variables = server.get("variables")
            defined = variables if isinstance(variables, dict) else {}
            label = f"server '{_short(url)}'"
            for name in dict.fromkeys(_VARIABLE.findall(url)):
                if name not in defined:
                    self.add(
                        f"{label} names variable '{_short(name)}', which its variables do not"
                        f" define: the URL cannot be built ({self.sections['server']})"
                    )
            if "variable" in self.sections:
                for name, variable in defined.items():
                    self.variable(label, str(name), variable)

    def variable(self, label: str, name: str, variable: Any) -> None:
        """3.1: a variable's ``default`` among its ``enum`` values."""
        if not isinstance(variable, dict) or "default" not in variable:
            return
        enum = variable.get("enum")
        if isinstance(enum, list) and enum and variable["default"] not in enum:
            self.add(
                f"{label} variable '{_short(name)}': default '{_short(variable['default'])}'"
                f" is not one of its enum values ({self.sections['variable']})"
            )

    # -- paths ----------------------------------------------------------------------------

    def path_templates(self) -> None:
        """Paths equal once every template expression is blanked out."""
        paths = self.doc.get("paths")
        first: dict[str, str] = {}
        for path in paths if isinstance(paths, dict) else ():
            if not isinstance(path, str) or "{" not in path:
                continue
            same = first.setdefault(_TEMPLATE.sub("{}", path), path)
            if same != path:
                self.add(
                    f"paths '{_short(same)}' and '{_short(path)}' differ only in their"
                    f" template names: they are identical ({self.sections['paths']})"
                )

    def operations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(label, operation) for paths, webhooks and the callbacks they reach, each once."""
        queue: list[tuple[str, Any]] = []
        for key in ("paths", "webhooks"):
            items = self.doc.get(key)
            for name, item in (items if isinstance(items, dict) else {}).items():
                queue.append((_short(name) if key == "paths" else f"webhook {_short(name)}", item))
        seen: set[int] = set()
        for where, raw in queue:  # the queue grows with callbacks while it is read
            item = deref_or_none(raw, self.refs)
            if not isinstance(item, dict) or id(item) in seen:
                continue
            seen.add(id(item))
            self.servers(item.get("servers"))
            for method in OPERATIONS:
                operation = deref_or_none(item.get(method), self.refs)
                if not isinstance(operation, dict) or id(operation) in seen:
                    continue
                seen.add(id(operation))
                label = f"{method.upper()} {where}"
                yield label, operation
                callbacks = deref_or_none(operation.get("callbacks"), self.refs)
                for name, raw_callback in (
                    callbacks if isinstance(callbacks, dict) else {}
                ).items():
                    callback = deref_or_none(raw_callback, self.refs)
                    for expression, path_item in (
                        callback if isinstance(callback, dict) else {}
                    ).items():
                        here = f"{_short(expression)} in callback {_short(name)} of {label}"
                        queue.append((here, path_item))

    # -- discriminators -------------------------------------------------------------------

    def discriminators(self) -> None:
        """Every Schema Object's discriminator ``mapping``, in one walk of the document.

        The walk skips instance data (examples, defaults, enums, extensions) and reads a
        ``discriminator`` key as the keyword only outside a map of schema names. It keeps no
        paths (a third of the cost): a second walk locates the few objects a note names."""
        broken: dict[int, list[tuple[str, str]]] = {}
        for node in _schema_objects(self.doc):
            mapping = node["discriminator"].get("mapping")
            for value, target in mapping.items() if type(mapping) is dict else ():
                if isinstance(target, str) and self.schema_missing(target):
                    broken.setdefault(id(node), []).append((_short(value), _short(target)))
                    if len(broken) >= MAX_KEPT:
                        break
        where = _pointers(self.doc, set(broken)) if broken else {}
        for key, pairs in broken.items():
            for value, target in pairs:
                self.add(
                    f"{_short(where.get(key, 'a schema'))}: discriminator mapping '{value}'"
                    f" -> '{target}' names no schema in the document"
                    f" ({self.sections['discriminator']})"
                )

    def schema_missing(self, target: str) -> bool:
        """A ``#…`` reference leading nowhere, or a component name no schema has; anything
        else (another file, a URL, a dotted name that may be a file) is not followed."""
        if target.startswith("#"):
            try:
                self.refs.deref({"$ref": target})
            except RefError:
                return True
            except ExternalRef:
                return False  # a local target that refers on, outside: not followed
            return False
        return _COMPONENT_NAME.fullmatch(target) is not None and target not in self.schemas


def _skipped(key: Any) -> bool:
    """Keys whose value is instance data or an extension, never a Schema Object."""
    return key in _NOT_SCHEMAS or (type(key) is str and key.startswith("x-"))


def _schema_objects(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The objects holding a ``discriminator`` object, each container visited once at most
    (``MAX_WALK`` in all); the members of a map of schema names are schemas, its keys names."""
    stack: list[Any] = [document]
    names: list[dict[Any, Any]] = []
    walked = 0
    while (stack or names) and walked < MAX_WALK:
        walked += 1
        if names:
            stack.extend(v for v in names.pop().values() if type(v) is dict or type(v) is list)
            continue
        node = stack.pop()
        if type(node) is list:
            stack.extend(v for v in node if type(v) is dict or type(v) is list)
            continue
        if type(node.get("discriminator")) is dict:
            yield node
        for key, value in node.items():
            kind = type(value)
            if (kind is dict or kind is list) and not _skipped(key):
                (names if kind is dict and key in _NAME_MAPS else stack).append(value)


def _pointers(document: dict[str, Any], wanted: set[int]) -> dict[int, str]:
    """JSON pointers of the objects whose ids are ``wanted`` (the same walk, keeping paths)."""
    found: dict[int, str] = {}
    stack: list[tuple[Any, Any]] = [(document, None)]
    walked = 0
    while stack and len(found) < len(wanted) and walked < MAX_WALK:
        walked += 1
        node, chain = stack.pop()
        if id(node) in wanted:
            found.setdefault(id(node), _pointer(chain))
        pairs = enumerate(node) if type(node) is list else node.items()
        stack.extend((v, (chain, k)) for k, v in pairs if (type(v) is dict or type(v) is list))
    return found


def oas_problems(document: Any, minor: str | None) -> tuple[tuple[str, ...], int]:
    """The first ``MAX_KEPT`` distinct problems and how many in all; nothing for a version
    these rules do not cover or a document that is not an object."""
    if minor not in MINORS or not isinstance(document, dict):
        return (), 0
    return _Rules(document, minor).run()


def stricter_notes(document: Any, minor: str | None, limit: int = MAX_NOTES) -> tuple[str, ...]:
    """The problems as ``SpecReport`` notes: prefixed, at most ``limit`` and a count of the rest."""
    try:
        problems, found = oas_problems(document, minor)
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        return (f"{PREFIX}OpenAPI {NOT_CHECKED}: {type(exc).__name__}"[:300],)
    return as_notes(problems, found, limit)
