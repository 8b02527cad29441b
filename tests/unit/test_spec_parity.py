"""auditor's engine and openapi-spec-validator agree on a committed set of small specs.

``fixtures/specs/parity/`` holds documents written for this test, each aimed at
one rule that decides openapi-spec-validator's verdict; the file name says the
verdict (``valid_``, ``invalid_``, ``unknown_``). Unlike the real-world parity
tests (``test_spec_realworld.py``), these need no corpus: they run everywhere,
and are the first thing to run when openapi-spec-validator is upgraded
(docs/spec-pipeline.md).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from auditor.spec.analyse import analyse_spec
from auditor.spec.detect import detect_format
from auditor.spec.parse import parse_document
from auditor.spec.validate import REFERENCE_BACKENDS, reference_verdict, validate_document
from tests.conftest import FIXTURES

PARITY = FIXTURES / "specs" / "parity"
SPECS = sorted(p for p in PARITY.iterdir() if p.suffix in {".yaml", ".json"})
EXPECTED = {"valid": True, "invalid": False, "unknown": None}


def expected(path: Path) -> bool | None:
    return EXPECTED[path.name.split("_", 1)[0]]


def test_the_set_covers_every_version_and_verdict() -> None:
    assert len(SPECS) >= 20
    kinds = {(p.name.split("_")[0], p.name.split("_")[1]) for p in SPECS}
    for version in ("20", "30", "31"):
        assert {("valid", version), ("invalid", version)} <= kinds, version
    assert any(p.name.startswith("unknown_") for p in SPECS)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
@pytest.mark.parametrize("backend", REFERENCE_BACKENDS)
def test_auditor_and_the_reference_give_the_same_verdict(path: Path, backend: str) -> None:
    document = parse_document(path.read_bytes())
    fmt = detect_format(document)
    assert fmt.known, path.name
    fast = validate_document(copy.deepcopy(document), fmt)
    reference = reference_verdict(copy.deepcopy(document), fmt, backend=backend)
    assert (fast.valid, reference.valid) == (expected(path), expected(path)), (
        path.name,
        fast.errors,
        reference.errors,
    )
    if expected(path) is None:
        assert fast.note is not None and fast.note.startswith("external $ref not followed")


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_the_whole_analysis_carries_the_verdict(path: Path) -> None:
    report = analyse_spec(path.read_bytes())
    assert report.valid is expected(path), (path.name, report.errors, report.note)
    assert report.format_known
    if expected(path) is False:
        assert report.errors  # the rule broken is named, not just "invalid"
