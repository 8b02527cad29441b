"""Probe: does the API publish or declare a document agents can discover?

Published: ``/llms.txt`` or ``/.well-known/mcp.json`` at the origin of the
base URL and of the homepage (small fetches, 256 KB cap). Declared: the
homepage links to an llms.txt or to an MCP endpoint (a link whose path ends
in ``llms.txt``/``llms-full.txt``, or with ``rel="mcp"``, or whose path or
text names MCP); a declared URL is fetched once and counts when it answers
(an llms.txt must be a text document, not an HTML page; an MCP endpoint must
answer without a 404 or 5xx: GET on a streamable-HTTP endpoint often yields
405, which still proves it is there). At most two declared links are followed.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from auditor import checks
from auditor.evidence.html_links import Link
from auditor.model import Finding, Outcome
from auditor.net.guard import url_problem
from auditor.net.observation import HttpObservation
from auditor.probes.context import EntryContext
from auditor.probes.pages import page

PROBE = "agent_discovery"
CHECK = checks.AGENT_DISCOVERY.id
DOCUMENTS = ("/llms.txt", "/.well-known/mcp.json")
MAX_BYTES = 256 * 1024
MAX_DECLARED = 2
"""Declared llms.txt/MCP links fetched at most per entry: a page cannot make us crawl."""
_MCP_WORD = re.compile(r"(^|[^a-z])mcp([^a-z]|$)")


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


def declared_kind(link: Link) -> str | None:
    """``llms.txt`` or ``mcp`` when the link declares one, else None."""
    path = urlsplit(link.url).path.lower()
    if path.endswith(("/llms.txt", "/llms-full.txt")):
        return "llms.txt"
    if "mcp" in link.rel or _MCP_WORD.search(path) or _MCP_WORD.search(link.text.lower()):
        return "mcp"
    return None


def _answers(kind: str, obs: HttpObservation) -> bool:
    if kind == "llms.txt":
        return _published(obs)
    return obs.answered and obs.status != 404


async def _declared(ctx: EntryContext, tried: list[dict[str, Any]]) -> Finding | None:
    home = ctx.entry.homepage_url
    if not home or url_problem(home) is not None:
        return None
    read = await page(ctx, home)
    seen = {t["url"] for t in tried}
    followed = 0
    for link in read.links:
        kind = declared_kind(link)
        if kind is None or link.url in seen or url_problem(link.url) is not None:
            continue
        if followed >= MAX_DECLARED:
            break
        followed += 1
        seen.add(link.url)
        obs = await ctx.fetch_shared(link.url, max_bytes=MAX_BYTES)
        tried.append(
            {
                "url": obs.url,
                "status": obs.status,
                "error": obs.error,
                "declared_at": link.where(home),
            }
        )
        if _answers(kind, obs):
            message = f"{kind} declared at {link.where(home)} and answering: {link.url} (HTTP {obs.status})"
            return Finding(CHECK, Outcome.PASS, message, PROBE, link.url, {"tried": tried})
    return None


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    origins = list(
        dict.fromkeys(
            _origin(u) for u in (entry.base_url, entry.homepage_url) if u and url_problem(u) is None
        )
    )
    if not origins:
        return [Finding(CHECK, Outcome.UNKNOWN, "no base or homepage URL", PROBE)]
    urls = [origin + path for origin in origins for path in DOCUMENTS]
    observations = await asyncio.gather(*(ctx.fetch_shared(u, max_bytes=MAX_BYTES) for u in urls))
    found = [o for o in observations if _published(o)]
    tried: list[dict[str, Any]] = [
        {"url": o.url, "status": o.status, "error": o.error} for o in observations
    ]
    if found:
        names = ", ".join(o.url for o in found)
        return [
            Finding(
                CHECK,
                Outcome.PASS,
                f"published: {names}",
                PROBE,
                found[0].url,
                {"tried": tried},
            )
        ]
    declared = await _declared(ctx, tried)
    if declared is not None:
        return [declared]
    if all(o.error_class is not None and o.status is None for o in observations):
        msg = "could not check: " + "; ".join(sorted({o.describe() for o in observations}))
        return [Finding(CHECK, Outcome.UNKNOWN, msg, PROBE, None, {"tried": tried})]
    msg = "no llms.txt or MCP discovery document at " + ", ".join(origins)
    if entry.homepage_url:
        msg += ", none declared on the homepage"
    return [Finding(CHECK, Outcome.FAIL, msg, PROBE, None, {"tried": tried})]
