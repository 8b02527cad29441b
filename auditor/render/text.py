"""Making untrusted catalog text inert: in HTML attributes, Markdown and SVG.

Autoescaping handles ``<``, ``>``, ``&`` and quotes in HTML and SVG; what it
does not handle is here: bidirectional overrides that make text read
backwards, control characters XML forbids, URLs with active schemes, and
Markdown's own syntax (a title with ``](javascript:…)`` must stay text).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Bidi embeddings/overrides/isolates and marks, plus C0/C1 controls except tab
# and newline: they are replaced, never passed through.
_UNSAFE_CHARS = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
REPLACEMENT = "\ufffd"
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\d{1,9}(?=[.)])|[#+\-=])")
SAFE_SCHEMES = frozenset({"http", "https"})


def clean_text(value: Any) -> str:
    """A string with bidi overrides and control characters replaced by U+FFFD."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and text.isprintable():
        return text  # nothing to replace (most output): skip the regex
    return _UNSAFE_CHARS.sub(REPLACEMENT, text)


def one_line(value: Any, limit: int | None = None) -> str:
    """``clean_text`` on one line (table cells, alt text), optionally shortened."""
    text = " ".join(clean_text(value).split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)].rstrip() + "…"
    return text


def safe_url(value: Any, schemes: frozenset[str] = SAFE_SCHEMES) -> str | None:
    """The URL when its scheme is allowed and it has a host (or is mailto); else None.

    ``javascript:``, ``data:`` and friends, relative references and URLs with
    whitespace or control characters are refused: the caller shows the text
    instead of a link.
    """
    if not isinstance(value, str) or not value or value != value.strip():
        return None
    if _UNSAFE_CHARS.search(value) or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme == "mailto":
        return value if parts.path else None
    return value if parts.hostname else None


def contact_url(value: Any) -> str | None:
    """A contact as a link: an http(s) URL, a mailto: URL, or a bare e-mail address."""
    if isinstance(value, str) and re.fullmatch(
        r"[^@\s<>\"'():]+@[^@\s<>\"'()]+\.[A-Za-z]{2,}", value
    ):
        return f"mailto:{value}"
    return safe_url(value, SAFE_SCHEMES | {"mailto"})


def md_text(value: Any) -> str:
    """Inline Markdown for untrusted text: HTML characters as entities, syntax escaped.

    The characters that open inline constructs (code, emphasis, links,
    images, tables, strikethrough) are backslash-escaped, and so is a leading
    character that would start a heading or a list: no link, image or raw
    HTML can form, yet ``data.gouv.fr`` stays readable in the raw file.
    """
    text = one_line(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    match = _MD_LINE_START.match(text)
    if match:
        text = (
            text[: match.end()] + "\\" + text[match.end() :]
            if match.group(1)[0].isdigit()
            else "\\" + text
        )
    return text


def md_paragraphs(value: Any) -> str:
    """Untrusted multi-line text as escaped Markdown paragraphs."""
    blocks = re.split(r"\n\s*\n", clean_text(value).strip())
    return "\n\n".join(md_text(block) for block in blocks if block.strip())


def md_link(text: Any, url: Any) -> str:
    """``[text](url)`` when the URL is safe; otherwise the escaped text alone."""
    label = md_text(text)
    href = url if isinstance(url, str) else None
    href = safe_url(href, SAFE_SCHEMES | {"mailto"}) if href else None
    if href is None:
        return label
    return f"[{label}](<{href.replace('>', '%3E').replace('<', '%3C')}>)"


def md_code_span(value: Any) -> str:
    """Untrusted text as an inline code span whose fence no backtick run can close."""
    text = one_line(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_block(value: Any, language: str = "") -> str:
    """A fenced code block with a fence longer than any backtick run in the content."""
    text = clean_text(value).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"
