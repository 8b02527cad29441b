"""The console script, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, LocalServer

AUDITOR = str(Path(sys.executable).with_name("auditor"))

SPEC = """openapi: 3.0.3
info: {title: Local Things, version: "1", license: {name: MIT}}
servers: [{url: "%s"}]
tags: [{name: things}]
paths:
  /things:
    get:
      responses:
        200: {description: ok}
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUDITOR, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def test_demo_json_has_the_reference_scores(tmp_path: Path) -> None:
    proc = run("demo", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["schema_version"] == 1
    assert document["methodology"] == {"id": "trust", "version": "1.1.0", "title": "Trust score"}
    reference = next(r for r in document["results"] if r["id"] == "data.gouv.fr")
    assert reference["score"] == 73.25
    assert [reference["axes"][a]["score"] for a in reference["axes"]] == [40, 100, 90, 50, 85]
    assert reference["spec"]["format"] == "OpenAPI 3.0.3" and reference["spec"]["valid"] is True
    ftp = next(r for r in document["results"] if r["id"] == "ftp-legacy")
    assert ftp["axes"]["availability"]["score"] is None  # unknown is null, never 0


def test_audit_yaml_catalog_against_a_local_server(
    tmp_path: Path, http_server: LocalServer
) -> None:
    http_server.add("/api", 200, "{}", "application/json")
    http_server.add("/spec.yaml", 200, SPEC % http_server.url("/api"), "application/yaml")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        f"""- id: local
  title: Local Things
  base_url: {http_server.url("/api")}
  spec_url: {http_server.url("/spec.yaml")}
- id: down
  title: Down
  base_url: http://127.0.0.1:9/nothing
"""
    )
    proc = run(
        "audit", str(catalog), "--format", "json", "--allow-private-network", "--timeout", "2"
    )
    assert proc.returncode == 0, proc.stderr
    results = {r["id"]: r for r in json.loads(proc.stdout)["results"]}
    assert results["local"]["axes"]["availability"]["score"] == 100
    assert results["local"]["spec"]["valid"] is True
    assert results["down"]["axes"]["availability"]["score"] == 0


def test_audit_refuses_loopback_without_opt_in(tmp_path: Path, http_server: LocalServer) -> None:
    http_server.add("/api", 200, "{}")
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps({"entries": [{"id": "x", "title": "X", "base_url": http_server.url("/api")}]})
    )
    proc = run("audit", str(catalog), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)["results"][0]
    assert result["axes"]["availability"]["score"] is None
    assert "refused" in result["axes"]["availability"]["signals"][0]["evidence"]
    assert http_server.requests == []


def test_audit_single_spec_file(tmp_path: Path, http_server: LocalServer) -> None:
    http_server.add("/v1", 200, "{}", "application/json")
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC % http_server.url("/v1"))
    proc = run("audit", str(spec), "--format", "json", "--allow-private-network")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)["results"][0]
    assert result["title"] == "Local Things"
    assert result["spec"]["valid"] is True
    assert result["entry"]["base_url"] == http_server.url("/v1")
    assert result["entry"]["local_spec"] == str(spec)
    assert result["axes"]["availability"]["score"] == 100
    assert result["axes"]["license_clarity"]["score"] == 100


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not: [valid", "cannot read"),
        ("just a string", "not a catalog"),
    ],
)
def test_unreadable_catalog_exits_2_naming_the_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    catalog = tmp_path / "broken.yaml"
    catalog.write_text(content)
    proc = run("audit", str(catalog))
    assert proc.returncode == 2
    assert "broken.yaml" in proc.stderr and expected in proc.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    proc = run("audit", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert "nope.yaml" in proc.stderr


def test_bad_rules_file_exits_2_naming_line_and_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "id: mine\nversion: '1'\ntitle: Mine\ntiers: [{id: all, name: All, min: 0}]\n"
        "axes:\n  - id: a\n    name: A\n    weight: heavy\n    signals:\n"
        "      - {id: s, name: S, check: x, function: outcome, points: 1}\n"
    )
    proc = run("methodology", "--rules", str(rules))
    assert proc.returncode == 2
    assert f"{rules}:8: axes.0.weight" in proc.stderr


def test_rules_file_with_a_misspelt_check_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "id: mine\nversion: '1'\ntitle: Mine\ntiers: [{id: all, name: All, min: 0}]\n"
        "axes:\n  - id: a\n    name: A\n    weight: 1\n    signals:\n"
        "      - {id: s, name: S, check: official_domian, function: outcome, points: 1}\n"
    )
    for command in (
        ["methodology", "--rules", str(rules)],
        [
            "gate",
            "--offline",
            "--rules",
            str(rules),
            str(FIXTURES / "gate/publisher/api/openapi.yaml"),
        ],
    ):
        proc = run(*command)
        assert proc.returncode == 2, (command, proc.stderr)
        assert f"{rules}:10: axes.0.signals.0.check: unknown check 'official_domian'" in proc.stderr
        assert "did you mean 'official_domain'" in proc.stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (
            ("{passed} of {count} recommended", "{passed:>300000000} of {count} recommended"),
            "reason",
        ),
        (("weight: 20", "weight: .nan"), "weight"),
        (("points: 40", "points: .inf"), "signals.0.points"),
    ],
    ids=["huge-reason-width", "nan-weight", "inf-points"],
)
def test_hostile_rules_exit_2_before_anything_is_audited(
    tmp_path: Path, edit: tuple[str, str], key: str
) -> None:
    text = (Path(__file__).parents[2] / "rules" / "trust-v1.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    rules = tmp_path / "hostile.yaml"
    rules.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    out = tmp_path / "out.json"
    spec = str(FIXTURES / "gate/publisher/api/openapi.yaml")
    proc = run("gate", spec, "--offline", "--rules", str(rules), "--format", "json", "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    line = next(n for n, t in enumerate(text.splitlines(), 1) if edit[0] in t)
    assert f"{rules}:{line}: axes." in proc.stderr and key in proc.stderr, proc.stderr
    assert not out.exists()


def test_entry_problems_are_reported_and_the_run_completes(tmp_path: Path) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("- title: No id here\n- {}\n- id: ok\n  title: OK\n")
    proc = run("audit", str(catalog), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert [r["id"] for r in document["results"]] == ["no-id-here", "ok"]
    assert "c.yaml:1: entry #1: field 'id'" in proc.stderr
    assert "c.yaml:2: entry #2: field 'id': has neither id nor title" in proc.stderr
    assert len(document["problems"]) == 2


def test_methodology_prints_markdown_from_the_rules_file() -> None:
    proc = run("methodology")
    assert proc.returncode == 0
    assert "# Trust score" in proc.stdout
    for name in (
        "Officialness",
        "Availability",
        "Metadata completeness",
        "License clarity",
        "Agent readiness",
    ):
        assert name in proc.stdout


def test_help_teaches() -> None:
    proc = run("audit", "--help")
    assert proc.returncode == 0
    assert "Examples:" in proc.stdout and "--allow-private-network" in proc.stdout
