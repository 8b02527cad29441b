"""Catalog text made inert in every text output: the terminal table, the gate's text,
annotations and Markdown. A hostile title must not retitle the window, clear the
screen, read backwards, or start a line a CI runner would execute."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from auditor.catalog.base import CatalogProblem
from auditor.gate import GateReport, Thresholds, evaluate, render
from auditor.methodology.engine import assess
from auditor.model import AuditResult, Entry
from auditor.render.table import print_table
from auditor.render.terminal_text import terminal_text
from tests.support.gate import TRUST, findings

# OSC retitles the window (ESC ] ... BEL), CSI 2J clears the screen (also as
# the C1 CSI), CR rewrites the line, the bidi override reverses it, and the
# line break starts a GitHub Actions workflow command.
HOSTILE = (
    "Evil\x1b]0;pwned\x07 API\x1b[2J\x9b2J\rfake\r\n::error file=x.py::boom "
    "\u202egnp.exe\u2066x\u2069\u200f\u061c\u2028::warning::two\x00\x7f end"
)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_inert(text: str) -> None:
    """No control character but the format's own newlines, no line that is a command."""
    assert not UNSAFE.search(text), repr(UNSAFE.search(text))
    assert "\u2028" not in text
    assert not [line for line in text.split("\n") if line.lstrip().startswith("::")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x1b]0;t\x07b", "a\ufffd]0;t\ufffdb"),
        ("line\r\n::error::x", "line ::error::x"),
        ("cr\rlf\nvt\x0bff\x0c", "cr lf vt\ufffdff\ufffd"),
        ("tab\there", "tab here"),
        ("c1\x9b2J\x85", "c1\ufffd2J\ufffd"),
        ("\u202ereversed\u2066\u2069\u200e\u200f\u061c", "\ufffdreversed" + "\ufffd" * 5),
        ("sep\u2028para\u2029", "sep para "),
        ("Météo-France 😀 [/] :warning:", "Météo-France 😀 [/] :warning:"),
        (None, ""),
    ],
)
def test_terminal_text(value: str | None, expected: str) -> None:
    assert terminal_text(value) == expected


def test_terminal_text_can_leave_line_breaks_to_a_format_that_escapes_them() -> None:
    assert terminal_text("a\r\nb\x1b\tc", keep_line_breaks=True) == "a\r\nb\ufffd c"


def hostile_result(entry_id: str = HOSTILE) -> AuditResult:
    entry = Entry(id=entry_id, title=HOSTILE, organization=HOSTILE, origin="catalog.yaml:3")
    found = findings()
    return AuditResult(entry, tuple(found), assess(entry.id, found, TRUST))


def test_the_table_neutralises_hostile_ids_and_problems() -> None:
    console = Console(file=io.StringIO(), width=300)
    problem = CatalogProblem("catalog.yaml:3", HOSTILE, HOSTILE, "title")
    print_table(console, [hostile_result()], TRUST, [problem])
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert_inert(out)
    assert "Evil\ufffd]0;pwned\ufffd API" in out and "catalog: catalog.yaml:3" in out


def test_the_table_prints_rich_markup_as_text() -> None:
    console = Console(file=io.StringIO(), width=300)
    problem = CatalogProblem("c.yaml:1", "[/] closes nothing [bold]", "x")
    print_table(console, [hostile_result("api [/] [link=https://evil]x")], TRUST, [problem])
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "api [/] [link=https://evil]x" in out and "[/] closes nothing [bold]" in out


def gate_report() -> GateReport:
    problem = CatalogProblem("catalog.yaml:3", HOSTILE, HOSTILE, "title")
    return evaluate([hostile_result()], TRUST, Thresholds(fail_under=90), problems=[problem])


def test_gate_text_neutralises_hostile_text() -> None:
    text = render(gate_report(), "text")
    assert_inert(text)
    assert text.startswith("auditor gate FAILED") and "FAIL Evil\ufffd]0;pwned" in text


def test_github_annotations_keep_one_command_per_line_and_no_control_character() -> None:
    text = render(gate_report(), "github")
    assert not UNSAFE.search(text) and "\u202e" not in text
    for line in text.splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice ", "auditor gate ")), line
    assert "%0D%0A::error file=x.py::boom" in text  # the break is data, escaped


def test_gate_markdown_neutralises_controls() -> None:
    text = render(gate_report(), "md")
    assert not UNSAFE.search(text)
