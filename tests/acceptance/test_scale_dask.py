"""``--executor dask``: a run on a real Dask LocalCluster (2 worker processes) equals a local run.

The workers are separate processes, so entries, settings, the methodology
and the results really cross process boundaries (pickled), and each part
runs in the worker's own event loop against the HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.run.loop import run_audit
from auditor.store import Store
from auditor.store.session import RecordingRun
from tests.conftest import LocalServer
from tests.support.shards import (
    HOSTS,
    TRUST,
    cli_catalog,
    comparable,
    record,
    scores,
    serve_api_site,
    virtual_catalog,
    virtual_settings,
)

distributed = pytest.importorskip(
    "distributed", reason="dask is not installed: pip install 'auditor[dask]' to run these tests"
)

from auditor.scale.dask_executor import DaskExecutor, _lend  # noqa: E402


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two worker processes (daemonic, like `dask worker`'s), one thread each."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_a_dask_run_equals_a_local_run(http_server: LocalServer, scheduler: str) -> None:
    serve_api_site(http_server)
    catalog, settings = virtual_catalog(), virtual_settings(http_server)
    local = run_audit(catalog, settings, TRUST)
    executor = DaskExecutor(scheduler)
    arrived: list[str] = []
    remote = executor(
        catalog, settings, TRUST, run=None, on_result=lambda r: arrived.append(r.entry.id)
    )
    assert len(executor.workers) == 2
    assert sorted(arrived) == sorted(e.id for e in catalog)  # each handed on once, on arrival
    assert [r.entry for r in remote] == catalog  # catalog order
    assert scores(remote) == scores(local)
    for mine, theirs in zip(local, remote, strict=True):
        assert [comparable(f) for f in theirs.findings] == [comparable(f) for f in mine.findings]
    down = {r.entry.id: r for r in remote}["gamma.test-1"]
    assert down.assessment.axis("availability").score == 0  # a real observation, not a default


def test_with_a_store_the_history_travels_to_the_workers_and_back(
    http_server: LocalServer, scheduler: str, tmp_path: Path
) -> None:
    serve_api_site(http_server)
    catalog, settings = virtual_catalog(), virtual_settings(http_server)
    executor = DaskExecutor(scheduler)
    nights = [record(tmp_path / "local.db", catalog, settings) for _ in range(2)]
    remote = [record(tmp_path / "dask.db", catalog, settings, executor=executor) for _ in range(2)]
    assert scores(remote[0]) == scores(nights[0])
    # the second night is scored over the availability window: two verifications each
    availability = {r.entry.id: r.assessment.axis("availability").reason for r in remote[1]}
    assert "2 of 2" in availability["alpha.test-0"], availability["alpha.test-0"]
    assert scores(remote[1]) == scores(nights[1])
    with Store.open(tmp_path / "dask.db") as store:
        snapshot = store.db.execute("SELECT body, report FROM spec_snapshots").fetchall()
        assert len(snapshot) == 1 and snapshot[0]["body"] is not None  # sent back by a worker
        assert snapshot[0]["report"] is not None
        validators = store.db.execute("SELECT url FROM http_validators").fetchall()
        assert {row[0] for row in validators} == {f"http://{h}/openapi.yaml" for h in HOSTS}
    with Store.open(tmp_path / "dask.db", write=True) as store:
        run = RecordingRun.start(store, ["/ci/catalog.yaml"], TRUST, catalog)
        work = _lend(run, catalog[:2], 1)
    assert work.send_bodies and work.held and set(work.reports) == set(work.held)
    assert [f.check for f in work.previous["alpha.test-0"]].count("availability") == 2


def test_the_cli_sends_the_audit_to_the_scheduler(
    http_server: LocalServer, scheduler: str, tmp_path: Path
) -> None:
    serve_api_site(http_server)
    catalog = cli_catalog(http_server, tmp_path / "catalog.yaml")
    common = ["--allow-private-network", "--spec-workers", "0", "--format", "json"]

    def audit(*extra: str) -> dict[str, Any]:
        done = CliRunner().invoke(main, ["audit", str(catalog), *common, *extra])
        assert done.exit_code == 0, done.output
        document = json.loads(done.stdout)
        return {
            r["id"]: (r["score"], r["tier"], {a: d["score"] for a, d in r["axes"].items()})
            for r in document["results"]
        }

    here = audit()
    there = audit("--executor", "dask", "--scheduler", scheduler)
    assert list(there) == list(here)  # catalog order
    assert there == here
    stored = audit(
        "--executor",
        "dask",
        "--scheduler",
        scheduler,
        "--shard",
        "1/1",
        "--store",
        str(tmp_path / "a.db"),
    )
    assert stored == here


def test_local_spec_files_are_not_sent_to_workers(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n")
    done = CliRunner().invoke(
        main, ["audit", str(spec), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert done.exit_code == 2 and "cannot be audited on Dask workers" in done.output
