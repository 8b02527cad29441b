"""Probe: does the publisher publish a security contact or its legal pages?

Passes on either:

* a valid ``/.well-known/security.txt`` (RFC 9116: Contact and Expires, not
  expired) at the origin of the base URL or of the homepage, or
* links from the homepage (the docs page when there is none) to a legal
  notice, privacy, terms or accessibility page, in English or French
  ("mentions légales", "données personnelles", "CGU", "accessibilité"…),
  matched on the link's text and its path. The linked pages are not fetched.

Unknown when something could not be checked and nothing passed.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from auditor import checks
from auditor.evidence import security_txt
from auditor.evidence.html_links import Link
from auditor.model import Finding, Outcome
from auditor.net.guard import url_problem
from auditor.probes.context import EntryContext, transient
from auditor.probes.pages import page

PROBE = "published_policy"
CHECK = checks.PUBLISHED_POLICY.id
MAX_SECURITY_TXT = 64 * 1024

KINDS: dict[str, re.Pattern[str]] = {
    "legal notice": re.compile(
        r"\b(mentions? legales?|legal notices?|legal|imprint|impressum|aviso legal|note legali)\b"
    ),
    "privacy": re.compile(
        r"\b(privacy|confidentialite|donnees personnelles|protection des donnees|vie privee"
        r"|rgpd|gdpr|datenschutz)\b"
    ),
    "terms": re.compile(
        r"\b(terms|conditions generales|conditions d ?utilisation|cgu|tos"
        r"|nutzungsbedingungen)\b"
    ),
    "accessibility": re.compile(r"\b(accessibilite|accessibility|barrierefreiheit|a11y)\b"),
}


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def policy_kinds(link: Link) -> list[str]:
    """The kinds of policy page a link leads to, from its text and its path."""
    try:
        path = unquote(urlsplit(link.url).path)
    except ValueError:
        path = ""
    text = f"{_fold(link.text)} | {_fold(path)}"
    return [kind for kind, pattern in KINDS.items() if pattern.search(text)]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _security_txt(
    ctx: EntryContext, origin: str, now: datetime
) -> tuple[str, str, dict[str, Any]]:
    """``(state, message, facts)`` with state one of valid, invalid, missing, unchecked."""
    url = origin + security_txt.PATH
    obs = await ctx.fetch_shared(url, max_bytes=MAX_SECURITY_TXT)
    facts: dict[str, Any] = {"url": url, "status": obs.status, "error": obs.error}
    if obs.status is None or obs.error_class is not None or transient(obs):
        return "unchecked", f"{url}: {obs.describe()}", facts  # a 503 proves no absence
    if obs.status != 200 or obs.body is None:
        return "missing", f"{url}: HTTP {obs.status}", facts
    if not security_txt.looks_like_text(obs.content_type, obs.body):
        return "missing", f"{url}: answers an HTML page, not a security.txt", facts
    parsed = security_txt.parse(obs.body.decode("utf-8", errors="replace"), now)
    facts.update(
        contacts=list(parsed.contacts),
        expires=parsed.expires.isoformat() if parsed.expires else None,
        problems=list(parsed.problems),
    )
    if parsed.valid:
        contact = parsed.contacts[0]
        expires = parsed.expires.date().isoformat() if parsed.expires else "?"
        return (
            "valid",
            f"valid security.txt at {url} (Contact: {contact}; Expires: {expires})",
            facts,
        )
    return "invalid", f"security.txt at {url} is not valid: {'; '.join(parsed.problems)}", facts


async def probe(ctx: EntryContext) -> list[Finding]:
    entry = ctx.entry
    now = datetime.now(UTC)
    origins = list(
        dict.fromkeys(
            _origin(u) for u in (entry.base_url, entry.homepage_url) if u and url_problem(u) is None
        )
    )
    home = entry.homepage_url or entry.docs_url
    facts: dict[str, Any] = {"origins": origins, "page": home}
    if not origins and not home:
        return [
            Finding(
                CHECK,
                Outcome.UNKNOWN,
                "could not check: no base, homepage or docs URL declared",
                PROBE,
                None,
                facts,
            )
        ]
    if len(origins) == 1:  # most entries: awaited here, without a task for one lookup
        results = [await _security_txt(ctx, origins[0], now)]
    else:
        results = list(await asyncio.gather(*(_security_txt(ctx, o, now) for o in origins)))
    facts["security_txt"] = [f for _, _, f in results]
    for state, message, item in results:
        if state == "valid":
            return [Finding(CHECK, Outcome.PASS, message, PROBE, item["url"], facts)]
    notes = [message for _, message, _ in results]
    unchecked = any(state == "unchecked" for state, _, _ in results)
    if home:
        read = await page(ctx, home)
        if read.read:
            found: dict[str, Link] = {}
            for link in read.links:
                for kind in policy_kinds(link):
                    found.setdefault(kind, link)
            facts["policy_links"] = {
                k: {"url": link.url, "text": link.text, "line": link.line}
                for k, link in found.items()
            }
            if found:
                listed = "; ".join(
                    f"{kind} (line {link.line}: {link.text or link.href!r} -> {link.url})"
                    for kind, link in found.items()
                )
                message = f"{home} links to its {listed}"
                return [Finding(CHECK, Outcome.PASS, message, PROBE, home, facts)]
            notes.append(f"{home}: no legal notice, privacy, terms or accessibility link")
        else:
            unchecked = unchecked or read.unreachable
            notes.append(f"{home}: {read.problem}")
    if unchecked:
        return [
            Finding(
                CHECK, Outcome.UNKNOWN, "could not check: " + "; ".join(notes), PROBE, None, facts
            )
        ]
    message = "no valid security.txt and no legal pages linked: " + "; ".join(notes)
    return [Finding(CHECK, Outcome.FAIL, message, PROBE, None, facts)]
