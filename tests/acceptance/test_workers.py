"""``auditor audit --workers N``: host-disjoint parts in N processes, one store written by
the parent, the same results as one event loop, conditional fetches on the next run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import main
from auditor.context import AuditSettings, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.model import Entry
from auditor.run.loop import run_audit
from auditor.run.process_start import start_method
from auditor.run.workers import ProcessExecutor, WorkerFailed
from auditor.store.db import Store
from auditor.store.session import RecordingRun
from tests.conftest import LocalServer

HOSTS = ("127.0.0.1", "localhost")
"""Two host names on one server: two parts, so two worker processes."""
PER_HOST = 3
SPEC = json.dumps(
    {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}
).encode()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def serve(server: LocalServer) -> None:
    """Per entry an API and a spec whose ETag is honoured (304 when it matches)."""

    def spec(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", str(len(SPEC)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(SPEC)

    for h in range(len(HOSTS)):
        for i in range(PER_HOST):
            server.add(f"/h{h}/e{i}/api", 200, '{"ok": true}', "application/json")
            server.routes[f"/h{h}/e{i}/openapi.json"] = spec


def entries(server: LocalServer) -> list[Entry]:
    out = []
    for h, host in enumerate(HOSTS):
        origin = f"http://{host}:{server.port}"
        for i in range(PER_HOST):
            out.append(
                Entry(
                    id=f"h{h}-e{i}",
                    title=f"API {h}.{i}",
                    base_url=f"{origin}/h{h}/e{i}/api",
                    spec_url=f"{origin}/h{h}/e{i}/openapi.json",
                )
            )
    return out


def write_catalog(path: Path, server: LocalServer) -> Path:
    records = [
        {"id": e.id, "title": e.title, "base_url": e.base_url, "spec_url": e.spec_url}
        for e in entries(server)
    ]
    path.write_text(json.dumps({"entries": records}))
    return path


def scores(outcome: Result) -> list[tuple[str, object]]:
    assert outcome.exit_code == 0, outcome.output
    return [(r["id"], r["score"]) for r in json.loads(outcome.stdout)["results"]]


def test_each_host_is_audited_by_one_worker_process(http_server: LocalServer) -> None:
    serve(http_server)
    settings = AuditSettings(network=NetworkPolicy(allow_private=True))
    executor = ProcessExecutor(2)
    got = []
    results = executor(
        entries(http_server), settings, load_methodology(), run=None, on_result=got.append
    )
    assert len(got) == 2 * PER_HOST
    assert [r.entry.id for r in results] == [e.id for e in entries(http_server)]  # catalog order
    assert all(r.assessment.score is not None for r in results)
    assert sorted(s.entries for s in executor.stats) == [PER_HOST, PER_HOST]
    assert len({s.pid for s in executor.stats}) == 2  # two processes, one host each
    assert all(s.cpu_seconds > 0 and s.peak_rss_mib > 0 for s in executor.stats)


def test_workers_give_the_results_of_one_loop(tmp_path: Path, http_server: LocalServer) -> None:
    serve(http_server)
    catalog = write_catalog(tmp_path / "catalog.json", http_server)
    common = ["audit", str(catalog), "--format", "json", "--allow-private-network"]
    one = scores(invoke(*common))
    two = scores(invoke(*common, "--workers", "2"))
    assert two == one and len(one) == 2 * PER_HOST


def test_workers_record_one_store_and_the_next_run_asks_conditionally(
    tmp_path: Path, http_server: LocalServer
) -> None:
    serve(http_server)
    catalog = write_catalog(tmp_path / "catalog.json", http_server)
    store = tmp_path / "audit.db"
    command = ["audit", str(catalog), "--format", "json", "--allow-private-network"]
    command += ["--store", str(store), "--workers", "2"]
    first = invoke(*command)
    assert len(scores(first)) == 2 * PER_HOST
    http_server.requests.clear()
    second = invoke(*command)
    assert scores(second) == scores(first)
    assert f"{2 * PER_HOST} spec(s) unchanged since last run" in second.output
    spec_gets = [h for m, p, h in http_server.requests if m == "GET" and p.endswith("openapi.json")]
    assert len(spec_gets) == 2 * PER_HOST
    assert all(h.get("If-None-Match") == '"v1"' for h in spec_gets)  # the store's validators
    with sqlite3.connect(store) as db:
        runs = db.execute("SELECT id, finished_at IS NOT NULL, entry_count FROM runs").fetchall()
        assert runs == [(1, 1, 2 * PER_HOST), (2, 1, 2 * PER_HOST)]
        per_run = db.execute("SELECT run_id, COUNT(*) FROM results GROUP BY run_id").fetchall()
        assert per_run == [(1, 2 * PER_HOST), (2, 2 * PER_HOST)]
        kept = db.execute("SELECT COUNT(*) FROM spec_snapshots WHERE body IS NOT NULL")
        assert kept.fetchone()[0] == 1  # one document (all entries serve the same bytes)


def test_workers_are_this_machine_s_not_dask_s(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("- {id: a, title: A}\n")
    refused = invoke("audit", str(catalog), "--workers", "2", "--executor", "dask")
    assert refused.exit_code == 2
    assert "--workers runs processes on this machine" in refused.output


def test_a_worker_that_fails_fails_the_run_with_its_reason(
    tmp_path: Path, http_server: LocalServer
) -> None:
    serve(http_server)
    settings = AuditSettings(network=NetworkPolicy(allow_private=True))
    methodology = load_methodology()
    with Store.open(tmp_path / "audit.db", write=True) as store:
        run = RecordingRun.start(store, ["c.json"], methodology, entries(http_server))
        store.path = tmp_path / "gone.db"  # what the workers are told to open: not there
        with pytest.raises(
            WorkerFailed, match=r"worker \d \(pid \d+\) failed: StoreError: .*gone\.db"
        ):
            ProcessExecutor(2)(
                entries(http_server), settings, methodology, run=run, on_result=lambda _r: None
            )
        run.close()


FORKED_RUN = """
import json, sys, threading
from types import SimpleNamespace
from auditor.context import AuditSettings, NetworkPolicy
from auditor.methodology import load_methodology
from auditor.run.workers import ProcessExecutor
from tests.acceptance.test_workers import entries

if sys.argv[2] == "thread":  # another thread alive at the fork: the run must spawn
    threading.Thread(target=threading.Event().wait, daemon=True).start()
executor = ProcessExecutor(2)
results = executor(
    entries(SimpleNamespace(port=int(sys.argv[1]))),
    AuditSettings(network=NetworkPolicy(allow_private=True)),
    load_methodology(),
    run=None,
    on_result=lambda _r: None,
)
print(json.dumps({
    "start": executor.started_with,
    "scores": [[r.entry.id, r.assessment.score] for r in results],
    "pids": sorted(s.pid for s in executor.stats),
}))
"""


def run_forked(server: LocalServer, threads: str) -> dict[str, Any]:
    """``ProcessExecutor`` in a process of its own: pytest's own process runs the test
    server's thread, so there the workers always spawn."""
    done = subprocess.run(
        [sys.executable, "-c", FORKED_RUN, str(server.port), threads],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_workers_fork_when_nothing_else_runs_and_give_the_results_of_one_loop(
    http_server: LocalServer,
) -> None:
    serve(http_server)
    one = run_audit(
        entries(http_server),
        AuditSettings(network=NetworkPolicy(allow_private=True)),
        load_methodology(),
    )
    forked = run_forked(http_server, "alone")
    assert forked["start"] == ("fork" if sys.platform == "linux" else "spawn")
    assert forked["scores"] == [[r.entry.id, r.assessment.score] for r in one]
    assert len(forked["pids"]) == 2 and all(p != os.getpid() for p in forked["pids"])


INSIDE_A_LOOP = """
import _thread, asyncio, threading, time
from auditor.run.process_start import start_method

async def inside() -> str:
    return start_method()

recording = start_method(recording=True)
alone = start_method()
in_a_loop = asyncio.run(inside())
_thread.start_new_thread(time.sleep, (30,))  # a thread threading does not know of (a C one)
time.sleep(0.1)
print(recording, alone, in_a_loop, threading.active_count(), start_method())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers fork on Linux only")
def test_workers_spawn_from_inside_a_running_event_loop_or_beside_a_foreign_thread() -> None:
    # in a process of its own: pytest's may run other threads, which alone mean spawn
    done = subprocess.run(
        [sys.executable, "-c", INSIDE_A_LOOP], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # recording a store: spawn; threading counts one thread, the kernel two: spawn
    assert done.stdout.split() == ["spawn", "fork", "spawn", "1", "spawn"]


def test_workers_recording_a_store_are_never_forked(tmp_path: Path) -> None:
    methodology = load_methodology()
    with Store.open(tmp_path / "audit.db", write=True) as store:
        run = RecordingRun.start(store, ["c.json"], methodology, [])
        with pytest.raises(ValueError, match="spawned"):
            list(
                ProcessExecutor(2, start="fork").stream(
                    [Entry(id="a", title="A", base_url="http://127.0.0.1:9/")],
                    AuditSettings(),
                    methodology,
                    run=run,
                )
            )
        run.close()


def test_workers_spawn_when_another_thread_runs(http_server: LocalServer) -> None:
    serve(http_server)
    assert threading.active_count() > 1  # the test server's thread, here
    assert start_method() == "spawn"
    spawned = run_forked(http_server, "thread")
    assert spawned["start"] == "spawn"
    assert len(spawned["scores"]) == 2 * PER_HOST
