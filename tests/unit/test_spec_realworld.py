"""auditor's verdicts on the real-world corpus, against openapi-spec-validator's.

``SPEC_MANIFEST.jsonl`` records openapi-spec-validator 0.9.0's verdict for
every spec file of the corpus. Specs up to 300 KB are checked here, the full
set by ``benchmarks/spec_validation.py`` (which also runs the reference
live). The only expected differences are the
multi-file specs, whose ``$ref``s to sibling files auditor deliberately does
not follow (it gives no verdict rather than a pass).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.spec.analyse import analyse_spec
from auditor.spec.detect import detect_format
from auditor.spec.parse import parse_document
from auditor.spec.validate import Verdict, reference_verdict, validate_document

pytestmark = pytest.mark.realworld

MULTI_FILE = {
    "openapi_specs/examples/openapi_spec_validator/v3.0/petstore-separate/spec/openapi.yaml",
    "openapi_specs/examples/openapi_spec_validator/v3.0/parent-reference/openapi.yaml",
}


MAX_BYTES = 300_000
"""Larger specs (48 of 538) are left to the benchmark, which checks the full set."""


def manifest(corpus: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (corpus / "SPEC_MANIFEST.jsonl").read_text().splitlines()]
    return [row for row in rows if row["size_bytes"] <= MAX_BYTES]


def expected(row: dict[str, Any]) -> bool:
    """The reference's verdict; where the manifest's own loader broke on integer keys
    (``200:``), the verdict with openapi-spec-validator's reader, which stringifies them."""
    return bool(row.get("osv_valid_with_osv_reader", row["osv_valid"]))


def verdict_of(path: Path) -> Verdict:
    """Parse and validate only: the inventory and the rest are tested elsewhere."""
    document = parse_document(path.read_bytes())
    return validate_document(document, detect_format(document))


def test_verdicts_agree_with_the_manifest(corpus: Path) -> None:
    rows = manifest(corpus)
    assert len(rows) > 450
    disagreements = []
    for row in rows:
        verdict = verdict_of(corpus / row["path"])
        if row["path"] in MULTI_FILE:
            assert verdict.valid is None, row["path"]
            assert verdict.note is not None
            assert verdict.note.startswith("external $ref not followed")
            continue
        if (verdict.valid is True) != expected(row):
            disagreements.append((row["path"], verdict.valid, verdict.errors[:1], expected(row)))
    assert disagreements == []


def test_a_sample_agrees_with_the_live_reference(corpus: Path) -> None:
    small = [
        r for r in manifest(corpus) if r["size_bytes"] < 100_000 and r["path"] not in MULTI_FILE
    ]
    for row in small[::15]:
        document = parse_document((corpus / row["path"]).read_bytes())
        fmt = detect_format(document)
        fast = validate_document(document, fmt)
        reference = reference_verdict(document, fmt, backend="jsonschema")
        assert fast.valid == reference.valid, (row["path"], fast.errors, reference.errors)


def test_swagger_parser_cases_differ_only_where_the_reference_does(corpus: Path) -> None:
    base = corpus / "invalid_specs" / "swagger_parser"
    cases = json.loads((base / "EXPECTED.json").read_text())["cases"]
    verdicts = {r["path"]: expected(r) for r in manifest(corpus)}
    agree = differ = 0
    for case in cases:
        report = analyse_spec((base / case["file"]).read_bytes())
        reference = verdicts[f"invalid_specs/swagger_parser/{case['file']}"]
        assert (report.valid is True) == reference, case["file"]
        if (report.valid is True) == case["valid"]:
            agree += 1
        else:
            differ += 1
            assert case["valid"] is False and report.valid is True  # swagger-parser is stricter
    assert (agree, differ) == (34, 15)
