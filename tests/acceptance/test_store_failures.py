"""Stores and inputs that cannot be used: a message naming the file, exit code 2, no traceback.

A store damaged in the middle, a read-only store or folder, a full disk, a
results file with ``axes`` as a list and a badge label that is not UTF-8,
each through the command line. The failures are the real ones: SQLite's own
"database disk image is malformed", "attempt to write a readonly database"
(the commands run in a process without the root override of file
permissions) and SQLITE_FULL from a page limit.
"""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import main
from auditor.store import Store
from tests.support.render import standard_document
from tests.support.store import record_run, result

DAMAGED = "the store is damaged (database disk image is malformed)"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_refused(outcome: Result | subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit code 2, no traceback, and every needle (the file, the cause) in the message."""
    if isinstance(outcome, Result):
        code, text = outcome.exit_code, outcome.output
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (
            outcome.exc_info
        )
    else:
        code, text = outcome.returncode, outcome.stdout + outcome.stderr
    assert code == 2, text
    assert "Traceback" not in text, text
    for needle in needles:
        assert needle in text, text


def catalog(path: Path, count: int, padding: int = 0) -> Path:
    """``count`` entries with no URL: audited offline, nothing to fetch."""
    path.write_text(
        "".join(
            f"- id: e{i}\n  title: Entry {i}\n  description: {'d' * padding or 'an API'}\n"
            for i in range(count)
        )
    )
    return path


def runs(store: Path) -> list[tuple[int, bool, int]]:
    """(run id, finished, results recorded) per run, read straight from the file."""
    with closing(sqlite3.connect(store)) as db:
        return [
            (run_id, finished is not None, count)
            for run_id, finished, count in db.execute(
                "SELECT r.id, r.finished_at, (SELECT COUNT(*) FROM results WHERE run_id = r.id) "
                "FROM runs r ORDER BY r.id"
            )
        ]


def integrity(store: Path) -> str:
    with closing(sqlite3.connect(store)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


# --- a store damaged in the middle ------------------------------------------------------


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True) as store:
        for _ in range(3):
            record_run(store, [result(f"api-{i}", description="x" * 400) for i in range(40)])
    data = bytearray(path.read_bytes())
    middle = slice(len(data) // 4, 3 * len(data) // 4)  # the middle half of the file
    data[middle] = bytes(len(data[middle]) * [0xA5])
    path.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        integrity(path)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["diff"],
        ["history", "api-1"],
        ["prune", "--keep-runs", "1", "--dry-run"],
        ["prune", "--keep-runs", "1", "--force"],
        ["rescore", "--rules", "trust-v1"],
    ],
)
def test_a_store_damaged_in_the_middle_is_named_not_a_traceback(
    damaged: Path, args: list[str]
) -> None:
    assert_refused(invoke(*args, "--store", str(damaged)), f"{damaged}: {DAMAGED}", ".recover")


def test_auditing_into_a_damaged_store_is_refused(damaged: Path, tmp_path: Path) -> None:
    outcome = invoke("audit", str(catalog(tmp_path / "c.yaml", 3)), "--store", str(damaged))
    assert_refused(outcome, f"{damaged}: {DAMAGED}")


def test_merging_a_damaged_store_names_the_files(damaged: Path, tmp_path: Path) -> None:
    into = tmp_path / "all.db"
    outcome = invoke("merge", str(damaged), "--into", str(into))
    assert_refused(outcome, str(damaged), "the store is damaged")


# --- read-only stores and folders -------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3


def _respect_permissions() -> None:
    """In the child, before exec: drop root's override of file permissions (if root)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            os._exit(97)  # cannot drop it: the caller skips


def auditor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a process where chmod means what it says, even when the tests run as root."""
    done = subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        preexec_fn=_respect_permissions,
        check=False,
    )
    if done.returncode == 97:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here: file permissions do not apply to root")
    return done


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder holding one recorded store; made read-only by the tests, writable after."""
    folder = tmp_path / "history"
    folder.mkdir()
    with Store.open(folder / "audit.db", write=True) as store:
        record_run(store, [result("a"), result("b", up=False)])
    yield folder
    folder.chmod(0o755)
    for one in folder.iterdir():
        one.chmod(0o644)


@pytest.mark.skipif(sys.platform != "linux", reason="prctl, POSIX permissions")
def test_a_read_only_store_can_be_read_but_not_written(read_only: Path, tmp_path: Path) -> None:
    store = read_only / "audit.db"
    store.chmod(0o444)
    entries = catalog(tmp_path / "c.yaml", 2)
    readable = auditor("diff", "--list", "--store", str(store), cwd=tmp_path)
    assert readable.returncode == 0, readable.stderr
    for args in (
        ["audit", str(entries), "--store", str(store), "--format", "json"],
        ["rescore", "--store", str(store), "--rules", "trust-v1-strict", "--format", "json"],
        ["prune", "--store", str(store), "--keep-runs", "1", "--force"],
    ):
        outcome = auditor(*args, cwd=tmp_path)
        assert_refused(outcome, f"{store}: cannot write the store (attempt to write a readonly")
    assert runs(store) == [(1, True, 2)]


@pytest.mark.skipif(sys.platform != "linux", reason="prctl, POSIX permissions")
def test_a_read_only_folder_is_named_with_the_lock_file(read_only: Path, tmp_path: Path) -> None:
    (read_only / "audit.db.lock").unlink()
    read_only.chmod(0o555)
    entries = catalog(tmp_path / "c.yaml", 2)
    for store in (read_only / "audit.db", read_only / "new.db"):
        outcome = auditor("audit", str(entries), "--store", str(store), cwd=tmp_path)
        assert_refused(outcome, f"{store}: cannot create the store's lock file", "Permission")
    # Even reading needs the folder: a WAL store opens with its -shm file beside it.
    reading = auditor("history", "a", "--store", str(read_only / "audit.db"), cwd=tmp_path)
    assert_refused(reading, f"{read_only / 'audit.db'}: cannot write the store", "its folder")
    assert not (read_only / "new.db").exists()


# --- a full disk ------------------------------------------------------------------------


@contextmanager
def disk_fills_up(pages: int = 12) -> Iterator[None]:
    """Writers may add ``pages`` pages (4 KiB each) to a store: SQLite's own SQLITE_FULL after."""
    import auditor.store.db as store_db

    real = store_db.connect

    def small_disk(path: Path) -> sqlite3.Connection:
        connection = real(path)
        count = int(connection.execute("PRAGMA page_count").fetchone()[0])
        connection.execute(f"PRAGMA max_page_count = {count + pages}")
        return connection

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_db, "connect", small_disk)
        yield


def test_a_full_disk_stops_the_audit_cleanly_and_resume_completes_it(tmp_path: Path) -> None:
    store, entries = tmp_path / "audit.db", catalog(tmp_path / "c.yaml", 80, padding=2000)
    Store.open(store, write=True).close()  # the schema is in place: the entries fill the disk
    with disk_fills_up():
        full = invoke("audit", str(entries), "--store", str(store), "--format", "json")
    assert_refused(full, f"{store}: the disk is full (database or disk is full)", "--resume")
    assert integrity(store) == "ok"
    ((run_id, finished, kept),) = runs(store)
    assert not finished and 0 < kept < 80  # what was committed before the disk filled stays
    resumed = invoke("audit", str(entries), "--store", str(store), "--resume", "--format", "json")
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming run {run_id} in {store}: {kept} entries already recorded" in resumed.output
    assert runs(store) == [(run_id, True, 80)]
    assert len(json.loads(resumed.stdout)["results"]) == 80
    assert integrity(store) == "ok"


def test_a_full_disk_during_a_merge_changes_nothing(tmp_path: Path) -> None:
    store, into = tmp_path / "audit.db", tmp_path / "merged.db"
    with Store.open(store, write=True) as opened:
        record_run(opened, [result(f"api-{i}", description="x" * 3000) for i in range(60)])
    Store.open(into, write=True).close()
    with disk_fills_up():
        merged = invoke("merge", str(store), "--into", str(into))
    assert_refused(merged, "the disk is full", str(into))
    assert runs(into) == [] and integrity(into) == "ok"  # one transaction: all or nothing


# --- results files and labels given to report and badge --------------------------------


def results_file(tmp_path: Path, **changes: Any) -> Path:
    document = standard_document()
    for key, value in changes.items():
        document["results"][0][key] = value
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("command", ["report", "badge"])
def test_axes_given_as_a_list_are_refused_naming_the_file_and_entry(
    tmp_path: Path, command: str
) -> None:
    document = standard_document()
    path = results_file(tmp_path, axes=list(document["results"][0]["axes"].values()))
    outcome = invoke(command, str(path), "--output", str(tmp_path / "out"))
    assert_refused(outcome, f"{path}: results[0] ('rich-api'): 'axes' must be an object")
    assert not (tmp_path / "out").exists()
    one = results_file(tmp_path, axes={"availability": [1, 2]})
    outcome = invoke(command, str(one), "--output", str(tmp_path / "out"))
    assert_refused(outcome, f"{one}: results[0] ('rich-api'): axes['availability'] must be an")


@pytest.mark.parametrize(("command", "option"), [("badge", "--label"), ("report", "--badge-label")])
def test_a_label_that_is_not_utf8_is_refused(tmp_path: Path, command: str, option: str) -> None:
    """click hands over undecodable argument bytes as surrogates (surrogateescape)."""
    path = results_file(tmp_path)
    label = os.fsdecode(b"trust \xff score")
    outcome = invoke(command, str(path), "--output", str(tmp_path / "out"), option, label)
    assert_refused(outcome, option, "not valid UTF-8 text (byte 0xff at position 6)")
    assert not (tmp_path / "out").exists()
