"""Recording a run into a store: the whole catalog, a part of it (a shard), or elsewhere (Dask).

``auditor audit --store`` and its ``--shard``/``--executor``/``--workers`` forms
all come here. Entries are committed as they arrive, a few at a time (the
commit window, ``auditor/store/batch.py``: at most about half a second after
an entry finishes), so a killed run keeps what finished before the window
and ``--resume`` completes it. An entry is stored at its position
in the whole catalog, not in the shard, so ``auditor merge`` can put the
shards back in catalog order; the entries are audited by an ``Executor``:
the local event loop, or Dask workers, which send spec documents back with
their results.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from auditor.context import AuditSettings
from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry
from auditor.run.connectivity import (
    NetworkWatch,
    degraded_warning,
    settle,
)
from auditor.run.event_loop import run_for_value
from auditor.run.loop import audit_entries, run_audit
from auditor.store.db import Store
from auditor.store.runs import mark_degraded
from auditor.store.session import DEFAULT_WINDOW_DAYS, RecordingRun

OnResult = Callable[[AuditResult], None]
Work = Callable[[OnResult], list[AuditResult]]
Progress = Callable[[int, Work], list[AuditResult]]


class Executor(Protocol):
    """Audits ``entries``, calling ``on_result`` as each one finishes, in this process.

    With a ``run`` (a store is recording), the executor lends it to the audit
    (earlier findings, stored analyses) and hands the run's library the spec
    documents it downloaded before ``on_result`` is called for their entries.
    """

    def __call__(
        self,
        entries: list[Entry],
        settings: AuditSettings,
        methodology: Methodology,
        *,
        run: RecordingRun | None,
        on_result: OnResult,
    ) -> list[AuditResult]: ...


@asynccontextmanager
async def commit_window(run: RecordingRun) -> AsyncIterator[None]:
    """Within the block ``run`` commits a few entries at a time (``auditor/store/batch.py``),
    and a timer on this event loop commits them once the window has passed, so an entry
    waits for its commit about ``COMMIT_SECONDS`` at most even if nothing finishes after it."""
    with run.batched() as window:

        async def tick() -> None:
            while True:
                await asyncio.sleep(window.seconds / 4)
                run.commit_if_due()

        ticker = asyncio.ensure_future(tick())
        try:
            yield
        finally:
            ticker.cancel()
            # a failed commit is raised again by the next one, as the block is left
            await asyncio.gather(ticker, return_exceptions=True)


def local_executor(
    entries: list[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    *,
    run: RecordingRun | None,
    on_result: OnResult,
) -> list[AuditResult]:
    """This process's event loop: what ``auditor audit`` does without ``--executor``."""
    if run is None:
        return run_audit(entries, settings, methodology, on_result)

    async def collect() -> list[AuditResult]:
        results = []
        async with commit_window(run):
            async for result in audit_entries(entries, settings, methodology, history=run):
                on_result(result)
                results.append(result)
        return results

    order = {entry.id: i for i, entry in enumerate(entries)}
    return sorted(run_for_value(collect()), key=lambda r: order.get(r.entry.id, len(order)))


def in_order(recorded: dict[str, tuple[int, AuditResult]]) -> list[AuditResult]:
    """The results recorded in a session, in catalog order, as ``load_results`` reads them.

    Reading them back parses every entry's stored findings again (a spec's
    inventory is tens of kilobytes of JSON): a resumed run must, for the entries
    an earlier session recorded; a run recorded whole in this session need not.
    """
    return [result for _, result in sorted(recorded.values(), key=lambda item: item[0])]


def record_run(
    path: Path,
    sources: Sequence[str],
    catalog: Sequence[Entry],
    entries: list[Entry],
    settings: AuditSettings,
    methodology: Methodology,
    *,
    executor: Executor,
    resume: bool,
    window_days: float | None,
    progress: Progress,
    say: Callable[[str], None],
    canary: str | None = None,
) -> list[AuditResult]:
    """Audit ``entries`` (a part of ``catalog``) into the store at ``path``.

    ``sources`` are as the store keeps them (a shard adds its ``shard:K/N``
    marker). Raises AuditorError (StoreError) for a store that cannot be used;
    if the executor fails, the run stays unfinished for ``--resume``.

    ``canary``: a URL checked before and after the run. When the auditor's
    own network failed (``auditor/run/connectivity.py``) the run is marked
    degraded and its network failures are recorded as not established: as
    entries arrive once that is known at the start, else when the run ends.
    """
    watch = NetworkWatch(settings, canary, say)
    positions = {entry.id: i for i, entry in reversed(list(enumerate(catalog)))}
    down = watch.start()  # before the store: a canary that can never answer is bad input
    with Store.open(path, write=True) as store:
        if store.migrated_from:
            say(f"upgraded {path} from schema version {store.migrated_from}")
        run = RecordingRun.start(
            store,
            sources,
            methodology,
            entries,
            window_days=window_days if window_days is not None else DEFAULT_WINDOW_DAYS,
            resume=resume,
        )
        todo = run.remaining(entries)
        if run.resumed:
            say(
                f"resuming run {run.run.id} in {path}: {len(run.resumed)} entries already "
                f"recorded, {len(todo)} to go"
            )
        elif resume:
            say(f"no unfinished run in {path}; starting run {run.run.id}")
        if down is not None:
            run.run = mark_degraded(store, run.run.id, down)

        def position(result: AuditResult) -> int:
            return positions.get(result.entry.id, len(positions))

        # What this session recorded, as recorded (by entry, as the store keys results): the
        # run's results when nothing was resumed, so they are not read back from the store.
        recorded: dict[str, tuple[int, AuditResult]] = {}

        def work(tick: OnResult) -> list[AuditResult]:
            def each(result: AuditResult) -> None:
                if run.run.degraded:  # known already: record it as it should stand
                    earlier = run.previous_findings(result.entry)
                    result = settle(result, methodology, earlier) or result
                run.record(result, position(result))
                recorded[result.entry.id] = (position(result), result)
                tick(result)

            return executor(todo, settings, methodology, run=run, on_result=each)

        try:
            progress(len(todo), work)
            results = run.results() if run.resumed else in_order(recorded)
            for reason in watch.finish(results):
                run.run = mark_degraded(store, run.run.id, reason)
            if run.run.degraded:
                settled = []
                for result in results:
                    again = settle(result, methodology, run.previous_findings(result.entry))
                    if again is not None:
                        run.record(again, position(again))
                    settled.append(again or result)
                results = settled
                reasons = run.run.degraded.split("; ")
                say(degraded_warning(reasons, results, f"run {run.run.id}"))
        finally:
            run.close()
        finished = run.finish()
        reused = run.library.not_modified
        say(
            f"recorded run {finished.id} in {path} ({finished.counts.get('entries', 0)} entries"
            + (f"; {reused} spec(s) unchanged since last run" if reused else "")
            + ")"
        )
        return results
