"""Files the report writes: one CSV writer that spreadsheets cannot be tricked by, and an
output folder that is never written through a planted symbolic link."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from auditor.render.csv_table import csv_bytes
from auditor.render.folder import OutputFolder, UnsafeOutput
from auditor.render.site import SiteOptions, write_site
from tests.support.render import METHODOLOGY, NOW, standard_document

needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need POSIX here"
)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    rows = [
        {"a": '=HYPERLINK("http://evil")', "b": "+1", "c": "-2", "d": "@SUM(A1)"},
        {"a": "\tx", "b": "\rx", "c": "plain - text", "d": None},
        {"a": 70.0, "b": True, "c": float("nan"), "d": "bidi\u202eok"},
    ]
    data = csv_bytes(["a", "b", "c", "d"], rows).decode()
    parsed = list(csv.reader(io.StringIO(data, newline="")))
    assert parsed[0] == ["a", "b", "c", "d"]
    assert parsed[1] == ['\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)"]
    assert parsed[2] == ["'\tx", "'\rx", "plain - text", ""]
    assert parsed[3] == ["70.0", "True", "", "bidi\ufffdok"]


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@needs_symlinks
def test_a_planted_file_link_is_replaced_and_its_target_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.html"
    outside.write_text("precious")
    site = tmp_path / "site"
    (site / "entries").mkdir(parents=True)
    (site / "index.html").symlink_to(Path("..") / "elsewhere.html")
    (site / "results.json").symlink_to(outside)
    write_site(standard_document(), METHODOLOGY, site, SiteOptions(now=NOW))
    assert outside.read_text() == "precious"
    for name in ("index.html", "results.json"):
        assert not (site / name).is_symlink() and (site / name).stat().st_size > 100
    assert not [p for p in site.rglob("*.tmp")]


@needs_symlinks
@pytest.mark.parametrize("planted", ["entries", "badges"])
def test_a_planted_folder_link_is_refused_naming_it(tmp_path: Path, planted: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    site = tmp_path / "site"
    site.mkdir()
    (site / planted).symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafeOutput, match=f"{site / planted}: is a symbolic link"):
        write_site(standard_document(), METHODOLOGY, site, SiteOptions(now=NOW))
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_the_folder_writes_only_inside_itself(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path / "out")
    for bad in ("../x.html", "/etc/x", "a/../../x", ""):
        with pytest.raises(UnsafeOutput, match="not a path inside"):
            folder.write(bad, "x")
    path = folder.write("a/b/c.txt", "é\n")
    assert path.read_bytes() == "é\n".encode() and path == tmp_path / "out" / "a" / "b" / "c.txt"


def test_files_get_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    path = OutputFolder(tmp_path).write("x.txt", b"x")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_site_bytes_do_not_depend_on_what_was_there(tmp_path: Path) -> None:
    document = standard_document()  # built once: it carries the time it was made
    write_site(document, METHODOLOGY, tmp_path / "a", SiteOptions(now=NOW))
    second = tmp_path / "b"
    (second / "entries").mkdir(parents=True)
    (second / "index.html").write_text("old content, much longer than nothing")
    write_site(document, METHODOLOGY, second, SiteOptions(now=NOW))
    fresh, reused = site_files(tmp_path / "a"), site_files(second)
    assert sorted(fresh) == sorted(reused)
    assert [name for name in fresh if fresh[name] != reused[name]] == []
