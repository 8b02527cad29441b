"""Record line numbers for JSON (string-aware scanner) and YAML (composed nodes)."""

from __future__ import annotations

import json

import pytest

from auditor.catalog.lines import item_lines, json_item_lines


def numbered(text: str, marker: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == marker]


@pytest.mark.parametrize("indent", [2, "\t", " \t "])
def test_entries_of_a_json_object(indent: int | str) -> None:
    text = json.dumps({"entries": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}, indent=indent)
    assert item_lines(text) == numbered(text, "{")[1:]


def test_tab_indented_json_goes_through_the_json_scanner() -> None:
    # pure-Python PyYAML refuses tab indentation; the scanner does not need YAML at all
    text = json.dumps({"entries": [{"id": "a"}, {"id": "b"}]}, indent="\t")
    assert json_item_lines(text) == [3, 6]
    assert item_lines(text) == [3, 6]


def test_brackets_commas_and_escaped_quotes_inside_strings_do_not_count() -> None:
    records = [
        {"id": "a", "title": 'tricky ], [ "quoted" \\ , {'},
        {"id": "b", "entries": [1, 2]},
        "scalar, with comma",
        7,
        None,
    ]
    text = json.dumps(records, indent=2)
    lines = item_lines(text)
    assert len(lines) == 5
    assert [text.splitlines()[n - 1].strip()[:4] for n in lines] == ["{", "{", '"sca', "7,", "null"]


def test_only_the_top_level_entries_key_is_used() -> None:
    text = '{\n"meta": {"entries": [1, 2, 3]},\n"other": [9],\n"entries": [\n  {"id": "x"}\n]}'
    assert item_lines(text) == [5]


def test_other_keys_and_top_level_arrays() -> None:
    page = '{"total": 2,\n "data": [\n {"slug": "a"},\n {"slug": "b"}]}'
    assert json_item_lines(page, key="data") == [3, 4]
    assert json_item_lines(page, key="entries") == []
    assert json_item_lines("[\n{},\n{}\n]", key=None) == [2, 3]
    assert json_item_lines('{"entries": [\n1]}', key=None) == []


@pytest.mark.parametrize("text", ["[]", '{"entries": []}', "{}", "42", '"text"', ""])
def test_nothing_to_number(text: str) -> None:
    assert item_lines(text) == []


def test_yaml_lists() -> None:
    assert item_lines("- id: a\n  title: A\n- id: b\n") == [1, 3]
    assert item_lines("# comment\nentries:\n  - id: a\n\n  - id: b\n") == [3, 5]
    assert item_lines("entries: [\n  ") == []  # broken YAML: no lines, no crash
