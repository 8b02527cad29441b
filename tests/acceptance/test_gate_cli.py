"""``auditor gate`` end to end: exit codes, formats, config precedence, a live local API."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from auditor.cli import main
from tests.conftest import FIXTURES, ROOT, SHARED, LocalServer

AUDITOR = str(Path(sys.executable).with_name("auditor"))
PUBLISHER = FIXTURES / "gate" / "publisher"
SPEC = PUBLISHER / "api" / "openapi.yaml"
ENTRY = PUBLISHER / "catalog-entry.yaml"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script, from the repository root as in CI."""
    return subprocess.run(
        [AUDITOR, "gate", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["gate", *args], catch_exceptions=False)


@pytest.mark.slow
def test_done_criterion_fails_at_90_with_sarif_and_passes_at_50() -> None:
    relative = "fixtures/gate/publisher/api/openapi.yaml"
    failed = run(relative, "--offline", "--fail-under", "90", "--format", "sarif")
    assert failed.returncode == 1, failed.stderr
    document = json.loads(failed.stdout)
    results = document["runs"][0]["results"]
    assert any(r["ruleId"] == "gate/fail-under" and r["level"] == "error" for r in results)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {relative}
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(document)
    passed = run(relative, "--offline", "--fail-under", "50", "--format", "sarif")
    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["runs"][0]["properties"]["gate"]["passed"] is True


def test_entry_file_with_local_spec_scores_the_spec_from_disk() -> None:
    result = invoke(str(ENTRY), "--spec", str(SPEC), "--offline", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (entry,) = document["results"]
    assert entry["id"] == "registre-des-ponts" and entry["score"] == 77
    assert entry["spec"]["valid"] is True and entry["axes"]["availability"]["score"] is None
    assert document["gate"]["passed"] is True and document["gate"]["offline"] is True
    assert any("offline" in note for note in document["gate"]["notes"])
    assert invoke(str(ENTRY), "--spec", str(SPEC), "--offline", "--fail-under", "78").exit_code == 1


def test_sarif_points_into_the_entry_file_and_the_spec() -> None:
    result = invoke(
        str(ENTRY), "--spec", str(SPEC), "--offline", "--fail-under", "90", "--format", "sarif"
    )
    assert result.exit_code == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    where = {
        r["ruleId"]: (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert where["gate/fail-under"] == ("catalog-entry.yaml", 4)
    assert where["agent_readiness/agent-discovery"] == ("catalog-entry.yaml", 8)  # base_url


def test_fail_on_invalid_spec(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.yaml"
    broken.write_text(SPEC.read_text().replace("type: array", "type: arrayy"))
    result = invoke(str(broken), "--offline", "--fail-on-invalid-spec", "--format", "github")
    assert result.exit_code == 1
    assert "::error" in result.stdout and "spec invalid" in result.stdout
    assert invoke(str(broken), "--offline").exit_code == 0


def test_min_per_axis_through_the_cli() -> None:
    assert invoke(str(SPEC), "--offline", "--min", "license_clarity=100").exit_code == 0
    failed = invoke(str(SPEC), "--offline", "--min", "agent-readiness=50")
    assert failed.exit_code == 1
    assert "Agent readiness 45 is below the required 50" in failed.stdout


def test_unknown_availability_with_a_minimum_fails_closed() -> None:
    result = invoke(str(SPEC), "--offline", "--min", "availability=1")
    assert result.exit_code == 1
    assert "fails closed" in result.stdout


def test_exit_zero_reports_without_failing() -> None:
    result = invoke(str(SPEC), "--offline", "--fail-under", "90", "--exit-zero")
    assert result.exit_code == 0
    assert result.stdout.startswith("auditor gate FAILED")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min", "speed=50"], "valid axes: officialness, availability"),
        (["--min", "availability"], "expected AXIS=SCORE"),
        (["--fail-under", "120"], "120"),
        (["--report", "pdf=out.pdf"], "FORMAT=FILE"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["gate", str(SPEC), "--offline", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_input_errors_exit_2(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["gate", str(tmp_path / "nope.yaml"), "--offline"])
    assert missing.exit_code == 2 and "nope.yaml" in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = CliRunner().invoke(main, ["gate", str(empty), "--offline"])
    assert nothing.exit_code == 2 and "no entries to gate" in nothing.output
    (empty / "one.yaml").write_text(API_SPEC.replace("Local Bridges", "One") % "https://a.example")
    (empty / "two.yaml").write_text(API_SPEC.replace("Local Bridges", "Two") % "https://b.example")
    two = CliRunner().invoke(main, ["gate", str(empty), "--spec", str(SPEC), "--offline"])
    assert two.exit_code == 2 and "exactly one entry" in two.output


def gate_in(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["gate", str(SPEC), "--format", "json", *args])


def thresholds(result: Result) -> dict[str, Any]:
    gate: dict[str, Any] = json.loads(result.stdout)["gate"]
    return gate


def test_config_precedence_pyproject_then_auditor_toml_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.auditor.gate]\nfail_under = 90\noffline = true\n"
    )
    from_pyproject = gate_in(tmp_path, monkeypatch)
    assert from_pyproject.exit_code == 1
    assert thresholds(from_pyproject)["thresholds"]["fail_under"] == 90
    assert thresholds(from_pyproject)["offline"] is True

    (tmp_path / "auditor.toml").write_text("[gate]\nfail_under = 50\noffline = true\n")
    from_auditor_toml = gate_in(tmp_path, monkeypatch)
    assert from_auditor_toml.exit_code == 0
    assert thresholds(from_auditor_toml)["thresholds"]["fail_under"] == 50

    from_flag = gate_in(tmp_path, monkeypatch, "--fail-under", "90")
    assert from_flag.exit_code == 1
    assert thresholds(from_flag)["thresholds"]["fail_under"] == 90

    explicit = gate_in(tmp_path, monkeypatch, "--config", str(tmp_path / "pyproject.toml"))
    assert explicit.exit_code == 1


def test_bad_config_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "auditor.toml").write_text("[gate]\nfail-undr = 50\n")
    result = gate_in(tmp_path, monkeypatch, "--offline")
    assert result.exit_code == 2
    assert "auditor.toml" in result.output and "fail-undr" in result.output


def test_reports_from_one_run(tmp_path: Path) -> None:
    sarif, junit, md = tmp_path / "g.sarif", tmp_path / "g.xml", tmp_path / "g.md"
    result = invoke(
        str(SPEC), "--offline", "--fail-under", "90", "--format", "github",
        "--report", f"sarif={sarif}", "--report", f"junit={junit}", "--report", f"md={md}",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout.startswith("::")
    assert json.loads(sarif.read_text())["runs"][0]["results"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "registre-des-ponts"
    assert md.read_text().startswith("## ❌ auditor gate failed")


API_SPEC = """openapi: 3.0.3
info: {title: Local Bridges, version: "1", license: {name: MIT}, description: d}
servers: [{url: "%s"}]
tags: [{name: bridges}]
paths:
  /bridges:
    get:
      responses:
        "200": {description: ok}
"""


def test_online_gate_measures_availability(tmp_path: Path, http_server: LocalServer) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(API_SPEC % http_server.url("/api"))
    http_server.add("/api", 200, "{}", "application/json")
    up = invoke(str(spec), "--allow-private-network", "--timeout", "5", "--min", "availability=100")
    assert up.exit_code == 0, up.stdout
    http_server.add("/api", 503, "down")
    down = invoke(
        str(spec), "--allow-private-network", "--timeout", "5", "--min", "availability=100",
        "--format", "json",
    )  # fmt: skip
    assert down.exit_code == 1
    (entry,) = json.loads(down.stdout)["gate"]["entries"]
    assert entry["breaches"][0]["axis"] == "availability"


def test_gate_takes_every_verifier_option(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(API_SPEC % "https://api.mairie-exemple.fr/v1")
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("mairie-exemple.fr\n")
    listed = invoke(
        str(spec), "--offline", "--format", "json",
        "--domain-list", f"fr-public={hosts}", "--limit", "retries=0",
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)["results"]
    signals = {s["id"]: s for s in entry["axes"]["officialness"]["signals"]}
    assert signals["official-domain"]["outcome"] == "pass"
    assert "list: fr-public" in signals["official-domain"]["evidence"]
    bad = CliRunner().invoke(main, ["gate", str(spec), "--offline", "--limit", "nope=1"])
    assert bad.exit_code == 2 and "unknown limit 'nope'" in bad.output


def test_gate_reads_its_config_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.cli.gate_cmd as gate_cmd

    (tmp_path / "auditor.toml").write_text("[gate]\nfail_under = 50\noffline = true\n")
    calls: list[Path | None] = []
    real = gate_cmd.load_config

    def counting(explicit: Path | None = None) -> Any:
        calls.append(explicit)
        return real(explicit)

    monkeypatch.setattr(gate_cmd, "load_config", counting)
    result = gate_in(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert thresholds(result)["thresholds"]["fail_under"] == 50
    assert calls == [None]
