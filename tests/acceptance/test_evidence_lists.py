"""Loading official lists from files, URLs (cached on disk) and configuration, and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.config import Config, ConfigError, load_config
from auditor.context import AuditSettings, NetworkPolicy
from auditor.evidence.lists import ListError, ListSource, from_cli, from_config, load_lists
from tests.conftest import LocalServer

LOCAL = AuditSettings(network=NetworkPolicy(allow_private=True))
HOSTS = "# public bodies\nmairie-exemple.fr\nwww.cc-exemple.fr\n"


def _serve(server: LocalServer, path: str, body: str, status: int = 200) -> None:
    server.add(path, status, body, "text/plain", {"Last-Modified": "Wed, 11 Dec 2024 10:00:00 GMT"})


def test_file_list_gets_its_name_format_and_date(tmp_path: Path) -> None:
    path = tmp_path / "hosts.txt"
    path.write_text(HOSTS)
    os.utime(path, (1733911200, 1733911200))  # 2024-12-11
    lists = asyncio.run(load_lists([ListSource("domains", str(path), name="fr-public")], LOCAL))
    (loaded,) = lists.domains
    assert loaded.name == "fr-public"
    assert loaded.updated == "2024-12-11"
    assert loaded.domains == {"mairie-exemple.fr", "cc-exemple.fr"}
    assert loaded.lines["cc-exemple.fr"] == 3
    assert loaded.source == str(path)


def test_url_list_is_fetched_once_and_cached(http_server: LocalServer, tmp_path: Path) -> None:
    _serve(http_server, "/hosts.txt", HOSTS)
    source = ListSource("domains", http_server.url("/hosts.txt"))
    first = asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    second = asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    assert [r[1] for r in http_server.requests] == ["/hosts.txt"]
    assert (
        first.domains[0].domains
        == second.domains[0].domains
        == {"mairie-exemple.fr", "cc-exemple.fr"}
    )
    assert first.domains[0].updated == second.domains[0].updated == "2024-12-11"
    assert first.domains[0].name == "hosts"
    assert len(list(tmp_path.iterdir())) == 2  # body + metadata


def test_failed_refresh_falls_back_to_the_cached_copy(
    http_server: LocalServer, tmp_path: Path
) -> None:
    _serve(http_server, "/hosts.txt", HOSTS)
    source = ListSource("domains", http_server.url("/hosts.txt"))
    asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    _serve(http_server, "/hosts.txt", "", status=500)
    again = asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path, max_age=timedelta(0)))
    assert again.domains[0].domains == {"mairie-exemple.fr", "cc-exemple.fr"}
    assert len(again.notes) == 1 and "refresh failed (HTTP 500" in again.notes[0]


@pytest.mark.parametrize(
    ("body", "status", "fmt", "message"),
    [
        ("", 404, None, "cannot fetch list"),
        ("{broken", 200, "json", "not valid JSON"),
        ("# nothing\n", 200, None, "no domains found"),
    ],
)
def test_unusable_url_lists_are_errors(
    http_server: LocalServer, tmp_path: Path, body: str, status: int, fmt: str | None, message: str
) -> None:
    _serve(http_server, "/list", body, status)
    url = http_server.url("/list")
    with pytest.raises(ListError, match=message) as caught:
        asyncio.run(load_lists([ListSource("domains", url, format=fmt)], LOCAL, cache_dir=tmp_path))
    assert url in str(caught.value)


def test_url_lists_go_through_the_guarded_fetcher(http_server: LocalServer, tmp_path: Path) -> None:
    _serve(http_server, "/hosts.txt", HOSTS)
    source = ListSource("domains", http_server.url("/hosts.txt"))
    with pytest.raises(ListError, match="refused"):
        asyncio.run(load_lists([source], AuditSettings(), cache_dir=tmp_path))
    assert http_server.requests == []


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="cannot read list"):
        asyncio.run(load_lists([ListSource("domains", str(tmp_path / "nope.csv"))], LOCAL))


@pytest.mark.parametrize(
    ("value", "name", "location"),
    [
        ("us-dotgov=/data/current-full.csv", "us-dotgov", "/data/current-full.csv"),
        ("/data/current-full.csv", None, "/data/current-full.csv"),
        ("https://h/list?a=b", None, "https://h/list?a=b"),
        ("fr=https://h/urls.txt", "fr", "https://h/urls.txt"),
    ],
)
def test_cli_values(value: str, name: str | None, location: str) -> None:
    source = from_cli("domains", value)
    assert (source.name, source.location) == (name, location)


def test_config_lists_resolve_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text(
        'domain_lists = [{name = "us", path_or_url = "lists/current-full.csv", format = "csv"},'
        ' "https://example.org/urls.txt"]\n'
        'github_org_lists = [{path_or_url = "governments.yml", updated = "2024-03"}]\n'
    )
    sources = from_config(load_config(directory=tmp_path))
    assert sources == [
        ListSource("domains", str(tmp_path / "lists" / "current-full.csv"), "us", "csv"),
        ListSource("domains", "https://example.org/urls.txt"),
        ListSource("github_orgs", str(tmp_path / "governments.yml"), updated="2024-03"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"domain_lists": "x.csv"}, "must be a list"),
        ({"domain_lists": [{"name": "x"}]}, "needs path_or_url"),
        ({"github_org_lists": [{"path_or_url": "x", "colour": "red"}]}, "unknown keys"),
        ({"domain_lists": [{"path_or_url": "x", "name": ["a"]}]}, "name must be text"),
    ],
)
def test_bad_config_is_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_config(Config(data, Path("/cfg/auditor.toml")))


def _catalog(tmp_path: Path) -> Path:
    """Entries whose URLs need no network: ftp:// is never fetched, only matched."""
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "entries:\n"
        "  - {id: mairie, title: Mairie, base_url: 'ftp://data.mairie-exemple.fr/export'}\n"
        "  - id: org\n    title: Org\n    base_url: 'ftp://files.example.com/x'\n"
        "    docs_url: 'ftp://github.com/Ministry-Of-Tests/docs'\n"
    )
    return path


def _signals(output: str) -> dict[str, dict[str, dict[str, object]]]:
    document = json.loads(output)
    return {
        r["id"]: {s["id"]: s for s in r["axes"]["officialness"]["signals"]}
        for r in document["results"]
    }


def test_cli_domain_list_from_a_url_is_cached(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(http_server, "/hosts.txt", HOSTS)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    args = [
        "audit",
        str(_catalog(tmp_path)),
        "--format",
        "json",
        "--allow-private-network",
        "--domain-list",
        f"fr-public={http_server.url('/hosts.txt')}",
    ]
    for _ in range(2):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        signal = _signals(result.stdout)["mairie"]["official-domain"]
        assert signal["outcome"] == "pass"
        assert signal["evidence"] == (
            "official domain (mairie-exemple.fr), list: fr-public (2024-12-11) line 2: mairie-exemple.fr"
        )
    assert [r[1] for r in http_server.requests] == ["/hosts.txt"]
    assert list((tmp_path / "cache" / "auditor" / "lists").iterdir())


def test_cli_reads_lists_from_auditor_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hosts.txt").write_text(HOSTS)
    (tmp_path / "govs.yml").write_text("Testland:\n  - ministry-of-tests\n")
    (tmp_path / "auditor.toml").write_text(
        'domain_lists = [{name = "fr-public", path_or_url = "hosts.txt", updated = "2024-12-11"}]\n'
        'github_org_lists = [{name = "govs", path_or_url = "govs.yml"}]\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["audit", str(_catalog(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    signals = _signals(result.stdout)
    assert signals["mairie"]["official-domain"]["outcome"] == "pass"
    assert "list: fr-public (2024-12-11)" in str(signals["mairie"]["official-domain"]["evidence"])
    github = signals["org"]["github-org"]
    assert github["outcome"] == "pass" and "list: govs" in str(github["evidence"])
    assert signals["org"]["official-domain"]["outcome"] == "fail"


def test_cli_unreadable_list_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["audit", str(_catalog(tmp_path)), "--domain-list", str(tmp_path / "missing.csv")]
    )
    assert result.exit_code == 2
    assert "cannot read list" in result.output and "missing.csv" in result.output


def test_toml_bare_date_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text(
        'domain_lists = [{path_or_url = "a.txt", updated = 2024-12-11}]\n'
    )
    (source,) = from_config(load_config(directory=tmp_path))
    assert source.updated == "2024-12-11"


def test_corrupt_cache_metadata_means_refetch(http_server: LocalServer, tmp_path: Path) -> None:
    _serve(http_server, "/hosts.txt", HOSTS)
    source = ListSource("domains", http_server.url("/hosts.txt"))
    asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    for meta in tmp_path.glob("*.json"):
        meta.write_text('{"fetched_at": "yesterday"}')
    again = asyncio.run(load_lists([source], LOCAL, cache_dir=tmp_path))
    assert again.domains[0].domains == {"mairie-exemple.fr", "cc-exemple.fr"}
    assert len(http_server.requests) == 2
