"""``auditor badge``: SVG and shields.io endpoint JSON per entry, from results or a catalog."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from tests.conftest import LocalServer
from tests.support.render import SHIELDS_ENDPOINT_SCHEMA, standard_document

AUDITOR = str(Path(sys.executable).with_name("auditor"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUDITOR, *args], capture_output=True, text=True, timeout=120, check=False
    )


def results_file(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(standard_document()))
    return path


def test_every_entry_gets_an_svg_and_a_valid_endpoint(tmp_path: Path) -> None:
    proc = run("badge", str(results_file(tmp_path)), "--output", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    svgs = sorted((tmp_path / "b").glob("*.svg"))
    endpoints = sorted((tmp_path / "b").glob("*.json"))
    assert len(svgs) == len(endpoints) == 4
    for path in svgs:
        ET.fromstring(path.read_text())
    for path in endpoints:
        jsonschema.validate(json.loads(path.read_text()), SHIELDS_ENDPOINT_SCHEMA)
    rich = json.loads((tmp_path / "b" / "rich-api.json").read_text())
    assert rich == {
        "schemaVersion": 1,
        "label": "trust score",
        "message": "80.5 · Good",
        "color": "#4c9a2a",
        "cacheSeconds": 3600,
    }
    assert str(tmp_path / "b" / "rich-api.svg") in proc.stdout.splitlines()


def test_one_entry_with_a_custom_label_and_stable_bytes(tmp_path: Path) -> None:
    source = results_file(tmp_path)
    for folder in ("one", "two"):
        proc = run(
            "badge",
            str(source),
            "--entry",
            "rich-api",
            "--label",
            "confiance",
            "-o",
            str(tmp_path / folder),
        )
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["rich-api.json", "rich-api.svg"]
    first = (tmp_path / "one" / "rich-api.svg").read_bytes()
    assert first == (tmp_path / "two" / "rich-api.svg").read_bytes()
    assert b'aria-label="confiance: 80.5 \xc2\xb7 Good"' in first


def test_badge_names_match_the_report_site(tmp_path: Path) -> None:
    source = results_file(tmp_path)
    run("report", str(source), "-o", str(tmp_path / "site"))
    proc = run("badge", str(source), "--entry", "../../etc/passwd", "-o", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    (name,) = {p.stem for p in (tmp_path / "b").iterdir()}
    assert (tmp_path / "site" / "badges" / f"{name}.svg").read_bytes() == (
        tmp_path / "b" / f"{name}.svg"
    ).read_bytes()


def test_unknown_entry_exits_2_naming_it(tmp_path: Path) -> None:
    proc = run("badge", str(results_file(tmp_path)), "--entry", "nope", "-o", str(tmp_path / "b"))
    assert proc.returncode == 2 and "'nope'" in proc.stderr


def test_badge_from_a_catalog_audits_only_the_chosen_entry(
    tmp_path: Path, http_server: LocalServer
) -> None:
    http_server.add("/a", 200, "{}", "application/json")
    http_server.add("/b", 200, "{}", "application/json")
    catalog = tmp_path / "c.yaml"
    catalog.write_text(
        f"- {{id: a, title: A, base_url: '{http_server.url('/a')}'}}\n"
        f"- {{id: b, title: B, base_url: '{http_server.url('/b')}'}}\n"
    )
    proc = run(
        "badge",
        str(catalog),
        "--entry",
        "b",
        "-o",
        str(tmp_path / "out"),
        "--allow-private-network",
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.json", "b.svg"]
    assert "/a" not in {path for _, path, _ in http_server.requests}
    assert "/b" in {path for _, path, _ in http_server.requests}
