"""What an audit run does to keep its own CPU down, seen from a real (offline) run: the
probes that never touch the network run in the entry's own task, and the collector is
paced for the run and restored after it (``auditor/run/collector.py``)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.catalog import load_sources
from auditor.context import AuditSettings, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import AuditResult, Finding
from auditor.probes import OFFLINE_PROBES, PROBES, Probe
from auditor.probes.context import EntryContext
from auditor.run.collector import RUN_THRESHOLD
from auditor.run.loop import run_audit

OFFLINE = AuditSettings(network=NetworkPolicy(offline=True))


def _catalog(tmp_path: Path) -> list[str]:
    catalog = tmp_path / "two.yaml"
    catalog.write_text(
        "- id: one\n  title: One\n  base_url: https://api.example.gouv.fr/one\n"
        "- id: two\n  title: Two\n  base_url: https://api.example.gouv.fr/two\n",
        encoding="utf-8",
    )
    return [str(catalog)]


def _audit(
    sources: list[str], on_result: Callable[[AuditResult], None] | None = None
) -> list[AuditResult]:
    loaded = asyncio.run(load_sources(sources, OFFLINE))
    return run_audit(list(loaded.entries), OFFLINE, load_methodology(), on_result)


def test_offline_probes_run_in_the_entrys_task_and_findings_keep_the_registry_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[tuple[str, str], asyncio.Task[object] | None] = {}

    def noting(name: str, real: Probe) -> Probe:
        async def probe(ctx: EntryContext) -> list[Finding]:
            seen[(ctx.entry.id, name)] = asyncio.current_task()
            return await real(ctx)

        return probe

    for name, real in list(PROBES.items()):
        monkeypatch.setitem(PROBES, name, noting(name, real))
    results = _audit(_catalog(tmp_path))

    for entry in ("one", "two"):
        offline = {seen[(entry, name)] for name in OFFLINE_PROBES}
        networked = [seen[(entry, name)] for name in PROBES if name not in OFFLINE_PROBES]
        assert len(offline) == 1, "the offline probes share one task: the entry's"
        assert not offline & set(networked), "the others each have a task of their own"
        assert len(set(networked)) == len(networked)
    assert {seen[("one", n)] for n in OFFLINE_PROBES} != {seen[("two", n)] for n in OFFLINE_PROBES}
    for result in results:
        probes = list(dict.fromkeys(f.probe for f in result.findings))
        assert probes == [p for p in PROBES if p in probes]  # the registry's order


def test_a_run_paces_the_collector_while_it_runs_and_restores_it(tmp_path: Path) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    results = _audit(_catalog(tmp_path), lambda _result: during.append(gc.get_threshold()))
    assert len(results) == 2
    assert during == [(RUN_THRESHOLD, *before[1:])] * 2
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_run_that_breaks_restores_the_collector(tmp_path: Path) -> None:
    before = gc.get_threshold()

    def stop(_result: AuditResult) -> None:
        raise RuntimeError("the consumer failed")  # from the middle of the run

    with pytest.raises(RuntimeError, match="consumer failed"):
        _audit(_catalog(tmp_path), stop)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
