"""Each gate format, parsed back by a real parser: SARIF against the official schema,
JUnit with xml.etree, annotations by regex, Markdown and JSON."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema
import pytest

from auditor.gate import GateReport, Thresholds, evaluate, render
from auditor.gate.annotations import escape_data, escape_property
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry, Finding, Outcome
from tests.conftest import SHARED
from tests.support.gate import TRUST, findings, make_result

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
NASTY = "tags missing\r\n::error file=x.py,line=1::pwned 100% | <script>alert(1)</script> `x` \x00\x1b end"
ANNOTATION = re.compile(
    r"^::(?P<kind>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$"
)


@pytest.fixture
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema from ../shared (absent on a user's machine)."""
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA} (only present in the dev workspace)")
    data: dict[str, Any] = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return data


def nasty_result() -> AuditResult:
    """An entry whose evidence carries newlines, a workflow command, HTML and control bytes."""
    entry = Entry(id="evil|entry", title="Evil <b>", origin="catalog.yaml:2")
    found = [f for f in findings() if f.check != "metadata.tags"]
    found.append(Finding("metadata.tags", Outcome.FAIL, NASTY, "test"))
    return AuditResult(entry, tuple(found), assess(entry.id, found, TRUST))


def report(**thresholds: Any) -> GateReport:
    results = [
        make_result(),
        make_result(
            Entry(id="down", title="Down", origin="catalog.yaml:9"), availability=Outcome.FAIL
        ),
        make_result(Entry(id="offline", title="Offline"), availability=Outcome.UNKNOWN),
        nasty_result(),
    ]
    return evaluate(results, TRUST, Thresholds(**thresholds), offline=True)


@pytest.mark.realworld
def test_sarif_is_valid_against_the_official_schema(sarif_schema: dict[str, Any]) -> None:
    for thresholds in ({"fail_under": 90}, {"minimums": {"availability": 50}}, {}):
        document = json.loads(render(report(**thresholds), "sarif"))
        validator = jsonschema.Draft4Validator(
            sarif_schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
        )
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []


def test_sarif_meets_what_code_scanning_requires() -> None:
    document = json.loads(render(report(fail_under=90), "sarif"))
    assert document["version"] == "2.1.0" and "sarif-schema-2.1.0" in document["$schema"]
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    signals = [(a, s) for a in TRUST.axes for s in a.signals]
    assert len(ids) == len(set(ids)) == len(signals) + 3
    domain = rules[ids.index("officialness/official-domain")]
    described = next(s for a, s in signals if s.id == "official-domain")
    assert domain["fullDescription"]["text"] == described.description
    assert described.description in domain["help"]["text"]
    assert run["results"], "a failing gate has results"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"} and result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] >= 1
    levels = {(r["properties"]["entry"], r["ruleId"]): r["level"] for r in run["results"]}
    assert levels[("down", "gate/fail-under")] == "error"
    assert levels[("down", "availability/verification")] == "error"
    assert levels[("offline", "availability/verification")] == "note"


def test_junit_parses_with_a_suite_per_entry_and_a_case_per_signal() -> None:
    gate_report = report(fail_under=80, minimums={"availability": 50})
    root = ET.fromstring(render(gate_report, "junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [v.id for v in gate_report.verdicts]
    signal_count = sum(len(a.signals) for a in TRUST.axes)
    for suite, verdict in zip(suites, gate_report.verdicts, strict=True):
        cases = suite.findall("testcase")
        assert len(cases) == signal_count + 2  # + composite and availability thresholds
        failures = [c for c in cases if c.find("failure") is not None]
        skipped = [c for c in cases if c.find("skipped") is not None]
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(len(failures))
        assert suite.get("skipped") == str(len(skipped))
        blocking = sum(s.blocking for s in verdict.signals)
        assert len(failures) == blocking + len(verdict.breaches)
        assert all(c.get("file") and int(c.get("line") or 0) >= 1 for c in cases)
    down = next(s for s in suites if s.get("name") == "down")
    failed = {c.get("name") for c in down.findall("testcase") if c.find("failure") is not None}
    assert "composite score >= 80" in failed and "Availability: Successful verifications" in failed
    assert root.get("failures") == str(sum(int(s.get("failures") or 0) for s in suites))


def test_junit_survives_control_characters() -> None:
    root = ET.fromstring(render(report(fail_under=99), "junit"))
    evil = next(s for s in root.findall("testsuite") if s.get("name") == "evil|entry")
    text = "".join(evil.itertext())
    assert "<script>" in text and "\x00" not in text


def parse_annotations(text: str) -> list[dict[str, Any]]:
    parsed = []
    for line in text.splitlines():
        if not line.startswith("::"):
            continue
        match = ANNOTATION.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
        parsed.append({"kind": match["kind"], **props, "message": match["message"]})
    return parsed


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_annotations_are_one_escaped_command_per_line() -> None:
    gate_report = report(fail_under=90)
    text = render(gate_report, "github")
    annotations = parse_annotations(text)
    expected = sum(
        len(v.breaches) + sum(s.status != "pass" for s in v.signals) for v in gate_report.verdicts
    ) + len(gate_report.notes)
    assert len(annotations) == expected  # the injected "::error" did not become a command
    errors = [a for a in annotations if a["kind"] == "error"]
    assert any(a["file"] == "catalog.yaml" and a["line"] == "9" for a in errors)
    smuggled = next(a for a in annotations if "pwned" in a["message"])
    assert "\n" not in smuggled["message"] and "\r" not in smuggled["message"]
    # CR/LF survive, escaped as GitHub's toolkit does; NUL and ESC never reach the log
    assert NASTY.replace("\x00", "\ufffd").replace("\x1b", "\ufffd") in unescape(
        smuggled["message"]
    )
    assert "\x1b" not in text and "\x00" not in text
    assert unescape(smuggled["title"]).startswith("evil|entry: ")
    assert text.rstrip().splitlines()[-1].startswith("auditor gate failed")


def test_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_markdown_summary_is_a_table_with_inert_text() -> None:
    gate_report = report(fail_under=90)
    text = render(gate_report, "md")
    assert text.startswith("## ❌ auditor gate failed")
    assert "<script>" not in text and "&lt;script&gt;" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    columns = 4 + len(TRUST.axes)
    assert len(rows) == 2 + len(gate_report.verdicts)
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == columns + 1, row
    assert "offline" in text
    passed = render(report(), "md")
    assert passed.startswith("## ✅ auditor gate passed")


def test_text_and_json_tell_the_same_verdict() -> None:
    gate_report = report(fail_under=90)
    text = render(gate_report, "text")
    assert text.startswith("auditor gate FAILED: 4 of 4 entries")
    assert "FAIL down" in text and "x composite score" in text
    document = json.loads(render(gate_report, "json"))
    assert document["schema_version"] == 1 and len(document["results"]) == 4
    gate = document["gate"]
    assert gate["passed"] is False and gate["offline"] is True
    assert gate["thresholds"] == {"fail_under": 90, "min": {}, "fail_on_invalid_spec": False}
    down = next(e for e in gate["entries"] if e["id"] == "down")
    assert down["breaches"][0]["rule"] == "gate/fail-under"
    verification = next(s for s in down["signals"] if s["rule"] == "availability/verification")
    assert verification["status"] == "lost" and verification["blocking"] is True
    assert verification["location"] == "catalog.yaml:9"


def test_every_format_renders_an_empty_pass() -> None:
    empty = evaluate([], TRUST, Thresholds(fail_under=50))
    for fmt in ("text", "json", "sarif", "junit", "github", "md"):
        assert render(empty, fmt).strip()
