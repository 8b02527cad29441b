"""The composite GitHub Action: its definition, and its gate step's script run with bash.

The script is run as the runner would run it: inputs in the environment (the
action passes them through ``env:``), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
files, the working directory of a publisher's repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def step(name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in action()["runs"]["steps"] if s.get("id") == name or s.get("name") == name
    )
    return found


def test_action_is_composite_and_every_input_it_uses_exists() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    inputs = data["inputs"]
    assert inputs["source"]["required"] is True
    used = set(EXPRESSION.findall(ACTION.read_text(encoding="utf-8")))
    assert used <= set(inputs), used - set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), name
    upload = step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.sarif == 'true'" in upload["if"]


def test_no_input_is_expanded_inside_a_shell_script() -> None:
    for s in action()["runs"]["steps"]:
        assert not EXPRESSION.search(s.get("run", "")), s.get("name")


def run_gate_step(
    repo: Path, tmp_path: Path, **given: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    gate = step("gate")
    inputs = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}
    inputs.update(given)
    env = {
        key: EXPRESSION.sub(lambda m: inputs[m.group(1)], str(value))
        for key, value in gate["env"].items()
    }
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    summary.write_text("")
    bin_dir = str(Path(sys.executable).parent)
    env |= {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        ["bash", "-c", gate["run"]],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs, summary.read_text()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("bash") is None, reason="bash is needed to run the action's script"
)
def test_gate_step_fails_annotates_summarises_and_writes_sarif(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "gate" / "publisher", repo)
    proc, outputs, summary = run_gate_step(
        repo,
        tmp_path,
        source="catalog-entry.yaml",
        spec="api/openapi.yaml",
        offline="true",
        **{
            "fail-under": "90",
            "min": "license_clarity=60\nofficialness=30",
            "sarif": "true",
            "junit-file": "gate.xml",
        },
    )
    assert proc.returncode == 0, proc.stderr  # the step itself always succeeds ...
    assert (
        outputs["exit-code"] == "1" and outputs["passed"] == "false"
    )  # ... and reports the verdict
    assert outputs["sarif-file"] == "auditor-gate.sarif"
    assert re.search(r"^::error file=catalog-entry\.yaml,line=4,title=", proc.stdout, re.M)
    assert summary.startswith("## ❌ auditor gate failed")
    assert "License clarity &gt;= 60" in summary and "Officialness &gt;= 30" in summary
    sarif = json.loads((repo / "auditor-gate.sarif").read_text())
    assert sarif["runs"][0]["properties"]["gate"]["passed"] is False
    assert (repo / "gate.xml").read_text().startswith("<?xml")


@pytest.mark.slow
def test_gate_step_passes_and_honours_exit_zero(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "gate" / "publisher", repo)
    proc, outputs, summary = run_gate_step(
        repo,
        tmp_path,
        source="api/openapi.yaml",
        offline="true",
        summary="false",
        **{"fail-under": "50"},
    )
    assert outputs["exit-code"] == "0" and outputs["passed"] == "true", proc.stdout + proc.stderr
    assert "sarif-file" not in outputs and summary == ""
    _, zero, _ = run_gate_step(
        repo,
        tmp_path,
        source="api/openapi.yaml",
        offline="true",
        **{"fail-under": "90", "exit-zero": "true"},
    )
    assert zero["exit-code"] == "0"
