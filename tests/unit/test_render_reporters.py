"""One registry of output formats: every command's --format choices come from it, every
writer it names exists, and a format added to it reaches the command line."""

from __future__ import annotations

import json
from typing import Any

import click
import orjson
import pytest

from auditor.cli import COMMANDS, main
from auditor.errors import AuditorError
from auditor.render import reporters
from auditor.render.reporters import GATE, LISTING, REPORTERS, RESULTS, Results, formats, reporter
from auditor.render.results_json import results_document
from auditor.render.terminal_text import PLAIN, Medium
from tests.support.gate import TRUST, make_result

FORMAT_OF = {"audit": RESULTS, "demo": RESULTS, "rescore": RESULTS, "merge": RESULTS}
FORMAT_OF |= {"catalog": LISTING, "gate": GATE}


def format_choices(name: str) -> tuple[str, ...]:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    option = next(p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    return tuple(str(c) for c in option.type.choices)


@pytest.mark.parametrize("name", sorted(FORMAT_OF))
def test_every_format_option_is_the_registry(name: str) -> None:
    assert format_choices(name) == formats(FORMAT_OF[name])


def test_commands_with_a_format_option_are_all_known() -> None:
    # history, diff, prune and notify print store views (their own text/json), not reporters
    with_format = {
        name
        for name in COMMANDS
        if any(p.name == "fmt" for p in main.get_command(click.Context(main), name).params)  # type: ignore[union-attr]
    }
    assert with_format - set(FORMAT_OF) == {"history", "diff", "prune", "notify"}


def test_every_writer_resolves_and_names_are_unique_per_subject() -> None:
    seen = set()
    for entry in REPORTERS:
        assert callable(entry.function()), entry.writer
        assert (entry.subject, entry.name) not in seen
        seen.add((entry.subject, entry.name))
        assert "/" in entry.media_type and entry.extension and "." not in entry.extension
    assert formats(GATE) == ("text", "json", "sarif", "junit", "github", "md")
    assert reporter(GATE, "sarif").media_type == "application/sarif+json"
    assert reporter(LISTING, "csv").media_type == "text/csv"


def test_an_unknown_format_names_the_choices() -> None:
    with pytest.raises(AuditorError, match=r"unknown results format 'xml' \(one of table, json\)"):
        reporter(RESULTS, "xml")


def test_the_results_json_is_the_documented_bytes() -> None:
    subject = Results([make_result()], TRUST)
    data = reporter(RESULTS, "json").render(subject)
    document = json.loads(data)
    expected = results_document(subject.results, TRUST)
    expected["generated_at"] = document["generated_at"]
    assert data == orjson.dumps(expected, option=orjson.OPT_INDENT_2) + b"\n"


def shout(subject: Any, medium: Medium) -> str:
    return f"{len(subject.results)} RESULTS\n"


def test_one_line_adds_a_format(monkeypatch: pytest.MonkeyPatch) -> None:
    line = reporters.Reporter("shout", RESULTS, "text/plain", "txt", f"{__name__}:shout")
    monkeypatch.setattr(reporters, "REPORTERS", (*REPORTERS, line))
    assert formats(RESULTS) == ("table", "json", "shout")
    assert reporter(RESULTS, "shout").render(Results([make_result()], TRUST), PLAIN) == (
        b"1 RESULTS\n"
    )
