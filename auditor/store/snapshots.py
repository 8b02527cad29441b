"""Stored spec documents lent to a new run: conditional fetches and reused analyses.

The run's fetcher (``auditor/run/spec_fetcher.py``) asks this library what to
send and what a 304 stands for; the store itself never fetches.

On the next run the spec URL is fetched with the ETag / Last-Modified the
server gave last time. A ``304 Not Modified`` is answered from the stored
copy (no download), and any document whose sha256 is already in the store is
not analysed again (no re-validation): the stored ``SpecReport`` is reused,
so the probes produce the same findings as when it was captured.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from auditor.model import Finding
from auditor.spec.analyse import SpecReport
from auditor.spec.report_cache import ReportCache
from auditor.spec.validate import validator_id
from auditor.store.codec import loads, pack, report_from_facts, unpack
from auditor.store.db import Store
from auditor.store.packed_report import PackedReport, pack_report
from auditor.store.records import reusable
from auditor.store.spec_reuse import earlier_spec_findings

CANDIDATES = 8
"""Downloaded documents of the analysed size hashed (in the thread) to find the one analysed."""


def _pack_body(item: tuple[list[bytes], str]) -> bytes | None:
    """The candidate that ``sha`` names, packed (else None: checked and packed when stored).

    Documents of one size are common (a spec published under numbered titles): picking the
    first of them by size alone left the others to be hashed and packed on the event loop.
    """
    bodies, sha = item
    for body in bodies:
        if hashlib.sha256(body).hexdigest() == sha:
            return pack(body)
    return None


@dataclass(frozen=True, slots=True)
class StoredValidators:
    url: str
    etag: str | None
    last_modified: str | None
    sha256: str
    size: int | None = None
    """The stored document's size in bytes (what a 304 stands for), if recorded."""


class SnapshotLibrary:
    """Read access to stored specs for one run, plus the bodies the run downloaded."""

    def __init__(self, store: Store, *, earlier: bool = True) -> None:
        self._store = store
        self._earlier = earlier
        """False: the store holds no other run's results, so no spec findings to reuse."""
        self._bodies: dict[str, bytes] = {}
        self._reports: dict[str, SpecReport | None] = {}
        self._validators: dict[str, StoredValidators | None] = {}
        self.not_modified = 0
        """How many spec fetches were answered 304 and served from the store."""
        # Compressing what a cold run keeps (~0.1 s of zstd per 70 MB of specs; zlib took
        # ~0.35 s) happens in a thread once a new document is analysed: zstd and hashlib
        # release the GIL, so the event loop does not wait for it when the entry is
        # recorded. Only new analyses start it: a document served at many URLs, or
        # already held, is not packed again.
        self._packer: ThreadPoolExecutor | None = None
        self._packed_bodies: dict[str, Future[bytes | None]] = {}
        self._packed_reports: dict[str, Future[PackedReport]] = {}
        self._packing: set[str] = set()  # documents (sha256) whose packing has started

    def conditional(self, url: str) -> tuple[str | None, str | None]:
        """The Fetcher's ``validators`` seam: what to send for ``url``, (None, None) for nothing."""
        known = self.validators(url)
        return (known.etag, known.last_modified) if known is not None else (None, None)

    def stored_body(self, url: str) -> bytes | None:
        """The stored document a 304 for ``url`` stands for."""
        known = self.validators(url)
        return self.body(known.sha256) if known is not None else None

    def stand_in(self, url: str) -> tuple[str, int] | None:
        """The stored document a 304 for ``url`` stands for, as (sha256, size), without
        reading it; None when its size was not recorded (then read it: ``stored_body``)."""
        known = self.validators(url)
        if known is None or known.size is None:
            return None
        return known.sha256, known.size

    def spec_findings(self, entry_id: str, url: str, sha: str) -> list[Finding] | None:
        """The entry's findings from document ``sha`` at ``url`` last time, if they stand for
        a new analysis's (``auditor/store/spec_reuse.py``)."""
        if not self._earlier:
            return None
        return earlier_spec_findings(self._store, entry_id, url, sha, validator_id())

    def forget(self, url: str) -> None:
        """Send no validators for ``url`` any more in this run (its stored copy is unusable)."""
        self._validators[url] = None

    def validators(self, url: str) -> StoredValidators | None:
        if url not in self._validators:
            self._validators[url] = self._lookup(url)
        return self._validators[url]

    def _lookup(self, url: str) -> StoredValidators | None:
        """The validators to send for ``url``, only when the stored copy can stand in for it."""
        # A report made by another validator is not reused: fetch and analyse afresh.
        row = self._store.db.execute(
            """SELECT v.etag, v.last_modified, v.sha256, s.size FROM http_validators v
               JOIN spec_snapshots s ON s.sha256 = v.sha256
               WHERE v.url = ? AND s.body IS NOT NULL
                 AND s.report IS NOT NULL AND s.validator = ?""",
            (url, validator_id()),
        ).fetchone()
        if row is None or not (row[0] or row[1]):
            return None
        size = row[3] if isinstance(row[3], int) and row[3] > 0 else None
        return StoredValidators(url, row[0], row[1], row[2], size)

    def body(self, sha: str) -> bytes | None:
        row = self._store.db.execute(
            "SELECT body FROM spec_snapshots WHERE sha256 = ?", (sha,)
        ).fetchone()
        return unpack(row[0]) if row is not None else None

    def report(self, sha: str) -> SpecReport | None:
        """The stored analysis of ``sha``, if made by the validator this auditor runs."""
        if sha not in self._reports:
            self._reports[sha] = self._load_report(sha)
        return self._reports[sha]

    def load_report(self, sha: str) -> SpecReport | None:
        """``report`` without remembering it (for a cache bounded elsewhere)."""
        return self._load_report(sha)

    def _load_report(self, sha: str) -> SpecReport | None:
        row = self._store.db.execute(
            "SELECT report FROM spec_snapshots WHERE sha256 = ?", (sha,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        report = report_from_facts(loads(unpack(row[0])) or {})
        if report is None or report.sha256 != sha or report.validator != validator_id():
            return None
        return report

    def _submit(self, work: Callable[..., Any], value: Any) -> Future[Any]:
        if self._packer is None:
            self._packer = ThreadPoolExecutor(1, thread_name_prefix="auditor-pack")
        return self._packer.submit(work, value)

    def keep_body(self, url: str, body: bytes) -> None:
        self._bodies[url] = body

    def take_body(self, url: str | None) -> bytes | None:
        return self._bodies.pop(url, None) if url else None

    def take_packed_body(self, sha: str | None) -> Future[bytes | None] | None:
        """Document ``sha`` packed in the thread (None inside when it was not that one)."""
        return self._packed_bodies.pop(sha, None) if sha else None

    def pack_report(self, report: SpecReport, document: bytes | None = None) -> None:
        """A new analysis (once per document a run): start compressing it and, for its
        snapshot, the document it describes, which the run downloaded just before.

        ``document``: the bytes the analysis was made of, whose sha256 is the report's (the
        spec probe hashed them). When they are one of the documents the run downloaded and
        kept (the very object), they are packed as they are; otherwise the kept documents
        of the analysed size are hashed to find it (~0.8 ms a MB: 56 ms of CPU for the
        re-run benchmark's 71 MB, on a core the run shares with the farm and SQLite)."""
        sha = report.sha256
        if not reusable(report) or sha in self._packing:
            return
        self._packing.add(sha)
        self._packed_reports[sha] = self._submit(pack_report, report)
        if document is not None and any(body is document for body in self._bodies.values()):
            self._packed_bodies[sha] = self._submit(pack, document)
            return
        size = report.size
        bodies = [b for b in self._bodies.values() if len(b) == size][:CANDIDATES]
        if bodies:
            self._packed_bodies[sha] = self._submit(_pack_body, (bodies, sha))

    def take_packed_report(self, sha: str | None) -> Future[PackedReport] | None:
        return self._packed_reports.pop(sha, None) if sha else None

    def close(self) -> None:
        """Stop the packing thread (what it had not started is dropped)."""
        packer, self._packer = self._packer, None
        if packer is not None:
            packer.shutdown(wait=False, cancel_futures=True)


class StoredReports(ReportCache):
    """The run's spec-analysis cache, falling back to analyses already in the store
    (bounded in bytes with ``capacity_bytes``: a worker process's)."""

    def __init__(
        self,
        load: Callable[[str], SpecReport | None],
        on_new: Callable[[SpecReport, bytes | None], None] | None = None,
        capacity_bytes: int | None = None,
    ) -> None:
        super().__init__(capacity_bytes)
        self._load = load
        self._on_new = on_new
        self._absent: set[str] = set()

    def __setitem__(self, key: str, report: SpecReport) -> None:
        """A report the run made (not one reloaded from the store)."""
        self.made(key, report, None)

    def made(self, key: str, report: SpecReport, document: bytes | None) -> None:
        """A report the run made, of ``document`` when the caller has it at hand (handed on
        only when ``key``, its hash, is the report's: the snapshot is keyed by that)."""
        self.keep(key, report)
        if self._on_new is not None:
            self._on_new(report, document if key == report.sha256 else None)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        if not isinstance(key, str) or key in self._absent:
            return False
        report = self._load(key)
        if report is None:
            self._absent.add(key)
            return False
        self.keep(key, report)
        return dict.__contains__(self, key)
