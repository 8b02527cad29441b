"""What a probe may use: the entry, the run's shared services, memoised fetches.

Probes collect facts and never score. Each gets an ``EntryContext``; fetches
through it are memoised per entry so the spec is downloaded once even when
availability and the spec probe both need it. Documents that belong to a
site rather than to an entry (security.txt, llms.txt, pages) go through
``fetch_shared``/``shared``: once per run for every entry that cites them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from auditor.context import AuditSettings
from auditor.evidence.domains import DomainMatcher
from auditor.evidence.orgs import OrgMatcher, builtin_github_orgs
from auditor.model import Entry, Finding
from auditor.net.fetcher import Fetcher, Purpose
from auditor.net.observation import HttpObservation
from auditor.probes.shared import SharedLookups
from auditor.probes.spec_findings import SpecFindingsMemo
from auditor.spec.analyse import SpecReport
from auditor.spec.report_cache import ReportCache

T = TypeVar("T")
OBSERVATION_OVERHEAD = 1024
"""Bytes an observation holds besides its body (URLs, headers kept as facts)."""


class SpecLoan(Protocol):
    """What a store lends the spec probe (``auditor/run/spec_fetcher.py``): the stored
    document a 304 stands for, and the findings it yielded last time."""

    def stood_in(self, observation: HttpObservation) -> str | None:
        """The document (sha256) a 304 handed on without its body stands for."""

    def spec_findings(self, entry_id: str, url: str, sha: str) -> list[Finding] | None:
        """The entry's findings from document ``sha`` at ``url`` last time, if reusable."""

    def document(
        self, observation: HttpObservation, max_bytes: int | None = None
    ) -> Awaitable[HttpObservation]:
        """The 304 with the stored document as its body (or the document fetched again)."""


@dataclass
class RunContext:
    """Shared by every entry of one run; owns nothing global."""

    settings: AuditSettings
    fetcher: Fetcher
    domains: DomainMatcher
    spec_executor: concurrent.futures.Executor | None = None
    spec_cache: ReportCache = field(default_factory=ReportCache)
    spec_inflight: dict[str, asyncio.Future[SpecReport]] = field(default_factory=dict)
    spec_loan: SpecLoan | None = None
    """Lent by a store: unchanged specs' findings reused rather than made again."""
    github_orgs: OrgMatcher = field(default_factory=lambda: OrgMatcher((builtin_github_orgs(),)))
    spec_findings: SpecFindingsMemo = field(default_factory=SpecFindingsMemo)
    """The findings made from each analysis in ``spec_cache``, for the next entry citing it."""
    shared: SharedLookups = field(init=False)

    def __post_init__(self) -> None:
        limits = self.settings.limits
        self.shared = SharedLookups(limits.shared_cache_bytes, limits.shared_failure_ttl)


class EntryContext:
    def __init__(self, entry: Entry, run: RunContext) -> None:
        self.entry = entry
        self.run = run
        self._fetches: dict[tuple[Any, ...], asyncio.Task[HttpObservation]] = {}
        self._once: dict[str, asyncio.Task[Any]] = {}

    @property
    def settings(self) -> AuditSettings:
        return self.run.settings

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int | None = None,
        purpose: Purpose = Purpose.PAGE,
    ) -> Awaitable[HttpObservation]:
        key = (method, url, max_bytes, purpose)
        if key not in self._fetches:
            self._fetches[key] = asyncio.ensure_future(
                self.run.fetcher.fetch(url, method=method, max_bytes=max_bytes, purpose=purpose)
            )
        return self._fetches[key]

    def fetch_shared(self, url: str, *, max_bytes: int | None = None) -> Awaitable[HttpObservation]:
        """GET a site-level document once per run (every entry citing it sees one answer)."""

        def load() -> Awaitable[HttpObservation]:
            return self.run.fetcher.fetch(url, max_bytes=max_bytes)

        return self.shared(f"GET {max_bytes} {url}", load, observation_weight)

    def shared(
        self, key: str, factory: Callable[[], Awaitable[T]], weight: Callable[[T], int | None]
    ) -> Awaitable[T]:
        """``factory``'s result, computed once per run for every entry asking for ``key``."""
        return self.run.shared.get(key, factory, weight)

    def once(self, name: str, factory: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        """Run ``factory`` at most once per entry (e.g. the spec analysis)."""
        if name not in self._once:
            self._once[name] = asyncio.ensure_future(factory())
        return self._once[name]

    def cancel_pending(self) -> None:
        for task in [*self._fetches.values(), *self._once.values()]:
            task.cancel()


TRANSIENT_ERRORS = frozenset(
    {"timeout", "connect", "reset", "dns", "protocol", "resolver", "no_route"}
)


def transient(observation: HttpObservation) -> bool:
    """A failure the next asker may not see (a timeout, a reset, 429, a 5xx): not worth
    remembering for the rest of a run."""
    status = observation.status
    return (
        observation.error_class in TRANSIENT_ERRORS
        or status == 429
        or (status is not None and status >= 500)
    )


def observation_weight(observation: HttpObservation) -> int | None:
    """Bytes a kept observation holds; None for a transient failure (asked again later)."""
    if transient(observation):
        return None
    return len(observation.body or b"") + OBSERVATION_OVERHEAD
