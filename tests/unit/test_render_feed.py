"""Atom feeds: well-formed whatever the titles hold, stable ids, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from auditor.render.feed import FeedEntry, atom_feed, feed_id

feedparser = pytest.importorskip("feedparser", reason="feedparser is a test dependency")
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Evil ]]> <script>alert(1)</script> & "quotes" \x07\x1b[31m \u202egnp.exe'


def entry(key: str, updated: str, title: str = "API: score 80 → 64 (−16)") -> FeedEntry:
    return FeedEntry(
        id=feed_id("catalog.yaml", key),
        title=title,
        updated=updated,
        href="entries/api.html",
        summary=title,
        html=f"<p>{title}</p>".replace("<script>", "&lt;script&gt;"),
        categories=("tier",),
    )


def test_hostile_titles_keep_the_feed_well_formed_and_inert() -> None:
    xml = atom_feed(
        "catalog.yaml", "catalog", title=HOSTILE, subtitle="s", self_href="feed.xml",
        page_href="index.html", updated="2026-11-30T03:17:00Z",
        entries=[entry("a", "2026-11-29T03:17:00Z", HOSTILE)],
    )  # fmt: skip
    root = ET.fromstring(xml.encode())
    assert root.find(f"{ATOM}title") is not None
    assert root.find(f"{ATOM}entry/{ATOM}content") is not None
    parsed = feedparser.parse(xml.encode())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    title = parsed.entries[0].title
    assert "<script>alert(1)</script>" in title  # text, as written
    assert "\x07" not in title and "\x1b" not in title and "\u202e" not in title
    assert "<script>" not in parsed.entries[0].content[0].value


def test_ids_are_stable_and_the_feed_is_dated_by_its_newest_entry() -> None:
    assert feed_id("catalog.yaml", "change/api/3") == feed_id("catalog.yaml", "change/api/3")
    assert feed_id("catalog.yaml", "change/api/3") != feed_id("other.yaml", "change/api/3")
    xml = atom_feed(
        "catalog.yaml", "catalog", title="t", subtitle="s", self_href="feed.xml",
        page_href="index.html", updated="2026-12-01T00:00:00Z",
        entries=[entry("old", "2026-11-01T03:17:00Z"), entry("new", "2026-11-29T03:17:00Z")],
        limit=1,
    )  # fmt: skip
    parsed = feedparser.parse(xml.encode())
    assert parsed.feed.updated == "2026-11-29T03:17:00Z"  # not the time of rendering
    assert [e.id for e in parsed.entries] == [feed_id("catalog.yaml", "new")]
    empty = atom_feed(
        "catalog.yaml", "catalog", title="t", subtitle="s", self_href="feed.xml",
        page_href="index.html", updated="2026-12-01T00:00:00Z", entries=[],
    )  # fmt: skip
    assert feedparser.parse(empty.encode()).feed.updated == "2026-12-01T00:00:00Z"
