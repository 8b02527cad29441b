"""The verifier end to end against real HTTP servers on 127.0.0.1.

Each test programs the local server, runs a real audit (fetcher, guarded
backend, probes, rule engine) and reads the findings and the assessment.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler

import pytest

from auditor.context import DEFAULT_USER_AGENT, AuditSettings, Limits, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding, Outcome
from auditor.run.loop import run_audit
from tests.conftest import LocalServer

SETTINGS = AuditSettings(
    network=NetworkPolicy(allow_private=True), limits=Limits(retries=0, timeout=2)
)

VALID_SPEC = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1.0"},
        "paths": {"/items": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
)

INVALID_SPEC = json.dumps(
    {
        "swagger": "2.0",
        "host": "api.example.org",
        "paths": {
            "/stations": {
                "get": {
                    "parameters": [{"name": "dept", "in": "query", "type": "strng"}],
                    "responses": {"200": {"description": "Stations"}},
                }
            }
        },
    }
)

HTML_PAGE = "<!DOCTYPE html><html><head><title>Portal</title></head><body>Hi</body></html>"


@pytest.fixture(scope="module")
def methodology() -> Methodology:
    return load_methodology()


@pytest.fixture(scope="module")
def _shared_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http_server(_shared_server: LocalServer) -> LocalServer:
    """conftest's server, started once for the module (stopping one costs ~0.5 s), reset per test."""
    _shared_server.routes.clear()
    _shared_server.requests.clear()
    return _shared_server


def audit(
    methodology: Methodology, *entries: Entry, settings: AuditSettings = SETTINGS
) -> list[AuditResult]:
    return run_audit(list(entries), settings, methodology)


def audit_one(
    methodology: Methodology, entry: Entry, settings: AuditSettings = SETTINGS
) -> AuditResult:
    (result,) = audit(methodology, entry, settings=settings)
    return result


def checks(result: AuditResult) -> dict[str, Finding]:
    """Findings by check id (each check used here occurs once per entry)."""
    return {f.check: f for f in result.findings}


def probe_errors(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.check.startswith("probe.")]


def methods(server: LocalServer, path: str) -> list[str]:
    """The HTTP methods the server saw for ``path``, in order."""
    return [method for method, seen, _ in server.requests if seen == path]


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def route(
    server: LocalServer, path: str, handler: Callable[[BaseHTTPRequestHandler], None]
) -> None:
    server.routes[path] = handler


def respond(h: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    h.send_response(status)
    h.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


# --- availability ---------------------------------------------------------------


def test_base_url_answering_200_passes(http_server, methodology) -> None:
    http_server.add("/api", 200, '{"ok": true}', "application/json")
    result = audit_one(methodology, Entry("ok", "OK", base_url=http_server.url("/api")))
    found = checks(result)
    assert found["availability"].outcome is Outcome.PASS
    base = found["availability.base_url"]
    assert base.outcome is Outcome.PASS
    assert base.facts["status"] == 200
    assert base.facts["method"] == "HEAD"
    assert base.facts["latency_ms"] is not None
    axis = result.assessment.axis("availability")
    assert axis.score == 100.0
    assert axis.reason == "Latest verification succeeded"
    # HEAD was enough: no GET for the base URL
    assert methods(http_server, "/api") == ["HEAD"]
    assert not probe_errors(result)


def test_base_url_answering_503_fails(http_server, methodology) -> None:
    http_server.add("/api", 503, "down")
    result = audit_one(methodology, Entry("down", "Down", base_url=http_server.url("/api")))
    found = checks(result)
    assert found["availability"].outcome is Outcome.FAIL
    assert "HTTP 503" in found["availability"].message
    assert found["availability.base_url"].facts["status"] == 503
    assert found["availability.base_url"].facts["attempts"] == 1
    assert result.assessment.axis("availability").score == 0.0
    # retries=0: the 503 is not retried
    assert methods(http_server, "/api") == ["HEAD"]


@pytest.mark.parametrize("status", [401, 403])
def test_auth_required_counts_as_answering(http_server, methodology, status: int) -> None:
    http_server.add("/api", status, "who are you?")
    result = audit_one(methodology, Entry("auth", "Auth", base_url=http_server.url("/api")))
    found = checks(result)
    assert found["availability.base_url"].facts["status"] == status
    assert found["availability"].outcome is Outcome.PASS
    assert result.assessment.axis("availability").score == 100.0


def test_head_answered_405_falls_back_to_get(http_server, methodology) -> None:
    def no_head(h: BaseHTTPRequestHandler) -> None:
        if h.command == "HEAD":
            respond(h, 405, Allow="GET")
        else:
            respond(h, 200, b"hello", Content_Type="text/plain")

    route(http_server, "/api", no_head)
    result = audit_one(methodology, Entry("nohead", "No HEAD", base_url=http_server.url("/api")))
    base = checks(result)["availability.base_url"]
    assert methods(http_server, "/api") == ["HEAD", "GET"]
    assert base.outcome is Outcome.PASS
    assert base.facts["method"] == "GET"
    assert base.facts["status"] == 200
    assert checks(result)["availability"].outcome is Outcome.PASS


def test_loopback_is_refused_without_allow_private(http_server, methodology) -> None:
    http_server.add("/api", 200, "hello")
    http_server.add("/openapi.json", 200, VALID_SPEC, "application/json")
    settings = AuditSettings(limits=Limits(retries=0, timeout=2))
    entry = Entry(
        "private",
        "Private",
        base_url=http_server.url("/api"),
        spec_url=http_server.url("/openapi.json"),
    )
    result = audit_one(methodology, entry, settings=settings)
    found = checks(result)
    availability = found["availability"]
    assert availability.outcome is Outcome.UNKNOWN
    assert "refused" in availability.message
    assert found["availability.base_url"].facts["error_class"] == "refused"
    assert found["availability.base_url"].outcome is Outcome.UNKNOWN
    assert found["spec.fetched"].outcome is Outcome.UNKNOWN
    assert found["agent_discovery"].outcome is Outcome.UNKNOWN
    # unknown is not zero: the axis drops out, the composite still exists
    assert result.assessment.axis("availability").score is None
    assert result.assessment.score is not None
    # nothing reached the server
    assert http_server.requests == []


def test_closed_port_fails(methodology) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api"
    result = audit_one(methodology, Entry("closed", "Closed", base_url=url))
    found = checks(result)
    assert found["availability.base_url"].facts["error_class"] == "connect"
    assert found["availability.base_url"].facts["status"] is None
    assert found["availability"].outcome is Outcome.FAIL
    assert result.assessment.axis("availability").score == 0.0


# --- redirects and caps ---------------------------------------------------------


def test_redirect_chain_is_recorded(http_server, methodology) -> None:
    http_server.add("/old", 301, headers={"Location": "/mid"})
    http_server.add("/mid", 302, headers={"Location": http_server.url("/new")})
    http_server.add("/new", 200, "here")
    result = audit_one(methodology, Entry("moved", "Moved", base_url=http_server.url("/old")))
    base = checks(result)["availability.base_url"]
    assert base.outcome is Outcome.PASS
    assert base.facts["redirects"] == [http_server.url("/old"), http_server.url("/mid")]
    assert base.facts["url"] == http_server.url("/old")
    assert base.facts["final_url"] == http_server.url("/new")
    assert base.facts["status"] == 200


def test_redirect_loop_ends_with_redirects_error(http_server, methodology) -> None:
    http_server.add("/a", 302, headers={"Location": "/b"})
    http_server.add("/b", 302, headers={"Location": "/a"})
    result = audit_one(methodology, Entry("loop", "Loop", base_url=http_server.url("/a")))
    found = checks(result)
    base = found["availability.base_url"]
    assert base.facts["error_class"] == "redirects"
    assert "loop" in base.facts["error"]
    assert base.outcome is Outcome.FAIL
    assert found["availability"].outcome is Outcome.FAIL
    # each hop was fetched once, then the loop was noticed
    assert methods(http_server, "/a") == ["HEAD"]
    assert methods(http_server, "/b") == ["HEAD"]


def test_too_many_redirects_end_with_redirects_error(http_server, methodology) -> None:
    for i in range(5):
        http_server.add(f"/r{i}", 302, headers={"Location": f"/r{i + 1}"})
    http_server.add("/r5", 200, "finally")
    settings = AuditSettings(
        network=NetworkPolicy(allow_private=True),
        limits=Limits(retries=0, timeout=2, max_redirects=2),
    )
    result = audit_one(
        methodology, Entry("chain", "Chain", base_url=http_server.url("/r0")), settings=settings
    )
    base = checks(result)["availability.base_url"]
    assert base.facts["error_class"] == "redirects"
    assert "more than 2 redirects" in base.facts["error"]
    assert methods(http_server, "/r3") == []


def test_body_over_the_spec_cap_is_too_large(http_server, methodology) -> None:
    http_server.add("/openapi.json", 200, b" " * 4000 + VALID_SPEC.encode(), "application/json")
    settings = AuditSettings(
        network=NetworkPolicy(allow_private=True),
        limits=Limits(retries=0, timeout=2, max_spec_bytes=1000),
    )
    entry = Entry("big", "Big", spec_url=http_server.url("/openapi.json"))
    result = audit_one(methodology, entry, settings=settings)
    found = checks(result)
    assert found["availability.spec_url"].facts["error_class"] == "too_large"
    assert "1,000-byte cap" in found["availability.spec_url"].facts["error"]
    assert found["spec.fetched"].outcome is Outcome.FAIL
    assert found["spec.fetched"].facts["error_class"] == "too_large"
    # the truncated body is never analysed
    assert found["spec.format_known"].outcome is Outcome.UNKNOWN
    assert "spec.valid" not in found
    # ...while the server did answer: availability says so, the spec's findings say the rest
    assert found["availability.spec_url"].outcome is Outcome.PASS


def test_docs_page_is_fetched_once_and_a_page_over_the_cap_still_answered(
    http_server, methodology
) -> None:
    http_server.add("/api", 200, "{}", "application/json")
    http_server.add("/docs", 200, "<html><body>" + "x" * 5000 + "</body></html>", "text/html")
    http_server.add("/broken-docs", 502, "bad gateway")
    settings = AuditSettings(
        network=NetworkPolicy(allow_private=True),
        limits=Limits(retries=0, timeout=2, max_page_bytes=1000),
    )
    big = Entry("big", "Big", base_url=http_server.url("/api"), docs_url=http_server.url("/docs"))
    broken = Entry(
        "broken",
        "Broken",
        base_url=http_server.url("/api"),
        docs_url=http_server.url("/broken-docs"),
    )
    results = {r.entry.id: checks(r) for r in audit(methodology, big, broken, settings=settings)}
    docs = results["big"]["availability.docs_url"]
    assert docs.facts["error_class"] == "too_large"
    assert docs.outcome is Outcome.PASS
    assert results["broken"]["availability.docs_url"].outcome is Outcome.FAIL
    assert methods(http_server, "/docs") == ["GET"]  # no HEAD first, one GET for every probe


# --- specs ----------------------------------------------------------------------


def test_valid_spec_passes(http_server, methodology) -> None:
    http_server.add("/api", 200, "{}", "application/json")
    http_server.add("/openapi.json", 200, VALID_SPEC, "application/json")
    entry = Entry(
        "spec", "Spec", base_url=http_server.url("/api"), spec_url=http_server.url("/openapi.json")
    )
    result = audit_one(methodology, entry)
    found = checks(result)
    assert found["spec.fetched"].outcome is Outcome.PASS
    assert found["spec.format_known"].outcome is Outcome.PASS
    assert found["spec.format_known"].message == "format: OpenAPI 3.0.3"
    assert found["spec.valid"].outcome is Outcome.PASS
    assert found["spec.valid"].facts["operation_count"] == 1
    assert found["availability.spec_url"].outcome is Outcome.PASS
    assert found["availability"].outcome is Outcome.PASS
    # availability and the spec probe share one download
    assert methods(http_server, "/openapi.json") == ["GET"]
    assert not probe_errors(result)


def test_invalid_spec_fails_with_errors(http_server, methodology) -> None:
    http_server.add("/swagger.json", 200, INVALID_SPEC, "application/json")
    result = audit_one(
        methodology, Entry("broken", "Broken", spec_url=http_server.url("/swagger.json"))
    )
    found = checks(result)
    assert found["spec.format_known"].outcome is Outcome.PASS
    valid = found["spec.valid"]
    assert valid.outcome is Outcome.FAIL
    assert valid.message.startswith("invalid Swagger 2.0:")
    errors = valid.facts["errors"]
    assert isinstance(errors, list) and errors
    assert any("strng" in e or "info" in e for e in errors)
    assert valid.facts["valid"] is False


def test_spec_url_serving_html_is_not_a_readable_spec(http_server, methodology) -> None:
    http_server.add("/docs", 200, HTML_PAGE, "text/html")
    result = audit_one(methodology, Entry("html", "HTML", spec_url=http_server.url("/docs")))
    found = checks(result)
    assert found["spec.fetched"].outcome is Outcome.PASS
    fmt = found["spec.format_known"]
    assert fmt.outcome is Outcome.FAIL
    assert fmt.message.startswith("not a readable spec")
    assert "HTML" in fmt.message
    assert found["spec.valid"].outcome is Outcome.FAIL
    # the endpoint itself answered
    assert found["availability"].outcome is Outcome.PASS


def test_unquoted_swagger_version_gets_a_verdict(http_server, methodology) -> None:
    spec = "swagger: 2.0\ninfo: {title: Stations, version: '1'}\npaths: {}\n"
    http_server.add("/swagger.yaml", 200, spec, "application/yaml")
    result = audit_one(
        methodology, Entry("float", "Float", spec_url=http_server.url("/swagger.yaml"))
    )
    assert not probe_errors(result), [f.message for f in probe_errors(result)]
    assert checks(result)["spec.valid"].outcome is not Outcome.PASS


def test_deeply_nested_spec_is_not_a_readable_spec(http_server, methodology) -> None:
    http_server.add("/deep.json", 200, "[" * 600 + "]" * 600, "application/json")
    result = audit_one(methodology, Entry("deep", "Deep", spec_url=http_server.url("/deep.json")))
    assert not probe_errors(result), [f.message for f in probe_errors(result)]
    assert checks(result)["spec.format_known"].message.startswith("not a readable spec")


# --- runs, retries, politeness --------------------------------------------------


def test_one_broken_entry_does_not_stop_the_others(http_server, methodology) -> None:
    http_server.add("/one", 200, "one")
    http_server.add("/two", 200, "two")
    entries = (
        Entry("first", "First", base_url=http_server.url("/one")),
        Entry("ftp", "FTP", base_url="ftp://ftp.example.org/data", spec_url="javascript:x"),
        Entry("third", "Third", base_url=http_server.url("/two")),
    )
    results = audit(methodology, *entries)
    assert [r.entry.id for r in results] == ["first", "ftp", "third"]
    for good in (results[0], results[2]):
        assert checks(good)["availability"].outcome is Outcome.PASS
        assert good.assessment.axis("availability").score == 100.0
    broken = results[1]
    found = checks(broken)
    assert found["availability"].outcome is Outcome.UNKNOWN
    assert broken.assessment.axis("availability").score is None
    assert "unsupported scheme 'ftp'" in found["metadata.base_url"].message
    assert found["metadata.base_url"].outcome is Outcome.FAIL
    assert not probe_errors(broken)
    assert broken.assessment.score is not None


class Flaky:
    """Answers 503 (with Retry-After) ``failures`` times, then 200; records when."""

    def __init__(self, failures: int, retry_after: str) -> None:
        self.failures = failures
        self.retry_after = retry_after
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.times.append(time.monotonic())
            failing = len(self.times) <= self.failures
        if failing:
            respond(h, 503, b"busy", Retry_After=self.retry_after)
        else:
            respond(h, 200, b"ok")


def retry_settings() -> AuditSettings:
    return AuditSettings(
        network=NetworkPolicy(allow_private=True), limits=Limits(retries=1, timeout=2)
    )


def test_retry_after_503_then_pass(http_server, methodology) -> None:
    flaky = Flaky(failures=1, retry_after="0")
    route(http_server, "/api", flaky)
    result = audit_one(
        methodology,
        Entry("flaky", "Flaky", base_url=http_server.url("/api")),
        settings=retry_settings(),
    )
    base = checks(result)["availability.base_url"]
    assert base.facts["attempts"] == 2
    assert base.facts["status"] == 200
    assert base.outcome is Outcome.PASS
    assert checks(result)["availability"].outcome is Outcome.PASS
    assert methods(http_server, "/api") == ["HEAD", "HEAD"]


def test_retries_are_bounded(http_server, methodology) -> None:
    flaky = Flaky(failures=10, retry_after="0")
    route(http_server, "/api", flaky)
    result = audit_one(
        methodology,
        Entry("busy", "Busy", base_url=http_server.url("/api")),
        settings=retry_settings(),
    )
    base = checks(result)["availability.base_url"]
    assert base.facts["attempts"] == 2
    assert base.facts["status"] == 503
    assert base.outcome is Outcome.FAIL
    assert len(flaky.times) == 2


def test_retry_waits_as_long_as_retry_after_says(http_server, methodology) -> None:
    # Without Retry-After the first back-off is at most 0.375 s; with it, 1 s.
    flaky = Flaky(failures=1, retry_after="1")
    route(http_server, "/api", flaky)
    result = audit_one(
        methodology,
        Entry("slow", "Slow", base_url=http_server.url("/api")),
        settings=retry_settings(),
    )
    assert checks(result)["availability"].outcome is Outcome.PASS
    assert len(flaky.times) == 2
    assert flaky.times[1] - flaky.times[0] >= 0.9


def test_user_agent_identifies_auditor(http_server, methodology) -> None:
    http_server.add("/api", 200, "hi")
    http_server.add("/openapi.json", 200, VALID_SPEC, "application/json")
    entry = Entry(
        "ua", "UA", base_url=http_server.url("/api"), spec_url=http_server.url("/openapi.json")
    )
    audit_one(methodology, entry)
    # base URL, spec, llms.txt and mcp.json were all asked for
    assert {p for _, p, _ in http_server.requests} >= {
        "/api",
        "/openapi.json",
        "/llms.txt",
        "/.well-known/mcp.json",
    }
    agents = {headers.get("User-Agent") for _, _, headers in http_server.requests}
    assert agents == {DEFAULT_USER_AGENT}
    assert DEFAULT_USER_AGENT.startswith("auditor/")


def test_user_agent_setting_is_sent(http_server, methodology) -> None:
    http_server.add("/api", 200, "hi")
    settings = AuditSettings(
        network=NetworkPolicy(allow_private=True),
        limits=Limits(retries=0, timeout=2),
        user_agent="auditor/test (+https://example.org/contact)",
    )
    audit_one(methodology, Entry("ua2", "UA2", base_url=http_server.url("/api")), settings=settings)
    agents: set[str | None] = {h.get("User-Agent") for _, _, h in http_server.requests}
    assert agents == {"auditor/test (+https://example.org/contact)"}


# --- agent discovery ------------------------------------------------------------


def test_llms_txt_as_text_is_published(http_server, methodology) -> None:
    http_server.add("/v1/", 200, "{}", "application/json")
    http_server.add("/llms.txt", 200, "# Items API\n> How to use it.\n", "text/plain")
    result = audit_one(methodology, Entry("llms", "LLMs", base_url=http_server.url("/v1/")))
    finding = checks(result)["agent_discovery"]
    assert finding.outcome is Outcome.PASS
    # looked at the origin, not under the base path
    assert finding.subject == http_server.url("/llms.txt")
    tried: list[Mapping[str, object]] = finding.facts["tried"]
    assert {t["url"] for t in tried} == {
        http_server.url("/llms.txt"),
        http_server.url("/.well-known/mcp.json"),
    }


def test_html_catch_all_is_not_an_llms_txt(http_server, methodology) -> None:
    for path in ("/", "/llms.txt", "/.well-known/mcp.json"):
        http_server.add(path, 200, HTML_PAGE, "text/html; charset=utf-8")
    result = audit_one(methodology, Entry("spa", "SPA", base_url=http_server.url("/")))
    found = checks(result)
    assert found["agent_discovery"].outcome is Outcome.FAIL
    assert "no llms.txt" in found["agent_discovery"].message
    # the site itself is up
    assert found["availability"].outcome is Outcome.PASS


def test_html_served_as_text_plain_is_not_an_llms_txt(http_server, methodology) -> None:
    http_server.add("/", 200, "hi")
    http_server.add("/llms.txt", 200, "  <!DOCTYPE html><html></html>", "text/plain")
    result = audit_one(methodology, Entry("spa2", "SPA2", base_url=http_server.url("/")))
    assert checks(result)["agent_discovery"].outcome is Outcome.FAIL


def test_missing_llms_txt_fails(http_server, methodology) -> None:
    http_server.add("/", 200, "hi")  # /llms.txt and mcp.json are 404
    result = audit_one(methodology, Entry("none", "None", base_url=http_server.url("/")))
    finding = checks(result)["agent_discovery"]
    assert finding.outcome is Outcome.FAIL
    assert {t["status"] for t in finding.facts["tried"]} == {404}
