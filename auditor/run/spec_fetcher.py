"""The run's fetcher when a history is lent: it keeps spec documents and reuses stored ones.

Two jobs, one place, both keyed on the caller's explicit ``Purpose.SPEC``:

- every spec document downloaded (a GET answered below 400) is handed to
  ``keep``, so the store can snapshot it or a Dask worker can send it back;
- with ``stored`` (a store's snapshot library), spec GETs carry the ETag /
  Last-Modified seen last time, and a ``304 Not Modified`` stands for the
  stored document (no download); a stored copy that cannot stand in is
  forgotten and the document fetched again without validators.

A 304 to a spec fetch (``Purpose.SPEC``) is handed on without its body when
the store knows the document's size: the spec probe first asks for the
findings that document yielded last time (``spec_findings``), and reads the
document (``document``) only if it must analyse it; availability needs only
the answer. Any other fetch of that URL (a page) gets the stored document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

from auditor.context import AuditSettings
from auditor.model import Finding
from auditor.net.fetcher import Fetcher, Purpose
from auditor.net.observation import HttpObservation


class StoredSpecs(Protocol):
    """What a store lends for conditional spec fetches (``auditor/store/snapshots.py``)."""

    not_modified: int

    def conditional(self, url: str) -> tuple[str | None, str | None]: ...

    def stored_body(self, url: str) -> bytes | None: ...

    def stand_in(self, url: str) -> tuple[str, int] | None: ...

    def spec_findings(self, entry_id: str, url: str, sha: str) -> list[Finding] | None: ...

    def forget(self, url: str) -> None: ...


class SpecKeepingFetcher(Fetcher):
    def __init__(
        self,
        settings: AuditSettings,
        keep: Callable[[str, bytes], None],
        stored: StoredSpecs | None = None,
    ) -> None:
        super().__init__(settings, validators=stored.conditional if stored is not None else None)
        self._keep = keep
        self._stored = stored

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        max_bytes: int | None = None,
        keep_body: bool = True,
        headers: dict[str, str] | None = None,
        purpose: Purpose = Purpose.PAGE,
    ) -> HttpObservation:
        def again() -> Awaitable[HttpObservation]:
            return super(SpecKeepingFetcher, self).fetch(
                url,
                method=method,
                max_bytes=max_bytes,
                keep_body=keep_body,
                headers=headers,
                purpose=purpose,
            )

        observation = await again()
        if observation.not_modified and self._stored is not None:
            # only the spec's own askers (the spec probe, availability) know to read it later
            known = self._stored.stand_in(url) if purpose is Purpose.SPEC else None
            if known is not None and known[1] <= self.cap(purpose, max_bytes):
                self._stored.not_modified += 1
                return replace(observation, body=None, size=known[1])  # read when needed
            body = self._stored.stored_body(url) if known is None else None
            if body is not None and len(body) <= self.cap(purpose, max_bytes):
                self._stored.not_modified += 1
                return replace(observation, body=body if keep_body else None, size=len(body))
            self._stored.forget(url)  # the stored copy cannot stand in: ask without validators
            observation = await again()
        status = observation.status
        if (
            purpose is Purpose.SPEC
            and method == "GET"
            and observation.body is not None
            and status is not None
            and status < 400
        ):
            self._keep(url, observation.body)
        return observation

    @property
    def lends_specs(self) -> bool:
        """A store lends stored specs: 304s, and the findings unchanged ones yielded."""
        return self._stored is not None

    def stood_in(self, observation: HttpObservation) -> str | None:
        """The stored document (sha256) a 304 handed on without its body stands for."""
        if not observation.not_modified or observation.body is not None or self._stored is None:
            return None
        known = self._stored.stand_in(observation.url)
        return known[0] if known is not None else None

    def spec_findings(self, entry_id: str, url: str, sha: str) -> list[Finding] | None:
        return self._stored.spec_findings(entry_id, url, sha) if self._stored else None

    async def document(
        self, observation: HttpObservation, max_bytes: int | None = None
    ) -> HttpObservation:
        """``observation`` (a 304 handed on without its body) with the stored document as its
        body; if that copy cannot be read, the document fetched again without validators."""
        url = observation.url
        if self._stored is not None:
            body = self._stored.stored_body(url)
            if body is not None and len(body) <= self.cap(Purpose.SPEC, max_bytes):
                return replace(observation, body=body, size=len(body))
            self._stored.not_modified -= 1
            self._stored.forget(url)
        return await self.fetch(url, max_bytes=max_bytes, purpose=Purpose.SPEC)
