"""What the command line says when a new user gets something wrong, or right.

``auditor`` alone, a mistyped entry id, a results file given to ``audit``,
a dry-run prune the real one would refuse, and the small texts (units,
plurals, tier names, warnings said once).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.cli.entry_ids import close_ids, unknown_entry
from auditor.cli.tier_names import tier_name
from auditor.gate import Thresholds, evaluate, render
from auditor.store import Store
from tests.support.gate import TRUST, findings
from tests.support.prune import nightly
from tests.support.render import standard_document
from tests.support.store import record_run, result


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_auditor_alone_prints_the_help_and_exits_0() -> None:
    alone = cli()
    assert alone.exit_code == 0, alone.output
    assert (
        "Usage:" in alone.stdout and "Commands:" in alone.stdout and "auditor demo" in alone.stdout
    )
    assert alone.stdout == cli("--help").stdout


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as opened:
        record_run(opened, [result("data.gouv.fr"), result("annuaire", up=None)])
        record_run(opened, [result("data.gouv.fr", up=False), result("annuaire", up=None)])
    return path


def test_an_unknown_entry_id_gets_close_ids_and_the_store_searched(store: Path) -> None:
    missing = cli("history", "datagouv.fr", "--store", str(store))
    assert missing.exit_code == 2
    assert "no entry 'datagouv.fr'" in missing.output and str(store) in missing.output
    assert "did you mean 'data.gouv.fr'?" in missing.output
    far = cli("history", "zzz", "--store", str(store))
    assert far.exit_code == 2 and "ids include 'annuaire', 'data.gouv.fr'" in far.output


def test_close_ids_ignore_case_and_list_a_few_when_none_is_close() -> None:
    assert close_ids("DATA.GOUV.FR", ["data.gouv.fr", "other"]) == ["data.gouv.fr"]
    many = [f"api-{i:02}" for i in range(8)]
    message = unknown_entry("zzz", many, "c.yaml")
    assert message == (
        "no entry 'zzz' in c.yaml (8 entries); its ids include "
        "'api-00', 'api-01', 'api-02', 'api-03', 'api-04' and 3 more"
    )


def test_badge_with_a_mistyped_entry_suggests_the_id(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(standard_document()))
    typo = cli("badge", str(results), "--entry", "rich-ap", "-o", str(tmp_path / "b"))
    assert typo.exit_code == 2
    assert "did you mean 'rich-api'" in typo.output and str(results) in typo.output


@pytest.mark.parametrize("command", ["audit", "gate", "catalog"])
def test_a_results_file_given_as_a_catalog_points_at_report_and_badge(
    tmp_path: Path, command: str
) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(standard_document()))
    out = cli(command, str(results))
    assert out.exit_code == 2
    assert "this is a results file" in out.output
    assert f"auditor report {results}" in out.output and f"auditor badge {results}" in out.output
    assert "not a catalog: expected" not in out.output


def test_a_dry_run_says_the_real_prune_would_refuse(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as opened:
        nightly(opened, [2, 1, 0], now=datetime.now(UTC))  # all inside the 30-day window
    dry = cli("prune", "--store", str(path), "--keep-runs", "1", "--dry-run")
    real = cli("prune", "--store", str(path), "--keep-runs", "1")
    assert dry.exit_code == real.exit_code == 2
    first = dry.stdout.splitlines()[0]
    assert "prune would refuse and remove nothing" in first
    assert "with --force it would remove 2 run(s) (1-2)" in first
    assert "refusing to prune run(s) 1-2" in dry.stderr and "refusing" in real.stderr


def test_history_says_unknown_without_a_unit_and_names_tiers_as_the_methodology(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as opened:
        record_run(opened, [result("quiet", up=None)])
    out = cli("history", "quiet", "--store", str(path))
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "latency p50 unknown, p90 unknown;" in text and "unknown ms" not in text
    tier = TRUST.tier_by_id(result("quiet", up=None).assessment.tier)
    assert tier is not None and f" {tier.name} " in out.stdout
    assert f" {tier.id} " not in out.stdout


def test_diff_names_tiers_as_the_methodology_does(store: Path) -> None:
    out = cli("diff", "--store", str(store))
    assert out.exit_code == 0, out.output
    before = TRUST.tier_by_id(result("data.gouv.fr").assessment.tier)
    after = TRUST.tier_by_id(result("data.gouv.fr", up=False).assessment.tier)
    assert before is not None and after is not None and before != after
    assert f"{before.name} -> {after.name}" in out.stdout


def test_tier_names_come_from_the_methodology_of_the_run() -> None:
    assert tier_name("good", "trust") == "Good" and tier_name("good", "custom") == "Good"
    assert tier_name("gold", "custom") == "gold" and tier_name(None) == "unknown"


def test_the_gate_text_and_summary_name_tiers_as_the_methodology_does() -> None:
    from auditor.gate.evaluate import EntryVerdict  # noqa: F401 - the report's own type
    from auditor.methodology.engine import assess
    from auditor.model import AuditResult, Entry

    entry = Entry(id="api", title="API")
    found = findings()
    report = evaluate([AuditResult(entry, tuple(found), assess("api", found, TRUST))], TRUST,
                      Thresholds(fail_under=10))  # fmt: skip
    tier = TRUST.tier_by_id(report.verdicts[0].result.assessment.tier)
    assert tier is not None
    assert f"({tier.name})" in render(report, "text")
    assert f"| {tier.name} |" in render(report, "md")


def test_catalog_problems_are_said_once_on_a_terminal_and_kept_in_a_table_file(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("- {title: No Id}\n")
    out = cli("audit", str(catalog), "--format", "table")
    assert out.exit_code == 0, out.output
    assert out.output.count("field 'id': missing") == 1
    assert "warning:" in out.stderr and "catalog:" not in out.stdout
    table = tmp_path / "table.txt"
    saved = cli("audit", str(catalog), "--format", "table", "-o", str(table))
    assert saved.exit_code == 0 and "catalog:" in table.read_text()


@pytest.mark.parametrize("width", (80, 120))
def test_the_history_table_keeps_scores_tiers_and_whole_axis_names(
    store: Path, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.cli.history_cmd as history_cmd

    real = history_cmd.Console
    monkeypatch.setattr(history_cmd, "Console", lambda **kw: real(**{**kw, "width": width}))
    out = cli("history", "data.gouv.fr", "--store", str(store))
    assert out.exit_code == 0, out.output
    assert "…" not in out.stdout and max(map(len, out.stdout.splitlines())) <= width
    cells = set(out.stdout.split())
    for one in (result("data.gouv.fr"), result("data.gouv.fr", up=False)):
        tier = TRUST.tier_by_id(one.assessment.tier)
        assert f"{one.assessment.score:g}" in cells and tier is not None and tier.name in cells
    assert "availabi" not in cells and ("availability" in cells or "ava" in cells)


def test_diff_text_makes_catalog_text_inert(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as opened:
        record_run(opened, [result("a")])
        record_run(opened, [result("a"), result("b", title="Evil\x1b]0;pwned\x07\r\n::error::x")])
    out = cli("diff", "--store", str(path))
    assert out.exit_code == 0, out.output
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\r" not in out.stdout
    assert not [line for line in out.stdout.splitlines() if line.startswith("::")]
    assert "+ b (Evil\ufffd]0;pwned\ufffd ::error::x)" in out.stdout
