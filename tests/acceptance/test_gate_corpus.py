"""The gate on the 23 real specs api.gouv.fr serves: schema-valid SARIF whose every
result points at a real line of a real file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import SHARED

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@pytest.mark.realworld
def test_gate_on_real_specs_gives_locatable_schema_valid_sarif(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = corpus / "api_gouv_fr" / "public" / "swaggers"
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(
        main, ["gate", ".", "--offline", "--fail-under", "50", "--format", "sarif"]
    )
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    (run,) = document["runs"]
    assert run["properties"]["gate"]["entries"] == 23
    lines_of: dict[str, int] = {}
    deeper = 0
    for item in run["results"]:
        physical = item["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        if uri not in lines_of:
            lines_of[uri] = len((folder / uri).read_text(encoding="utf-8").splitlines())
        line = physical["region"]["startLine"]
        assert 1 <= line <= max(1, lines_of[uri]), (uri, line)
        deeper += line > 1
    assert len(lines_of) == 23
    # Most results point at the field itself, not just at the top of the file.
    assert deeper > len(run["results"]) / 2
