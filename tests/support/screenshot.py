"""The README's screenshot: the demo's data.gouv.fr entry page, as headless Chromium draws it.

``tests/acceptance/test_browser.py`` takes it on every run and keeps it with the test
artefacts, so a change to the entry page shows up there first. The checked-in copy,
``docs/images/entry-data-gouv-fr.png``, is refreshed on request only (it changes with
every run's timestamps and latencies, which would churn the repository):

    python -m tests.support.screenshot
    AUDITOR_UPDATE_SCREENSHOTS=1 python -m pytest tests/acceptance/test_browser.py -k screenshot

Both run ``auditor demo`` for real (offline, its own fixture site on 127.0.0.1) and need
Debian's Chromium at /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS_SHOT = ROOT / "docs" / "images" / "entry-data-gouv-fr.png"
UPDATE_VARIABLE = "AUDITOR_UPDATE_SCREENSHOTS"
VIEWPORT = {"width": 1280, "height": 900}
"""A desktop window. The shot is clipped below the five axes (the header, the entry's
fields, the composite and the axis table), so the PNG stays small (< 300 KB)."""
ENTRY = "data.gouv.fr"
CHROMIUM = Path("/usr/bin/chromium")


def refresh_requested() -> bool:
    """Whether the test run should also overwrite the checked-in screenshot."""
    return os.environ.get(UPDATE_VARIABLE, "") not in {"", "0"}


def demo_site(folder: Path) -> Path:
    """``auditor demo`` run as a user runs it, its site written under ``folder``."""
    site = folder / "auditor-demo"
    results = folder / "results.json"
    command = [sys.executable, "-m", "auditor", "demo", "--format", "json", "-o", str(results)]
    proc = subprocess.run(
        [*command, "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=folder,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"auditor demo failed (exit {proc.returncode}): {proc.stderr}")
    return site


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no imaging library needed)."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def entry_screenshot(browser: Any, site: Path, shot: Path) -> str:
    """The data.gouv.fr entry page of ``site`` in a 1280x900 window, down to the axis
    table (1280x~1100), saved to ``shot``.

    Returns the composite score the page shows, so a caller can check that the
    picture is of the page it claims to be.
    """
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto((site / "entries" / f"{ENTRY}.html").as_uri(), wait_until="load")
        title = page.text_content("h1") or ""
        if "data.gouv.fr" not in title:
            raise AssertionError(f"not the data.gouv.fr entry page: h1 is {title!r}")
        composite = (page.text_content(".composite") or "").strip()
        shot.parent.mkdir(parents=True, exist_ok=True)
        box = page.locator("table.axes").bounding_box()
        if box is None:
            raise AssertionError("the entry page has no visible axis table")
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": box["y"] + box["height"] + 24}
        page.screenshot(path=str(shot), full_page=True, clip=clip, animations="disabled")
        return composite
    finally:
        page.close()


def main() -> int:
    """Refresh ``docs/images/entry-data-gouv-fr.png`` from a fresh demo run."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        print(f"no browser: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            shot = Path(tmp) / DOCS_SHOT.name
            composite = entry_screenshot(browser, demo_site(Path(tmp)), shot)
        finally:
            browser.close()
        DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SHOT)
    size = DOCS_SHOT.stat().st_size
    print(f"wrote {DOCS_SHOT} ({size:,} bytes; composite shown: {composite})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
