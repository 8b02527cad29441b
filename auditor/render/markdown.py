"""Catalog Markdown to HTML that is safe to put in a page.

Catalog descriptions are Markdown written by strangers. markdown-it-py
renders them with raw HTML disabled, then nh3 (the ammonia sanitiser)
removes whatever could still act: only an allow-list of tags and
attributes survives, links keep only http(s)/mailto and gain
``rel="nofollow noopener noreferrer"``, and images are dropped (a report
must not load tracking pixels from a catalog).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from auditor.render.text import clean_text

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
        "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=2)
def _parser(tables: bool) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    if tables:
        parser.enable("table")
    return parser


def sanitise_html(html: str) -> str:
    """HTML reduced to the allow-list; anything active is removed with its content."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def markdown_html(text: str | None, *, tables: bool = True) -> str:
    """Render Markdown and sanitise the result; empty input gives an empty string."""
    if not text:
        return ""
    return sanitise_html(_parser(tables).render(clean_text(text)))


def markdown_section(markdown: str, heading: str) -> str | None:
    """The part of a Markdown document under ``heading`` (any level), up to the next
    heading of the same or a higher level; None when the heading is absent."""
    lines = markdown.splitlines()
    for start, line in enumerate(lines):
        stripped = line.lstrip("#")
        level = len(line) - len(stripped)
        if level and stripped.strip().lower() == heading.lower():
            body = []
            for other in lines[start + 1 :]:
                other_level = len(other) - len(other.lstrip("#"))
                if other_level and other_level <= level and other[other_level:].startswith(" "):
                    break
                body.append(other)
            return "\n".join(body).strip() + "\n"
    return None
