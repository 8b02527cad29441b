"""What a forked worker lets go of: its copy of the store lock's descriptor, the number kept."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from auditor.run.process_start import let_go
from auditor.store.lock import StoreBusy, WriterLock


@pytest.mark.skipif(sys.platform == "win32", reason="flock, /dev/null")
def test_letting_go_of_a_copy_keeps_the_number_and_leaves_the_holder_s_lock(
    tmp_path: Path,
) -> None:
    store = tmp_path / "audit.db"
    holder = WriterLock(store)
    holder.acquire("the holder")
    descriptor = holder.descriptor()
    assert descriptor is not None
    copy = os.dup(descriptor)  # what a fork gives the child: the same open file
    let_go(copy)
    assert os.path.samestat(os.fstat(copy), os.stat(os.devnull))  # the number still open
    with pytest.raises(StoreBusy):  # the holder keeps its lock: nothing was unlocked
        WriterLock(store).acquire("a second writer")
    holder.release()
    with WriterLock(store) as free:  # and with the holder gone, no copy holds it
        free.acquire("the next writer")
    os.close(copy)
