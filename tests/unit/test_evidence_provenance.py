"""Every vendored data file is recorded in PROVENANCE.yaml with its checksum and date."""

from __future__ import annotations

import hashlib
import re

import yaml

from tests.conftest import ROOT

DATA = ROOT / "auditor" / "evidence" / "data"


def _provenance() -> dict[str, dict[str, str]]:
    files = yaml.safe_load((DATA / "PROVENANCE.yaml").read_text("utf-8"))["files"]
    assert isinstance(files, dict)
    return files


def test_provenance_covers_exactly_the_files_in_data() -> None:
    present = {p.name for p in DATA.iterdir() if p.is_file() and p.name != "PROVENANCE.yaml"}
    assert set(_provenance()) == present


def test_checksums_match() -> None:
    for name, record in _provenance().items():
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert record["sha256"] == digest, f"{name}: update PROVENANCE.yaml (sha256 {digest})"


def test_each_record_says_where_it_comes_from_and_matches_the_files_date() -> None:
    for name, record in _provenance().items():
        for key in ("what", "source", "licence", "updated"):
            assert str(record.get(key) or "").strip(), (name, key)
        own = re.search(r'^updated:\s*"?([0-9-]+)"?', (DATA / name).read_text("utf-8"), re.M)
        assert own is not None and own.group(1) == record["updated"], name
