"""Every check id the code really emits is defined in ``auditor.checks``, with that outcome.

The probes run for real: the demo catalog against its fixture site (live
HTTPS on 127.0.0.1), the same catalog offline (everything refused, so the
"unknown" branches), a local spec offline, and a run where a probe breaks,
one overruns and the audit loop itself fails.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import replace
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest

from auditor import checks
from auditor.catalog import load_sources
from auditor.context import AuditSettings, NetworkPolicy
from auditor.demo.run import run_demo
from auditor.methodology import Methodology, load_methodology
from auditor.model import Finding
from auditor.probes import PROBES
from auditor.probes.context import EntryContext
from auditor.run import loop
from auditor.run.loop import run_audit
from tests.conftest import FIXTURES

OFFLINE = AuditSettings(network=NetworkPolicy(offline=True))


def audit(sources: list[str], settings: AuditSettings) -> list[Finding]:
    loaded = asyncio.run(load_sources(sources, settings))
    results = run_audit(loaded.entries, settings, load_methodology())  # type: ignore[arg-type]
    assert results
    return [f for r in results for f in r.findings]


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    findings: list[Finding] = []
    bare = tmp_path_factory.mktemp("bare") / "bare.yaml"
    bare.write_text("- id: bare\n  title: Nothing but a title\n", encoding="utf-8")
    findings += audit([str(bare)], OFFLINE)  # no URL at all: the "nothing to check" branches
    results, _ = run_demo(AuditSettings(), load_methodology())
    findings += [f for r in results for f in r.findings]
    with as_file(files("auditor.demo").joinpath("catalog.yaml")) as catalog:
        findings += audit([str(catalog)], OFFLINE)
    findings += audit([str(FIXTURES / "gate" / "publisher" / "api" / "openapi.yaml")], OFFLINE)
    return findings


def assert_defined(findings: list[Finding]) -> None:
    for finding in findings:
        definition = checks.get(finding.check)
        assert definition is not None, f"{finding.check} is emitted but not defined"
        assert finding.outcome in definition.outcomes, (finding.check, finding.outcome)
        expected_probe = definition.probe or "audit"
        assert finding.probe == expected_probe, (finding.check, finding.probe)


def test_every_emitted_check_and_outcome_is_defined(emitted: list[Finding]) -> None:
    assert_defined(emitted)
    # every registered probe ran and spoke
    assert {f.probe for f in emitted} >= set(PROBES)


def test_the_runs_exercise_most_definitions(emitted: list[Finding]) -> None:
    """A definition no fixture ever emits is suspect: list the few that need a breakage."""
    seen = Counter(f.check for f in emitted)
    breakage = {c.id for c in checks.PROBE_FAILED.values()} | {checks.AUDITOR_INTERNAL.id}
    never = set(checks.CHECKS) - set(seen) - breakage
    assert never == set(), never
    pairs = {(f.check, f.outcome) for f in emitted}
    for check_id in ("availability", "spec.valid", "agent_discovery", "license"):
        outcomes = {o for c, o in pairs if c == check_id}
        assert len(outcomes) >= 2, (check_id, outcomes)


def test_breakage_reports_use_defined_ids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    async def broken(ctx: EntryContext) -> list[Finding]:
        raise RuntimeError("boom")

    async def stuck(ctx: EntryContext) -> list[Finding]:
        await asyncio.sleep(30)
        return []

    monkeypatch.setitem(PROBES, "github_org", broken)
    monkeypatch.setitem(PROBES, "reciprocal_link", stuck)
    settings = replace(OFFLINE, limits=replace(OFFLINE.limits, entry_timeout=0.5))
    catalog = tmp_path / "one.yaml"
    catalog.write_text("- id: one\n  title: One\n  base_url: https://api.example.gouv.fr/\n")
    started = time.monotonic()
    findings = audit([str(catalog)], settings)
    assert time.monotonic() - started < 20
    by_check = {f.check: f for f in findings}
    assert "boom" in by_check["probe.github_org"].message
    assert "did not finish" in by_check["probe.reciprocal_link"].message
    assert_defined(findings)

    real_assess = loop.assess

    def failing_assess(entry_id: str, found: tuple[Finding, ...], methodology: Methodology) -> Any:
        if found:  # the loop scores the entry again with no findings after a failure
            raise RuntimeError("engine down")
        return real_assess(entry_id, found, methodology)

    monkeypatch.setattr(loop, "assess", failing_assess)
    findings = audit([str(catalog)], settings)
    assert [f.check for f in findings] == [checks.AUDITOR_INTERNAL.id]
    assert "engine down" in findings[0].message
    assert_defined(findings)
