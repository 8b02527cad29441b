"""Probes: one module per question, each collecting facts as Findings.

A probe is ``async def probe(ctx: EntryContext) -> list[Finding]``; it may
fetch through ``ctx`` but never scores. ``PROBES`` is the registry the
verifier runs; add a module and list it here (and in ``OFFLINE_PROBES`` if it never
fetches).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from auditor.model import Finding
from auditor.probes import (
    agent_discovery,
    availability,
    github_org,
    license_statement,
    metadata_fields,
    official_domain,
    portal_listing,
    published_policy,
    reciprocal_link,
    spec_document,
)
from auditor.probes.context import EntryContext

Probe = Callable[[EntryContext], Awaitable[list[Finding]]]

PROBES: dict[str, Probe] = {
    "metadata_fields": metadata_fields.probe,
    "official_domain": official_domain.probe,
    "portal_listing": portal_listing.probe,
    "github_org": github_org.probe,
    "reciprocal_link": reciprocal_link.probe,
    "published_policy": published_policy.probe,
    "availability": availability.probe,
    "spec_document": spec_document.probe,
    "agent_discovery": agent_discovery.probe,
    "license_statement": license_statement.probe,
}
OFFLINE_PROBES = ("metadata_fields", "official_domain", "github_org")
"""Probes that read only the entry and the run's lists, never the network: the verifier
awaits them in the entry's own task rather than giving each a task (a task and its
scheduling cost about what such a probe does)."""
