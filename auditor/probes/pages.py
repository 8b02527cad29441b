"""Pages a probe reads links from: fetched and parsed once per run for every entry citing them.

The parsing (``auditor/evidence/html_links.py``) knows nothing of runs; this
is where a page meets the run's fetcher and its shared, byte-bounded cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import replace

from auditor.evidence.html_links import (
    THREAD_PARSE_BYTES,
    Page,
    decode,
    looks_like_html,
    parse_links,
)
from auditor.probes.context import OBSERVATION_OVERHEAD, EntryContext, transient


async def page(ctx: EntryContext, url: str) -> Page:
    """The page at ``url``, fetched and parsed once per run (a site's home page
    or docs portal reads the same for every entry that cites it).

    The page keeps its links and the answer's facts, not its body: that is
    all a probe reads, and what the run keeps for the next entry.
    """

    async def load() -> Page:
        obs = await ctx.run.fetcher.fetch(url, max_bytes=ctx.settings.limits.max_page_bytes)
        if obs.body is None or obs.status is None:
            return Page(url, obs, problem=f"not fetched: {obs.describe()}")
        facts = replace(obs, body=None)
        if obs.status >= 400:
            return Page(url, facts, problem=f"HTTP {obs.status}")
        if not looks_like_html(obs):
            return Page(url, facts, problem=f"not an HTML page ({obs.content_type or 'no type'})")
        text = decode(obs.body, obs.content_type)
        if len(obs.body) < THREAD_PARSE_BYTES:
            return Page(url, facts, parse_links(text, obs.final_url or url))
        # a 2 MB page takes ~0.2 s to read: keep the event loop answering meanwhile
        links = await asyncio.to_thread(parse_links, text, obs.final_url or url)
        return Page(url, facts, links)

    def shared() -> Awaitable[Page]:
        return ctx.shared(f"page:{url}", load, page_weight)

    result: Page = await ctx.once(f"page:{url}", shared)
    return result


def page_weight(read: Page) -> int | None:
    """Bytes a parsed page holds, on the safe side: its links' strings (up to 2 bytes a
    character) and ~400 bytes of objects a link; None when the page failed for now."""
    if transient(read.observation):
        return None
    strings = 2 * sum(len(link.href) + len(link.url) + len(link.text) for link in read.links)
    return OBSERVATION_OVERHEAD + strings + 400 * len(read.links)  # the body is not kept
