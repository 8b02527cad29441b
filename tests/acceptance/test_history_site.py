"""``auditor report --store``: five nightly audits of three APIs on 127.0.0.1, then the site.

``flaky`` is down two nights and recovers, ``pets`` loses ``DELETE
/pets/{id}``, ``licensed`` drops from Fair to Poor (tests/support/history.py).
The site must show the uptime figures, the status strip, the incident, the
trend and each change with its date; the Atom feeds must parse (feedparser)
and list those changes; and rendering must leave the store's bytes as
they were.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor.store.db import Store
from auditor.store.runs import mark_degraded
from tests.conftest import LocalServer
from tests.support.history import nightly_history
from tests.support.store_cli import cli

feedparser = pytest.importorskip("feedparser", reason="feedparser is a test dependency")


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any, datetime]]:
    server = LocalServer()
    server.start()
    try:
        yield nightly_history(tmp_path_factory.mktemp("history"), server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(nights: tuple[Path, Any, datetime]) -> Path:
    store, _, _ = nights
    folder = store.parent / "site"
    result = cli("report", "--store", str(store), "--output", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def text_of(html: str) -> str:
    """The page as a reader sees it: tags out, entities and spaces folded."""
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    plain = plain.replace("&#34;", '"').replace("&#39;", "'")
    return re.sub(r"\s+", " ", plain)


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def day(at: datetime) -> str:
    return at.date().isoformat()


def test_the_entry_page_shows_uptime_the_strip_the_incident_and_the_trend(
    site: Path, nights: tuple[Path, Any, datetime]
) -> None:
    _, _, last = nights
    html = (site / "entries" / "flaky.html").read_text()
    part = section(html, "availability-history")
    rows = dict(re.findall(r'data-period="(\w+)">.*?uptime-value">([^<]+)<', part))
    # 24 h: tonight's success only; 7 d and beyond: 3 of 5 nights answered
    assert rows == {"24h": "100%", "7d": "60%", "30d": "60%", "90d": "60%"}
    assert "3 of 5 verifications" in text_of(part)
    assert "up (last verified" in text_of(part)
    # the strip: one cell a day, the last five nights up, up, down, down, up
    cells = re.findall(r'<rect class="day ([\w-]+)"[^>]*><title>([^<]+)</title>', part)
    assert len(cells) == 90
    assert [c[0] for c in cells[-5:]] == ["up", "up", "down", "down", "up"]
    assert cells[-3][1].startswith(f"{day(last - timedelta(days=2))}: down (0 of 1")
    assert [c[0] for c in cells[:-5]] == ["not-verified"] * 85
    assert "3 up, 0 degraded, 2 down, 85 not verified" in text_of(part)
    # the incident: from the first failed night to the recovery, with its first error
    incidents = re.findall(r'<tr class="incident">(.*?)</tr>', part, re.S)
    assert len(incidents) == 1
    cells_text = text_of(incidents[0])
    assert day(last - timedelta(days=2)) in cells_text and day(last) in cells_text
    assert "2 d 0 h" in cells_text and "503" in cells_text
    # latency percentiles are measured values, and the response-time chart has its table
    assert re.search(r"p50 <strong>[\d.]+ ms</strong>", part)
    assert "Response time per verification (as a table)" in part
    # the trend: five runs over the tier bands, with a table of the same numbers
    trend = section(html, "score-trend")
    assert trend.count('<g class="point">') == 5
    assert 'data-band="Fair"' in trend and 'data-band="Poor"' in trend
    assert "56.75" in trend and "34.5" in trend
    for chart in re.findall(r"<svg[^>]*role=\"img\"[^>]*>", html):
        assert "aria-label=" in chart


def test_each_change_is_dated_and_explained(site: Path, nights: tuple[Path, Any, datetime]) -> None:
    _, host, last = nights
    licensed = text_of(section((site / "entries" / "licensed.html").read_text(), "what-changed"))
    assert f"{day(last - timedelta(days=2))} · run {host.runs[2]}" in licensed
    assert "tier Fair → Poor; score 63.75 → 45.25 (−18.5)" in licensed
    assert "License clarity: 100 → 50" in licensed  # the axis, and the signal with its evidence
    assert "before:" in licensed and "after:" in licensed
    pets = section((site / "entries" / "pets.html").read_text(), "what-changed")
    assert f"{day(last - timedelta(days=1))}</span> · run {host.runs[3]}" in pets
    assert "spec: 1 operation removed, 1 field removed (BREAKING)" in pets
    assert "<code>DELETE /pets/{id}</code>" in pets  # the operation, and its path parameter
    assert "<code>DELETE /pets/{id} path id</code>" in pets
    # the schema's age is its first capture, not tonight's download
    schema = text_of(section((site / "entries" / "flaky.html").read_text(), "data-schema"))
    assert "Schema captured from OpenAPI 3.0.3 4 days ago" in schema
    schema = text_of(section((site / "entries" / "pets.html").read_text(), "data-schema"))
    assert "1 day ago" in schema


def test_the_index_shows_changes_since_the_last_run_and_catalog_history(
    site: Path, nights: tuple[Path, Any, datetime]
) -> None:
    _, host, _ = nights
    html = (site / "index.html").read_text()
    assert "No entry is down" in section(html, "open-incidents")
    changed = text_of(section(html, "changed"))
    assert f"run {host.runs[4]}" in changed and "Flaky API" in changed
    assert "score 34.5 → 46.75 (+12.25)" in changed
    assert "Pet Store" not in changed  # nothing moved for it tonight
    uptime = dict(re.findall(r'data-period="(\w+)">.*?uptime-value">([^<]+)<', html))
    assert uptime["24h"] == "100%" and uptime["7d"] == "86.7%"  # 13 of 15 verifications
    row = re.search(r'<tr data-id="flaky".*?</tr>', html, re.S)
    assert row and "▲" in row.group(0) and "+12.25" in row.group(0) and "60%" in row.group(0)
    assert "Mean score per run (as a table)" in html
    assert "Uptime per run (as a table)" in html
    assert 'type="application/atom+xml"' in html


def test_the_atom_feeds_parse_and_list_the_changes(
    site: Path, nights: tuple[Path, Any, datetime]
) -> None:
    store, _, _ = nights
    raw = (site / "feed.xml").read_bytes()
    root = ET.fromstring(raw)  # well-formed XML
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert any(t.startswith("Licensed API: tier Fair → Poor") for t in titles), titles
    assert any("Pet Store" in t and "1 operation removed" in t and "BREAKING" in t for t in titles)
    assert any(t.startswith("Flaky API is down: ") and "503" in t for t in titles)
    assert "Flaky API recovered after 2 d 0 h" in titles
    breaking = next(e for e in parsed.entries if "BREAKING" in e.title)
    assert {t.term for t in breaking.tags} >= {"breaking", "spec"}
    assert "DELETE /pets/{id}" in breaking.content[0].value
    assert breaking.link.endswith("entries/pets.html")
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    entry_feed = feedparser.parse((site / "feeds" / "pets.xml").read_bytes())
    assert entry_feed.bozo == 0 and len(entry_feed.entries) == 1
    # rendering again gives the same ids (a reader sees nothing new) and the same feed
    again = store.parent / "site-again"
    assert cli("report", "--store", str(store), "-o", str(again)).exit_code == 0
    assert [e.id for e in feedparser.parse((again / "feed.xml").read_bytes()).entries] == ids
    assert (again / "feed.xml").read_bytes() == raw


def test_uptime_badges_from_the_store(site: Path, nights: tuple[Path, Any, datetime]) -> None:
    store, _, _ = nights
    endpoint = json.loads((site / "badges" / "uptime" / "flaky.json").read_text())
    assert endpoint["label"] == "uptime 30d" and endpoint["message"] == "60%"
    svg = (site / "badges" / "uptime" / "flaky.svg").read_text()
    assert "<title>uptime 30d: 60%</title>" in svg
    out = store.parent / "badges"
    result = cli("badge", "--store", str(store), "-o", str(out), "--entry", "pets")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.rglob("*.*")) == [
        "pets.json",
        "pets.json",
        "pets.svg",
        "pets.svg",
    ]
    assert json.loads((out / "uptime" / "pets.json").read_text())["message"] == "100%"
    assert json.loads((out / "pets.json").read_text())["message"].startswith("56.75")


def test_an_older_run_shows_the_incident_still_open(
    nights: tuple[Path, Any, datetime], tmp_path: Path
) -> None:
    store, host, last = nights
    result = cli("report", "--store", str(store), "--run", str(host.runs[3]), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.html").read_text()
    incidents = text_of(section(index, "open-incidents"))
    assert "Flaky API" in incidents and f"{day(last - timedelta(days=2))}" in incidents
    page = text_of(
        section((tmp_path / "entries" / "flaky.html").read_text(), "availability-history")
    )
    assert "down since" in page and "ongoing" in page and "1 d 0 h so far" in page


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_report_never_changes_the_store(nights: tuple[Path, Any, datetime], tmp_path: Path) -> None:
    store, _, _ = nights
    copy = tmp_path / "audit.db"
    copy_store(store, copy)
    before = fingerprint(copy)
    assert cli("report", "--store", str(copy), "-o", str(tmp_path / "site")).exit_code == 0
    assert cli("badge", "--store", str(copy), "-o", str(tmp_path / "b")).exit_code == 0
    assert fingerprint(copy) == before


def test_a_degraded_run_says_so_and_its_verifications_do_not_count(
    nights: tuple[Path, Any, datetime], tmp_path: Path
) -> None:
    """A run the audit marked degraded (``runs.degraded``, as ``auditor audit`` records it
    when its own network failed) shows the banner, and its verifications are not counted."""
    store, host, _ = nights
    copy = tmp_path / "audit.db"
    copy_store(store, copy)
    with Store.open(copy, write=True) as opened:
        mark_degraded(opened, host.runs[4], "the canary https://canary.test/ did not answer")
    result = cli("report", "--store", str(copy), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "entries" / "flaky.html").read_text()
    assert "this run was degraded: the auditing machine could not reach the network" in page
    rows = dict(re.findall(r'data-period="(\w+)">.*?uptime-value">([^<]+)<', page))
    assert rows["24h"] == "unknown" and rows["7d"] == "50%"  # 2 of 4: tonight is not counted
    assert "this run was degraded" in (tmp_path / "site" / "index.html").read_text()


def copy_store(store: Path, to: Path) -> None:
    """The store as its writers left it: SQLite's backup reads the WAL's last commits,
    which a copy of the main file alone may miss."""
    with sqlite3.connect(store) as source, sqlite3.connect(to) as target:
        source.backup(target)


def refused(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    return result.output


def test_stores_that_cannot_be_reported_are_refused_naming_them(
    nights: tuple[Path, Any, datetime], tmp_path: Path
) -> None:
    store, _, _ = nights
    out = str(tmp_path / "site")
    newer = tmp_path / "newer.db"
    copy_store(store, newer)
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    message = refused("report", "--store", str(newer), "-o", out)
    assert f"{newer}: store schema version 99 is newer" in message

    empty = tmp_path / "empty.db"
    Store.open(empty, write=True).close()
    assert f"{empty}: the store holds no run yet" in refused(
        "report", "--store", str(empty), "-o", out
    )

    unfinished = tmp_path / "unfinished.db"
    copy_store(store, unfinished)
    with sqlite3.connect(unfinished) as db:
        db.execute("UPDATE runs SET finished_at = NULL")
    message = refused("report", "--store", str(unfinished), "-o", out)
    assert (
        f"{unfinished}: the store holds only an unfinished run" in message and "--resume" in message
    )

    rules = tmp_path / "other.yaml"
    text = (Path(__file__).parents[2] / "rules" / "trust-v1.yaml").read_text()
    rules.write_text(re.sub(r"(?m)^id: .*$", "id: other", text, count=1))
    message = refused("report", "--store", str(store), "--rules", str(rules), "-o", out)
    assert f"{store}: no finished run was scored under methodology other" in message

    message = refused("report", "--store", str(store), "--run", "999", "-o", out)
    assert f"{store}: no run 999" in message
    not_store = tmp_path / "notes.db"
    not_store.write_text("hello, this is not SQLite at all" * 10)
    assert f"{not_store}: not an auditor store" in refused(
        "report", "--store", str(not_store), "-o", out
    )
    assert "give SOURCES or --store, not both" in refused(
        "report", str(store), "--store", str(store), "-o", out
    )
    assert not (tmp_path / "site" / "index.html").exists()
