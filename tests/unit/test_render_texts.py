"""Small texts of the entry page read as sentences: plurals, the validation line, no-spec notes."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.render.pages import PageContext, entry_html, entry_markdown
from auditor.render.view import entry_view
from tests.support.render import METHODOLOGY, NOW, standard_document

SPEC = {
    "url": "https://x.example/o.json",
    "valid": None,
    "errors": [],
    "operations": None,
    "validator": None,
}


def pages(result: dict[str, Any]) -> tuple[str, str]:
    view = entry_view(result, METHODOLOGY, "x", NOW)
    ctx = PageContext(METHODOLOGY, None)
    return entry_html(view, ctx), entry_markdown(view, ctx)


def with_one_field_and_operation() -> dict[str, Any]:
    result = standard_document()["results"][0]
    for finding in result["findings"]:
        if finding["check"] == "spec.inventory":
            finding["facts"]["field_count"] = 1
            finding["facts"]["fields"] = finding["facts"]["fields"][:1]
    result["spec"]["operations"] = 1
    return result


def test_one_field_and_one_operation_are_singular() -> None:
    html, markdown = pages(with_one_field_and_operation())
    assert "Data schema (1 field)" in html and "Data schema (1 fields)" not in html
    assert "## Data schema (1 field)\n" in markdown
    assert "1 operation<" in html or "1 operation " in html or "1 operation\n" in html
    assert "1 operations" not in html and "1 operations" not in markdown


def test_an_unvalidated_spec_of_unknown_format_reads_as_a_sentence() -> None:
    result = standard_document()["results"][0]
    result["spec"].update({"valid": None, "format": None, "operations": None})
    html, markdown = pages(result)
    assert "not validated unknown format" not in html + markdown
    assert "not validated:\nformat unknown" in html or "not validated: format unknown" in html
    assert "Validation: not validated: format unknown" in markdown


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        (None, "No spec is declared for this entry, so there are no query examples."),
        (SPEC | {"sha256": None, "format": None},
         "The spec could not be fetched, so there are no query examples."),
        (SPEC | {"sha256": "ab" * 32, "format": "unknown"},
         "The spec is not an OpenAPI or Swagger document, so there are no query examples."),
    ],
)  # fmt: skip
def test_without_a_usable_spec_the_examples_section_says_why(
    spec: dict[str, Any] | None, said: str
) -> None:
    result = standard_document()["results"][0]
    result["spec"] = spec
    result["findings"] = [f for f in result["findings"] if not f["check"].startswith("spec.")]
    html, markdown = pages(result)
    assert said in html and said in markdown
    assert "No query examples were extracted" not in html + markdown
    if spec is None:
        assert "<dt>Format</dt><dd>no spec</dd>" in html and "- Format: no spec" in markdown


def test_the_examples_section_says_one_request_per_path_and_where_the_rest_are() -> None:
    html, markdown = pages(standard_document()["results"][0])
    assert "One request per path" in html and "spec.examples" in html
    assert "One request per path" in markdown
