"""Read a methodology YAML file and refuse it clearly when it is malformed.

Errors name the file, the line and the key, because a methodology is written
by hand and a bare "KeyError: 'points'" helps nobody.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import string
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from auditor import checks
from auditor.errors import RulesError
from auditor.methodology.model import (
    LANGUAGES,
    Axis,
    LookupValue,
    Methodology,
    Signal,
    Tier,
    Translations,
)
from auditor.resources import default_rules_file, rules_dir
from auditor.yaml_loader import SafeLoader, safe_load

REASON_FIELDS = frozenset(
    {"earned", "possible", "count", "passed", "failed", "unknown", "detail", "score"}
)
REASON_SPEC = re.compile(r"(?:\.[0-9])?[dfg%]?")
"""The only format specs a reason may use: a type and a one-digit precision (``{score:g}``,
``{earned:.1f}``). Width, fill, alignment and nested fields are refused: ``{passed:>300000000}``
rendered a 300 MB reason into every entry's result."""


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (rules_dir() / "methodology.schema.json").read_text(encoding="utf-8")
    )
    return data


def _line_of(node: yaml.Node | None, path: list[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``path``, or of its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            child = node.value[key] if key < len(node.value) else None
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _where(path: Path, node: yaml.Node | None, keys: list[str | int]) -> str:
    line = _line_of(node, keys)
    dotted = ".".join(str(k) for k in keys) or "(top level)"
    return f"{path}:{line}: {dotted}" if line else f"{path}: {dotted}"


def builtin_rules() -> dict[str, Path]:
    """The methodology files shipped with auditor, by name (``trust-v1``, ``trust-v1-strict``)."""
    return {p.stem: p for p in sorted(rules_dir().glob("*.yaml"))}


def resolve_rules(value: str | Path) -> Path:
    """A rules file path, or the name of a built-in methodology."""
    path = Path(value)
    if path.is_file():
        return path
    builtin = builtin_rules().get(str(value).removesuffix(".yaml"))
    if builtin is not None:
        return builtin
    names = ", ".join(builtin_rules())
    raise RulesError(f"{value}: no such rules file, nor a built-in methodology ({names})")


def load_methodology(path: str | Path | None = None) -> Methodology:
    """Load and validate a methodology; the built-in trust-v1 when ``path`` is None."""
    file = Path(path) if path is not None else default_rules_file()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{file}: cannot read rules file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RulesError(f"{file}: not UTF-8 text (byte {exc.start}): is it a rules file?") from exc
    try:
        node = yaml.compose(text, Loader=SafeLoader)
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{file}:1: a methodology file is a mapping with id, version, axes")
    _refuse_non_finite(data, [], file, node)

    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(data),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        err = errors[0]
        keys: list[str | int] = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = err.schema.get("properties", {})
            extra = [k for k in err.instance if k not in allowed]
            keys += extra[:1]  # point at the offending key's own line
        raise RulesError(f"{_where(file, node, keys)}: {err.message}")
    return _build(data, file, node)


def _build(data: dict[str, Any], file: Path, node: yaml.Node | None) -> Methodology:
    axes: list[Axis] = []
    seen_axes: set[str] = set()
    for ai, raw_axis in enumerate(data["axes"]):
        if raw_axis["id"] in seen_axes:
            raise RulesError(f"{_where(file, node, ['axes', ai, 'id'])}: duplicate axis id")
        seen_axes.add(raw_axis["id"])
        signals = []
        seen_signals: set[str] = set()
        for si, raw in enumerate(raw_axis["signals"]):
            if raw["id"] in seen_signals:
                where = _where(file, node, ["axes", ai, "signals", si, "id"])
                raise RulesError(f"{where}: duplicate signal id in axis {raw_axis['id']!r}")
            seen_signals.add(raw["id"])
            _check_signal(raw, file, node, ["axes", ai, "signals", si])
            values = {
                key: LookupValue(
                    points=float(v["points"]),
                    label=v.get("label", key),
                    translations=_translations(v, label=v.get("label", key)),
                )
                for key, v in (raw.get("values") or {}).items()
            }
            for key, value in values.items():
                if value.points > raw["points"]:
                    where = _where(file, node, ["axes", ai, "signals", si, "values", key])
                    raise RulesError(f"{where}: {value.points:g} points exceed the signal's max")
            signals.append(
                Signal(
                    id=raw["id"],
                    name=raw["name"],
                    check=raw["check"],
                    function=raw["function"],
                    points=float(raw["points"]),
                    description=" ".join(raw.get("description", "").split()),
                    fact=raw.get("fact"),
                    values=values,
                    translations=_translations(
                        raw, name=raw["name"], description=raw.get("description", "")
                    ),
                )
            )
        reason = raw_axis.get("reason", "{earned:g}/{possible:g}")
        _check_reason(reason, _where(file, node, ["axes", ai, "reason"]))
        for lang in LANGUAGES[1:]:
            translated = (raw_axis.get(lang) or {}).get("reason")
            if translated is not None:
                where = _where(file, node, ["axes", ai, lang, "reason"])
                if len(translated) > 500:
                    raise RulesError(f"{where}: is longer than 500 characters")
                _check_reason(translated, where)
        axes.append(
            Axis(
                id=raw_axis["id"],
                name=raw_axis["name"],
                weight=float(raw_axis["weight"]),
                signals=tuple(signals),
                why=raw_axis.get("why", ""),
                reason=reason,
                unknown_signals=raw_axis.get("unknown_signals", "unearned"),
                translations=_translations(
                    raw_axis, name=raw_axis["name"], why=raw_axis.get("why", ""), reason=reason
                ),
            )
        )
    tiers = tuple(
        Tier(
            id=t["id"],
            name=t["name"],
            min=float(t["min"]),
            color=t.get("color", "#9f9f9f"),
            translations=_translations(t, name=t["name"]),
        )
        for t in data["tiers"]
    )
    if not any(t.min == 0 for t in tiers):
        raise RulesError(f"{_where(file, node, ['tiers'])}: one tier must start at min 0")
    return Methodology(
        id=data["id"],
        version=str(data["version"]),
        title=data["title"],
        tiers=tiers,
        axes=tuple(axes),
        summary=" ".join(data.get("summary", "").split()),
        path=file,
        translations=_translations(data, title=data["title"], summary=data.get("summary", "")),
    )


def _translations(raw: dict[str, Any], **english: str) -> Translations:
    """A node's texts by language: its own (English) ones, and each ``<lang>:`` block's, with
    folded YAML's line breaks collapsed the way the English descriptions are."""

    def folded(block: dict[str, str]) -> dict[str, str]:
        return {k: v if k == "reason" else " ".join(v.split()) for k, v in block.items()}

    texts = {"en": folded(english)}
    for lang in LANGUAGES[1:]:
        texts[lang] = folded(raw.get(lang) or {})
    return texts


_REASON_SAMPLE: dict[str, Any] = {
    "earned": 1.0,
    "possible": 1.0,
    "score": 1.0,
    "count": 1,
    "passed": 1,
    "failed": 0,
    "unknown": 0,
    "detail": "text",
}


def _check_reason(template: str, where: str) -> None:
    """Refuse at load time any template the engine could not format at scoring time.

    Only plain named placeholders from ``REASON_FIELDS``, with at most a
    ``REASON_SPEC`` format spec: no conversion (``!r``), no attribute or index
    access (``{detail.__class__}``, ``{detail[0]}``), no width or fill, so a
    rendered reason is never much longer than its template.
    """
    allowed = ", ".join(sorted(REASON_FIELDS))
    try:
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is None:
                continue
            if name not in REASON_FIELDS:
                if "." in name or "[" in name:
                    raise RulesError(
                        f"{where}: placeholder {{{name}}} uses attribute or index access;"
                        f" only plain names are allowed ({allowed})"
                    )
                raise RulesError(f"{where}: unknown placeholder {{{name}}} (allowed: {allowed})")
            if conversion is not None:
                raise RulesError(
                    f"{where}: placeholder {{{name}!{conversion}}}: conversions are not allowed"
                )
            if spec and not REASON_SPEC.fullmatch(spec):
                raise RulesError(
                    f"{where}: placeholder {{{name}:{spec}}}: only a type and a one-digit"
                    " precision may follow the name (e.g. {score:g}, {earned:.1f});"
                    " width, fill and nested fields are not allowed"
                )
        template.format(**_REASON_SAMPLE)
    except (ValueError, IndexError, KeyError) as exc:
        raise RulesError(f"{where}: bad reason template {template!r}: {exc}") from exc


def _refuse_non_finite(
    value: Any, keys: list[str | int], file: Path, node: yaml.Node | None
) -> None:
    """Refuse ``.nan``/``.inf`` anywhere: YAML reads them as floats the schema lets through,
    and one such weight or point turns every composite score into nothing."""
    if isinstance(value, float) and not math.isfinite(value):
        raise RulesError(f"{_where(file, node, keys)}: {value} is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, float) and not math.isfinite(key):
                raise RulesError(f"{_where(file, node, keys)}: key {key} is not a finite number")
            _refuse_non_finite(item, [*keys, key], file, node)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_non_finite(item, [*keys, index], file, node)


def _check_signal(
    raw: dict[str, Any], file: Path, node: yaml.Node | None, keys: list[str | int]
) -> None:
    """Refuse a signal that could never score: its check is not one any probe emits, or its
    function asks the findings for a class or a fact they never carry (``auditor.checks``)."""
    check_id = raw["check"]
    definition = checks.get(check_id)
    if definition is None:
        close = difflib.get_close_matches(check_id, checks.CHECKS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise RulesError(
            f"{_where(file, node, [*keys, 'check'])}: unknown check {check_id!r}: no probe emits"
            f" it ({hint}the check ids are listed in docs/checks.md)"
        )
    if not definition.scorable:
        raise RulesError(
            f"{_where(file, node, [*keys, 'check'])}: check {check_id!r} only reports a breakage"
            f" ({definition.description.split(' (')[0]}); no rule can score it"
        )
    if raw["function"] == "lookup":
        if not definition.classes:
            with_classes = ", ".join(c.id for c in checks.CHECKS.values() if c.classes)
            raise RulesError(
                f"{_where(file, node, [*keys, 'function'])}: lookup needs a check whose findings"
                f" carry facts.class ({with_classes}); {check_id!r} has none"
            )
        for key in raw.get("values") or {}:
            if key not in definition.classes:
                raise RulesError(
                    f"{_where(file, node, [*keys, 'values', key])}: {check_id!r} never has class"
                    f" {key!r} (its classes: {', '.join(definition.classes)})"
                )
    if raw["function"] == "ratio" and raw.get("fact") not in definition.facts:
        facts = ", ".join(definition.facts) or "none"
        raise RulesError(
            f"{_where(file, node, [*keys, 'fact'])}: {check_id!r} findings carry no 0..1 fact"
            f" {raw.get('fact')!r} (its ratio facts: {facts})"
        )
