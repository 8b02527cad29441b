"""``--lang`` of ``report`` and ``demo``, and ``lang`` in auditor.toml, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.render import standard_document

AUDITOR = str(Path(sys.executable).with_name("auditor"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUDITOR, *args], capture_output=True, text=True, timeout=180, cwd=cwd, check=False
    )


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(standard_document()))
    return path


def page_lang(site: Path, page: str = "index.html") -> str:
    head = (site / page).read_text()[:60]
    return head.split('<html lang="')[1].split('"')[0]


def test_report_lang_fr_writes_french_pages(tmp_path: Path, results: Path) -> None:
    proc = run("report", str(results), "-o", "site", "--lang", "fr", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    assert page_lang(site) == "fr" and page_lang(site, "methodology.html") == "fr"
    index = (site / "index.html").read_text()
    assert "Toutes les fiches" in index and "80,5" in index and "All entries" not in index
    markdown = (site / "entries" / "rich-api.md").read_text()
    assert "## Score de confiance" in markdown and "## Trust score" not in markdown
    # badges, JSON and CSV stay language-neutral
    assert "Good" in (site / "badges" / "rich-api.svg").read_text()
    assert json.loads((site / "results.json").read_text()) == json.loads(results.read_text())


def test_lang_in_auditor_toml_and_the_flag_wins(tmp_path: Path, results: Path) -> None:
    (tmp_path / "auditor.toml").write_text('lang = "fr"\n')
    assert run("report", str(results), "-o", "fr", cwd=tmp_path).returncode == 0
    assert page_lang(tmp_path / "fr") == "fr"
    assert run("report", str(results), "-o", "en", "--lang", "en", cwd=tmp_path).returncode == 0
    assert page_lang(tmp_path / "en") == "en"
    assert "Trust score" in (tmp_path / "en" / "index.html").read_text()


@pytest.mark.parametrize(
    ("args", "toml", "named"),
    [
        (["--lang", "de"], None, "--lang: unsupported language 'de'"),
        ([], 'lang = "klingon"\n', "auditor.toml: lang: unsupported language 'klingon'"),
        ([], "lang = 3\n", "auditor.toml: lang: unsupported language 3"),
    ],
)
def test_an_unsupported_language_is_bad_input(
    tmp_path: Path, results: Path, args: list[str], toml: str | None, named: str
) -> None:
    if toml is not None:
        (tmp_path / "auditor.toml").write_text(toml)
    proc = run("report", str(results), "-o", "site", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert named in proc.stderr and '(supported: "en", "fr")' in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "site" / "index.html").exists()


def test_demo_lang_fr(tmp_path: Path) -> None:
    proc = run("demo", "--format", "json", "--lang", "fr", "--site-dir", "site", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    scores = {r["id"]: r["score"] for r in json.loads(proc.stdout)["results"]}
    assert scores["data.gouv.fr"] == 73.25  # the scores do not depend on the language
    page = next((tmp_path / "site" / "entries").glob("data.gouv.fr*.html")).read_text()
    assert '<html lang="fr">' in page and "73,25" in page
    # the reasons are told again in French from the recorded findings
    assert "9 champs de métadonnées recommandés renseignés sur 10" in page


def test_demo_refuses_a_bad_language_before_it_runs(tmp_path: Path) -> None:
    proc = run("demo", "--lang", "EN-gb", "--site-dir", "site", cwd=tmp_path)
    assert proc.returncode == 2 and "unsupported language 'EN-gb'" in proc.stderr
    assert not (tmp_path / "site").exists()
