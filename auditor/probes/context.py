"""What a probe may use: the entry, the run's shared services, memoised fetches.

Probes collect facts and never score. Each gets an ``EntryContext``; fetches
through it are memoised per entry so the spec is downloaded once even when
availability and the spec probe both need it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from auditor.context import AuditSettings
from auditor.model import Entry
from auditor.net.fetcher import Fetcher
from auditor.net.observation import HttpObservation
from auditor.probes.domains import DomainMatcher
from auditor.probes.orgs import OrgMatcher, builtin_github_orgs
from auditor.spec.analyse import SpecReport


@dataclass
class RunContext:
    """Shared by every entry of one run; owns nothing global."""

    settings: AuditSettings
    fetcher: Fetcher
    domains: DomainMatcher
    spec_executor: concurrent.futures.Executor | None = None
    spec_cache: dict[str, SpecReport] = field(default_factory=dict)
    spec_inflight: dict[str, asyncio.Future[SpecReport]] = field(default_factory=dict)
    github_orgs: OrgMatcher = field(default_factory=lambda: OrgMatcher((builtin_github_orgs(),)))


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
        self, url: str, *, method: str = "GET", max_bytes: int | None = None
    ) -> Awaitable[HttpObservation]:
        key = (method, url, max_bytes)
        if key not in self._fetches:
            self._fetches[key] = asyncio.ensure_future(
                self.run.fetcher.fetch(url, method=method, max_bytes=max_bytes)
            )
        return self._fetches[key]

    def once(self, name: str, factory: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        """Run ``factory`` at most once per entry (e.g. the spec analysis)."""
        if name not in self._once:
            self._once[name] = asyncio.ensure_future(factory())
        return self._once[name]

    def cancel_pending(self) -> None:
        for task in [*self._fetches.values(), *self._once.values()]:
            task.cancel()
