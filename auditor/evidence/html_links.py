"""One HTML page, fetched once per run and read with a real parser.

The reciprocal-link, published-policy, licence and agent-discovery probes
all look at the homepage and docs page; ``page()`` fetches each at most once
per run (capped at the page limit, 2 MB by default), parses it with
selectolax (Lexbor, an HTML5 parser) and keeps the links with the line they
sit on so evidence can point at them. No link is followed from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from auditor.net.observation import HttpObservation

MAX_LINKS = 50_000
"""Links read per page at most (a 2 MB page rarely holds more than a few thousand)."""
THREAD_PARSE_BYTES = 256 * 1024
LINE_SEARCH_WINDOW = 16 * 1024
"""How far past the previous link a link's source text is looked for (its line number);
bounded so a page of unfindable hrefs costs linear time, not quadratic."""
CHROME_TAGS = frozenset({"header", "nav", "footer"})
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    """As written in the page."""
    url: str
    """Resolved against the page (and its ``<base>``)."""
    text: str
    rel: tuple[str, ...]
    tag: str
    line: int | None
    in_chrome: bool = False
    """Inside a ``<header>``, ``<nav>`` or ``<footer>``: site-wide links, not the page's own."""

    def where(self, page_url: str) -> str:
        at = f" (line {self.line})" if self.line else ""
        return f"{page_url}{at}"


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    observation: HttpObservation
    links: tuple[Link, ...] = ()
    problem: str | None = None
    """Why the page gave no links to read (not fetched, not HTML, too large); None if read."""

    @property
    def read(self) -> bool:
        return self.problem is None

    @property
    def unreachable(self) -> bool:
        """The page could not be checked (refused, DNS, timeout, over the size cap…)."""
        obs = self.observation
        return obs.status is None or obs.error_class is not None


def decode(body: bytes, content_type: str | None) -> str:
    """The page's text, in the charset its header or ``<meta>`` declares (else UTF-8)."""
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        found = _META_CHARSET.search(body[:2048])
        charset = found.group(1).decode("ascii").lower() if found else None
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def looks_like_html(obs: HttpObservation) -> bool:
    content_type = (obs.content_type or "").lower()
    if "html" in content_type:
        return True
    head = (obs.body or b"").lstrip()[:64].lower()
    return not content_type.startswith(("application/json", "text/plain")) and head.startswith(
        (b"<!doctype html", b"<html")
    )


def _in_chrome(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in CHROME_TAGS:
            return True
        parent = parent.parent
    return False


def parse_links(text: str, page_url: str) -> tuple[Link, ...]:
    """Every ``<a>``, ``<area>`` and ``<link>`` with an http(s) target, in document order."""
    tree = LexborHTMLParser(text)
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(page_url, (base_node.attributes.get("href") or "").strip())
    links: list[Link] = []
    position = 0
    line_no = 1
    for node in tree.css("a[href], area[href], link[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            url = urljoin(base, href)
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            continue
        if scheme not in {"http", "https"}:
            continue
        window = position + LINE_SEARCH_WINDOW
        found = text.find(href, position, window)
        if found < 0:
            found = text.find(href.replace("&", "&amp;"), position, window)
        if found >= 0:  # lines counted incrementally: links come in document order
            line_no += text.count("\n", position, found)
            position = found
        line = line_no if found >= 0 else None
        rel = tuple((node.attributes.get("rel") or "").lower().split())
        words = node.text(deep=True, separator=" ", strip=True) if node.tag != "link" else ""
        title = node.attributes.get("title") or node.attributes.get("aria-label") or ""
        label = " ".join(f"{words} {title}".split())
        chrome = _in_chrome(node)
        links.append(Link(href, url, label, rel, node.tag or "a", line, chrome))
        if len(links) >= MAX_LINKS:
            break
    return tuple(links)


def same_site(host: str, other: str) -> bool:
    """Equal hosts, ignoring case and a leading ``www.``."""
    return host.lower().removeprefix("www.") == other.lower().removeprefix("www.")


def points_under(link_url: str, target_url: str) -> bool:
    """``link_url`` is ``target_url`` or below it: same host (``www.`` aside), path
    under the target's path segment-wise; scheme, query and fragment ignored."""
    try:
        link, target = urlsplit(link_url), urlsplit(target_url)
    except ValueError:
        return False
    if not link.hostname or not target.hostname or not same_site(link.hostname, target.hostname):
        return False
    if link.port != target.port:
        return False
    link_path = [s for s in link.path.split("/") if s]
    target_path = [s for s in target.path.split("/") if s]
    return link_path[: len(target_path)] == target_path
