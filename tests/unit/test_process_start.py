"""What a forked worker lets go of first: the read ends of the result pipes it inherited."""

from __future__ import annotations

import os
import sys

import pytest

from auditor.run.process_start import let_go


@pytest.mark.skipif(sys.platform == "win32", reason="/dev/null, fork's descriptors")
def test_letting_go_of_an_inherited_read_end_lets_the_pipe_break() -> None:
    read_end, write_end = os.pipe()
    inherited = os.dup(read_end)  # what a fork gives the child: the same pipe, read end
    let_go(inherited)
    assert os.path.samestat(os.fstat(inherited), os.stat(os.devnull))  # the number still open
    os.write(write_end, b"x")  # the parent's read end still reads
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)  # the parent gone: nobody reads, and the writer learns it at once
    with pytest.raises(BrokenPipeError):
        os.write(write_end, b"x")
    os.close(write_end)
    os.close(inherited)
