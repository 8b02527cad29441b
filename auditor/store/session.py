"""One run being recorded: what the store lends the audit loop, and what it keeps.

The audit loop (auditor/run/loop.py) sees this only through its ``RunHistory``
protocol: a fetcher, a spec-analysis cache and the entry's earlier findings
for time-window signals. The rule engine never touches the store; it is
handed those earlier findings with the new ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

from auditor.methodology.model import Methodology
from auditor.model import AuditResult, Entry, Finding
from auditor.spec.report_cache import ReportCache
from auditor.store.batch import COMMIT_SECONDS, CommitWindow
from auditor.store.codec import finding_from_row, outcome
from auditor.store.db import Store
from auditor.store.facts_text import Held
from auditor.store.packed_findings import unpack_findings
from auditor.store.records import (
    SpecCapture,
    load_results,
    record_result,
    spec_sha256,
    write_result,
)
from auditor.store.runs import (
    RunInfo,
    begin_run,
    finish_run,
    finished_entry_ids,
    holds_blobs,
    last_unfinished_run,
    other_results,
)
from auditor.store.schema import TRACKED, StoreError
from auditor.store.snapshots import SnapshotLibrary, StoredReports

DEFAULT_WINDOW_DAYS = 30.0


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_before(moment: datetime, days: float) -> datetime:
    """``moment`` less ``days``; the earliest date there is when that falls before year 1.

    The CLI bounds durations, but a store written before it did may hold a
    window of 99999999 days: every later run, history and prune reads it.
    """
    try:
        return moment - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def window_start(started_at: str, window_days: float) -> str:
    return iso(days_before(parse_iso(started_at), window_days))


def windowed_checks(methodology: Methodology) -> tuple[str, ...]:
    """Checks whose signal aggregates over time (``share``): they get the window's history."""
    return tuple(
        sorted(
            {s.check for axis in methodology.axes for s in axis.signals if s.function == "share"}
        )
    )


def earlier_findings(
    store: Store, entry_id: str, run: RunInfo, checks: Sequence[str]
) -> list[Finding]:
    """The entry's findings for ``checks`` from runs before ``run``, inside its window
    (without their facts): rows of ``findings`` for the checks kept as rows (``TRACKED``:
    availability, which both methodologies window), else read from the packed results."""
    if not checks:
        return []
    start = window_start(run.started_at, run.window_days)
    tracked = [check for check in checks if check in TRACKED]
    found: list[Finding] = []
    if tracked:
        marks = ", ".join("?" for _ in tracked)
        rows = store.db.execute(
            f"""SELECT check_id, outcome, message, probe, subject, '{{}}' AS facts, observed_at
                FROM findings WHERE entry_id = ? AND check_id IN ({marks})
                AND observed_at >= ? AND run_id < ? ORDER BY observed_at""",
            (entry_id, *tracked, start, run.id),
        )
        found = [finding_from_row(row) for row in rows]
    others = set(checks) - TRACKED
    if others:  # a methodology that windows another check: rarer, and slower
        for (packed,) in store.db.execute(
            """SELECT findings FROM results WHERE entry_id = ? AND run_id < ?
               AND findings IS NOT NULL AND finished_at >= ? ORDER BY run_id""",
            (entry_id, run.id, start),
        ):
            found += [
                Finding(check, outcome(value), message, probe, subject, {}, at)
                for check, value, message, probe, subject, _facts, at in unpack_findings(packed)
                if check in others and at >= start
            ]
        found.sort(key=lambda finding: finding.observed_at)
    return found


class RecordingRun:
    """Records an audit run entry by entry; lends the audit loop its history."""

    def __init__(
        self, store: Store, run: RunInfo, methodology: Methodology, entries: Sequence[Entry]
    ) -> None:
        store.require_writer()
        self.store = store
        self.run = run
        self.resumed = finished_entry_ids(store, run.id)
        self._positions = {entry.id: i for i, entry in enumerate(entries)}
        # A first run into a new store (the cold run) looks nothing up per entry that only
        # an earlier run could have written: 2,534 of the 11,201 statements of the re-run
        # benchmark's cold run, ~40 ms of the event loop's CPU for 500 entries.
        self._earlier = other_results(store, run.id)
        self._checks = windowed_checks(methodology) if self._earlier else ()
        self.library = SnapshotLibrary(store, earlier=self._earlier)
        self._reports = StoredReports(self.library.report, self.library.pack_report)
        self.recorded = 0
        self._window: CommitWindow | None = None
        self._held = Held(every_blob=not holds_blobs(store))

    @classmethod
    def start(
        cls,
        store: Store,
        sources: Sequence[str],
        methodology: Methodology,
        entries: Sequence[Entry],
        *,
        window_days: float = DEFAULT_WINDOW_DAYS,
        resume: bool = False,
    ) -> RecordingRun:
        """Begin a run, or with ``resume`` continue the last unfinished one if there is one."""
        if resume:
            previous = last_unfinished_run(store)
            if previous is not None:
                if (previous.methodology_id, previous.methodology_version) != (
                    methodology.id,
                    methodology.version,
                ):
                    raise StoreError(
                        f"{store.path}: run {previous.id} was started under "
                        f"{previous.methodology_id} {previous.methodology_version}, not "
                        f"{methodology.id} {methodology.version}; resume it with the same --rules"
                    )
                if tuple(sources) != previous.sources:
                    raise StoreError(
                        f"{store.path}: run {previous.id} audited {', '.join(previous.sources)}; "
                        "resume it with the same sources, or drop --resume to start a new run"
                    )
                return cls(store, previous, methodology, entries)
        run = begin_run(
            store,
            sources=sources,
            methodology=methodology,
            entry_count=len(entries),
            window_days=window_days,
        )
        return cls(store, run, methodology, entries)

    def remaining(self, entries: Sequence[Entry]) -> list[Entry]:
        """The entries still to audit (all of them unless resuming)."""
        return [entry for entry in entries if entry.id not in self.resumed]

    # --- the audit loop's RunHistory protocol -------------------------------------------
    def stored_specs(self) -> SnapshotLibrary:
        return self.library

    def keep_spec(self, url: str, body: bytes) -> None:
        self.library.keep_body(url, body)

    def spec_cache(self) -> ReportCache:
        return self._reports

    def hold_analyses(self, capacity_bytes: int) -> None:
        """Keep at most ``capacity_bytes`` of analyses (least recently used out first; one
        needed again is read back from the store): for a run that records analyses made
        elsewhere (``--workers``), each needed only until its snapshot is stored."""
        self._reports.bound(capacity_bytes)

    def previous_findings(self, entry: Entry) -> Sequence[Finding]:
        return earlier_findings(self.store, entry.id, self.run, self._checks)

    # --- recording ---------------------------------------------------------------------
    def record(self, result: AuditResult, position: int | None = None) -> None:
        """Commit one finished entry (called as each entry finishes), at ``position`` in
        the catalog (a shard's entries keep their place in the whole catalog), else at
        its place among this run's entries."""
        fetched = next((f for f in result.findings if f.check == "spec.fetched"), None)
        url = fetched.subject if fetched is not None else result.entry.spec_url
        library = self.library
        body = library.take_body(url)
        sha = spec_sha256(result.findings)
        report = dict.get(self._reports, sha) if sha else None
        if position is None:
            position = self._positions.get(result.entry.id, len(self._positions))
        packed_report = library.take_packed_report(sha)
        capture = SpecCapture(url, body, report, library.take_packed_body(sha), packed_report)
        window = self._window
        if window is None:
            record_result(self.store, self.run.id, position, result, spec=capture)
        else:
            self.store.require_writer()
            window.write(
                lambda: write_result(
                    self.store, self.run.id, position, result, spec=capture, held=self._held
                )
            )
        self.recorded += 1

    @contextmanager
    def batched(self, seconds: float = COMMIT_SECONDS) -> Iterator[CommitWindow]:
        """Within the block, ``record`` commits a few entries at a time (the commit window,
        ``auditor/store/batch.py``); whoever opens it calls ``commit_if_due`` on a timer.
        Leaving the block, however it is left, commits what was recorded."""
        window = CommitWindow(self.store.db, seconds, on_rollback=self._held.clear)
        self._window = window
        try:
            yield window
        except BaseException:
            self._window = None
            with suppress(sqlite3.Error):  # the block's own error says more than this one
                window.commit()
            raise
        self._window = None
        window.commit()

    def commit_if_due(self) -> None:
        """Commit the entries recorded in the window once it has passed (a timer calls this)."""
        if self._window is not None:
            self._window.commit_if_due()

    def finish(self) -> RunInfo:
        if self._window is not None:
            self._window.commit()
        self.library.close()
        self.run = finish_run(self.store, self.run.id)
        return self.run

    def close(self) -> None:
        """Stop what the run started (its packing thread); the store stays open."""
        self.library.close()

    def results(self) -> list[AuditResult]:
        """Every result of the run so far (earlier sessions included), in catalog order."""
        return load_results(self.store, self.run.id)
