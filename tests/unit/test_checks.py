"""The check registry: every id the rules use is defined and emitted, and the docs follow it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from auditor import checks
from auditor.checks.__main__ import main as checks_main
from auditor.checks.markdown import blocks, short_list, table, update
from auditor.evidence import licenses
from auditor.methodology import load_methodology
from auditor.methodology.load import builtin_rules
from auditor.model import RECOMMENDED_FIELDS, Outcome
from auditor.probes import PROBES
from auditor.spec.quality import SpecQuality

ROOT = Path(__file__).resolve().parents[2]
GENERATED_DOCS = (ROOT / "README.md", ROOT / "docs" / "checks.md")


@pytest.mark.parametrize("name", sorted(builtin_rules()))
def test_every_builtin_rule_reads_a_defined_check_a_registered_probe_emits(name: str) -> None:
    methodology = load_methodology(builtin_rules()[name])
    used = {s.check for a in methodology.axes for s in a.signals}
    assert used, name
    for check_id in used:
        definition = checks.get(check_id)
        assert definition is not None, f"{name}: {check_id} is not defined"
        assert definition.scorable, check_id
        assert definition.probe in PROBES, f"{check_id}: probe {definition.probe} not registered"
    # lookups key on classes the check has; ratios read facts it carries
    for signal in (s for a in methodology.axes for s in a.signals):
        definition = checks.CHECKS[signal.check]
        if signal.function == "lookup":
            assert set(signal.values) <= set(definition.classes)
        if signal.function == "ratio":
            assert signal.fact in definition.facts


def test_the_definitions_name_exactly_the_registered_probes() -> None:
    assert set(checks.PROBE_NAMES) == set(PROBES)
    assert set(checks.PROBE_FAILED) == set(PROBES)
    for definition in checks.CHECKS.values():
        if definition is checks.AUDITOR_INTERNAL:
            assert definition.probe is None
        else:
            assert definition.probe in PROBES, definition.id


def test_every_definition_is_well_formed() -> None:
    for check_id, definition in checks.CHECKS.items():
        assert definition.id == check_id
        assert definition.outcomes, check_id
        assert len(set(definition.outcomes)) == len(definition.outcomes)
        assert all(isinstance(o, Outcome) for o in definition.outcomes)
        assert definition.description.strip() and definition.remediation.strip(), check_id
        assert "\n" not in definition.remediation, check_id


def test_the_families_follow_the_code_they_describe() -> None:
    assert list(checks.METADATA) == list(RECOMMENDED_FIELDS)
    assert [c.id for c in checks.METADATA.values()] == [f"metadata.{f}" for f in RECOMMENDED_FIELDS]
    assert {c.id for c in checks.PROBE_FAILED.values()} == {f"probe.{n}" for n in PROBES}
    assert list(checks.AVAILABILITY_ENDPOINTS) == ["base_url", "spec_url", "docs_url"]
    # every fact a ratio may read is a SpecQuality field (the operation count is no share)
    quality = [f.name for f in fields(SpecQuality) if f.name != "operation_count"]
    assert list(checks.SPEC_QUALITY.facts) == quality
    # the licence classes the probe's classify() can produce
    produced = {licenses.OPEN, licenses.RESTRICTIVE, licenses.UNRECOGNISED, "none", "conflicting"}
    assert set(checks.LICENSE.classes) == produced


def test_loading_the_rules_imports_neither_probes_nor_network() -> None:
    code = (
        "import sys, auditor.checks, auditor.methodology.load;"
        "print(' '.join(m for m in sys.modules if m.startswith('auditor')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = proc.stdout.split()
    assert "auditor.checks" in loaded and "auditor.methodology.load" in loaded
    heavy = [m for m in loaded if m.startswith(("auditor.probes", "auditor.net", "auditor.run"))]
    assert heavy == []


# ---------------------------------------------------------------- generated docs


@pytest.mark.parametrize("path", GENERATED_DOCS, ids=lambda p: p.name)
def test_generated_check_lists_are_up_to_date(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert blocks(text), f"{path} has no <!-- checks:... --> block"
    assert update(text) == text, f"{path} is stale: run python -m auditor.checks --write {path}"


def test_the_table_and_the_list_name_every_check() -> None:
    rows = table()
    for check_id in checks.CHECKS:
        assert f"| `{check_id}` |" in rows
    listed = " ".join(short_list().split())
    families = (checks.METADATA, checks.PROBE_FAILED, checks.AVAILABILITY_ENDPOINTS)
    folded = {c.id for family in families for c in family.values()}
    for check_id in checks.CHECKS.keys() - folded:
        assert f"`{check_id}`" in listed, check_id
    assert "`metadata.<field>`" in listed and "`probe.<name>`" in listed
    assert "`availability.{base_url,spec_url,docs_url}`" in listed


def test_the_command_refreshes_a_stale_block_and_check_fails_on_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "intro\n<!-- checks:table (generated) -->\n| old |\n<!-- /checks:table -->\nend\n",
        encoding="utf-8",
    )
    assert checks_main(["--check", str(doc)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert checks_main(["--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert "| old |" not in text and "| `spec.quality` |" in text
    assert text.startswith("intro\n") and text.endswith("end\n")
    assert checks_main(["--check", str(doc)]) == 0
    (tmp_path / "none.md").write_text("no markers\n", encoding="utf-8")
    assert checks_main(["--check", str(tmp_path / "none.md")]) == 2
