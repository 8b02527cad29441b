"""Score stored findings again under another methodology, with no network at all.

A rescore is a new run (kind ``rescore``, ``rescore_of`` the run it read)
whose results point at the original findings instead of copying them. Each
entry gets the same availability window it had when it was audited, so
rescoring under the same methodology reproduces the original scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from auditor.methodology.engine import assess
from auditor.methodology.model import Methodology
from auditor.model import AuditResult
from auditor.store.db import Store
from auditor.store.records import load_results, record_result
from auditor.store.runs import RESCORE, RunInfo, begin_run, finish_run, get_run, resolve_run
from auditor.store.session import earlier_findings, windowed_checks


def rescore(
    store: Store,
    methodology: Methodology,
    *,
    source: str | int | None = None,
    window_days: float | None = None,
    on_result: Callable[[AuditResult], None] | None = None,
) -> tuple[RunInfo, list[AuditResult]]:
    """Rescore run ``source`` (default: the latest finished run); returns the new run."""
    store.require_writer()
    original = resolve_run(store, source)
    stored = load_results(store, original.id)
    findings_runs = dict(
        store.db.execute(
            "SELECT entry_id, findings_run FROM results WHERE run_id = ?", (original.id,)
        ).fetchall()
    )
    run = begin_run(
        store,
        sources=original.sources,
        methodology=methodology,
        entry_count=len(stored),
        window_days=window_days if window_days is not None else original.window_days,
        kind=RESCORE,
        rescore_of=original.id,
    )
    checks = windowed_checks(methodology)
    audited: dict[int, RunInfo] = {}
    results: list[AuditResult] = []
    for position, previous in enumerate(stored):
        entry = previous.entry
        source_id = findings_runs[entry.id]
        if source_id not in audited:
            audited[source_id] = get_run(store, source_id)
            if window_days is not None:
                audited[source_id] = replace(audited[source_id], window_days=window_days)
        earlier = earlier_findings(store, entry.id, audited[source_id], checks)
        assessment = assess(entry.id, (*previous.findings, *earlier), methodology)
        result = AuditResult(entry, previous.findings, assessment)
        record_result(store, run.id, position, result, findings_run=source_id)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return finish_run(store, run.id), results
