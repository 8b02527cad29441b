"""YAML catalogs read record by record: the same data as the whole-document parser,
the same errors, record lines, and a fraction of the memory."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from pathlib import Path

import pytest
import yaml

from auditor.catalog import load_sources
from auditor.catalog.lines import yaml_item_lines
from auditor.catalog.yaml_records import load_yaml_catalog
from auditor.context import AuditSettings, Limits
from auditor.spec.parse import DocumentError, parse_document

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10 if previous else ['x'] * 10)}]\n"
    for previous, name in [(None, "a"), ("a", "b"), ("b", "c"), ("c", "d")]
)
DOCUMENTS = {
    "list": "- id: a\n  title: A\n- id: b\n  tags: [x, y]\n",
    "entries": "# comment\nentries:\n  - id: a\n\n  - id: b\nother: 3\n",
    "data": "data:\n  - {slug: a}\n  - {slug: b}\npage: 1\ntotal: 2\n",
    "anchors across records": "- &base\n  id: a\n  org: X\n- <<: *base\n  id: b\n",
    "merge key at the root": "base: &b {x: 1}\n<<: *b\nentries:\n  - id: a\n",
    "tagged root": "!!omap\n- a: 1\n- b: 2\n",
    "tagged list": "entries: !!set {a, b}\n",
    "anchored list": "entries: &e\n  - id: a\nagain: *e\n",
    "scalars": "- id: a\n  when: 2024-01-02\n  200: ok\n  true: yes\n  n: ~\n  x: 0x1F\n",
    "root keys": "200: a\ntrue: b\n2024-01-01: c\n1: d\n~: e\n",
    "repeated key": "entries:\n  - id: a\nentries:\n  - id: b\n  - id: c\n",
    "scalar root": "just some words\n",
    "comments only": "# nothing\n",
    "two documents": "- a\n---\n- b\n",
    "broken": "key: [1, 2\nother: 3\n",
    "laughs": LAUGHS,
    "laughs in a list": "- " + LAUGHS.replace("\n", "\n  ").rstrip() + "\n",
    "recursive": "- &a [*a]\n",
    "complex key": "? [a, b]\n: 1\n",
    "deep": "- id: a\n  x: " + "[" * 12 + "]" * 12 + "\n",
}


def outcome(read: object) -> tuple[str, object]:
    try:
        return "ok", read()  # type: ignore[operator]
    except DocumentError as exc:
        return "error", str(exc).split("\n")[0].replace(" 'nope'", "")


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize(("nodes", "depth"), [(2_000_000, 512), (5_000, 10)])
def test_the_same_data_and_errors_as_the_whole_document_parser(
    name: str, nodes: int, depth: int
) -> None:
    text = DOCUMENTS[name]
    data = text.encode()
    whole = outcome(lambda: parse_document(data, max_nodes=nodes, max_depth=depth))
    streamed = outcome(
        lambda: load_yaml_catalog(data, text, max_nodes=nodes, max_depth=depth).document
    )
    assert streamed == whole
    if whole[0] == "ok" and "anchors" not in name:
        catalog = load_yaml_catalog(data, text, max_nodes=nodes, max_depth=depth)
        for key in ("entries", "data", None):
            assert catalog.lines(key) == yaml_item_lines(text, key), key


def test_caps_are_counted_across_records() -> None:
    # each record is small, together they pass the cap: the same refusal as the whole
    text = "- &a [x, x, x, x, x, x, x, x, x, x]\n" + "- [*a, *a, *a, *a, *a]\n" * 20
    with pytest.raises(DocumentError, match="alias expansion exceeds 1,000 nodes"):
        load_yaml_catalog(text.encode(), text, max_nodes=1_000, max_depth=512)
    with pytest.raises(DocumentError, match="alias expansion exceeds 1,000 nodes"):
        parse_document(text.encode(), max_nodes=1_000)


def test_an_alias_item_is_numbered_where_it_is_written() -> None:
    text = "- &a {id: a}\n- {id: b}\n- *a\n"
    assert load_yaml_catalog(text.encode(), text, max_nodes=100, max_depth=10).lines(None) == [
        1,
        2,
        3,
    ]


def _peak_mib(path: Path) -> float:
    settings = AuditSettings(limits=Limits(max_spec_bytes=2**30))
    tracemalloc.start()
    try:
        loaded = asyncio.run(load_sources([str(path)], settings))
        assert len(loaded.entries) == 1_500
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_yaml_catalog_costs_about_what_the_same_json_does(tmp_path: Path) -> None:
    rows = [
        {
            "id": f"api-{i}",
            "title": f"API {i}",
            "description": "A synthetic entry. " * 5,
            "base_url": f"https://api{i}.example.org/v1",
            "tags": ["a", f"g{i % 7}"],
        }
        for i in range(1_500)
    ]
    as_json, as_yaml = tmp_path / "c.json", tmp_path / "c.yaml"
    as_json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    as_yaml.write_text(yaml.safe_dump(rows), encoding="utf-8")
    json_peak, yaml_peak = _peak_mib(as_json), _peak_mib(as_yaml)
    # the whole-document parse plus a second compose for line numbers: 1.7x (RSS: 4.9x)
    assert yaml_peak < 1.2 * json_peak, (yaml_peak, json_peak)
