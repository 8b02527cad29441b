"""The report site in French: every UI string translated, none left in English, locale formats.

The catalogue is ``auditor/render/locale/fr/LC_MESSAGES/auditor.po``; the
methodology's own texts come from the rules file's ``fr:`` blocks
(``Methodology.localized``). What the audit recorded (probe messages,
evidence, catalog text) stays as recorded, inside ``lang="en"`` elements.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from auditor.methodology.model import Methodology
from auditor.render.language import Language, catalogue_path, language
from auditor.render.site import SiteOptions, write_site
from auditor.resources import reports_dir
from tests.support.render import METHODOLOGY, NOW, standard_document

RENDER_DIR = Path(__file__).resolve().parents[2] / "auditor" / "render"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>|\*\*?|`|\[|\]\([^)]*\)")


def extracted() -> dict[Any, str]:
    """Every msgid the templates and the render code hand to gettext, with where it is."""
    found: dict[Any, str] = {}
    sources = (
        (
            reports_dir(),
            [("**.j2", "jinja2.ext:babel_extract")],
            {"**.j2": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}},
        ),
        (RENDER_DIR, [("**.py", "python")], {}),
    )
    for folder, methods, options in sources:
        for name, line, message, _, _ in extract_from_dir(str(folder), methods, options):
            found.setdefault(message, f"{name}:{line}")
    return found


def catalogue() -> Any:
    with catalogue_path("fr").open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_ui_message_has_a_french_translation() -> None:
    messages = extracted()
    assert len(messages) > 150  # the templates and the render code were both read
    po = catalogue()
    untranslated = []
    for message, where in messages.items():
        entry = po.get(message)
        strings = entry.string if entry is not None else ""
        forms = strings if isinstance(strings, list | tuple) else [strings]
        if entry is None or entry.fuzzy or not all(form.strip() for form in forms):
            untranslated.append(f"{where}: {message!r}")
    assert untranslated == []


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: titles, labels, placeholders), outside elements
    marked ``lang="en"``, code, scripts and styles."""

    SKIPPED = frozenset({"script", "style", "code", "pre"})
    VOID = frozenset({"br", "img", "meta", "link", "input", "hr"})
    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        hidden = found.get("lang") == "en" or tag in self.SKIPPED
        if not hidden and not self._hidden():
            self.parts += [found[a] or "" for a in self.SPOKEN if a in found]
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def fragments(text: str) -> list[str]:
    """The literal words of an English text: placeholders and markup taken out."""
    return [" ".join(p.split()) for p in PLACEHOLDER.split(text) if re.search(r"[A-Za-z]{3}", p)]


def english_ui_strings(methodology: Methodology) -> set[str]:
    """Catalogue msgids and methodology texts whose French is not the same words."""
    english: set[str] = set()
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english |= {f for f in fragments(text) if all(f not in s for s in strings)}
    french = methodology.localized("fr")
    pairs = [(methodology.title, french.title), (methodology.summary, french.summary)]
    pairs += [(t.name, f.name) for t, f in zip(methodology.tiers, french.tiers, strict=True)]
    for axis, faxis in zip(methodology.axes, french.axes, strict=True):
        pairs += [(axis.name, faxis.name), (axis.why, faxis.why)]
        for signal, fsignal in zip(axis.signals, faxis.signals, strict=True):
            pairs += [(signal.name, fsignal.name), (signal.description, fsignal.description)]
            for key, value in (signal.values or {}).items():
                pairs.append((value.label, fsignal.values[key].label))
    english |= {en for en, fr in pairs if en and en != fr}
    return english


@pytest.fixture(scope="module")
def french_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site-fr")
    write_site(standard_document(), METHODOLOGY, folder, SiteOptions(now=NOW, lang="fr"))
    return folder


def left_in_english(text: str, english: set[str]) -> list[str]:
    return sorted(s for s in english if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text))


def test_french_pages_leave_no_english_ui_string(french_site: Path) -> None:
    english = english_ui_strings(METHODOLOGY)
    assert {"Trust score", "Official proof", "Officialness", "Availability"} <= english
    pages = [french_site / "index.html", french_site / "methodology.html"]
    pages += sorted((french_site / "entries").glob("*.html"))
    for page in pages:
        html = page.read_text()
        assert '<html lang="fr">' in html
        assert left_in_english(VisibleText.of(html), english) == [], page.name


def recorded_texts(value: Any) -> set[str]:
    """Every string of a results document: what the audit recorded, not UI text."""
    if isinstance(value, str):
        return {value} if len(value) > 2 else set()
    if isinstance(value, dict):
        return set().union(*(recorded_texts(v) for v in value.values()), set())
    if isinstance(value, list):
        return set().union(*(recorded_texts(v) for v in value), set())
    return set()


def markdown_prose(text: str) -> str:
    """A Markdown page's words: no fenced blocks, code spans, link targets or recorded text."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    prose = re.sub(r"`+[^`]*`+|!\[[^\]]*\]\([^)]*\)|\]\(<?[^)]*\)", " ", "\n".join(lines))
    prose = prose.replace("\\", "")
    for recorded in sorted(recorded_texts(standard_document()), key=len, reverse=True):
        prose = prose.replace(recorded, " ")
    return prose


def test_french_markdown_pages_leave_no_english_ui_string(french_site: Path) -> None:
    english = english_ui_strings(METHODOLOGY)
    for page in [french_site / "methodology.md", *sorted((french_site / "entries").glob("*.md"))]:
        assert left_in_english(markdown_prose(page.read_text()), english) == [], page.name


def test_the_english_site_says_it_in_english(tmp_path: Path) -> None:
    write_site(standard_document(), METHODOLOGY, tmp_path, SiteOptions(now=NOW))
    html = (tmp_path / "index.html").read_text()
    assert '<html lang="en">' in html and "Trust score" in html and 'lang="en"' not in html[30:]
    assert "Score de confiance" not in html and "Fiches" not in html


def test_french_entry_page_quotes_recorded_evidence_as_english(french_site: Path) -> None:
    html = (french_site / "entries" / "rich-api.html").read_text()
    assert "Score de confiance" in html and "Preuves d’officialité" in html
    # the probe's message is a recorded fact, kept as recorded and marked as English
    assert re.search(r'<span lang="en">verification succeeded: base_url: HTTP 200', html)
    # axis reasons are re-told in French when the recorded numbers come back the same
    assert "champs de métadonnées recommandés renseignés" in html
    # and what the page's own script says is French too
    assert '"Copié\u00a0: "' in html and "Could not copy" not in html


def test_numbers_and_dates_follow_the_locale() -> None:
    fr, en = language("fr"), Language()
    assert (fr.number(73.25), en.number(73.25)) == ("73,25", "73.25")
    assert (fr.number(1234.5), en.number(1234.5)) == ("1\u202f234,5", "1234.5")
    assert (fr.number(None), en.number(None)) == ("inconnu", "unknown")
    assert (fr.percent(0.6), en.percent(0.6)) == ("60\u00a0%", "60%")
    assert fr.percent(0.6124, 1) == "61,2\u00a0%" and en.percent(0.6124, 1) == "61.2%"
    day = datetime(2026, 12, 14, 9, 5, tzinfo=UTC)
    assert (fr.date(day), en.date(day)) == ("14 déc. 2026", "2026-12-14")
    assert fr.timestamp("2026-12-14T09:05:00Z") == "14 déc. 2026, 09:05 UTC"
    assert en.timestamp("2026-12-14T09:05:00Z") == "2026-12-14T09:05:00Z"
    assert fr.timestamp("not a date") == "not a date"


def test_french_scores_use_the_decimal_comma(french_site: Path) -> None:
    index = (french_site / "index.html").read_text()
    assert "<strong>80,5</strong>" in index and "80.5" not in VisibleText.of(index)
    assert "14 déc." not in index  # no date invented: the footer shows the document's own
    footer = re.search(r"<footer>(.*?)</footer>", index, re.S)
    assert footer and "UTC" in footer.group(1) and "T" not in footer.group(1).split("du ")[1][:12]


def test_an_unsupported_language_is_refused() -> None:
    from auditor.render.language import LanguageError

    with pytest.raises(LanguageError, match=r"'de'.*\"en\", \"fr\""):
        language("de")


# --- a French site from a store with history (tests/support/history.py): the history parts
# (uptime, strip, incidents, charts and their tables, changes) and the Atom feeds


@pytest.fixture(scope="module")
def history_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import LocalServer
    from tests.support.history import nightly_history

    server = LocalServer()
    server.start()
    try:
        store, _, _ = nightly_history(tmp_path_factory.mktemp("history-fr"), server)
    finally:
        server.stop()
    return store


def store_site(store: Path, folder: Path, lang: str) -> Path:
    from auditor.render.history_site import write_store_site

    write_store_site(store, METHODOLOGY, folder, SiteOptions(lang=lang))
    return folder


@pytest.fixture(scope="module")
def french_history_site(history_store: Path) -> Path:
    return store_site(history_store, history_store.parent / "site-fr", "fr")


def store_recorded(store: Path, site: Path) -> set[str]:
    """What the audit recorded, as the feeds and Markdown pages quote it unmarked: the run's
    results (titles, evidence) and every finding's message in the store."""
    import json
    import sqlite3

    found = recorded_texts(json.loads((site / "results.json").read_text()))
    with sqlite3.connect(store) as db:
        found |= {m for (m,) in db.execute("SELECT DISTINCT message FROM findings") if m}
    return found


def without(text: str, recorded: set[str]) -> str:
    for quoted in sorted(recorded, key=len, reverse=True):
        text = text.replace(quoted, " ")
    return text


def feed_text(path: Path) -> tuple[str | None, str]:
    """A feed's ``xml:lang`` and every text a reader shows: titles, summaries, content."""
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.parse(path).getroot()
    parts = [root.findtext(f"{atom}title") or "", root.findtext(f"{atom}subtitle") or ""]
    for entry in root.iter(f"{atom}entry"):
        parts += [entry.findtext(f"{atom}title") or "", entry.findtext(f"{atom}summary") or ""]
        parts.append(VisibleText.of(entry.findtext(f"{atom}content") or ""))
    return root.get("{http://www.w3.org/XML/1998/namespace}lang"), " ".join(parts)


def test_french_history_pages_and_feeds_leave_no_english_ui_string(
    history_store: Path, french_history_site: Path
) -> None:
    site = french_history_site
    english = english_ui_strings(METHODOLOGY)
    # the history's own words are in the catalogue, so an English one left would be seen
    assert {"days ago", "verifications passed", "measured answers", "slowest answer"} <= english
    pages = [site / "index.html", *sorted((site / "entries").glob("*.html"))]
    for page in pages:
        html = page.read_text()
        assert 'id="availability-history"' in html or page.name == "index.html"
        assert left_in_english(VisibleText.of(html), english) == [], page.name
    recorded = store_recorded(history_store, site)
    for page in sorted((site / "entries").glob("*.md")):
        prose = markdown_prose(without(page.read_text().replace("\\", ""), recorded))
        assert left_in_english(prose, english) == [], page.name
    feeds = [site / "feed.xml", *sorted((site / "feeds").glob("*.xml"))]
    assert len(feeds) == 4
    for feed in feeds:
        lang, text = feed_text(feed)
        assert lang == "fr", feed.name
        assert left_in_english(without(text, recorded), english) == [], feed.name


def test_french_history_says_it_in_french(french_history_site: Path) -> None:
    """Counts agree in French, dates and numbers follow the locale, colons are spaced."""
    flaky = (french_history_site / "entries" / "flaky.html").read_text()
    assert "1 sur 1 vérification réussie" in flaky and "3 sur 5 vérifications" in flaky
    assert re.search(r"\d+\u00a0j \d+\u00a0h", flaky)  # the incident's duration
    assert "disponible (dernière vérification le " in flaky
    assert re.search(r"\d{1,2} (nov|déc)\. \d{4}, \d\d:\d\d UTC", flaky)
    assert "2026-" not in VisibleText.of(flaky).split("Preuves")[0]  # no ISO date in history
    pets = (french_history_site / "entries" / "pets.html").read_text()
    assert "1 opération supprimée" in pets and "INCOMPATIBLE" in pets and "BREAKING" not in pets
    index = (french_history_site / "index.html").read_text()
    run_line = re.search(r'<p class="run-line muted">(.*?)</p>', index, re.S)
    assert run_line and re.search(
        r"Exécution \d+ du \d{1,2} \w+\.? \d{4}, \d\d:\d\d UTC", run_line[1]
    )
    assert "Score de confiance\u00a0: 3 fiches" in index
    feed = (french_history_site / "feed.xml").read_text()
    assert "Score de confiance\u00a0: ce qui a changé" in feed


def test_the_english_history_site_and_feeds_stay_english(
    history_store: Path, tmp_path: Path
) -> None:
    site = store_site(history_store, tmp_path / "site-en", "en")
    lang, text = feed_text(site / "feed.xml")
    assert lang is None and "what changed" in text
    flaky = (site / "entries" / "flaky.html").read_text()
    assert "1 of 1 verification passed" in flaky and "3 of 5 verifications" in flaky


def test_a_degraded_run_is_announced_in_french(history_store: Path, tmp_path: Path) -> None:
    import sqlite3

    from auditor.store.db import Store
    from auditor.store.runs import list_runs, mark_degraded

    copy = tmp_path / "audit.db"
    with sqlite3.connect(history_store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store.open(copy, write=True) as opened:
        mark_degraded(opened, list_runs(opened)[-1].id, "the canary did not answer")
    site = store_site(copy, tmp_path / "site", "fr")
    for page in (site / "index.html", site / "entries" / "flaky.html"):
        html = page.read_text()
        assert "cette exécution était dégradée" in html and "this run was degraded" not in html
