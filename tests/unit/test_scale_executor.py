"""The Dask task itself, run in this process, and what happens without the dask extra."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.context import AuditSettings, NetworkPolicy
from auditor.model import Entry, Finding, Outcome
from auditor.scale.dask_executor import DaskExecutor, DaskUnavailable, PartWork, audit_part
from tests.support.store import TRUST

OFFLINE = AuditSettings(network=NetworkPolicy(offline=True), spec_workers=-1)


def test_a_part_is_scored_with_the_earlier_findings_it_was_lent() -> None:
    entry = Entry("e", "E", description="d", base_url="https://api.example.org/v1")
    earlier = tuple(
        Finding(
            "availability",
            Outcome.PASS,
            "ok",
            "availability",
            observed_at=f"2030-01-0{d}T00:00:00Z",
        )
        for d in (1, 2, 3)
    )
    alone = audit_part(PartWork(1, (entry,)), OFFLINE, TRUST)
    lent = audit_part(PartWork(2, (entry,), previous={"e": earlier}), OFFLINE, TRUST)
    assert alone.number == 1 and lent.number == 2
    # offline: tonight's verification is unknown, so only the lent history can score the axis
    assert alone.results[0].assessment.axis("availability").score is None
    assert lent.results[0].assessment.axis("availability").score == 100
    # lent findings score the entry but are not part of its result
    assert all(f not in earlier for f in lent.results[0].findings)
    assert alone.bodies == {} and alone.reports == {}  # nothing asked for, nothing sent
    back = pickle.loads(pickle.dumps(lent))  # what crosses the wire from a worker
    assert back.results == lent.results and back.worker == lent.worker


def test_without_the_extra_the_executor_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(DaskUnavailable, match=r"pip install 'auditor\[dask\]'"):
        DaskExecutor(None)([Entry("a", "A")], OFFLINE, TRUST, run=None, on_result=print)
    catalog = tmp_path / "c.yaml"
    catalog.write_text("entries: [{id: a, title: A}]\n")
    done = CliRunner().invoke(main, ["audit", str(catalog), "--executor", "dask"])
    assert done.exit_code == 2 and "pip install 'auditor[dask]'" in done.output


def test_nothing_to_audit_needs_no_cluster() -> None:
    assert DaskExecutor("tcp://127.0.0.1:9")([], OFFLINE, TRUST, run=None, on_result=print) == []
