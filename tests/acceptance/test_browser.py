"""The report site in a real browser: headless Chromium (Debian's) driven by Playwright.

Checks what only a browser can: the pages run without console errors under
their Content-Security-Policy, sorting the table by score reorders the rows,
filtering hides rows, the badge image loads, and hostile catalog text never
runs (no dialog opens). Screenshots are saved in the test's tmp dir.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    results = folder / "results.json"
    results.write_text(json.dumps(standard_document()))
    proc = subprocess.run(
        [AUDITOR, "report", str(results), "-o", str(folder / "site")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, as a static host would serve it."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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
