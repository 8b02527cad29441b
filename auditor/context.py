"""Settings passed down the pipeline instead of global state.

An ``AuditSettings`` says how far the verifier may go (addresses, sizes,
times, concurrency); the CLI builds one from flags and config, tests build
their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor import PROJECT_URL, __version__

if TYPE_CHECKING:  # the probes package imports this module; no import cycle at run time
    from auditor.evidence.domains import DomainList
    from auditor.evidence.orgs import OrgList

DEFAULT_USER_AGENT = f"auditor/{__version__} (+{PROJECT_URL})"


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one request, one entry and one run may cost."""

    timeout: float = 10.0
    """Total seconds for one request, connect to last byte (trickling servers included)."""
    entry_timeout: float = 60.0
    max_redirects: int = 5
    max_spec_bytes: int = 50 * 1024 * 1024
    """Spec documents; applies to the bytes on the wire and again to the decompressed body."""
    max_page_bytes: int = 2 * 1024 * 1024
    """Every other body (pages, discovery documents), on the wire and decompressed."""
    max_header_bytes: int = 64 * 1024
    """Response header section (the transport itself stops at 100 KiB whatever this says)."""
    concurrency: int = 64
    per_host: int = 4
    loop_lag: float = 0.02
    """Seconds the event loop may run late before the run admits fewer entries (down to
    ``max(2 x per_host, concurrency / 16)``, back up as the lag falls); 0: never fewer
    than ``concurrency`` (``auditor/run/loop_lag.py``)."""
    retries: int = 2
    max_retry_after: float = 5.0
    """Longest wait before a retry; a server asking for longer is not retried."""
    fetch_timeout: float = 30.0
    """Seconds one fetch may spend on the network across its redirects, retries and
    back-off waits (time spent queueing for a concurrency slot is not counted)."""
    retry_backoff: float = 0.25
    """First back-off in seconds, doubled per retry, with ±50% jitter, capped by max_retry_after."""
    shared_cache_bytes: int = 64 * 1024 * 1024
    """Site-level documents (security.txt, llms.txt, pages) kept for the run's other
    entries; least recently used dropped first."""
    shared_failure_ttl: float = 15.0
    """Seconds a site-level lookup that failed for now (timeout, reset, 429, 5xx) is reused
    before the next entry asks again."""
    max_yaml_nodes: int = 2_000_000
    max_json_depth: int = 512
    max_catalog_pages: int = 1_000
    """Pages of a paginated catalog listing (the live data.gouv.fr API) read per source."""
    max_catalog_entries: int = 100_000
    """Catalog records one run keeps (entries passing the filters, skipped records);
    reading stops there with a problem naming the source."""


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which addresses the verifier may reach.

    ``host_overrides`` maps host names to a trusted ``(ip, port)`` (the demo
    points its catalog's names at its own fixture site this way); overridden
    hosts skip the address check because the user chose them.
    """

    allow_private: bool = False
    allow_cloud_metadata: bool = False
    """Cloud metadata endpoints (169.254.169.254…) stay refused under ``allow_private``."""
    offline: bool = False
    host_overrides: Mapping[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditSettings:
    limits: Limits = field(default_factory=Limits)
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    user_agent: str = DEFAULT_USER_AGENT
    extra_ca_pem: bytes | None = None
    """A PEM CA bundle trusted in addition to the system's (the demo's throwaway CA)."""
    spec_workers: int = 0
    """Processes for spec validation; 0 validates in a thread (small catalogs, tests),
    a negative number means one per core."""
    spec_threads: int | None = None
    """With ``spec_workers`` 0: analyses at once in threads; None for as many as a thread
    pool would run (``auditor/spec/threads.py``). A ``--workers`` process runs one."""
    domain_lists: tuple[DomainList, ...] = ()
    """Official domain lists loaded for the run (besides the built-in government suffixes)."""
    github_org_lists: tuple[OrgList, ...] = ()
    """Government GitHub organisation lists loaded for the run (besides the built-in one)."""
    spec_cache_dir: str | None = None
    """Directory keeping spec analyses by content hash across runs (e.g.
    ``~/.cache/auditor/specs``); None keeps them for the run only."""
    http_client: str = "httptools"
    """The HTTP library under the fetcher: ``httptools`` (default: llhttp on asyncio's own
    connections, the least CPU an exchange), ``aiohttp`` or ``httpx`` (slower at many
    requests in flight); all pass the same hostile-server suites (docs/throughput.md)."""
