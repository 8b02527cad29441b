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


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_to_the_store_finds_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "audit.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    busy = rf"^{link}: the store is being written by"
    with Store.open(real, write=True, purpose="audit"), pytest.raises(StoreBusy, match=busy):
        Store.open(link, write=True, purpose="prune")
    with Store.open(link, write=True, purpose="audit"), pytest.raises(StoreBusy):
        Store.open(real, write=True, purpose="prune")
    linked_dir = tmp_path / "elsewhere"
    linked_dir.symlink_to(real.parent, target_is_directory=True)
    with Store.open(real, write=True), pytest.raises(StoreBusy):
        Store.open(linked_dir / "audit.db", write=True)


def test_another_relative_path_to_the_store_finds_the_same_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    with Store.open(Path("store.db"), write=True):
        for other in ("./x/../store.db", str(tmp_path / "store.db"), "x/../././store.db"):
            with pytest.raises(StoreBusy):
                Store.open(Path(other), write=True)
    with Store.open(Path("./x/../store.db"), write=True):  # released: any name may write
        pass
