"""Axis reasons filled through the parsed-once path read exactly as ``format`` writes them."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.methodology import load_methodology
from auditor.methodology.words import LocaleFormatter, simple_template

VALUES: dict[str, Any] = {
    "earned": 18.5,
    "possible": 25.0,
    "score": 73.25,
    "detail": "9 of 10 verifications succeeded",
    "count": 4,
    "passed": 3,
    "failed": 1,
    "unknown": 0,
    "flag": True,
}


def _templates() -> list[str]:
    found = []
    for lang in ("en", "fr"):
        found += [axis.reason for axis in load_methodology().localized(lang).axes]
    return [
        *found,
        "{earned:g}/{possible:g}",
        "{{literal}} {score:.1f} % and {{ {detail} }}",
        "{score:>8.2f}|{passed:03d}|{flag}",
        "no fields at all",
        "{detail!r}",  # a conversion: the general path
        "{score:{passed}}",  # a field inside the spec: the general path
        "",
    ]


@pytest.mark.parametrize("decimal_mark", [".", ","])
@pytest.mark.parametrize("template", _templates())
def test_fill_reads_as_format(template: str, decimal_mark: str) -> None:
    formatter = LocaleFormatter(decimal_mark)
    assert formatter.fill(template, VALUES) == formatter.format(template, **VALUES)


def test_only_plain_fields_take_the_parsed_path() -> None:
    assert simple_template("{earned:g}/{possible:g}") == (
        ("", "earned", "g"),
        ("/", "possible", "g"),
    )
    for general in ("{detail!r}", "{a.b}", "{a[0]}", "{}", "{score:{passed}}", "{unclosed"):
        assert simple_template(general) is None


def test_a_missing_value_fails_as_format_does() -> None:
    formatter = LocaleFormatter()
    with pytest.raises(KeyError):
        formatter.format("{nope}", **VALUES)
    with pytest.raises(KeyError):
        formatter.fill("{nope}", VALUES)
