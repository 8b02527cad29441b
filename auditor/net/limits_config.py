"""Every verifier cap by name, from the config file's ``[limits]`` and ``--limit KEY=VALUE``.

The CLI has flags for the caps people change daily (``--timeout``,
``--concurrency``, ``--per-host``); every other field of ``Limits`` is set
here by its own name, so no cap is a constant only a code change can move.
Precedence: explicit flags, then ``--limit``, then ``[limits]``, then the
defaults. Sizes take ``KB``/``MB``/``GB`` (powers of 1024) or bytes; times
take ``s``/``ms``/``m`` or seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from auditor.context import Limits
from auditor.errors import AuditorError

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$", re.IGNORECASE)
_UNITS: dict[str, float] = {
    "b": 1,
    "kb": 1024,
    "kib": 1024,
    "mb": 1024**2,
    "mib": 1024**2,
    "gb": 1024**3,
    "gib": 1024**3,
}
_SECONDS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0}
SIZE_KEYS = frozenset({"max_spec_bytes", "max_page_bytes", "max_header_bytes"})
LIMIT_KEYS = tuple(f.name for f in fields(Limits))


class LimitError(AuditorError):
    """A cap that cannot be used; the message names where it came from."""


_COUNT = re.compile(r"^\s*(\d+)()\s*$")
ZERO_ALLOWED = frozenset({"retries", "max_redirects"})


def _value(key: str, raw: Any, where: str) -> int | float:
    kind = type(getattr(Limits(), key))
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise LimitError(f"{where}: {key} must be a number, not {raw!r}")
    if isinstance(raw, str):
        units: dict[str, float]
        if key in SIZE_KEYS:
            pattern, units = _SIZE, _UNITS
        elif kind is float:
            pattern, units = _TIME, _SECONDS
        else:
            pattern, units = _COUNT, {}
        found = pattern.match(raw)
        if found is None:
            raise LimitError(f"{where}: {key}={raw!r} is not a valid value")
        number = float(found.group(1)) * units.get((found.group(2) or "").lower(), 1)
    else:
        number = float(raw)
    if number < 0 or (number == 0 and key not in ZERO_ALLOWED):
        raise LimitError(f"{where}: {key} must be positive")
    return int(number) if kind is int else number


def limits_with(base: Limits, values: Mapping[str, Any], where: str) -> Limits:
    """``base`` with ``values`` applied, each checked and converted; unknown keys refused."""
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        name = key.replace("-", "_")
        if name not in LIMIT_KEYS:
            known = ", ".join(LIMIT_KEYS)
            raise LimitError(f"{where}: unknown limit {key!r} (known: {known})")
        changes[name] = _value(name, raw, where)
    return replace(base, **changes)


def parse_limit_options(pairs: Iterable[str]) -> dict[str, str]:
    """``["max_spec_bytes=100MB", "retries=0"]`` as a mapping."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LimitError(f"--limit {pair!r}: expected KEY=VALUE, e.g. max_spec_bytes=100MB")
        parsed[key.strip()] = value.strip()
    return parsed


def resolve_limits(
    flags: Mapping[str, Any], options: Iterable[str], config: Mapping[str, Any], config_path: str
) -> Limits:
    """Defaults, then the config's ``[limits]``, then ``--limit``, then explicit flags."""
    limits = limits_with(Limits(), config, f"{config_path} [limits]")
    limits = limits_with(limits, parse_limit_options(options), "--limit")
    return limits_with(limits, flags, "command line")
