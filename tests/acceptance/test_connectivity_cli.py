"""A run whose own network fails records no API failure, marks itself degraded and says why.

The APIs are real HTTP servers on 127.0.0.1 reached through host names; the
machine's resolver is replaced at the event loop's ``getaddrinfo`` (a
resolver that cannot be reached is not something a test server can produce).
Where network namespaces are available, one test runs the CLI in a namespace
with no network at all: the real resolver then cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.store import Store, availability_stats, get_run, load_results
from tests.conftest import ROOT, LocalServer

HOSTS = [f"h{i}.example.test" for i in range(6)]


@pytest.fixture
def apis(http_server: LocalServer) -> LocalServer:
    http_server.add("/api", 200, "{}", "application/json")
    return http_server


class Resolver:
    """The machine's resolver as the event loop sees it: working, unreachable or NXDOMAIN."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mode = "ok"
        self.missing: set[str] = set()
        resolver = self

        async def lookup(loop: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if resolver.mode == "unreachable":
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            if resolver.mode == "nxdomain" or name in resolver.missing:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", lookup)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    return Resolver(monkeypatch)


def catalog(tmp_path: Path, port: int, hosts: list[str] = HOSTS) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "".join(
            f"- id: {host.split('.')[0]}\n  base_url: http://{host}:{port}/api\n" for host in hosts
        )
    )
    return path


def audit(path: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        main,
        ["audit", str(path), "--format", "json", "--allow-private-network", "--timeout", "2",
         "--limit", "retries=0", *extra],
        catch_exceptions=False,
    )  # fmt: skip


def availability(result: Any) -> dict[str, str]:
    document = json.loads(result.stdout)
    return {
        r["id"]: next(f["outcome"] for f in r["findings"] if f["check"] == "availability")
        for r in document["results"]
    }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once it is closed


def test_a_run_with_an_unreachable_resolver_records_no_availability_failure(
    tmp_path: Path, apis: LocalServer, resolver: Resolver
) -> None:
    path, store = catalog(tmp_path, apis.port), tmp_path / "audit.db"
    assert audit(path, "--store", str(store)).exit_code == 0
    resolver.mode = "unreachable"
    night = audit(path, "--store", str(store))
    assert night.exit_code == 0, night.output
    assert set(availability(night).values()) == {"unknown"}, "the auditor's DNS is not the APIs'"
    assert "DEGRADED" in night.stderr and "resolver" in night.stderr
    finding = next(
        f for f in json.loads(night.stdout)["results"][0]["findings"]
        if f["check"] == "availability.base_url"
    )  # fmt: skip
    assert finding["facts"]["error_class"] == "resolver"
    assert "the auditor's DNS resolver gave no answer" in finding["message"]
    resolver.mode = "ok"
    after = audit(path, "--store", str(store))
    assert set(availability(after).values()) == {"pass"}
    reason = json.loads(after.stdout)["results"][0]["axes"]["availability"]["reason"]
    assert "2 of 2 verifications succeeded" in reason  # the night without DNS is not counted
    with Store.open(store) as opened:
        assert get_run(opened, 2).degraded is not None and get_run(opened, 3).degraded is None
        stats = availability_stats(opened, "h0")
        assert (stats.failed, stats.succeeded, stats.not_established) == (0, 2, 1)
    notify = CliRunner().invoke(
        main, ["notify", "--store", str(store), "--dry-run", "--format", "json"]
    )
    assert notify.exit_code == 0, notify.output
    kinds = [e["kind"] for e in json.loads(notify.stdout)["events"]]
    assert kinds == ["degraded"], "a night without DNS paged someone"


def test_every_name_failing_is_the_auditors_network_not_six_outages(
    tmp_path: Path, apis: LocalServer, resolver: Resolver
) -> None:
    """As on a machine whose resolver answers NXDOMAIN for everything."""
    path, store = catalog(tmp_path, apis.port), tmp_path / "audit.db"
    resolver.mode = "nxdomain"
    night = audit(path, "--store", str(store))
    assert night.exit_code == 0, night.output
    assert "6 of 6 hosts got no HTTP answer at all (dns 6)" in night.stderr
    assert set(availability(night).values()) == {"unknown"}
    with Store.open(store) as opened:
        assert "6 of 6 hosts" in (get_run(opened, 1).degraded or "")
        stored = [
            f for r in load_results(opened, 1) for f in r.findings
            if f.check == "availability.base_url"
        ]  # fmt: skip
    assert {f.outcome.value for f in stored} == {"unknown"}
    assert all(f.facts["not_established"] for f in stored) and len(stored) == 6


def test_one_name_that_does_not_exist_is_that_apis_failure(
    tmp_path: Path, apis: LocalServer, resolver: Resolver
) -> None:
    path, store = catalog(tmp_path, apis.port), tmp_path / "audit.db"
    resolver.missing = {HOSTS[0]}
    night = audit(path, "--store", str(store))
    assert night.exit_code == 0, night.output
    outcomes = availability(night)
    assert outcomes.pop("h0") == "fail"
    assert set(outcomes.values()) == {"pass"}
    assert "DEGRADED" not in night.stderr
    with Store.open(store) as opened:
        assert get_run(opened, 1).degraded is None


def test_a_canary_that_gets_no_answer_marks_the_run_degraded(
    tmp_path: Path, apis: LocalServer
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        f"- id: up\n  base_url: {apis.url('/api')}\n"
        "- id: refused\n  base_url: http://127.0.0.1:9/api\n"
    )
    canary = f"http://127.0.0.1:{closed_port()}/"
    store = tmp_path / "audit.db"
    night = audit(path, "--store", str(store), "--canary", canary)
    assert night.exit_code == 0, night.output
    assert f"canary {canary} got no answer at the start of the run" in night.stderr
    assert "DEGRADED" in night.stderr
    assert availability(night) == {"up": "pass", "refused": "unknown"}
    with Store.open(store) as opened:
        degraded = get_run(opened, 1).degraded or ""
    assert "at the start of the run" in degraded and "at the end of the run" in degraded

    # without a store too, and from [verifier] canary in auditor.toml
    (tmp_path / "auditor.toml").write_text(f'[verifier]\ncanary = "{canary}"\n')
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        memory = audit(path)
    finally:
        os.chdir(cwd)
    assert memory.exit_code == 0, memory.output
    assert "DEGRADED" in memory.stderr
    assert availability(memory) == {"up": "pass", "refused": "unknown"}

    # a sound canary: the refused host is that host's failure
    sound = audit(path, "--canary", apis.url("/api"))
    assert availability(sound) == {"up": "pass", "refused": "fail"}
    assert "DEGRADED" not in sound.stderr


def test_a_canary_the_policy_refuses_is_bad_input(tmp_path: Path, apis: LocalServer) -> None:
    path, store = catalog(tmp_path, apis.port), tmp_path / "audit.db"
    result = CliRunner().invoke(
        main, ["audit", str(path), "--store", str(store), "--canary", "http://127.0.0.1:9/"]
    )
    assert result.exit_code == 2
    assert "canary http://127.0.0.1:9/" in result.output
    assert "--allow-private-network" in result.output
    assert not store.exists()


def _unshare() -> str | None:
    tool = shutil.which("unshare")
    if tool is None:
        return None
    probe = subprocess.run([tool, "-n", "true"], capture_output=True, timeout=30)
    return tool if probe.returncode == 0 else None


@pytest.mark.slow
def test_a_machine_without_network_audits_nothing_into_outages(tmp_path: Path) -> None:
    """In a network namespace with no interface, nothing leaves the machine: the real
    resolver cannot be reached (EAI_AGAIN) and addresses have no route (ENETUNREACH)."""
    unshare = _unshare()
    if unshare is None:
        pytest.skip("network namespaces are not available here (unshare -n)")
    path = tmp_path / "catalog.yaml"
    entries = [f"- id: api{i}\n  base_url: https://api{i}.example.org/v1\n" for i in range(5)]
    entries.append("- id: literal\n  base_url: http://192.0.2.10/v1\n")  # TEST-NET-1
    path.write_text("".join(entries))
    store = tmp_path / "audit.db"
    done = subprocess.run(
        [unshare, "-n", sys.executable, "-m", "auditor", "audit", str(path), "--store",
         str(store), "--format", "json", "--allow-private-network", "--timeout", "3",
         "--canary", "https://example.org/"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    outcomes = {
        r["id"]: {f["check"]: f for f in r["findings"]} for r in json.loads(done.stdout)["results"]
    }
    assert {o["availability"]["outcome"] for o in outcomes.values()} == {"unknown"}
    assert outcomes["api0"]["availability.base_url"]["facts"]["error_class"] == "resolver"
    assert outcomes["literal"]["availability.base_url"]["facts"]["error_class"] == "no_route"
    assert "canary https://example.org/ got no answer" in done.stderr
    assert "DEGRADED" in done.stderr
    with Store.open(store) as opened:
        assert get_run(opened, 1).degraded is not None
