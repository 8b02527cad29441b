"""Untrusted text made inert: cleaning, URLs, Markdown escaping, sanitised HTML, file names."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from auditor.render.markdown import markdown_html, markdown_section
from auditor.render.names import file_names, slug
from auditor.render.text import (
    clean_text,
    contact_url,
    md_code_block,
    md_code_span,
    md_link,
    md_text,
    safe_url,
)
from tests.support.render import HOSTILE, Tags


def active(html: str) -> list[str]:
    """What in ``html`` could run script or load something: the list must be empty."""
    problems = []
    for tag, attrs in Tags(html).tags:
        if tag in {"script", "iframe", "img", "object", "embed", "style", "svg"}:
            problems.append(tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"{tag}[{name}]")
            if (
                name in {"href", "src"}
                and value
                and not value.startswith(("http:", "https:", "mailto:"))
            ):
                problems.append(f"{tag}[{name}={value}]")
    return problems


def test_clean_text_replaces_bidi_overrides_and_controls() -> None:
    cleaned = clean_text("a\u202eb\u2066c\x00d\x07e\nf\tg")
    assert "\u202e" not in cleaned and "\u2066" not in cleaned and "\x00" not in cleaned
    assert cleaned == "a\ufffdb\ufffdc\ufffdd\ufffde\nf\tg"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "https://",
        " https://x.org",
        "https://x.org/\u202e",
        "https://x .org",
        "vbscript:x",
        None,
        3,
    ],
)
def test_unsafe_urls_are_refused(url: object) -> None:
    assert safe_url(url) is None


def test_safe_urls_pass_and_contacts_become_mailto() -> None:
    assert safe_url("https://www.data.gouv.fr/api/1") == "https://www.data.gouv.fr/api/1"
    assert contact_url("api@example.gouv.fr") == "mailto:api@example.gouv.fr"
    assert contact_url("mailto:x@example.org") == "mailto:x@example.org"
    assert contact_url("javascript:alert(1)") is None


def test_markdown_escaping_leaves_no_construct_even_with_raw_html_enabled() -> None:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    for text in (
        HOSTILE,
        "# heading",
        "1. list",
        "- item",
        "![img](https://t.example/p.png)",
        "<https://auto.example>",
        "a | b",
        "`code`",
        "**bold**",
    ):
        html = parser.render(md_text(text))
        assert active(html) == [], (text, html)
        assert "<a " not in html and "<h1" not in html and "<ol" not in html and "<ul" not in html
        assert "<strong>" not in html and "<code>" not in html and "<table" not in html


def test_markdown_link_only_for_safe_urls() -> None:
    assert md_link("docs", "https://x.org/a") == "[docs](<https://x.org/a>)"
    assert md_link("docs", "javascript:alert(1)") == "docs"
    html = MarkdownIt("commonmark", {"html": True}).render(
        md_link("x](javascript:y)", "https://ok.org")
    )
    assert active(html) == [] and html.count("<a ") == 1


def test_code_fences_cannot_be_closed_by_their_content() -> None:
    block = md_code_block("echo ```\n</code><script>x</script>", "sh")
    html = MarkdownIt("commonmark", {"html": True}).render(block)
    assert active(html) == [] and html.count("<pre>") == 1
    span = md_code_span("a `` b")
    assert MarkdownIt().render(span).count("<code>") == 1


def test_markdown_html_keeps_formatting_and_drops_everything_active() -> None:
    html = markdown_html(
        "Some **bold** and [a link](https://example.org).\n\n"
        + HOSTILE
        + "\n\n<iframe src=x></iframe> ![pixel](https://tracker.example/p.gif) [js](javascript:alert(1))"
    )
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">' in html
    assert active(html) == []
    assert "tracker.example" not in html and "\u202e" not in html


def test_markdown_section_extracts_one_heading() -> None:
    text = "# T\n\nintro\n\n## How is this computed?\n\nbody\n\n### Tiers\n\nt\n\n## Next\n\nno\n"
    assert markdown_section(text, "How is this computed?") == "body\n\n### Tiers\n\nt\n"
    assert markdown_section(text, "Missing") is None


def test_file_names_are_safe_and_distinct() -> None:
    ids = [
        "data.gouv.fr",
        "../../etc/passwd",
        "a/b",
        "a-b",
        "A-B",
        "CON",
        "",
        "..",
        "x" * 300,
        "é",
        "index",
    ]
    names = file_names(ids)
    assert names["data.gouv.fr"] == "data.gouv.fr"  # readable ids stay readable
    assert names["a-b"] == "a-b"
    assert len(set(names.values())) == len(ids)
    for name in names.values():
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert name == slug(name) or name.rsplit("-", 1)[0] == slug(name.rsplit("-", 1)[0])
        assert len(name) <= 100
    assert names["CON"].startswith("con-") and names["index"].startswith("index-")


def test_file_names_are_stable_between_runs() -> None:
    assert file_names(["a/b", "c"]) == file_names(["a/b", "c"])
