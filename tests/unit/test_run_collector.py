"""run_collector: the collector's pace during a run, and the process's back after it."""

from __future__ import annotations

import gc

from auditor.run.collector import RUN_THRESHOLD, run_collector


def test_a_run_paces_the_collector_and_restores_it() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with run_collector():
        assert gc.get_threshold() == (RUN_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > frozen  # what existed before is not scanned again
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_a_run_inside_another_leaves_the_outer_ones_setting() -> None:
    before = gc.get_threshold()
    with run_collector():
        with run_collector():
            assert gc.get_threshold()[0] == RUN_THRESHOLD
        assert gc.get_threshold()[0] == RUN_THRESHOLD  # the inner one undid nothing
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before


def test_the_setting_is_restored_when_the_run_fails() -> None:
    before = gc.get_threshold()
    try:
        with run_collector():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
