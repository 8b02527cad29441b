"""``auditor audit --shard K/N`` and ``auditor merge`` against real HTTP servers on 127.0.0.1.

The shards of a catalog, each recorded in a store of its own and merged,
must give the run one machine would have recorded: every entry exactly
once, the same scores, and a store that ``diff`` and ``history`` read.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.scale.shard import Shard, shard_number
from auditor.store import Store, load_results
from auditor.store.merge import merge_runs
from tests.conftest import LocalServer
from tests.support.shards import (
    cli_catalog,
    comparable,
    record,
    scores,
    serve_api_site,
    virtual_catalog,
    virtual_settings,
)


def test_merged_shards_equal_one_run_of_the_whole_catalog(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_api_site(http_server)
    catalog, settings = virtual_catalog(), virtual_settings(http_server)
    single = record(tmp_path / "single.db", catalog, settings)
    count = 3
    parts = [
        record(tmp_path / f"s{k}.db", catalog, settings, shard=Shard(k, count))
        for k in range(1, count + 1)
    ]
    ids = [r.entry.id for part in parts for r in part]
    assert sorted(ids) == sorted(e.id for e in catalog)  # each entry exactly once
    assert sum(1 for part in parts if part) >= 2  # the hosts really were spread
    owner: dict[str, int] = {}
    for k, part in enumerate(parts):  # a host never straddles two shards
        for one in part:
            host = urlsplit(one.entry.base_url or "").hostname
            assert host is None or owner.setdefault(host, k) == k
    stores = [Store.open(tmp_path / f"s{k}.db") for k in range(1, count + 1)]
    try:
        with Store.open(tmp_path / "merged.db", write=True) as into:
            report = merge_runs(into, stores)
            merged = load_results(into, report.run.id)
    finally:
        for store in stores:
            store.close()
    assert report.duplicates == () and report.missing_shards == ()
    assert [r.entry.id for r in merged] == [e.id for e in catalog]  # catalog order again
    assert scores(merged) == scores(single)
    by_id = {r.entry.id: r for r in single}
    for one in merged:
        assert [comparable(f) for f in one.findings] == [
            comparable(f) for f in by_id[one.entry.id].findings
        ]
    assert scores(merged)["gamma.test-1"] != scores(merged)["gamma.test-0"]  # down is visible
    assert report.snapshots_added == 1 and report.snapshots_known == 0  # one spec document


# --- through the command line -------------------------------------------------------------


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def by_id(document_path: Path) -> dict[str, Any]:
    document = json.loads(document_path.read_text())
    return {r["id"]: (r["score"], r["tier"]) for r in document["results"]}


def test_cli_shards_merge_into_the_history_and_diff_shows_no_change(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_api_site(http_server)
    catalog = cli_catalog(http_server, tmp_path / "catalog.yaml")
    common = ["--allow-private-network", "--spec-workers", "0", "--format", "json"]
    history = tmp_path / "audit.db"
    done = run_cli(
        "audit", str(catalog), "--store", str(history), *common, "-o", str(tmp_path / "one.json")
    )
    assert done.exit_code == 0, done.output
    whole = by_id(tmp_path / "one.json")
    seen: list[str] = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard-{k}.json"
        done = run_cli(
            "audit",
            str(catalog),
            "--shard",
            f"{k}/3",
            "--store",
            str(tmp_path / f"shard-{k}.db"),
            *common,
            "-o",
            str(out),
        )
        assert done.exit_code == 0, done.output
        assert f"shard {k}/3: " in done.output
        part = by_id(out)
        assert all(whole[i] == part[i] for i in part)
        seen += part
    assert sorted(seen) == sorted(whole)  # 1/3 ∪ 2/3 ∪ 3/3: every entry exactly once

    merged = tmp_path / "merged.json"
    shards = [str(tmp_path / f"shard-{k}.db") for k in (1, 2, 3)]
    done = run_cli("merge", *shards, "--into", str(history), "-o", str(merged))
    assert done.exit_code == 0, done.output
    assert "into run 2 of" in done.output and "shards 1/3, 2/3, 3/3" in done.output
    assert by_id(merged) == whole
    assert list(json.loads(merged.read_text())["results"][i]["id"] for i in range(3)) == [
        "local-0",
        "local-1",
        "local-2",
    ]  # catalog order

    diff = run_cli("diff", "--store", str(history), "--format", "json")
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.output)
    assert changes["run_a"]["id"] == 1 and changes["run_b"]["id"] == 2
    assert changes["changed"] == [] and changes["new"] == [] and changes["gone"] == []
    assert changes["run_b"]["sources"] == changes["run_a"]["sources"]  # no shard marker left
    shown = run_cli("history", "local-0", "--store", str(history), "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert [p["run_id"] for p in json.loads(shown.output)["timeline"]] == [1, 2]

    again = run_cli("merge", *shards, "--into", str(history))
    assert again.exit_code == 2 and "already in" in again.output


def test_cli_merge_refuses_mixed_methodologies_and_reports_duplicates(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_api_site(http_server)
    catalog = cli_catalog(http_server, tmp_path / "catalog.yaml")
    common = ["--allow-private-network", "--spec-workers", "0", "--format", "json"]
    for name, extra in (("a", []), ("b", []), ("strict", ["--rules", "trust-v1-strict"])):
        done = run_cli(
            "audit",
            str(catalog),
            "--shard",
            "1/2",
            "--store",
            str(tmp_path / f"{name}.db"),
            *common,
            *extra,
            "-o",
            str(tmp_path / f"{name}.json"),
        )
        assert done.exit_code == 0, done.output
    refused = run_cli(
        "merge",
        str(tmp_path / "a.db"),
        str(tmp_path / "strict.db"),
        "--into",
        str(tmp_path / "m.db"),
    )
    assert refused.exit_code == 2 and "different methodologies" in refused.output
    assert "trust-strict 1.1.0" in refused.output

    twice = run_cli(
        "merge",
        str(tmp_path / "a.db"),
        str(tmp_path / "b.db"),
        "--into",
        str(tmp_path / "m.db"),
        "--partial",
    )
    assert twice.exit_code == 0, twice.output
    count = len(by_id(tmp_path / "a.json"))
    assert f"{count} duplicate entries kept once" in twice.output
    assert "shard(s) 2/2 not merged" in twice.output
    assert f"{count} entries" in twice.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "0/3"], "between 1 and 3"),
        (["--shard", "4/3"], "between 1 and 3"),
        (["--shard", "x"], "is not K/N"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --executor dask"),
        (["--executor", "dask", "--scheduler", "127.0.0.1:1"], "give the scheduler's address"),
    ],
)
def test_bad_scale_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("entries: [{id: a, title: A}]\n")
    done = CliRunner().invoke(main, ["audit", str(catalog), *args])
    assert done.exit_code == 2 and message in done.output


def test_merge_refuses_its_own_target(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        main, ["merge", str(tmp_path / "a.db"), "--into", str(tmp_path / "a.db")]
    )
    assert done.exit_code == 2 and "cannot be merged into itself" in done.output
    missing = CliRunner().invoke(
        main, ["merge", str(tmp_path / "nope.db"), "--into", str(tmp_path / "b.db")]
    )
    assert missing.exit_code == 2 and "no such store" in missing.output


def test_resume_continues_the_same_shard_only(http_server: LocalServer, tmp_path: Path) -> None:
    import sqlite3

    serve_api_site(http_server)
    catalog = cli_catalog(http_server, tmp_path / "catalog.yaml")
    store = tmp_path / "s.db"
    common = ["--allow-private-network", "--spec-workers", "0", "--format", "json"]
    k = shard_number("id:plain-6", 3)  # the shard holding the catalog's last entry
    mine, another = f"{k}/3", f"{k % 3 + 1}/3"
    first = run_cli("audit", str(catalog), "--shard", mine, "--store", str(store), *common)
    assert first.exit_code == 0, first.output
    ids = [r["id"] for r in json.loads(first.stdout)["results"]]
    assert len(ids) >= 2
    with closing(sqlite3.connect(store)) as db, db:  # as if killed before its last entry
        db.execute("UPDATE runs SET finished_at = NULL")
        db.execute("DELETE FROM findings WHERE entry_id = ?", (ids[-1],))
        db.execute("DELETE FROM results WHERE entry_id = ?", (ids[-1],))
    other = run_cli(
        "audit", str(catalog), "--shard", another, "--store", str(store), "--resume", *common
    )
    assert other.exit_code == 2 and "same sources" in other.output
    again = run_cli(
        "audit", str(catalog), "--shard", mine, "--store", str(store), "--resume", *common
    )
    assert again.exit_code == 0, again.output
    assert f"{len(ids) - 1} entries already recorded, 1 to go" in again.output
    assert [r["id"] for r in json.loads(again.stdout)["results"]] == ids  # catalog order
    with Store.open(store) as opened:
        rows = opened.db.execute("SELECT position FROM results ORDER BY position").fetchall()
    order = [f"local-{i}" for i in range(3)] + [f"plain-{i}" for i in range(7)]
    assert [row[0] for row in rows] == [order.index(i) for i in ids]  # places in the whole catalog
    assert rows[-1][0] == 9
