"""The pre-commit hook this repository ships, run the way pre-commit runs it."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
PUBLISHER = FIXTURES / "gate" / "publisher"


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    found: dict[str, Any] = next(h for h in hooks if h["id"] == "auditor-gate")
    return found


def test_hook_definition_is_an_offline_python_hook_on_spec_files() -> None:
    definition = hook()
    assert definition["language"] == "python"
    assert definition["pass_filenames"] is True
    entry = shlex.split(definition["entry"])
    assert entry[:2] == ["auditor", "gate"] and "--offline" in entry
    files = re.compile(definition["files"])
    for path in ("openapi.yaml", "api/openapi.yml", "docs/swagger.json", "openapi.json"):
        assert files.search(path), path
    for path in ("catalog-entry.yaml", "openapi-generator-config.yaml", "my-openapi.yaml.bak"):
        assert not files.search(path), path


def run_hook(repo: Path, *filenames: str) -> subprocess.CompletedProcess[str]:
    """As pre-commit does: the entry, then the hook's args, then the changed files."""
    definition = hook()
    command = shlex.split(definition["entry"]) + list(definition.get("args", []))
    command[0] = str(Path(sys.executable).with_name(command[0]))
    return subprocess.run(
        [*command, *filenames], cwd=repo, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_running_the_hook_entry_gates_the_changed_spec(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(PUBLISHER, repo)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text('[project]\nname = "bridges"\n\n[tool.auditor.gate]\nfail_under = 50\n')
    passed = run_hook(repo, "api/openapi.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("auditor gate PASSED")
    assert "network offline" in passed.stdout

    pyproject.write_text('[project]\nname = "bridges"\n\n[tool.auditor.gate]\nfail_under = 90\n')
    failed = run_hook(repo, "api/openapi.yaml")
    assert failed.returncode == 1
    assert "composite score 63.67 is below the required 90" in failed.stdout
    assert "api/openapi.yaml:4" in failed.stdout  # relative to the repository, with a line
