"""auditor's fast validation engine against openapi-spec-validator, check by check.

Each case is a small document aimed at one check that decides
openapi-spec-validator's verdict (``validation/keywords.py``); the test asserts
the engine's verdict and that the reference, run in the same test with its
schema backend pinned, gives the same one.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditor.spec.detect import detect_format
from auditor.spec.validate import Verdict, reference_verdict, validate_document

OK_RESPONSES = {"200": {"description": "ok"}}


def oas30(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": {"responses": copy.deepcopy(OK_RESPONSES)}}},
    }
    doc.update(extra)
    return doc


def with_schema(schema: Any, version: str = "3.0.3") -> dict[str, Any]:
    doc = oas30(components={"schemas": {"S": schema}})
    doc["openapi"] = version
    return doc


def swagger(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": {"responses": copy.deepcopy(OK_RESPONSES)}}},
    }
    doc.update(extra)
    return doc


def both(document: dict[str, Any]) -> tuple[Verdict, Verdict]:
    fmt = detect_format(document)
    fast = validate_document(copy.deepcopy(document), fmt)
    reference = reference_verdict(copy.deepcopy(document), fmt, backend="jsonschema")
    return fast, reference


CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("minimal 3.0", oas30(), True),
    ("minimal 2.0", swagger(), True),
    ("3.1 without paths", {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}, False),
    ("3.1 webhooks only", {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                           "webhooks": {}}, True),
    ("missing info", {"openapi": "3.0.3", "paths": {}}, False),
    ("duplicate tag", oas30(tags=[{"name": "a"}, {"name": "a"}]), False),
    ("duplicate operationId", oas30(paths={
        "/a": {"get": {"operationId": "x", "responses": OK_RESPONSES}},
        "/b": {"get": {"operationId": "x", "responses": OK_RESPONSES}}}), False),
    ("duplicate parameter", oas30(paths={"/a": {"get": {"responses": OK_RESPONSES, "parameters": [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}}]}}}), False),
    ("same name, other location", oas30(paths={"/a": {"get": {"responses": OK_RESPONSES,
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}},
                       {"name": "q", "in": "header", "schema": {"type": "string"}}]}}}), True),
    ("path template without parameter", oas30(paths={
        "/a/{id}": {"get": {"responses": OK_RESPONSES}}}), False),
    ("path parameter without template", oas30(paths={"/a": {"get": {"responses": OK_RESPONSES,
        "parameters": [{"name": "id", "in": "path", "required": True}]}}}), False),
    ("path parameter declared on the path item", oas30(paths={"/a/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"responses": OK_RESPONSES}}}), True),
    ("unbalanced brace in path", oas30(paths={"/a}b": {"get": {"responses": OK_RESPONSES}}}), False),
    ("pattern Python cannot compile", with_schema({"type": "string", "pattern": "\\p{L}+"}), False),
    ("pattern Python compiles", with_schema({"type": "string", "pattern": "^[a-z]+$"}), True),
    ("default of the wrong type", with_schema({"type": "integer", "default": "a"}), False),
    ("null default, nullable", with_schema({"type": "string", "nullable": True, "default": None}), True),
    ("null default, not nullable", with_schema({"type": "string", "default": None}), False),
    ("default breaking int32", with_schema({"type": "integer", "format": "int32",
                                            "default": 2**40}), False),
    ("required not defined under allOf", with_schema({"allOf": [{"type": "object"}],
                                                      "required": ["ghost"]}), False),
    ("required defined in an allOf member", with_schema({"allOf": [{"properties": {"a": {}}}],
                                                         "required": ["a"]}), True),
    ("required without allOf is not checked", with_schema({"required": ["ghost"]}), True),
    ("empty required list (draft-04)", with_schema({"type": "object", "required": []}), False),
    ("float where draft-04 wants an integer", with_schema({"type": "string", "minLength": 1.0}),
     False),
    ("unresolvable local $ref", oas30(paths={"/a": {"get": {"responses": {
        "200": {"$ref": "#/components/responses/missing"}}}}}), False),
    ("3.1 schema with a bad pattern", with_schema({"pattern": "\\p{L}"}, "3.1.0"), False),
    ("3.1 boolean schema", with_schema(True, "3.1.0"), True),
    ("3.1 unknown $schema dialect", with_schema({"$schema": "urn:nobody"}, "3.1.0"), False),
    ("3.1 type list with null", with_schema({"type": ["string", "null"], "default": None},
                                            "3.1.0"), True),
    ("2.0 parameter default of the wrong type", swagger(paths={"/a": {"get": {
        "responses": OK_RESPONSES,
        "parameters": [{"name": "n", "in": "query", "type": "integer", "default": "x"}]}}}), False),
    ("2.0 body schema with a bad pattern", swagger(paths={"/a": {"post": {
        "responses": OK_RESPONSES,
        "parameters": [{"name": "b", "in": "body", "schema": {"pattern": "("}}]}}}), False),
    ("2.0 response schema 'file' (not a draft-04 type)", swagger(paths={"/a": {"get": {
        "responses": {"200": {"description": "ok", "schema": {"type": "file"}}}}}}), False),
    ("3.2 unknown parent tag", {"openapi": "3.2.0", "info": {"title": "t", "version": "1"},
                                "paths": {}, "tags": [{"name": "a", "parent": "b"}]}, False),
    ("3.2 tag cycle", {"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": {},
                       "tags": [{"name": "a", "parent": "b"}, {"name": "b", "parent": "a"}]},
     False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fast_engine_matches_the_reference(document: dict[str, Any], expected: bool) -> None:
    fast, reference = both(document)
    assert fast.valid is expected, fast.errors
    assert reference.valid is expected, reference.errors
    assert bool(fast.errors) is not expected


def test_numeric_version_is_normalised_for_detection_but_invalid() -> None:
    document = swagger()
    document["swagger"] = 2.0
    fmt = detect_format(document)
    assert (fmt.family, fmt.version, fmt.known) == ("swagger", "2.0", True)
    verdict = validate_document(document, fmt)
    assert verdict.valid is False
    assert any("swagger" in error for error in verdict.errors)


@pytest.mark.parametrize(
    ("document", "note"),
    [
        ({"swagger": "3.0", "info": {}, "paths": {}}, "unsupported version Swagger 3.0"),
        ({"openapi": "4.0.0", "info": {}, "paths": {}}, "unsupported version OpenAPI 4.0.0"),
        ({"swagger": "1.2"}, "unsupported version Swagger 1.2"),
        ({"info": {"title": "x"}}, "not an OpenAPI or Swagger document"),
    ],
)
def test_unsupported_versions_get_no_verdict(document: dict[str, Any], note: str) -> None:
    fast, reference = both(document)
    assert fast.valid is None and reference.valid is None
    assert fast.note == note


def test_circular_ref_chain_is_an_error_not_a_hang() -> None:
    document = oas30(
        components={
            "schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
            }
        }
    )
    fast, reference = both(document)
    assert fast.valid is False
    assert any("circular $ref" in error for error in fast.errors)
    assert reference.valid is False  # the reference crashes (RecursionError): also not valid


def test_recursive_allof_is_noted_where_the_reference_crashes() -> None:
    # A JSON value type: legitimately recursive through items. openapi-spec-validator's
    # _collect_properties recurses without a guard here (upstream #400) and raises.
    value = {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
        ]
    }
    document = with_schema({"allOf": [{"$ref": "#/components/schemas/Value"}]})
    document["components"]["schemas"]["Value"] = value
    fast, reference = both(document)
    assert fast.valid is True
    assert any("recursive schema composition" in note for note in fast.notes)
    assert reference.valid is False
    assert "RecursionError" in reference.errors[0]


def test_self_referencing_properties_are_fine() -> None:
    node = {"type": "object", "properties": {"children": {"type": "array",
            "items": {"$ref": "#/components/schemas/Node"}}}}  # fmt: skip
    fast, reference = both(with_schema(node) | {"components": {"schemas": {"Node": node}}})
    assert fast.valid is True and reference.valid is True


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/#/x",
        "file:///etc/passwd#/x",
        "schemas/pet.yaml",
        "ftp://example.org/s.json",
        "data:application/json,{}",
    ],
)
def test_external_refs_are_reported_never_followed(target: str) -> None:
    document = oas30(
        paths={
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": target}}},
                        }
                    }
                }
            }
        }
    )
    fast, reference = both(document)
    assert fast.valid is None
    assert fast.note == f"external $ref not followed: {target}"
    assert fast.external_refs == (target,)
    assert reference.valid is None
    assert target.startswith(reference.external_refs[0])  # the reference names the document


def test_external_refs_are_counted_but_listed_up_to_a_bound() -> None:
    schemas = {f"S{i}": {"$ref": f"https://example.org/s{i}.json"} for i in range(30)}
    verdict = validate_document(with_schema({}) | {"components": {"schemas": schemas}},
                                detect_format(with_schema({})))  # fmt: skip
    assert verdict.valid is None
    assert verdict.external_ref_count == 30
    assert len(verdict.external_refs) == 20
    assert verdict.note is not None and "(and 29 more)" in verdict.note


def test_a_local_error_still_fails_a_document_with_external_refs() -> None:
    document = with_schema({"$ref": "https://example.org/s.json"})
    document["tags"] = [{"name": "a"}, {"name": "a"}]
    verdict = validate_document(document, detect_format(document))
    assert verdict.valid is False
    assert verdict.external_refs == ("https://example.org/s.json",)


def test_errors_are_capped() -> None:
    paths = {f"/a{i}/{{x}}": {"get": {"responses": OK_RESPONSES}} for i in range(40)}
    verdict = validate_document(oas30(paths=paths), detect_format(oas30()))
    assert verdict.valid is False
    assert len(verdict.errors) == 10


def test_rust_backend_reference_agrees_on_a_semantic_error() -> None:
    document = oas30(tags=[{"name": "a"}, {"name": "a"}])
    fmt = detect_format(document)
    assert reference_verdict(document, fmt, backend="jsonschema-rs").valid is False
    with pytest.raises(ValueError, match="unknown schema backend"):
        reference_verdict(document, fmt, backend="nope")
