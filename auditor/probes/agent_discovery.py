"""Probe: does the API publish a document agents can discover (llms.txt, MCP)?

Looks at the origin of the base URL and of the homepage, at most two small
fetches per origin.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from auditor.model import Finding, Outcome
from auditor.net.guard import url_problem
from auditor.net.observation import HttpObservation
from auditor.probes.context import EntryContext

PROBE = "agent_discovery"
DOCUMENTS = ("/llms.txt", "/.well-known/mcp.json")
MAX_BYTES = 256 * 1024


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _published(obs: HttpObservation) -> bool:
    if obs.status != 200 or not obs.body or not obs.body.strip():
        return False
    content_type = (obs.content_type or "").lower()
    head = obs.body.lstrip()[:64].lower()
    # A catch-all site answering 200 with its HTML home page has not published llms.txt.
    return "html" not in content_type and not head.startswith((b"<!doctype", b"<html"))


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    origins = list(
        dict.fromkeys(
            _origin(u) for u in (entry.base_url, entry.homepage_url) if u and url_problem(u) is None
        )
    )
    if not origins:
        return [Finding("agent_discovery", Outcome.UNKNOWN, "no base or homepage URL", PROBE)]
    urls = [origin + path for origin in origins for path in DOCUMENTS]
    observations = await asyncio.gather(*(ctx.fetch(u, max_bytes=MAX_BYTES) for u in urls))
    found = [o for o in observations if _published(o)]
    tried = [{"url": o.url, "status": o.status, "error": o.error} for o in observations]
    if found:
        names = ", ".join(o.url for o in found)
        return [
            Finding(
                "agent_discovery",
                Outcome.PASS,
                f"published: {names}",
                PROBE,
                found[0].url,
                {"tried": tried},
            )
        ]
    if all(o.error_class is not None and o.status is None for o in observations):
        msg = "could not check: " + "; ".join(sorted({o.describe() for o in observations}))
        return [Finding("agent_discovery", Outcome.UNKNOWN, msg, PROBE, None, {"tried": tried})]
    msg = "no llms.txt or MCP discovery document at " + ", ".join(origins)
    return [Finding("agent_discovery", Outcome.FAIL, msg, PROBE, None, {"tried": tried})]
