"""One writer per store: the second is refused with a message, readers are not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.store import Store
from auditor.store.lock import StoreBusy


def test_a_second_writer_is_refused_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with Store.open(path, write=True, purpose="audit"):
        with pytest.raises(StoreBusy, match=rf"being written by auditor pid {os.getpid()} \(audit"):
            Store.open(path, write=True)
        with Store.open(path) as reader:  # reading is fine meanwhile
            assert reader.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
    with Store.open(path, write=True):  # released on close
        pass


def test_another_process_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    code = (
        "import sys\n"
        "from auditor.store import Store\n"
        "from auditor.store.lock import StoreBusy\n"
        "try:\n"
        f"    Store.open({str(path)!r}, write=True)\n"
        "except StoreBusy as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    with Store.open(path, write=True, purpose="rescore"):
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
    assert proc.returncode == 3, proc.stderr
    assert "being written by auditor pid" in proc.stdout and "rescore" in proc.stdout
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_read_only_store_cannot_record(tmp_path: Path) -> None:
    from auditor.store import StoreError

    path = tmp_path / "audit.db"
    Store.open(path, write=True).close()
    with Store.open(path) as reader, pytest.raises(StoreError, match="read-only"):
        reader.require_writer()
