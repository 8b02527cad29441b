"""OpenAPI 3.0/3.1 rules openapi-spec-validator skips: notes that never change the verdict.

One small document per rule that breaks it (and variants that keep it), each checked
against the reference too (it accepts them all); then the wiring through ``analyse_spec``
into the notes and the quality profile, the documents that must stay quiet (the demo's
specs, ``fixtures/specs``), hostile documents, and the real-world corpus.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.spec.analyse import analyse_spec
from auditor.spec.detect import detect_format
from auditor.spec.oas_rules import MAX_KEPT, oas_problems, stricter_notes
from auditor.spec.parse import parse_document
from auditor.spec.swagger2_rules import PREFIX
from auditor.spec.validate import reference_verdict
from tests.conftest import FIXTURES, ROOT

OK = {"200": {"description": "ok"}}
SCHEME = {"type": "apiKey", "name": "key", "in": "header"}


def oas(version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": copy.deepcopy(OK)}}},
    }
    doc.update(copy.deepcopy(extra))
    return doc


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def problems(doc: dict[str, Any]) -> tuple[str, ...]:
    return oas_problems(doc, doc["openapi"][:3])[0]


def accepted_by_the_reference(doc: dict[str, Any]) -> bool:
    return reference_verdict(doc, detect_format(doc)).valid is True


VERSIONS = pytest.mark.parametrize(
    ("version", "section"), [("3.0.3", "OpenAPI 3.0.3 §4.7"), ("3.1.0", "OpenAPI 3.1.0 §4.8")]
)


# -- (a) security requirements name declared schemes ------------------------------------


@VERSIONS
def test_a_security_requirement_naming_an_undeclared_scheme_is_reported(
    version: str, section: str
) -> None:
    doc = oas(version, security=[{"ghost": []}], components={"securitySchemes": {"key": SCHEME}})
    doc["paths"]["/pets"]["get"]["security"] = [{"key": []}, {"ghost": [], "phantom": []}]
    assert accepted_by_the_reference(doc)
    assert problems(doc) == (
        "security requirement names 'ghost', which components.securitySchemes does not declare"
        f" (the document's security, GET /pets; {section}.30.1)",
        "security requirement names 'phantom', which components.securitySchemes does not"
        f" declare (GET /pets; {section}.30.1)",
    )


def test_a_missing_scheme_is_reported_once_with_a_count_of_its_uses() -> None:
    paths = {f"/p{i}": {"get": {"security": [{"bearer": []}], "responses": OK}} for i in range(50)}
    assert problems(oas(paths=paths)) == (
        "security requirement names 'bearer', which components.securitySchemes does not declare"
        " (GET /p0, GET /p1 and 48 more; OpenAPI 3.1.0 §4.8.30.1)",
    )


def test_declared_schemes_and_the_empty_requirement_are_fine() -> None:
    doc = oas(security=[{}, {"key": []}], components={"securitySchemes": {"key": SCHEME}})
    doc["paths"]["/pets"]["get"]["security"] = [{}]
    assert problems(doc) == ()


def test_webhook_and_callback_operations_are_checked_too() -> None:
    callback = {"{$request.body#/url}": {"post": {"security": [{"cb": []}], "responses": OK}}}
    doc = oas(webhooks={"new": {"post": {"security": [{"hook": []}], "responses": OK}}})
    doc["paths"]["/pets"]["get"]["callbacks"] = {"done": callback}
    assert sorted(p.split(" (")[1] for p in problems(doc)) == [
        "POST webhook new; OpenAPI 3.1.0 §4.8.30.1)",
        "POST {$request.body#/url} in callback done of GET /pets; OpenAPI 3.1.0 §4.8.30.1)",
    ]


# -- (b) discriminator mappings lead to schemas -----------------------------------------


def pet(mapping: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}},
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    }


@VERSIONS
def test_a_discriminator_mapping_to_a_missing_schema_is_reported(
    version: str, section: str
) -> None:
    mapping = {"dog": "#/components/schemas/Dgo", "cat": "Cta", "pet": "Pet"}
    doc = oas(version, components={"schemas": {"Pet": pet(mapping)}})
    assert accepted_by_the_reference(doc)
    assert problems(doc) == (
        "#/components/schemas/Pet: discriminator mapping 'dog' -> '#/components/schemas/Dgo'"
        f" names no schema in the document ({section}.25.1)",
        f"#/components/schemas/Pet: discriminator mapping 'cat' -> 'Cta' names no schema in the"
        f" document ({section}.25.1)",
    )


def test_a_discriminator_deep_inside_an_operation_is_found_with_its_pointer() -> None:
    body = {"content": {"application/json": {"schema": {"oneOf": [pet({"x": "#/nowhere"})]}}}}
    doc = oas()
    doc["paths"]["/pets"]["get"]["requestBody"] = body
    assert problems(doc) == (
        "#/paths/~1pets/get/requestBody/content/application~1json/schema/oneOf/0: discriminator"
        " mapping 'x' -> '#/nowhere' names no schema in the document (OpenAPI 3.1.0 §4.8.25.1)",
    )


def test_mappings_to_existing_schemas_or_outside_the_document_are_fine() -> None:
    mapping = {
        "pet": "Pet",
        "dog": "#/components/schemas/Dog",
        "remote": "https://example.org/schemas/Monster.json",
        "file": "Cat.yaml",
        "sibling": "other.json#/components/schemas/Cat",
        "dotted": "my.org.Lizard",  # a component name or a relative file: not followed
        "onward": "#/components/schemas/Remote",  # itself a $ref to another file
    }
    schemas = {"Pet": pet(mapping), "Dog": {"type": "object"}, "Remote": {"$ref": "x.json#/R"}}
    assert problems(oas(components={"schemas": schemas})) == ()


def test_schemas_named_discriminator_and_payloads_saying_so_are_not_discriminators() -> None:
    lookalike = {"propertyName": "kind", "mapping": {"a": "#/nowhere"}}
    schema = {
        "type": "object",
        "properties": {"discriminator": {"type": "object", **lookalike}},
        "example": {"discriminator": lookalike},
        "x-vendor": {"discriminator": lookalike},
    }
    schemas = {"discriminator": {**lookalike, "type": "object"}, "Thing": schema}
    assert problems(oas(components={"schemas": schemas})) == ()


# -- (c) 3.1: a server variable's default is one of its enum values ----------------------


def test_a_3_1_server_variable_default_outside_its_enum_is_reported() -> None:
    servers = [
        {
            "url": "https://{env}.example.org",
            "variables": {"env": {"default": "prod", "enum": ["dev", "staging"]}},
        }
    ]
    doc = oas(servers=servers)
    assert accepted_by_the_reference(doc)
    assert problems(doc) == (
        "server 'https://{env}.example.org' variable 'env': default 'prod' is not one of its"
        " enum values (OpenAPI 3.1.0 §4.8.6.1)",
    )
    servers[0]["variables"]["env"]["enum"].append("prod")
    assert problems(oas(servers=servers)) == ()


def test_3_0_is_not_held_to_the_3_1_enum_rule() -> None:
    """3.0.3 §4.7.6.1 says nothing of it (3.0.4 makes it a SHOULD): not a MUST broken."""
    servers = [{"url": "https://{env}.example.org", "variables": {"env": {"default": "prod"}}}]
    servers[0]["variables"]["env"]["enum"] = ["dev"]
    assert problems(oas("3.0.3", servers=servers)) == ()


# -- (d) server URL variables are defined -----------------------------------------------


@VERSIONS
def test_a_server_url_variable_its_variables_do_not_define_is_reported(
    version: str, section: str
) -> None:
    server = {
        "url": "https://{region}.example.org/{version}",
        "variables": {"region": {"default": "eu"}},
    }
    doc = oas(version, servers=[server])
    doc["paths"]["/pets"]["servers"] = [{"url": "/{base}"}]
    assert accepted_by_the_reference(doc)
    assert problems(doc) == (
        "server 'https://{region}.example.org/{version}' names variable 'version', which its"
        f" variables do not define: the URL cannot be built ({section}.5.1)",
        "server '/{base}' names variable 'base', which its variables do not define: the URL"
        f" cannot be built ({section}.5.1)",
    )


def test_a_shared_server_is_reported_once() -> None:
    server = {"url": "https://{tenant}.example.org"}
    paths = {f"/p{i}": {"servers": [server], "get": {"responses": OK}} for i in range(10)}
    assert len(problems(oas(servers=[server], paths=paths))) == 1


# -- (e) path templates differ by more than their names ---------------------------------


@VERSIONS
def test_paths_that_differ_only_in_template_names_are_reported(version: str, section: str) -> None:
    paths = {
        "/pets/{a}": {"get": {"parameters": [path_param("a")], "responses": OK}},
        "/pets/{b}": {"put": {"parameters": [path_param("b")], "responses": OK}},
        "/pets/{a}/toys": {"get": {"parameters": [path_param("a")], "responses": OK}},
        "/pets/mine": {"get": {"responses": OK}},
    }
    doc = oas(version, paths=paths)
    assert accepted_by_the_reference(doc)
    assert problems(doc) == (
        f"paths '/pets/{{a}}' and '/pets/{{b}}' differ only in their template names: they are"
        f" identical ({section}.8.1)",
    )


# -- documents that must stay quiet ------------------------------------------------------


def quiet_documents() -> list[Path]:
    demo = ROOT / "auditor" / "demo" / "files"
    return sorted(
        [*demo.glob("*openapi*"), *(FIXTURES / "specs").glob("*.yaml")],
        key=lambda p: p.name,
    )


@pytest.mark.parametrize("path", quiet_documents(), ids=lambda p: p.name)
def test_the_demo_and_fixture_specs_give_no_note(path: Path) -> None:
    report = analyse_spec(path.read_bytes())
    assert report.format_known and report.family == "openapi", path
    assert [n for n in report.notes if n.startswith(PREFIX)] == []
    assert report.quality is not None and report.quality.stricter_rules_passed is True


def test_quiet_documents_cover_both_versions() -> None:
    minors = {detect_format(parse_document(p.read_bytes())).minor for p in quiet_documents()}
    assert {"3.0", "3.1"} <= minors


# -- wiring: notes, verdict, quality profile ---------------------------------------------


def test_analysis_adds_the_notes_keeps_the_verdict_and_feeds_the_quality_profile() -> None:
    doc = oas(security=[{"ghost": []}])
    report = analyse_spec(json.dumps(doc).encode())
    assert report.valid is True  # openapi-spec-validator's verdict, unchanged
    assert len(report.notes) == 1 and report.notes[0].startswith(PREFIX + "security requirement")
    assert report.quality is not None and report.quality.stricter_rules_passed is False
    clean = analyse_spec(json.dumps(oas()).encode())
    assert clean.notes == () and clean.quality is not None
    assert clean.quality.stricter_rules_passed is True


def test_an_invalid_document_gets_its_notes_too() -> None:
    doc = oas(security=[{"ghost": []}])
    del doc["info"]["title"]
    report = analyse_spec(json.dumps(doc).encode())
    assert report.valid is False
    assert any("'ghost'" in n for n in report.notes)


def test_3_2_documents_are_not_checked_and_say_so_as_unknown() -> None:
    doc = oas("3.2.0", security=[{"ghost": []}])
    assert stricter_notes(doc, "3.2") == ()
    report = analyse_spec(json.dumps(doc).encode())
    assert report.quality is not None and report.quality.stricter_rules_passed is None


def test_swagger_2_notes_feed_the_quality_profile_too() -> None:
    operation = {
        "parameters": [{"name": n, "in": "body", "schema": {"type": "string"}} for n in "ab"],
        "responses": {"200": {"description": "ok"}},
    }
    doc = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/p": {"post": operation}},
    }
    report = analyse_spec(json.dumps(doc).encode())
    assert report.quality is not None and report.quality.stricter_rules_passed is False


# -- hostile documents: bounded, no crash ------------------------------------------------


def test_thousands_of_problems_keep_a_bounded_list_and_count_the_rest() -> None:
    paths = {f"/p/{{a{i}}}": {"get": {"responses": OK}} for i in range(3_000)}
    kept, found = oas_problems(oas(paths=paths), "3.1")
    assert (len(kept), found) == (MAX_KEPT, 2_999)
    notes = stricter_notes(oas(paths=paths), "3.1")
    assert len(notes) == 21 and notes[-1] == f"{PREFIX}… and 2979 more"


def test_many_distinct_undeclared_schemes_stay_bounded() -> None:
    requirements = [{f"s{i}": []} for i in range(5_000)]
    kept, found = oas_problems(oas(security=requirements), "3.1")
    assert (len(kept), found) == (MAX_KEPT, 5_000)


def test_long_labels_are_cut_before_they_are_quoted() -> None:
    name = "x" * 100_000
    doc = oas(security=[{name: []}], servers=[{"url": "https://{" + name + "}.org"}])
    notes = stricter_notes(doc, "3.1")
    assert len(notes) == 2 and all(len(n) < 400 for n in notes)


@pytest.mark.parametrize(
    "extra",
    [
        {"security": "all"},
        {"security": [None, 3, ["x"]]},
        {"servers": [None, {"url": 5}, {"url": "https://{a}", "variables": []}]},
        {"servers": [{"url": "{a}", "variables": {"a": {"default": ["x"], "enum": [["x"]]}}}]},
        {"paths": {"/{a}": None, 7: {}, "/{b}": {"get": "text", "$ref": 5}}},
        {"paths": {"/a": {"$ref": "#/paths/~1a"}}},  # a path item that refers to itself
        {"webhooks": [1, 2]},
        {"components": {"schemas": {"A": {"discriminator": {"mapping": {"a": 1, "b": None}}}}}},
        {"components": {"schemas": {"A": {"discriminator": {"mapping": [1]}}}}},
        {"components": {"schemas": {"A": {"discriminator": "kind"}}}},
        {"components": ["not", "an", "object"]},
    ],
)
def test_malformed_documents_give_no_crash(extra: dict[str, Any]) -> None:
    notes = stricter_notes(oas(**extra), "3.1")
    assert not any("not checked" in n for n in notes)


def test_a_deep_document_is_walked_without_recursion() -> None:
    node: dict[str, Any] = {"discriminator": {"propertyName": "k", "mapping": {"a": "Nope"}}}
    for _ in range(50_000):
        node = {"allOf": [node]}
    doc = oas()
    doc["components"] = {"schemas": {"Deep": node}}  # not deep-copied: too deep for that
    kept, found = oas_problems(doc, "3.1")
    assert found == 1 and "'a' -> 'Nope'" in kept[0]


def test_a_wide_document_is_checked_in_linear_time() -> None:
    schemas = {
        f"S{i}": {"type": "object", "properties": {"a": {"type": "string"}}} for i in range(40_000)
    }
    paths = {f"/p{i}/{{id}}": {"get": {"security": [{}], "responses": OK}} for i in range(20_000)}
    doc = oas(paths=paths, components={"schemas": schemas})
    started = time.perf_counter()
    assert oas_problems(doc, "3.1") == ((), 0)
    assert time.perf_counter() - started < 5.0  # ~0.3 s; a quadratic pass would take minutes


# -- the real-world corpus ----------------------------------------------------------------


@pytest.mark.realworld
def test_the_corpus_openapi_specs_give_only_true_notes(corpus: Path) -> None:
    """The OpenAPI 3.x specs of the corpus up to 300 KB: notes only where a spec really
    breaks a rule (checked by hand: undeclared ``api_key`` in readme's example, path
    templates that differ only in their names in six published APIs)."""
    rows = [json.loads(line) for line in (corpus / "SPEC_MANIFEST.jsonl").read_text().splitlines()]
    noted: dict[str, set[str]] = {}
    checked = 0
    for row in rows:
        if row["size_bytes"] > 300_000 or not str(row["declared_version"]).startswith("3."):
            continue
        try:
            document = parse_document((corpus / row["path"]).read_bytes())
        except ValueError:
            continue
        fmt = detect_format(document)
        if fmt.minor not in ("3.0", "3.1"):
            continue
        checked += 1
        for problem in oas_problems(document, fmt.minor)[0]:
            kind = "security" if problem.startswith("security") else problem.split(" ")[0]
            noted.setdefault(row["path"], set()).add(kind)
    assert checked > 300
    assert noted == {
        "openapi_specs/examples/readme_oas_examples/3.0/json/response-http-behavior.json": {
            "security"
        },
        "openapi_specs/examples/readme_oas_examples/3.0/yaml/response-http-behavior.yaml": {
            "security"
        },
        **{
            f"apisguru/specs/{name}.json": {"paths"}
            for name in (
                "healthcare.gov",
                "jira.local",
                "oxforddictionaries.com",
                "thenounproject.com",
                "googleapis.com/spanner",
                "googleapis.com/storagetransfer",
            )
        },
    }
