"""The report site in a real browser: headless Chromium (Debian's) driven by Playwright.

Checks what only a browser can: the pages run without console errors under
their Content-Security-Policy, sorting the table by score reorders the rows,
filtering hides rows, the badge image loads, and hostile catalog text never
runs (no dialog opens). Screenshots are saved in the test's tmp dir.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.render import standard_document

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AUDITOR = str(Path(sys.executable).with_name("auditor"))
HOSTILE_ID = "../../etc/passwd"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
if not CHROMIUM.exists():
    pytest.skip(
        f"no browser: {CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )


def build_site(tmp_path_factory: pytest.TempPathFactory, lang: str) -> Path:
    folder = tmp_path_factory.mktemp(f"browser-{lang}")
    results = folder / "results.json"
    results.write_text(json.dumps(standard_document()))
    proc = subprocess.run(
        [AUDITOR, "report", str(results), "-o", str(folder / "site"), "--lang", lang],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return folder / "site"


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, as a static host would serve it."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory, "en")


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def site_fr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same results as a French site (``--lang fr``): built once, like the English one."""
    return build_site(tmp_path_factory, "fr")


@pytest.fixture(scope="module")
def served_fr(site_fr: Path) -> Iterator[str]:
    with serving(site_fr) as url:
        yield url


@pytest.fixture
def in_language(request: pytest.FixtureRequest) -> tuple[str, Path, str]:
    """(lang, site, URL) of the test's ``lang`` parameter."""
    lang = request.param if hasattr(request, "param") else "en"
    if lang == "fr":
        return lang, request.getfixturevalue("site_fr"), request.getfixturevalue("served_fr")
    return lang, request.getfixturevalue("site"), request.getfixturevalue("served")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose console errors, page errors and dialogs are recorded."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str) -> Any:
        self.page.goto(url, wait_until="load")
        return self.page


def row_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#entries tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.id)"
    )


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_index_sorts_filters_and_has_no_console_errors(
    browser: Any, site: Path, served: str, scheme: str, tmp_path: Path
) -> None:
    watched = Watched(browser)
    url = f"{served}/index.html" if scheme == "http" else (site / "index.html").as_uri()
    page = watched.open(url)
    before = row_ids(page)
    assert before == ["rich-api", "bare", HOSTILE_ID, "RICH-API"]  # catalog order
    page.click("th[data-column='score'] button")
    assert row_ids(page) == [
        "rich-api",
        HOSTILE_ID,
        "RICH-API",
        "bare",
    ]  # 80.5, 62.86, 11.43, 5.71
    assert page.get_attribute("th[data-column='score']", "aria-sort") == "descending"
    page.click("th[data-column='score'] button")
    assert row_ids(page) == ["bare", "RICH-API", HOSTILE_ID, "rich-api"]
    page.click("th[data-column='availability'] button")
    assert row_ids(page)[0] == "rich-api"  # the only known availability; unknowns sort last
    page.fill("#filter", "rich")
    assert sorted(row_ids(page)) == ["RICH-API", "rich-api"]
    assert page.text_content("#shown") == "2"
    page.fill("#filter", "")
    page.select_option("#tier-filter", "poor")
    assert sorted(row_ids(page)) == ["RICH-API", "bare"]
    page.select_option("#tier-filter", "")
    assert len(row_ids(page)) == 4
    page.screenshot(path=str(tmp_path / f"index-{scheme}.png"), full_page=True)
    assert (tmp_path / f"index-{scheme}.png").stat().st_size > 10_000
    assert watched.problems == []
    page.close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_entry_page_badge_loads_and_hostile_text_stays_text(
    browser: Any, site: Path, served: str, scheme: str, tmp_path: Path
) -> None:
    watched = Watched(browser)
    index = watched.open(
        f"{served}/index.html" if scheme == "http" else (site / "index.html").as_uri()
    )
    hostile_href = index.eval_on_selector(f"tr[data-id='{HOSTILE_ID}'] a", "a => a.href")
    rich_href = index.eval_on_selector("tr[data-id='rich-api'] a", "a => a.href")
    assert hostile_href and rich_href
    page = index
    for href, shot in ((rich_href, "entry"), (hostile_href, "hostile")):
        page = watched.open(href)
        loaded = page.eval_on_selector(
            "img.badge", "img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0"
        )
        assert loaded, f"badge image did not load on {href}"
        page.screenshot(path=str(tmp_path / f"{shot}-{scheme}.png"), full_page=True)
    # the hostile title is visible as text and created no element
    assert "<script>alert(1)</script>" in page.text_content("h1")
    assert page.eval_on_selector_all(
        "main img", "imgs => imgs.every(i => i.src.includes('/badges/'))"
    )
    assert page.eval_on_selector_all("main iframe, main script", "found => found.length") == 0
    assert watched.problems == []
    page.close()


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a store with five nights of history (tests/support/history.py)."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import LocalServer
    from tests.support.history import nightly_history

    server = LocalServer()
    server.start()
    try:  # in a thread of its own: Playwright's event loop runs in this one
        with ThreadPoolExecutor(1) as pool:
            folder = tmp_path_factory.mktemp("history")
            store, _, _ = pool.submit(nightly_history, folder, server).result()
    finally:
        server.stop()
    proc = subprocess.run(
        [AUDITOR, "report", "--store", str(store), "-o", str(store.parent / "site")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return store.parent / "site"


SHOTS = Path("/tmp/auditor-browser-shots")


def visible_with_text_alternative(page: Any, selector: str) -> str:
    """The chart is drawn (a visible SVG with a size), names itself, and has a table."""
    svg = page.locator(f"{selector} svg").first
    assert svg.is_visible(), selector
    box = svg.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 20, (selector, box)
    label = svg.get_attribute("aria-label") or ""
    assert svg.evaluate("s => s.querySelector('title').textContent") and label
    summary = page.locator(f"{selector} details.data summary").first
    table = page.locator(f"{selector} details.data table").first
    assert not table.is_visible()
    summary.click()
    assert table.is_visible() and table.locator("tbody tr").count() >= 1
    return label


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_history_parts_are_visible_with_text_alternatives(
    browser: Any, history_site: Path, scheme: str
) -> None:
    folder = history_site

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}" if scheme == "http" else folder.as_uri()
    SHOTS.mkdir(exist_ok=True)
    try:
        watched = Watched(browser)
        page = watched.open(f"{root}/entries/flaky.html")
        assert page.locator("#availability-history table.uptime").is_visible()
        assert page.locator("tr[data-period='7d'] .uptime-value").text_content() == "60%"
        strip = page.locator("figure.strip svg")
        assert strip.is_visible() and strip.locator("rect.day").count() == 90
        assert "3 up, 0 degraded, 2 down, 85 not verified" in (
            strip.get_attribute("aria-label") or ""
        )
        assert strip.locator("rect.day.down").count() == 2
        assert page.locator("figure.strip .legend").is_visible()
        down = page.locator("figure.strip details.data")
        down.locator("summary").click()
        assert down.locator("tbody tr").filter(has_text="down").count() == 2
        assert page.locator("table.incidents tr.incident").count() == 1
        assert "503" in page.locator("table.incidents").text_content()
        assert "runs" in visible_with_text_alternative(page, "#score-trend")
        visible_with_text_alternative(page, "#availability-history figure:not(.strip)")
        page.screenshot(path=str(SHOTS / f"history-entry-{scheme}.png"), full_page=True)

        page = watched.open(f"{root}/entries/licensed.html")
        change = page.locator("#what-changed li.change").first
        assert change.is_visible() and "tier Fair → Poor" in change.text_content()
        page.screenshot(path=str(SHOTS / f"history-change-{scheme}.png"), full_page=True)

        page = watched.open(f"{root}/index.html")
        for part in ("#open-incidents", "#catalog-uptime", "#changed"):
            assert page.locator(part).is_visible(), part
        assert "Flaky API" in page.locator("#changed").text_content()
        visible_with_text_alternative(page, "figure.history-chart:nth-of-type(1)")
        assert page.locator("tr[data-id='flaky'] td.change").text_content().strip() == "▲ +12.25"
        page.click("th[data-column='uptime'] button")
        assert row_ids(page)[-1] == "flaky"  # 60% sorts below 100% (descending)
        page.screenshot(path=str(SHOTS / f"history-index-{scheme}.png"), full_page=True)
        assert watched.problems == []
        page.close()
    finally:
        server.shutdown()
        server.server_close()


ARTIFACTS = Path(os.environ.get("AUDITOR_ARTIFACTS", "/tmp/auditor-artifacts"))

BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent.closest("td, th, .pill, .composite") || parent.closest("code, a, pre")) continue;
    if (!parent.getClientRects().length) continue;
    const re = /[^\\s\\-\\/]+/g;  // a hyphen or slash is a fair place to wrap
    let m;
    while ((m = re.exec(node.data)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
      const word = /^\\(?[\\p{L}\\p{N}][\\p{L}\\p{N}.,%']*[.,:;)]?$/u.test(m[0]);  // a word or number
      if (tops.size > 1 && word && m[0].length <= 20) broken.push(m[0]);
    }
  }
  return broken;
}"""


def entry_href(site: Path) -> str:
    return next(p for p in sorted((site / "entries").glob("*.html")) if "rich" in p.name).name


WIDTHS = [("en", 360), ("en", 390), ("en", 1280), ("en", 1440), ("fr", 390), ("fr", 1280)]


@pytest.mark.parametrize(
    ("in_language", "width"),
    WIDTHS,
    indirect=["in_language"],
    ids=[f"{lang}-{w}" for lang, w in WIDTHS],
)
def test_pages_fit_the_screen_and_never_break_words(
    browser: Any, in_language: tuple[str, Path, str], width: int
) -> None:
    """No sideways scroll of the page; wide tables scroll in their own box; no word or
    number is split over two lines (long URLs and ids in code may wrap). French words
    are longer: the French site is checked at a phone's and a laptop's width."""
    lang, site, served = in_language
    suffix = "" if lang == "en" else f"-{lang}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name, path in (
        ("index", "index.html"),
        ("entry", f"entries/{entry_href(site)}"),
        ("methodology", "methodology.html"),
    ):
        page.goto(f"{served}/{path}", wait_until="load")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        shot = ARTIFACTS / f"{name}-{width}{suffix}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert scroll <= inner, f"{name} at {width}px is {scroll}px wide (see {shot})"
        assert page.evaluate(BROKEN_WORDS) == [], f"{name} at {width}px (see {shot})"
    page.close()


AXE_CACHE = Path(os.environ.get("AUDITOR_TEST_CACHE", Path.home() / ".cache" / "auditor-test"))


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core from the npm registry, installed once into a cache folder."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node/npm are missing: cannot install axe-core (apt-get install npm)")
    AXE_CACHE.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_CACHE), "axe-core@4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not script.exists():
        pytest.skip(f"npm could not install axe-core: {proc.stderr.strip()[-300:]}")
    return script


def serious_violations(page: Any, axe: Path) -> list[str]:
    page.add_script_tag(path=str(axe))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("in_language", ["en", "fr"], indirect=True)
def test_axe_finds_no_serious_violation(
    browser: Any, in_language: tuple[str, Path, str], axe_script: Path, width: int
) -> None:
    """On a phone's width too: the stacked cards and scrolling boxes are other markup."""
    lang, site, served = in_language
    # axe is injected as a script tag: the pages' CSP would block it, so bypass CSP here only
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = {}
    for path in ("index.html", f"entries/{entry_href(site)}", "methodology.html"):
        page.goto(f"{served}/{path}", wait_until="load")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert page.evaluate("document.documentElement.lang") == lang, path
        problems[path] = serious_violations(page, axe_script)
        shot = f"axe-{lang}-{width}-{path.replace('/', '-')}.png"
        page.screenshot(path=str(ARTIFACTS / shot))
    context.close()
    assert problems == {path: [] for path in problems}


def test_sorting_and_filtering_work_from_the_keyboard(browser: Any, served: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{served}/index.html", wait_until="load")
    score = page.locator("th[data-column='score']")
    assert score.locator("button").evaluate("b => b.tagName") == "BUTTON"
    score.locator("button").focus()
    page.keyboard.press("Enter")
    assert score.get_attribute("aria-sort") == "descending"
    assert row_ids(page) == ["rich-api", HOSTILE_ID, "RICH-API", "bare"]
    page.keyboard.press("Space")
    assert score.get_attribute("aria-sort") == "ascending"
    assert row_ids(page)[0] == "bare"
    sorted_elsewhere = page.eval_on_selector_all(
        "#entries th[aria-sort]:not([data-column='score'])",
        "ths => ths.every(th => th.getAttribute('aria-sort') === 'none')",
    )
    assert sorted_elsewhere
    page.locator("#filter").focus()
    page.keyboard.type("rich")
    live = page.locator("#filter-count")
    assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
    assert page.text_content("#shown") == "2"
    page.keyboard.press("Tab")  # to the tier filter
    assert page.evaluate("document.activeElement.id") == "tier-filter"
    page.close()


def test_entry_page_links_its_machine_readable_files_and_copies_them(
    browser: Any, site: Path, served: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{served}/entries/{entry_href(site)}", wait_until="load")
    items = json.loads((site / "results.json").read_text())["results"]
    for key in ("json", "markdown", "badge", "endpoint"):
        href = page.get_attribute(f"#file-{key}", "href")
        response = page.request.get(page.eval_on_selector(f"#file-{key}", "a => a.href"))
        assert response.ok, (key, href)
        if key == "json":
            shown = page.get_attribute("article.entry", "data-entry-id")
            assert response.json() in items and response.json()["id"] == shown
        if key == "endpoint":
            assert response.json()["schemaVersion"] == 1
    button = page.locator("button.copy[data-copy='file-json']")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#copy-status")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/entries/{entry_href(site).removesuffix('.html')}.json")
    assert "Copied" in page.text_content("#copy-status")
    assert problems == []
    context.close()


def test_demo_entry_screenshot_for_the_readme(browser: Any, tmp_path: Path) -> None:
    """The README's picture (tests/support/screenshot.py), taken of a real demo run; with
    AUDITOR_UPDATE_SCREENSHOTS=1 it also replaces docs/images/entry-data-gouv-fr.png."""
    from tests.support import screenshot

    shot = ARTIFACTS / screenshot.DOCS_SHOT.name
    composite = screenshot.entry_screenshot(browser, screenshot.demo_site(tmp_path), shot)
    width, height = screenshot.png_size(shot)
    assert (composite, width) == ("73.25", 1280) and 900 <= height <= 1600, (composite, height)
    assert 20_000 < shot.stat().st_size < 300_000, f"{shot} is {shot.stat().st_size:,} bytes"
    if screenshot.refresh_requested():
        shutil.copyfile(shot, screenshot.DOCS_SHOT)


@pytest.fixture(scope="module")
def history_site_fr(history_site: Path) -> Path:
    """The French site of the same store (``history_site``'s five nights)."""
    folder = history_site.parent / "site-fr"
    proc = subprocess.run(
        [AUDITOR, "report", "--store", str(history_site.parent / "audit.db"), "-o", str(folder),
         "--lang", "fr"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return folder


def test_french_history_entry_fits_and_axe_finds_no_serious_violation(
    browser: Any, history_site_fr: Path, axe_script: Path
) -> None:
    """The French entry page with its history parts (uptime, strip, charts and their
    tables open, incidents, what changed): no sideways scroll or split word at 390 and
    1280 px, and axe-core finds nothing serious or critical."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serving(history_site_fr) as served:
        for width in (390, 1280):
            context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(f"{served}/entries/flaky.html", wait_until="load")
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert page.evaluate("document.documentElement.lang") == "fr"
            assert page.locator("#availability-history").is_visible()
            shot = ARTIFACTS / f"history-entry-{width}-fr.png"
            page.screenshot(path=str(shot), full_page=True)
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, f"history entry at {width}px is {scroll}px wide (see {shot})"
            assert page.evaluate(BROKEN_WORDS) == [], f"history entry at {width}px (see {shot})"
            if width == 1280:
                assert serious_violations(page, axe_script) == []
            context.close()
