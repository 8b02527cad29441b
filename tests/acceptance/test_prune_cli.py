"""``auditor prune`` through the CLI, on stores recorded by real audits of a local server.

After a prune, ``history``, ``diff`` and a warm re-run (a conditional request
answered 304 from the stored copy) must work as before; the safety rules and
the dry run are checked on the file itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.prune import assert_references_sound, backdate, counts, nightly
from tests.support.store_cli import SPEC, Site, analyses, audit, catalog, cli, site

__all__ = ["analyses", "site"]  # fixtures from tests.support.store_cli

JSON_KEYS = {
    "store", "dry_run", "runs", "window", "removed", "bytes_estimate", "applied", "vacuumed",
    "file_bytes", "refused",
}  # fmt: skip


def spec(site: Site, padding: str = "") -> bytes:
    """The site's spec, with an incompressible description to make a document worth pruning."""
    text = SPEC % (site.server.url("/api"), "")
    return text.replace('version: "1",', f'version: "1", description: "{padding}",').encode()


def history(path: Path, store: Path, site: Site, nights: int) -> None:
    """``nights`` audits: the spec changes after the first; all but the last moved back in time."""
    site.spec = spec(site, os.urandom(30000).hex())
    for _ in range(nights):
        audit(path, store)
        site.spec = spec(site)
    for run_id in range(1, nights):
        move(store, run_id, 100 * (nights - run_id))


def move(store: Path, run_id: int, days_ago: float) -> None:
    with closing(sqlite3.connect(store)) as db, db:
        backdate(db, run_id, days_ago, datetime.now(UTC))


def table_counts(store: Path) -> dict[str, int]:
    with closing(sqlite3.connect(store)) as db:
        return counts(db)


def sound(store: Path) -> None:
    with closing(sqlite3.connect(store)) as db:
        assert_references_sound(db)


def recorded(store: Path, days_ago: list[float]) -> None:
    """A store of hand-built runs (no audit), ``days_ago`` before the real time."""
    from auditor.store import Store

    with Store.open(store, write=True) as opened:
        nightly(opened, days_ago, now=datetime.now(UTC))


def prune(store: Path, *args: str) -> Any:
    return cli("prune", "--store", str(store), *args)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_history_diff_and_a_warm_rerun_still_work_after_a_prune(
    tmp_path: Path, site: Site, analyses: list[int]
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    history(path, store, site, 3)  # run 1: big spec; runs 2, 3: the changed spec (304 on run 3)
    assert len(analyses) == 2 and site.sent_304 == 1
    result = prune(store, "--keep-runs", "2")
    assert result.exit_code == 0, result.output
    assert "removed 1 run(s) (1), kept 2 (2-3)" in result.stdout
    assert "1 spec snapshot(s)" in result.stdout and "--vacuum" in result.stdout
    left = table_counts(store)
    assert (left["runs"], left["spec_snapshots"], left["http_validators"]) == (2, 1, 1)
    sound(store)

    timeline = json.loads(cli("history", "pets", "--store", str(store), "--format", "json").stdout)
    assert [p["run_id"] for p in timeline["timeline"]] == [2, 3]
    assert timeline["spec"]["sha256"] == hashlib.sha256(site.spec).hexdigest()
    changes = json.loads(cli("diff", "--store", str(store), "--format", "json").stdout)
    assert (changes["run_a"]["id"], changes["run_b"]["id"]) == (2, 3)
    assert changes["summary"]["changed"] == 0

    warm = audit(path, store)  # the validators of the kept document still drive a 304
    assert len(analyses) == 2 and site.sent_304 == 2
    assert site.spec_requests()[-1].get("If-None-Match", "").startswith('"')
    assert warm["pets"]["spec"]["valid"] is True and warm["pets"]["spec"]["fetch"].endswith("304)")


def test_vacuum_gives_the_space_back_and_json_has_the_documented_keys(
    tmp_path: Path, site: Site
) -> None:
    path, store = catalog(tmp_path, site.server), tmp_path / "audit.db"
    history(path, store, site, 2)
    dry = prune(store, "--keep-runs", "1", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert set(planned) == JSON_KEYS
    assert planned["dry_run"] is True and planned["applied"] is False

    result = prune(store, "--keep-runs", "1", "--vacuum", "--format", "json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert set(done) == JSON_KEYS
    assert set(done["runs"]) == {
        "removed", "kept", "kept_as_dependencies", "kept_unfinished", "inside_window",
    }  # fmt: skip
    assert set(done["removed"]) == {
        "runs", "results", "findings", "spec_snapshots", "blobs", "http_validators",
    }  # fmt: skip
    assert done["runs"]["removed"] == [1] and done["runs"]["kept"] == [2]
    assert done["removed"] == planned["removed"] and done["removed"]["spec_snapshots"] == 1
    assert done["applied"] is True and done["vacuumed"] is True and done["refused"] is None
    assert done["window"]["days"] == 90  # the report's history: longer than the 30-day --window
    size = done["file_bytes"]
    assert size["after"] < size["before"] - 30000  # the 30 kB incompressible document went
    assert size["after"] == store.stat().st_size


def test_the_dry_run_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "audit.db"
    recorded(store, [200, 100, 1])
    before = digest(store)
    result = prune(store, "--keep-runs", "1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "dry run, nothing changed" in result.stdout
        and "would remove 2 run(s) (1-2)" in result.stdout
    )
    assert digest(store) == before
    assert not Path(f"{store}-wal").exists()


def test_runs_inside_the_window_are_refused_without_force_and_the_newest_run_stays(
    tmp_path: Path,
) -> None:
    store = tmp_path / "audit.db"
    recorded(store, [2, 1, 0])  # all inside the report's 90-day window
    before = table_counts(store)
    refused = prune(store, "--keep-runs", "1")
    assert refused.exit_code == 2
    assert "refusing to prune run(s) 1-2" in refused.output
    assert "90-day availability window" in refused.output and "--force" in refused.output
    dry = prune(store, "--keep-runs", "1", "--dry-run")
    assert dry.exit_code == 2 and "would remove 2 run(s)" in dry.output
    assert table_counts(store) == before

    forced = prune(store, "--keep-runs", "1", "--force", "--format", "json")
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["runs"]["kept"] == [3]
    move(store, 3, 100)
    newest = prune(store, "--older-than", "1d")  # selects every run: the newest one stays
    assert newest.exit_code == 0, newest.output
    assert "removed 0 run(s), kept 1 (3)" in newest.stdout


def test_usage_errors_and_a_vacuum_without_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = prune(tmp_path / "none.db", "--keep-runs", "3")
    assert missing.exit_code == 2 and "no such store" in missing.output
    assert not (tmp_path / "none.db").exists()
    store = tmp_path / "audit.db"
    recorded(store, [100, 1])
    nothing = prune(store)
    assert nothing.exit_code == 2 and "--keep-runs N, --older-than DURATION" in nothing.output
    bad = prune(store, "--older-than", "soon")
    assert bad.exit_code == 2 and "30d, 12h or 2w" in bad.output
    from auditor.store import Store

    with Store.open(store, write=True):  # an audit writing the store meanwhile
        busy = prune(store, "--keep-runs", "1")
    assert busy.exit_code == 2 and "the store is being written by" in busy.output
    assert table_counts(store)["runs"] == 2

    import shutil
    from types import SimpleNamespace

    monkeypatch.setattr(shutil, "disk_usage", lambda _: SimpleNamespace(total=10, used=9, free=1))
    result = prune(store, "--keep-runs", "1", "--vacuum", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "not vacuumed: VACUUM needs about" in result.stderr
    done = json.loads(result.stdout)
    assert done["applied"] is True and done["vacuumed"] is False


@pytest.mark.parametrize("duration", ["99999999d", "36501d", "5300w", "9" * 400 + "h"])
def test_a_duration_beyond_a_hundred_years_is_refused_before_it_reaches_the_store(
    tmp_path: Path, duration: str
) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    store = tmp_path / "audit.db"
    recorded(store, [100, 1])
    before = digest(store)
    entries = tmp_path / "catalog.yaml"
    entries.write_text("- id: a\n  title: A\n")
    for args in (
        ["prune", "--store", str(store), "--older-than", duration, "--dry-run"],
        ["audit", str(entries), "--store", str(store), "--window", duration],
        ["rescore", "--store", str(store), "--rules", "trust-v1", "--window", duration],
        ["history", "a", "--store", str(store), "--window", duration],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "at most 36500d (100 years)" in result.output, args
        assert "Traceback" not in result.output
    assert digest(store) == before
    kept = prune(store, "--older-than", "36500d", "--dry-run")
    assert kept.exit_code == 0 and "would remove 0 run(s)" in kept.stdout


def test_a_store_that_already_holds_a_huge_window_can_still_be_pruned(tmp_path: Path) -> None:
    """Recorded before the bound: prune, its dry run and history work instead of overflowing."""
    store = tmp_path / "audit.db"
    recorded(store, [200, 100, 1])
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE runs SET window_days = 99999999")
    dry = prune(store, "--keep-runs", "1", "--dry-run", "--format", "json")
    assert dry.exit_code == 2, dry.output  # every run is inside such a window: refused
    assert json.loads(dry.stdout)["window"]["start"] == "0001-01-01T00:00:00Z"
    assert "99999999-day availability window" in dry.output
    history = cli("history", "a", "--store", str(store))
    assert history.exit_code == 0, history.output
    forced = prune(store, "--keep-runs", "1", "--force", "--format", "json")
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["runs"]["removed"] == [1, 2]
    sound(store)


KILLER = """
import os, signal, sys
from auditor.store import Store
from auditor.store.prune import PrunePolicy, prune


class KilledAtCommit:
    def __init__(self, db):
        self._db = db

    def execute(self, sql, *args):
        if sql == "COMMIT":
            os.kill(os.getpid(), signal.SIGKILL)
        return self._db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._db, name)


with Store.open(sys.argv[1], write=True, purpose="prune") as store:
    store.db = KilledAtCommit(store.db)
    prune(store, PrunePolicy(keep_runs=1, force=True))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_prune_killed_before_it_commits_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "audit.db"
    recorded(store, [200, 100, 1])
    before = table_counts(store)
    killed = subprocess.run([sys.executable, "-c", KILLER, str(store)], timeout=60, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL
    assert table_counts(store) == before
    sound(store)
    result = prune(store, "--keep-runs", "1")  # the kernel released the writer lock
    assert result.exit_code == 0, result.output
    assert table_counts(store)["runs"] == 1
