"""Every vendored data file is recorded in its folder's PROVENANCE.yaml with its checksum and date."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

FOLDERS = [ROOT / "auditor" / "evidence" / "data", ROOT / "auditor" / "render" / "data"]
folders = pytest.mark.parametrize("data", FOLDERS, ids=lambda p: str(p.relative_to(ROOT)))


def _provenance(data: Path) -> dict[str, dict[str, str]]:
    files = yaml.safe_load((data / "PROVENANCE.yaml").read_text("utf-8"))["files"]
    assert isinstance(files, dict)
    return files


@folders
def test_provenance_covers_exactly_the_files_in_data(data: Path) -> None:
    present = {p.name for p in data.iterdir() if p.is_file() and p.name != "PROVENANCE.yaml"}
    assert set(_provenance(data)) == present


@folders
def test_checksums_match(data: Path) -> None:
    for name, record in _provenance(data).items():
        digest = hashlib.sha256((data / name).read_bytes()).hexdigest()
        assert record["sha256"] == digest, f"{name}: update PROVENANCE.yaml (sha256 {digest})"


@folders
def test_each_record_says_where_it_comes_from_and_matches_the_files_date(data: Path) -> None:
    for name, record in _provenance(data).items():
        for key in ("what", "source", "licence", "updated"):
            assert str(record.get(key) or "").strip(), (name, key)
        if not name.endswith(".yaml"):
            continue  # only our own YAML files carry their date inside
        own = re.search(r'^updated:\s*"?([0-9-]+)"?', (data / name).read_text("utf-8"), re.M)
        assert own is not None and own.group(1) == record["updated"], name
