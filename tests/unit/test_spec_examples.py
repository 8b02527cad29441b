"""Request examples that work when pasted: templated paths, required queries, Accept, auth."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.render.findings import Findings
from auditor.render.spec_view import spec_view
from auditor.spec.analyse import analyse_spec
from auditor.spec.examples import MAX_EXAMPLES, RequestExample, curl_command

BASE = "https://api.example/v1"


def spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def get(*params: dict[str, Any], media: str | None = "application/json", **op: Any) -> Any:
    content = {media: {"schema": {"type": "object"}}} if media else None
    response = {"description": "ok", **({"content": content} if content else {})}
    return {"get": {"parameters": list(params), "responses": {"200": response}, **op}}


def path_param(name: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", **schema}}


def examples(document: dict[str, Any]) -> list[RequestExample]:
    report = analyse_spec(json.dumps(document).encode())
    return list(report.examples)


def argv(example: RequestExample) -> list[str]:
    """The command as the shell splits it."""
    return shlex.split(curl_command(example, BASE))


def test_a_templated_path_without_a_value_keeps_its_placeholder() -> None:
    (one,) = examples(spec({"/datasets/{dataset}/": get(path_param("dataset"))}))
    assert (one.template, one.path) == ("/datasets/{dataset}/", "/datasets/{dataset}/")
    args = argv(one)
    assert f"{BASE}/datasets/{{dataset}}/" in args
    assert "-g" in args  # curl would otherwise read {dataset} as a glob and ask for /dataset/
    assert "/datasets/dataset/" not in curl_command(one, BASE)


@pytest.mark.parametrize(
    ("schema", "param", "expected"),
    [
        ({"example": "population-2024"}, {}, "/datasets/population-2024/"),
        ({"enum": ["a b", "c"]}, {}, "/datasets/a%20b/"),
        ({"default": 7, "type": "integer"}, {}, "/datasets/7/"),
        ({}, {"example": "x/y"}, "/datasets/x%2Fy/"),
        ({}, {"examples": {"one": {"value": "ex"}}}, "/datasets/ex/"),
    ],
)
def test_a_path_parameter_takes_the_value_the_spec_gives(
    schema: dict[str, Any], param: dict[str, Any], expected: str
) -> None:
    parameter = {**path_param("dataset", **schema), **param}
    (one,) = examples(spec({"/datasets/{dataset}/": get(parameter)}))
    assert one.path == expected and one.template == "/datasets/{dataset}/"
    assert f"{BASE}{expected}" in argv(one) and "-g" not in argv(one)


def test_required_query_parameters_come_with_their_examples_or_a_placeholder() -> None:
    params = (
        {
            "name": "q",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
            "example": "eau",
        },
        {"name": "page", "in": "query", "required": True, "schema": {"type": "integer"}},
        {"name": "size", "in": "query", "schema": {"type": "integer", "example": 5}},
    )
    (one,) = examples(spec({"/search": get(*params)}))
    assert one.query == (("q", "eau"), ("page", "{page}"))
    assert f"{BASE}/search?q=eau&page={{page}}" in argv(one)


def test_the_accept_header_names_the_success_response_media_type() -> None:
    document = spec(
        {
            "/a": get(media="application/json"),
            "/b": get(media="application/xml"),
            "/c": get(media="*/*"),
            "/d": get(media=None),
        }
    )
    accept = {e.template: e.accept for e in examples(document)}
    assert accept == {"/a": "application/json", "/b": "application/xml", "/c": None, "/d": None}
    by_path = {e.template: e for e in examples(document)}
    assert "Accept: application/xml" in argv(by_path["/b"])
    assert not any(a.startswith("Accept") for a in argv(by_path["/d"]))


def test_swagger_2_accept_comes_from_produces() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "produces": ["text/csv", "application/json"],
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    (one,) = examples(document)
    assert one.accept == "application/json"


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ({"type": "http", "scheme": "bearer"}, ["-H", "Authorization: Bearer YOUR_TOKEN"]),
        ({"type": "oauth2", "flows": {}}, ["-H", "Authorization: Bearer YOUR_TOKEN"]),
        ({"type": "http", "scheme": "basic"}, ["-u", "USER:PASSWORD"]),
        ({"type": "apiKey", "in": "header", "name": "X-Key"}, ["-H", "X-Key: YOUR_API_KEY"]),
        ({"type": "apiKey", "in": "cookie", "name": "sid"}, ["-b", "sid=YOUR_API_KEY"]),
    ],
)
def test_an_operation_that_needs_credentials_says_how_to_send_them(
    scheme: dict[str, Any], expected: list[str]
) -> None:
    document = spec(
        {"/a": get()},
        components={"securitySchemes": {"auth": scheme}},
        security=[{"auth": []}],
    )
    args = argv(examples(document)[0])
    assert any(args[i : i + 2] == expected for i in range(len(args)))


def test_an_api_key_in_the_query_joins_the_query_string() -> None:
    key = {"type": "apiKey", "in": "query", "name": "apikey"}
    document = spec({"/a": get()}, components={"securitySchemes": {"k": key}}, security=[{"k": []}])
    assert f"{BASE}/a?apikey=YOUR_API_KEY" in argv(examples(document)[0])


def test_optional_or_lifted_security_shows_no_credentials() -> None:
    schemes = {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}
    optional = spec({"/a": get()}, components=schemes, security=[{}, {"b": []}])
    lifted = spec({"/a": get(security=[])}, components=schemes, security=[{"b": []}])
    assert examples(optional)[0].auth is None and examples(lifted)[0].auth is None


def test_hostile_names_stay_inside_their_shell_word() -> None:
    name = "x'; rm -rf / #"
    (one,) = examples(spec({"/a/{" + name + "}": get(path_param(name))}))
    args = argv(one)
    assert args[0] == "curl" and f"{BASE}/a/{{{name}}}" in args
    assert "rm" not in args and "/" not in args


def test_every_operation_is_in_the_facts_and_the_page_shows_one_per_path() -> None:
    item = {
        **get(path_param("id")),
        "delete": {"parameters": [path_param("id")], "responses": {"204": {"description": "x"}}},
    }
    document = spec({"/things": get(), "/things/{id}": item, "/other": get()})
    found = examples(document)
    assert sorted((e.method, e.template) for e in found) == [
        ("delete", "/things/{id}"),
        ("get", "/other"),
        ("get", "/things"),
        ("get", "/things/{id}"),
    ]
    curl = [
        {"operation": e.operation, "method": e.method, "path": e.template, "command": "curl x"}
        for e in found
    ]
    facts = {"check": "spec.examples", "outcome": "pass", "facts": {"curl": curl}}
    view = spec_view({}, Findings({"findings": [facts]}), datetime.now(UTC))
    assert sorted((x.method, x.path) for x in view.examples) == [
        ("GET", "/other"),
        ("GET", "/things"),
        ("GET", "/things/{id}"),
    ]


def test_large_specs_are_capped() -> None:
    document = spec({f"/p{i}": get() for i in range(MAX_EXAMPLES + 10)})
    assert len(examples(document)) == MAX_EXAMPLES
