"""Every cap by name: config ``[limits]``, ``--limit KEY=VALUE``, explicit flags."""

from __future__ import annotations

import pytest

from auditor.context import Limits
from auditor.net.limits_config import LIMIT_KEYS, LimitError, limits_with, resolve_limits


def test_defaults_are_the_documented_ones() -> None:
    limits = resolve_limits({}, [], {}, "auditor.toml")
    assert limits == Limits()
    assert limits.max_spec_bytes == 50 * 1024 * 1024
    assert limits.max_page_bytes == 2 * 1024 * 1024
    assert (limits.max_redirects, limits.concurrency, limits.per_host) == (5, 64, 4)


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("max_spec_bytes", "100MB", 100 * 1024 * 1024),
        ("max_spec_bytes", "1.5 GiB", int(1.5 * 1024**3)),
        ("max_page_bytes", "512kb", 512 * 1024),
        ("max_header_bytes", "8192", 8192),
        ("max_header_bytes", 8192, 8192),
        ("timeout", "250ms", 0.25),
        ("entry_timeout", "2m", 120.0),
        ("fetch_timeout", "45", 45.0),
        ("fetch_timeout", 7, 7.0),
        ("retries", "0", 0),
        ("max_redirects", 0, 0),
        ("per-host", "2", 2),
    ],
)
def test_values_are_parsed_with_units(key: str, raw: object, value: float) -> None:
    limits = limits_with(Limits(), {key: raw}, "test")
    assert getattr(limits, key.replace("-", "_")) == value


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"bogus": 1}, "unknown limit 'bogus'"),
        ({"retries": "-1"}, "not a valid value"),
        ({"retries": "1.5"}, "not a valid value"),
        ({"concurrency": 0}, "must be positive"),
        ({"timeout": "0s"}, "must be positive"),
        ({"max_spec_bytes": "lots"}, "not a valid value"),
        ({"max_spec_bytes": True}, "must be a number"),
        ({"timeout": [1]}, "must be a number"),
    ],
)
def test_bad_values_are_refused_naming_the_source(values: dict, message: str) -> None:
    with pytest.raises(LimitError, match=message) as caught:
        limits_with(Limits(), values, "auditor.toml [limits]")
    assert str(caught.value).startswith("auditor.toml [limits]: ")


def test_precedence_flags_then_options_then_config() -> None:
    config = {"timeout": 30, "retries": 5, "max_spec_bytes": "10MB"}
    limits = resolve_limits({"timeout": 3.0}, ["retries=1"], config, "auditor.toml")
    assert limits.timeout == 3.0  # the explicit flag
    assert limits.retries == 1  # --limit over the file
    assert limits.max_spec_bytes == 10 * 1024 * 1024  # the file over the default


@pytest.mark.parametrize("pair", ["retries", "=3", ""])
def test_limit_options_must_be_key_value(pair: str) -> None:
    with pytest.raises(LimitError, match="expected KEY=VALUE"):
        resolve_limits({}, [pair], {}, "c")


def test_every_limit_can_be_named() -> None:
    defaults = Limits()
    for key in LIMIT_KEYS:
        value = getattr(defaults, key)
        assert getattr(limits_with(defaults, {key: value}, "t"), key) == value
