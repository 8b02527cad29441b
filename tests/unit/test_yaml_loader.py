"""The one YAML loader: safe, and libyaml's when PyYAML was built with it."""

from __future__ import annotations

import pytest
import yaml

from auditor.yaml_loader import SafeLoader, safe_load


def test_it_is_libyaml_when_pyyaml_has_it() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml: the pure-Python loader is used")
    assert SafeLoader is yaml.CSafeLoader


def test_it_reads_what_the_pure_python_safe_loader_reads() -> None:
    text = "a: 1\nb: [x, 2.5, null, true]\nc: &anchor {d: 2026-12-03}\ne: *anchor\n"
    assert safe_load(text) == yaml.safe_load(text)


def test_it_refuses_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
