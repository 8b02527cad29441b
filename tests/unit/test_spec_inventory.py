"""What a spec analysis reports besides the verdict: fields, examples, quality, caching."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from auditor.context import Limits
from auditor.spec.analyse import SpecReport, analyse_spec
from auditor.spec.cache import DiskCache, engine_key
from auditor.spec.examples import RequestExample, base_url, curl_command
from auditor.spec.inventory import MAX_LISTED
from tests.conftest import FIXTURES

SPEC = (FIXTURES / "specs" / "inventory-3.0.yaml").read_bytes()


@pytest.fixture(scope="module")
def report() -> SpecReport:
    return analyse_spec(SPEC)


def rows(report: SpecReport) -> dict[tuple[str, str], Any]:
    return {(f["schema"], f["name"]): SimpleNamespace(**f) for f in report.fields}


def test_fixture_is_valid_and_counted(report: SpecReport) -> None:
    assert report.valid is True
    assert report.operation_count == 3
    assert report.operations == ("GET /stations", "POST /stations", "GET /stations/{id}")
    assert report.field_count == len(report.fields) == 14


def test_parameters_are_listed_per_operation_with_type_format_and_docs(report: SpecReport) -> None:
    by_key = rows(report)
    page = by_key[("GET /stations", "page")]
    assert (page.type, page.format, page.location) == ("integer", "int32", "query")
    assert page.description == "Page number."
    # a path-level parameter belongs to each operation of the path
    ident = by_key[("GET /stations/{id}", "id")]
    assert (ident.type, ident.format, ident.location) == ("string", "uuid", "path")


def test_schema_properties_nested_and_flagged(report: SpecReport) -> None:
    by_key = rows(report)
    assert by_key[("Station", "id")].read_only is True
    assert by_key[("Station", "secret")].write_only is True
    assert by_key[("Station", "altitude")].type == "number|null"
    assert by_key[("Station", "location.lat")].format == "double"
    assert by_key[("Station", "sensors")].type == "array<object>"
    assert by_key[("Station", "sensors[].kind")].location == "property"
    # an inline response schema is listed; a $ref'd one is a type, not walked again
    assert by_key[("GET /stations/{id} response 200", "station")].type == "Station"
    assert ("GET /stations response 200", "name") not in by_key


def test_inventory_is_truncated_but_fully_counted() -> None:
    props = {f"p{i}": {"type": "string"} for i in range(MAX_LISTED + 20)}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Big": {"type": "object", "properties": props}}},
    }
    report = analyse_spec(json.dumps(document).encode())
    assert report.field_count == MAX_LISTED + 20
    assert len(report.fields) == MAX_LISTED


def test_quality_shares_and_flags(report: SpecReport) -> None:
    quality = report.quality
    assert quality is not None
    assert quality.operation_count == 3
    assert quality.operation_id_share == pytest.approx(2 / 3, abs=0.001)
    assert quality.summary_share == pytest.approx(1 / 3, abs=0.001)
    assert quality.parameter_docs_share == pytest.approx(2 / 3, abs=0.001)  # id has no description
    assert quality.response_schema_share == pytest.approx(2 / 3, abs=0.001)  # 201 has no body
    assert quality.error_responses_share == pytest.approx(2 / 3, abs=0.001)
    assert quality.servers_declared and quality.security_declared
    assert quality.pagination_documented and quality.rate_limit_documented
    assert quality.outcome == "pass"


def test_quality_without_operations_is_unknown_not_zero() -> None:
    document = b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}'
    quality = analyse_spec(document).quality
    assert quality is not None
    assert quality.operation_count == 0
    assert quality.operation_id_share is None and quality.parameter_docs_share is None
    assert quality.outcome == "unknown"


def test_examples_fill_required_parameters_and_credentials(report: SpecReport) -> None:
    base = base_url(report.servers, "https://meteo.example/openapi.yaml")
    assert base == "https://meteo.example/v1"
    commands = [curl_command(e, base) for e in report.examples]
    assert commands[0] == (
        "curl 'https://meteo.example/v1/stations?dept=75' -H 'Accept: application/json' "
        "-H 'X-API-Key: YOUR_API_KEY'"
    )
    # the id has no example in the spec: a visible placeholder, not an invented uuid
    assert commands[1].startswith("curl -g 'https://meteo.example/v1/stations/{id}' ")
    assert report.examples[1].template == "/stations/{id}"
    post = report.examples[2]
    assert (post.operation, post.method, post.content_type) == (
        "createStation",
        "post",
        "application/json",
    )
    assert json.loads(post.body or "") == {"name": "Paris-Montsouris"}  # required, with its example
    assert "-X POST" in commands[2] and '-d \'{"name":"Paris-Montsouris"}\'' in commands[2]


def test_curl_quotes_what_the_shell_would_read() -> None:
    example = RequestExample("op", "get", "/a", query=(("q", "it's; rm -rf /"),))
    command = curl_command(example, "https://x.example")
    assert command == "curl 'https://x.example/a?q=it%27s%3B+rm+-rf+%2F'"
    body = RequestExample("op", "post", "/a", body="'; echo pwned", content_type="text/plain")
    assert curl_command(body, None).endswith("-d ''\"'\"'; echo pwned'")


def test_base_url_for_swagger_without_host_is_the_spec_host() -> None:
    assert base_url(("/api",), "https://data.example/swagger.json") == "https://data.example/api"
    assert base_url((), "https://data.example/docs/swagger.json") == "https://data.example"
    assert base_url(("https://api.example/v2/",), None) == "https://api.example/v2"
    # a spec read from a file: the host is a visible placeholder, not a broken command
    assert base_url(("/v1",), None) == "https://API_HOST/v1"
    assert base_url((), "specs/openapi.yaml") == "https://API_HOST"


def test_report_pickles_and_round_trips_through_json(report: SpecReport) -> None:
    assert pickle.loads(pickle.dumps(report)) == report
    assert SpecReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report


def test_disk_cache_round_trip(tmp_path: Path, report: SpecReport) -> None:
    cache = DiskCache(tmp_path, Limits())
    assert cache.get(report.sha256) is None
    assert cache.put(report)
    assert cache.get(report.sha256) == report
    files = list(tmp_path.rglob("*.json"))
    assert [f.name for f in files] == [f"{report.sha256}.json"]
    assert files[0].parent.parent.name == engine_key(Limits())


def test_disk_cache_key_changes_with_the_limits(tmp_path: Path, report: SpecReport) -> None:
    DiskCache(tmp_path, Limits()).put(report)
    assert DiskCache(tmp_path, Limits(max_json_depth=10)).get(report.sha256) is None


def test_disk_cache_ignores_corrupt_or_foreign_entries(tmp_path: Path, report: SpecReport) -> None:
    cache = DiskCache(tmp_path, Limits())
    cache.put(report)
    path = next(tmp_path.rglob("*.json"))
    path.write_text("{not json")
    assert cache.get(report.sha256) is None
    other = report.to_dict() | {"validator": "some older engine"}
    path.write_text(json.dumps(other))
    assert cache.get(report.sha256) is None
    assert cache.get("../../etc/passwd") is None


def test_disk_cache_in_an_unwritable_place_fails_quietly(
    tmp_path: Path, report: SpecReport
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert DiskCache(blocker, Limits()).put(report) is False


def test_unknown_documents_get_no_summary() -> None:
    report = analyse_spec(b"title: just some yaml\n")
    assert report.quality is None and report.fields == () and report.examples == ()
