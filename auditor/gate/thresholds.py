"""Gate thresholds: what must hold for a run to pass, from config and flags.

Thresholds live in ``auditor.toml`` ``[gate]`` or ``pyproject.toml``
``[tool.auditor.gate]`` so a repository states its bar once; command-line
flags win key by key (a ``--min`` for one axis leaves the others from the
file). Axis names are checked against the methodology in use, because a
misspelt axis would otherwise be a threshold that silently never applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.config import Config, ConfigError
from auditor.errors import AuditorError
from auditor.methodology.model import Methodology

CONFIG_KEYS = ("fail_under", "min", "fail_on_invalid_spec", "offline")


class ThresholdError(AuditorError):
    """A threshold that cannot be used (bad number, unknown axis); exit code 2."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The bar one entry must clear; ``None``/empty means "not gated on this"."""

    fail_under: float | None = None
    minimums: Mapping[str, float] = field(default_factory=dict)
    """Axis id -> lowest acceptable axis score."""
    fail_on_invalid_spec: bool = False

    @property
    def any(self) -> bool:
        return self.fail_under is not None or bool(self.minimums) or self.fail_on_invalid_spec

    def to_dict(self) -> dict[str, Any]:
        return {
            "fail_under": self.fail_under,
            "min": dict(self.minimums),
            "fail_on_invalid_spec": self.fail_on_invalid_spec,
        }


@dataclass(frozen=True, slots=True)
class GateOptions:
    thresholds: Thresholds
    offline: bool = False


def valid_axes(methodology: Methodology) -> str:
    return ", ".join(a.id for a in methodology.axes)


def _score(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ThresholdError(f"{where}: expected a score from 0 to 100, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ThresholdError(f"{where}: expected a score from 0 to 100, got {value!r}") from None
    if math.isnan(number) or not 0 <= number <= 100:
        raise ThresholdError(f"{where}: expected a score from 0 to 100, got {value!r}")
    return number


def axis_id(name: str, methodology: Methodology, where: str) -> str:
    """The methodology's id for ``name`` (``metadata-completeness`` is accepted too)."""
    wanted = name.strip().lower().replace("-", "_")
    for axis in methodology.axes:
        if axis.id.lower().replace("-", "_") == wanted:
            return axis.id
    raise ThresholdError(f"{where}: unknown axis {name!r}; valid axes: {valid_axes(methodology)}")


def parse_min_flags(values: Iterable[str], methodology: Methodology) -> dict[str, float]:
    """``--min AXIS=SCORE`` values, checked against the methodology's axes."""
    minimums: dict[str, float] = {}
    for value in values:
        name, sep, score = value.partition("=")
        if not sep or not name.strip():
            raise ThresholdError(
                f"--min {value!r}: expected AXIS=SCORE, e.g. availability=80; "
                f"valid axes: {valid_axes(methodology)}"
            )
        minimums[axis_id(name, methodology, f"--min {value}")] = _score(score, f"--min {value}")
    return minimums


def _section_name(config: Config) -> str:
    if config.path is not None and config.path.name == "pyproject.toml":
        return "[tool.auditor.gate]"
    return "[gate]"


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ThresholdError(f"{where}: expected true or false, got {value!r}")
    return value


def options_from_config(config: Config, methodology: Methodology) -> dict[str, Any]:
    """The gate keys a config file sets (only those it sets), validated.

    Keys may be spelt ``fail_under`` or ``fail-under``; an unknown key is an
    error naming the file, so a typo never turns a gate off.
    """
    try:
        section = config.section("gate")
    except ConfigError as exc:
        raise ThresholdError(str(exc)) from exc
    name = f"{config.path}: {_section_name(config)}"
    found: dict[str, Any] = {}
    for raw_key, value in section.items():
        key = str(raw_key).replace("-", "_")
        where = f"{name} {raw_key}"
        if key == "fail_under":
            found[key] = _score(value, where)
        elif key == "min":
            if not isinstance(value, dict):
                raise ThresholdError(f"{where}: expected a table of axis = score")
            found[key] = {
                axis_id(str(k), methodology, f"{where}.{k}"): _score(v, f"{where}.{k}")
                for k, v in value.items()
            }
        elif key in ("fail_on_invalid_spec", "offline"):
            found[key] = _bool(value, where)
        else:
            allowed = ", ".join(CONFIG_KEYS)
            raise ThresholdError(f"{where}: unknown key (allowed: {allowed})")
    return found


def resolve_options(
    config: Config,
    methodology: Methodology,
    *,
    fail_under: float | None = None,
    minimums: Iterable[str] = (),
    fail_on_invalid_spec: bool | None = None,
    offline: bool | None = None,
) -> GateOptions:
    """Config file first, then every flag that was given on top of it."""
    base = options_from_config(config, methodology)
    merged_min = dict(base.get("min", {}))
    merged_min.update(parse_min_flags(minimums, methodology))
    under = _score(fail_under, "--fail-under") if fail_under is not None else base.get("fail_under")
    thresholds = Thresholds(
        fail_under=under,
        minimums=merged_min,
        fail_on_invalid_spec=(
            fail_on_invalid_spec
            if fail_on_invalid_spec is not None
            else base.get("fail_on_invalid_spec", False)
        ),
    )
    return GateOptions(
        thresholds=thresholds,
        offline=offline if offline is not None else base.get("offline", False),
    )


def describe(thresholds: Thresholds, methodology: Methodology) -> str:
    """The bar in words: ``composite >= 90, availability >= 80, a valid spec``."""
    names = {a.id: a.name for a in methodology.axes}
    parts = []
    if thresholds.fail_under is not None:
        parts.append(f"composite >= {thresholds.fail_under:g}")
    parts += [f"{names.get(k, k)} >= {v:g}" for k, v in thresholds.minimums.items()]
    if thresholds.fail_on_invalid_spec:
        parts.append("a valid spec")
    return ", ".join(parts) or "none (reporting only)"
