"""Parsing untrusted spec documents, detecting their format, analysing them."""

from __future__ import annotations

import json
import time

import pytest

from auditor.spec.analyse import SpecReport, analyse_spec
from auditor.spec.detect import detect_format
from auditor.spec.parse import DocumentError, parse_document

# --- parse_document -------------------------------------------------------------


def test_json_fast_path_keeps_json_types() -> None:
    data = b'{"openapi": "3.0.3", "n": 1, "f": 1.5, "ok": true, "none": null, "l": [1, "2"]}'
    assert parse_document(data) == {
        "openapi": "3.0.3",
        "n": 1,
        "f": 1.5,
        "ok": True,
        "none": None,
        "l": [1, "2"],
    }


def test_json_with_leading_whitespace_is_still_json() -> None:
    assert parse_document(b'\n\n   {"a": [1, 2]}') == {"a": [1, 2]}


C1 = "".join(chr(c) for c in range(0x80, 0xA0))  # U+0080-U+009F, NEL (U+0085) among them


@pytest.mark.parametrize("indent", [None, 2])
def test_json_with_raw_c1_control_characters_in_strings_keeps_parsing(indent: int | None) -> None:
    """JSON allows any character from U+0020 raw in a string; YAML reads NEL as a line
    break and refuses the other C1 characters, so these documents must stay on the JSON path
    (on one line or pretty-printed, where a YAML fallback would be tried)."""
    doc = {
        "openapi": "3.0.3",
        "info": {"title": f"A{C1}B", "version": "1", "description": "x\u0085y\u009fz"},
        "paths": {f"/a{C1}": {}},
    }
    data = json.dumps(doc, ensure_ascii=False, indent=indent).encode()
    assert "\u0085".encode() in data  # raw, not escaped
    assert parse_document(data) == doc
    report = analyse_spec(data)
    assert (report.parse_error, report.valid, report.title) == (None, True, f"A{C1}B")


def test_yaml_integer_response_codes_become_string_keys() -> None:
    data = b"""\
openapi: 3.0.3
paths:
  /items:
    get:
      responses:
        200:
          description: ok
        404:
          description: missing
"""
    document = parse_document(data)
    responses = document["paths"]["/items"]["get"]["responses"]
    assert responses == {"200": {"description": "ok"}, "404": {"description": "missing"}}
    assert all(isinstance(key, str) for key in responses)


def test_yaml_flow_mapping_starting_with_brace_falls_back_to_yaml() -> None:
    # Not JSON (unquoted keys) but valid YAML: the "{" fast path must hand over.
    assert parse_document(b"{a: 1, b: [x, y]}\n") == {"a": 1, "b": ["x", "y"]}


def test_utf8_bom_is_tolerated() -> None:
    assert parse_document(b'\xef\xbb\xbf{"title": "caf\xc3\xa9"}') == {"title": "café"}
    assert parse_document(b"\xef\xbb\xbftitle: x\n") == {"title": "x"}


def test_invalid_utf8_names_the_byte() -> None:
    with pytest.raises(DocumentError, match=r"not valid UTF-8 at byte 7"):
        parse_document(b'{"a": "\xc3\x28"}')


def test_invalid_utf8_in_yaml_names_the_byte() -> None:
    with pytest.raises(DocumentError, match=r"at byte 3\b"):
        parse_document(b"a: \xff rest\n")


def _billion_laughs(levels: int = 9, fanout: int = 10) -> bytes:
    lines = ["a0: &a0 [lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * fanout)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"alias expansion") as excinfo:
        parse_document(_billion_laughs())
    assert time.perf_counter() - started < 1.0
    assert "billion laughs" in str(excinfo.value)


def test_alias_expansion_limit_is_configurable() -> None:
    # 3 levels of 10 aliases expand to ~1,100 nodes: fine by default, too many for 100.
    small = _billion_laughs(levels=3)
    assert len(parse_document(small)["a3"]) == 10
    with pytest.raises(DocumentError, match=r"exceeds 100 nodes"):
        parse_document(small, max_nodes=100)


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"recursive alias"):
        parse_document(b"a: &x [1, *x]\n")


def test_non_recursive_aliases_are_expanded() -> None:
    document = parse_document(b"base: &b {type: string}\nother: *b\n")
    assert document == {"base": {"type": "string"}, "other": {"type": "string"}}


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>Swagger UI</body></html>",
        b"\n  <html><head></head></html>",
        b'<?xml version="1.0"?><api/>',
    ],
)
def test_html_and_xml_are_refused(data: bytes) -> None:
    with pytest.raises(DocumentError, match=r"HTML or XML"):
        parse_document(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t \n"])
def test_empty_document_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentError, match=r"empty document"):
        parse_document(data)


def test_broken_single_line_json_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"not valid JSON"):
        parse_document(b'{"a": 1,,}')


def test_broken_yaml_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"not valid YAML"):
        parse_document(b"a: [unclosed\nb: 2\n")


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_json_nested_beyond_max_depth_is_refused(kind: str) -> None:
    depth = 40
    text = "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth
    with pytest.raises(DocumentError, match=r"nesting exceeds 20 levels"):
        parse_document(text.encode(), max_depth=20)
    # the same document within the limit is fine
    assert parse_document(text.encode(), max_depth=depth + 1) is not None


def test_yaml_nested_beyond_max_depth_is_refused() -> None:
    text = "a: " + "[" * 30 + "]" * 30 + "\n"
    with pytest.raises(DocumentError, match=r"nesting exceeds 10 levels"):
        parse_document(text.encode(), max_depth=10)


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_nesting_past_default_max_depth_is_a_document_error(kind: str) -> None:
    depth = 600  # over the default 512, under orjson's own 1024 limit
    nested = "[" * depth + "]" * depth
    text = nested if kind == "json" else f"a: {nested}\n"
    with pytest.raises(DocumentError, match=r"nest"):
        parse_document(text.encode())


def test_dates_become_iso_strings() -> None:
    document = parse_document(b"released: 2024-01-02\nchanged: 2024-01-02T03:04:05Z\n")
    assert document["released"] == "2024-01-02"
    assert isinstance(document["changed"], str)
    assert document["changed"].startswith("2024-01-02T03:04:05")
    # the result is plain JSON-compatible data
    json.dumps(document)


def test_date_keys_become_strings() -> None:
    assert parse_document(b"2024-01-02: launch\n") == {"2024-01-02": "launch"}


# --- detect_format --------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "family", "version", "known", "label"),
    [
        ({"swagger": "2.0"}, "swagger", "2.0", True, "Swagger 2.0"),
        ({"openapi": "3.0.3"}, "openapi", "3.0.3", True, "OpenAPI 3.0.3"),
        ({"openapi": "3.1.0"}, "openapi", "3.1.0", True, "OpenAPI 3.1.0"),
        ({"openapi": "3.2.0"}, "openapi", "3.2.0", True, "OpenAPI 3.2.0"),
        ({"openapi": "4.0"}, "openapi", "4.0", False, "OpenAPI 4.0"),
        ({"openapi": "4.0.0"}, "openapi", "4.0.0", False, "OpenAPI 4.0.0"),
        ({"swagger": "1.2"}, "swagger", "1.2", False, "Swagger 1.2"),
        ({"info": {"title": "x"}, "paths": {}}, "unknown", None, False, "unknown"),
        (["openapi", "3.0.3"], "unknown", None, False, "unknown"),
        ("openapi: 3.0.3", "unknown", None, False, "unknown"),
        (None, "unknown", None, False, "unknown"),
    ],
)
def test_detect_format(
    document: object, family: str, version: str | None, known: bool, label: str
) -> None:
    fmt = detect_format(document)
    assert (fmt.family, fmt.version, fmt.known, fmt.label) == (family, version, known, label)


def test_detect_format_minor_version() -> None:
    assert detect_format({"openapi": "3.1.0"}).minor == "3.1"
    assert detect_format({"swagger": "2.0"}).minor == "2.0"
    assert detect_format({}).minor is None


# --- analyse_spec ---------------------------------------------------------------

VALID_30 = b"""\
openapi: 3.0.3
info:
  title: Demo items
  version: "1.0"
  license: {name: MIT}
  contact: {email: api@example.gouv.fr}
servers:
  - url: https://api.example.gouv.fr/v1
paths:
  /items:
    get:
      responses:
        200: {description: ok}
    post:
      responses:
        201: {description: created}
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses:
        200: {description: ok}
"""

INVALID_SWAGGER_20 = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "broken"},  # no version
        "host": "api.example.org",
        "basePath": "/meteo",
        "paths": {"/stations": {"get": {"parameters": []}}},  # no responses
    }
).encode()


def test_analyse_valid_openapi_30() -> None:
    report = analyse_spec(VALID_30)
    assert isinstance(report, SpecReport)
    assert report.parse_error is None
    assert (report.family, report.version, report.format_known) == ("openapi", "3.0.3", True)
    assert report.valid is True
    assert report.errors == ()
    assert report.path_count == 2
    # "parameters" is not an operation
    assert report.operation_count == 3
    assert report.title == "Demo items"
    assert report.license == {"name": "MIT"}
    assert report.contact == {"email": "api@example.gouv.fr"}
    assert report.servers == ("https://api.example.gouv.fr/v1",)
    assert report.size == len(VALID_30)
    assert len(report.sha256) == 64
    assert "openapi-spec-validator" in report.validator


def test_analyse_invalid_swagger_20() -> None:
    report = analyse_spec(INVALID_SWAGGER_20)
    assert report.format_label == "Swagger 2.0"
    assert report.format_known is True
    assert report.valid is False
    assert report.errors
    joined = "\n".join(report.errors)
    assert "version" in joined
    assert "responses" in joined
    assert report.servers == ("https://api.example.org/meteo",)


def test_analyse_unsupported_version_is_never_scored_as_valid() -> None:
    report = analyse_spec(b"openapi: 4.0.0\ninfo: {title: future, version: '1'}\npaths: {}\n")
    assert report.format_known is False
    assert report.valid is None
    assert report.errors == ()
    assert report.note is not None
    assert "unsupported" in report.note
    assert "4.0.0" in report.note


def test_analyse_document_without_version_key() -> None:
    report = analyse_spec(b"title: just some yaml\n")
    assert report.family == "unknown"
    assert report.valid is None
    assert report.note == "not an OpenAPI or Swagger document"


def test_analyse_unparseable_document_reports_the_parse_error() -> None:
    report = analyse_spec(b"<!doctype html><title>Swagger UI</title>")
    assert report.parse_error is not None
    assert "HTML" in report.parse_error
    assert report.valid is None
    assert report.format_known is False


def test_analyse_billion_laughs_reports_instead_of_expanding() -> None:
    started = time.perf_counter()
    report = analyse_spec(_billion_laughs())
    assert time.perf_counter() - started < 1.0
    assert report.parse_error is not None
    assert "alias expansion" in report.parse_error


@pytest.mark.parametrize(
    "data",
    [
        b"swagger: 2.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
        b'{"openapi": 3.0, "info": {"title": "x", "version": "1"}, "paths": {}}',
    ],
    ids=["yaml-swagger-2.0", "json-openapi-3.0"],
)
def test_analyse_numeric_version_is_reported_not_raised(data: bytes) -> None:
    report = analyse_spec(data)
    assert report.valid is not True
