"""A run killed with SIGKILL keeps every entry that finished more than the commit window
before the kill; ``--resume`` finishes it; a second writer meanwhile is refused and the
store stays sound. With ``--workers`` the workers stop with their parent."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from auditor.run.workers import WATCH_SECONDS
from auditor.store.batch import COMMIT_SECONDS
from auditor.store.lock import WriterLock
from tests.conftest import LocalServer

AUDITOR = str(Path(sys.executable).with_name("auditor"))
FAST, SLOW = 4, 2
SLACK = 1.5
"""Seconds beyond the window for the commit timer's tick and a loaded machine."""


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def cmdline(pid: int) -> bytes:
    """A process's command line; empty once it is gone (a worker done with its part may exit
    between listing and reading)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def recorded(store: Path) -> set[str]:
    if not store.exists():
        return set()
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return {row[0] for row in db.execute("SELECT entry_id FROM results")}
    except sqlite3.OperationalError:  # schema not created yet
        return set()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL, /proc")
@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_loses_no_entry_finished_before_the_window_and_resume_skips_them(
    tmp_path: Path, http_server: LocalServer, workers: int
) -> None:
    release = threading.Event()
    answered: list[float] = []

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(60)
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def fast(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        answered.append(time.monotonic())

    lines = []
    for i in range(FAST):
        http_server.routes[f"/fast{i}"] = fast
        # two host names, so that --workers 2 runs two processes
        url = http_server.url(f"/fast{i}").replace(
            "127.0.0.1", "localhost" if i % 2 else "127.0.0.1"
        )
        lines.append(f"- {{id: fast{i}, title: Fast {i}, base_url: '{url}'}}")
    for i in range(SLOW):
        http_server.routes[f"/slow{i}"] = slow
        lines.append(
            f"- {{id: slow{i}, title: Slow {i}, base_url: '{http_server.url(f'/slow{i}')}'}}"
        )
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("\n".join(lines) + "\n")
    store = tmp_path / "audit.db"
    command = [
        AUDITOR, "audit", str(catalog), "--store", str(store), "--format", "json",
        "--allow-private-network", "--timeout", "60", "--per-host", "16",
        "--workers", str(workers),
    ]  # fmt: skip

    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while len(answered) < FAST and time.monotonic() < deadline:
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        # The slow entries are still running: nothing else finishes to trigger a commit,
        # and the fast ones are committed within the window all the same.
        while (
            len(recorded(store)) < FAST and time.monotonic() < answered[-1] + COMMIT_SECONDS + SLACK
        ):
            time.sleep(0.05)
        assert recorded(store) == {f"fast{i}" for i in range(FAST)}
        # the worker holding the slow entries runs on (the other may have finished its part;
        # a spawning run also has multiprocessing's resource tracker among its children)
        workers_pids = children(first.pid) if workers > 1 else set()
        assert workers_pids if workers > 1 else True
        # recording a store, the workers are spawned (never forked: SQLite's state)
        lines = [cmdline(pid) for pid in workers_pids]
        assert all(b"spawn_main" in line for line in lines if b"resource_tracker" not in line)
        assert any(b"spawn_main" in line for line in lines) if workers > 1 else True

        # a second writer while the first is alive: refused with a clear message
        second = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert second.returncode == 2, second.stderr
        assert f"being written by auditor pid {first.pid}" in second.stderr

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        # the lock ends with the process that took it, its workers still running or not
        with WriterLock(store) as lock:
            lock.acquire("the test, right after the kill")
        stop = time.monotonic() + WATCH_SECONDS + 10
        while any(alive(pid) for pid in workers_pids) and time.monotonic() < stop:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers_pids)  # no worker outlives its parent
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    assert first.returncode == -signal.SIGKILL

    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*), MAX(finished_at) FROM runs").fetchone() == (1, None)
        findings = db.execute("SELECT COUNT(DISTINCT entry_id) FROM findings").fetchone()[0]
        assert findings == FAST  # each finished entry with its findings, nothing half-written

    release.set()
    http_server.requests.clear()
    resumed = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{FAST} entries already recorded, {SLOW} to go" in resumed.stderr
    probed = {path for _method, path, _headers in http_server.requests}
    assert not any(path.startswith("/fast") for path in probed), probed
    assert {f"/slow{i}" for i in range(SLOW)} <= probed
    results = json.loads(resumed.stdout)["results"]
    assert [r["id"] for r in results] == [
        *(f"fast{i}" for i in range(FAST)),
        *(f"slow{i}" for i in range(SLOW)),
    ]
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        run = db.execute("SELECT COUNT(*), MIN(finished_at) IS NOT NULL FROM runs").fetchone()
        assert run == (1, 1)
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == FAST + SLOW


KILLED_WHILE_SENDING = """
import sys, time
from auditor.context import AuditSettings, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry
from auditor.run.workers import ProcessExecutor

port, count = int(sys.argv[1]), int(sys.argv[2])
entries = [
    Entry(id=f"{h}-{i}", title=f"API {i}", base_url=f"http://{h}:{port}/api{i}")
    for h in ("127.0.0.1", "localhost")
    for i in range(count)
]
executor = ProcessExecutor(2)
settings = AuditSettings(network=NetworkPolicy(allow_private=True))
for _result in executor.stream(entries, settings, load_methodology(), run=None):
    print(executor.started_with, flush=True)
    time.sleep(600)  # reads no more: the workers' pipes fill, then the test kills this process
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL, /proc")
def test_workers_blocked_on_a_full_pipe_stop_when_their_parent_is_killed(
    http_server: LocalServer,
) -> None:
    count = 120  # results enough to fill a pipe (64 KiB) many times over
    for i in range(count):
        http_server.add(f"/api{i}", 200, '{"ok": true}', "application/json")
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED_WHILE_SENDING, str(http_server.port), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    workers: set[int] = set()
    try:
        assert parent.stdout is not None
        started = parent.stdout.readline().decode().strip()
        assert started == "fork", parent.stderr.read() if parent.stderr else ""
        workers = children(parent.pid)
        assert workers
        time.sleep(WATCH_SECONDS + 1)  # the workers audit on and block on their full pipes
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        stop = time.monotonic() + WATCH_SECONDS + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < stop:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers)  # the pipe broke: no worker waits on
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
        parent.communicate(timeout=30)
