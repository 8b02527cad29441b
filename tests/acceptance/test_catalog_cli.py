"""``auditor catalog`` and ``auditor audit`` reading every source type, as a user runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.catalog import load_sources
from auditor.context import AuditSettings, NetworkPolicy
from auditor.errors import CatalogError
from tests.conftest import LocalServer
from tests.support.datagouv import ENDPOINT, FakeDatagouv, record

AUDITOR = str(Path(sys.executable).with_name("auditor"))
ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "fixtures" / "catalogs"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUDITOR, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


@pytest.mark.realworld
def test_catalog_lists_the_170_api_gouv_fr_entries_with_their_problems(corpus: Path) -> None:
    relative = Path("..") / corpus.relative_to(ROOT.parent) / "api_gouv_fr"
    proc = run("catalog", f"apigouv:{relative}", "--format", "json", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["schema_version"] == 1
    assert document["summary"]["entries"] == 170
    assert len(document["entries"]) == 170
    assert {e["catalog"] for e in document["entries"]} == {"api_gouv_fr"}
    assert document["summary"]["missing_by_field"]["license"] == 170  # api.gouv.fr has none
    fields = {p["field"] for e in document["entries"] for p in e["problems"]}
    assert {"extrenal_site", "visit_2019"} <= fields
    typo = next(
        e for e in document["entries"] if any(p["field"] == "extrenal_site" for p in e["problems"])
    )
    assert typo["homepage_url"] is None
    assert typo["declared"]["access_type"] in {"open", "open_with_account", "restricted"}


def test_catalog_formats_and_fail_on_problems(tmp_path: Path) -> None:
    proc = run("catalog", str(CATALOGS / "small.csv"), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["id"] for r in rows] == ["meteo", "registre-des-bus", "pretend"]
    assert rows[2]["catalog"] == "file"
    assert "claims the official catalog 'api_gouv_fr'" in rows[2]["problems"]
    assert "description" in rows[0]["missing"].split(", ")

    proc = run("catalog", str(CATALOGS / "small.csv"), "--format", "table")
    assert proc.returncode == 0, proc.stderr
    assert "registre-des-bus" in proc.stdout and "3 entries" in proc.stdout

    proc = run("catalog", f"datagouv:{CATALOGS / 'datagouv-page.json'}", "--with-raw")
    document = json.loads(proc.stdout)
    assert document["entries"][0]["raw"]["organization_badges"] == ["public-service", "certified"]
    assert document["entries"][0]["declared"]["declared_availability"] == 99.5
    assert [p["entry"] for p in document["source_problems"]] == ["#3", "#5"]

    assert run("catalog", str(CATALOGS / "small.csv"), "--fail-on-problems").returncode == 1
    clean = tmp_path / "clean.yaml"
    clean.write_text("- id: a\n  title: A\n  base_url: https://a.example\n")
    assert run("catalog", str(clean), "--fail-on-problems").returncode == 0
    proc = run("catalog", str(clean), "--source-type", "apisguru")
    assert proc.returncode == 2 and "not an APIs.guru list.json" in proc.stderr


SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Spec File",
        "version": "1",
        "x-providerName": "local.example",
        "x-apisguru-categories": ["test"],
    },
    "servers": [{"url": "SERVER"}],
    "paths": {},
}


def write_sources(tmp: Path, server: LocalServer) -> list[str]:
    """One source of every type, every URL on the local server."""
    api = server.url("/api")
    spec = json.dumps(SPEC).replace("SERVER", api)
    (tmp / "native.yaml").write_text(
        f"- id: native\n  title: Native\n  base_url: {api}\n  catalog: api_gouv_fr\n"
    )
    (tmp / "native.csv").write_text(f"id,title,base_url\ncsv-entry,CSV,{api}\n")
    (tmp / "spec.json").write_text(spec.replace("Spec File", "Single Spec"))
    (tmp / "folder").mkdir()
    (tmp / "folder" / "a.json").write_text(spec.replace("Spec File", "Folder Spec"))
    (tmp / "guru" / "local.example").mkdir(parents=True)
    (tmp / "guru" / "local.example" / "svc.json").write_text(spec)
    dump = [record("dumped") | {"base_api_url": api}]
    (tmp / "dump.json").write_text(json.dumps(dump))
    (tmp / "detected.json").write_text(json.dumps([record("detected") | {"base_api_url": api}]))
    guru_list = {
        "local.example:listed": {
            "preferred": "1",
            "versions": {
                "1": {
                    "info": SPEC["info"] | {"title": "Listed"},
                    "swaggerUrl": server.url("/spec.json"),
                }
            },
        }
    }
    (tmp / "list.json").write_text(json.dumps(guru_list))
    checkout = tmp / "checkout" / "_data"
    (checkout / "api").mkdir(parents=True)
    (checkout / "producteurs").mkdir()
    (checkout / "producteurs" / "p.md").write_text("---\nname: Producteur\n---\n")
    (checkout / "api" / "fiche.md").write_text(
        f"---\ntitle: Fiche\ntagline: T\nproducer: p\nis_open: 1\ndoc_tech_link: {server.url('/spec.json')}\n"
        "contact_link: a@b.fr\nkeywords: []\nthemes: []\n---\n"
    )
    return [
        str(tmp / "native.yaml"),
        str(tmp / "native.csv"),
        str(tmp / "spec.json"),
        str(tmp / "folder"),
        f"apisguru:{tmp / 'guru'}",
        f"apisguru:{tmp / 'list.json'}",
        f"datagouv:{tmp / 'dump.json'}",
        str(tmp / "detected.json"),
        f"apigouv:{tmp / 'checkout'}",
        f"datagouv:{server.url('/')}",
    ]


def portal(result: dict[str, Any]) -> str:
    finding = next(f for f in result["findings"] if f["check"] == "portal_listing")
    return str(finding["outcome"])


def test_audit_accepts_every_source_type(tmp_path: Path, http_server: LocalServer) -> None:
    http_server.add("/api", 200, "{}", "application/json")
    http_server.add(
        "/spec.json",
        200,
        json.dumps(SPEC).replace("SERVER", http_server.url("/api")),
        "application/json",
    )
    fake = FakeDatagouv(http_server, {}, total=1)
    live = record("live-1", badges=("certified",)) | {"base_api_url": http_server.url("/api")}
    fake.pages = {1: [(200, fake.page(1, [live], last=True))]}
    sources = write_sources(tmp_path, http_server)
    args = ["audit", *sources, "--format", "json", "--allow-private-network", "--timeout", "2"]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    results = {r["id"]: r for r in json.loads(proc.stdout)["results"]}
    assert {k: r["entry"]["catalog"] for k, r in results.items()} == {
        "native": "file",
        "csv-entry": "file",
        "single-spec": "spec",
        "folder-spec": "spec",
        "local.example-svc": "apisguru",
        "local.example-listed": "apisguru",
        "dumped": "datagouv",
        "detected": "file",
        "fiche": "api_gouv_fr",
        "live-1": "datagouv",
    }
    # only the sources the user selected as official portals earn the listing
    listed = {k for k, r in results.items() if portal(r) == "pass"}
    assert listed == {"dumped", "fiche", "live-1"}
    assert results["live-1"]["axes"]["availability"]["score"] == 100
    assert "claims the official catalog 'api_gouv_fr'" in proc.stderr
    assert "read as a data.gouv.fr dump (detected)" in proc.stderr
    assert any(path == ENDPOINT for _, path, _ in http_server.requests)


def test_audit_filters(tmp_path: Path) -> None:
    proc = run(
        "audit",
        f"apigouv:{CATALOGS / 'apigouv'}",
        "--tag",
        "nothing-has-this-tag",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"] == []


def test_catalogs_fetched_by_url(http_server: LocalServer) -> None:
    http_server.add(
        "/list.json", 200, (CATALOGS / "apisguru-list.json").read_bytes(), "application/json"
    )
    http_server.add("/catalog.csv", 200, (CATALOGS / "small.csv").read_bytes(), "text/csv")
    http_server.add("/gone.yaml", 404, "not here")
    settings = AuditSettings(network=NetworkPolicy(allow_private=True))

    def ids(source: str) -> list[str]:
        loaded = asyncio.run(load_sources([source], settings))
        return [e.id for e in loaded.entries]

    assert ids(f"apisguru:{http_server.url('/list.json')}") == [
        "example.gouv.uk-bus",
        "unofficial.example.com",
    ]
    assert ids(http_server.url("/list.json")) == ["example.gouv.uk-bus", "unofficial.example.com"]
    assert ids(http_server.url("/catalog.csv")) == ["meteo", "registre-des-bus", "pretend"]
    with pytest.raises(CatalogError, match="HTTP 404"):
        ids(http_server.url("/gone.yaml"))


def test_a_mistyped_prefix_and_the_entries_cap_from_the_command_line(tmp_path: Path) -> None:
    proc = run("catalog", "apigov:../api.gouv.fr", "--format", "json")
    assert proc.returncode == 2
    assert "did you mean 'apigouv:'?" in proc.stderr and "Traceback" not in proc.stderr

    catalog = tmp_path / "c.yaml"
    catalog.write_text("".join(f"- id: a{i}\n  title: A\n" for i in range(5)))
    proc = run("catalog", str(catalog), "--format", "json", "--limit", "max_catalog_entries=2")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert [e["id"] for e in document["entries"]] == ["a0", "a1"]
    (problem,) = document["source_problems"]
    assert problem["origin"] == str(catalog)
    assert "--limit max_catalog_entries=N" in problem["message"]

    proc = run("catalog", str(catalog), "--limit", "max_catalog_entrys=2")
    assert proc.returncode == 2 and "unknown limit 'max_catalog_entrys'" in proc.stderr
