"""Loading methodology files: the built-in one, and malformed ones refused with file, line, key."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from auditor.errors import RulesError
from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import assess
from auditor.model import Finding, Outcome
from auditor.render.methodology_md import methodology_markdown
from auditor.resources import default_rules_file

VALID = textwrap.dedent(
    """\
    # A small but complete methodology; each test breaks one thing in it.
    id: custom
    version: "0.1"
    title: Custom
    tiers:
      - {id: high, name: High, min: 50}
      - {id: low, name: Low, min: 0}
    axes:
      - id: first
        name: First
        weight: 2
        reason: "{earned:g}/{possible:g}"
        signals:
          - id: alpha
            name: Alpha
            check: official_domain
            function: outcome
            points: 10
          - id: beta
            name: Beta
            check: license
            function: lookup
            points: 10
            values:
              open: {points: 10, label: Good}
              none: {points: 0, label: Bad}
      - id: second
        name: Second
        weight: 1
        signals:
          - {id: gamma, name: Gamma, check: availability, function: share, points: 100}
    """
)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in the test document"
    return hits[occurrence - 1]


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def write(tmp_path: Path, text: str | bytes, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(RulesError) as info:
        load_methodology(path)
    return str(info.value)


# ---------------------------------------------------------------- the built-in file


@pytest.fixture(scope="module")
def trust() -> Methodology:
    return load_methodology()


def test_builtin_methodology_loads(trust: Methodology) -> None:
    assert trust.id == "trust"
    assert trust.version == "1.1.0"
    assert trust.title == "Trust score"
    assert trust.path == default_rules_file()
    assert [a.id for a in trust.axes] == [
        "officialness",
        "availability",
        "metadata_completeness",
        "license_clarity",
        "agent_readiness",
    ]
    assert [a.weight for a in trust.axes] == [25, 25, 20, 15, 15]
    assert sum(a.weight for a in trust.axes) == 100
    assert [(t.id, t.min) for t in sorted(trust.tiers, key=lambda t: -t.min)] == [
        ("excellent", 85),
        ("good", 70),
        ("fair", 50),
        ("poor", 0),
    ]


def test_builtin_axes_are_built_from_the_file(trust: Methodology) -> None:
    by_id = {a.id: a for a in trust.axes}
    assert by_id["availability"].unknown_signals == "exclude"
    assert by_id["officialness"].unknown_signals == "unearned"
    assert by_id["officialness"].possible == 100
    assert len(by_id["metadata_completeness"].signals) == 10
    assert by_id["agent_readiness"].possible == 100
    (licence,) = by_id["license_clarity"].signals
    assert licence.function == "lookup"
    assert {k: v.points for k, v in licence.values.items()} == {
        "open": 100,
        "restrictive": 60,
        "unrecognised": 30,
        "none": 50,
        "conflicting": 0,
    }
    # folded YAML descriptions are collapsed to one line
    verification = by_id["availability"].signals[0]
    assert "\n" not in verification.description
    assert verification.description.startswith("Share of successful verifications in the window.")
    assert {"official_domain", "availability", "license", "agent_discovery"} <= trust.checks


def test_the_small_valid_document_loads(tmp_path: Path) -> None:
    methodology = load_methodology(write(tmp_path, VALID))
    assert [a.id for a in methodology.axes] == ["first", "second"]
    assert methodology.axes[1].reason == "{earned:g}/{possible:g}"  # the default
    assert methodology.axes[0].signals[1].values["none"].label == "Bad"


# ---------------------------------------------------------------- malformed files

# (case id, edit of VALID, (needle, occurrence) locating the reported line, key path, message bit)
MALFORMED = [
    pytest.param(
        lambda t: replace_once(t, "        points: 10\n", ""),
        ("- id: alpha", 1),
        "axes.0.signals.0",
        "'points' is a required property",
        id="missing-points",
    ),
    pytest.param(
        lambda t: replace_once(t, "weight: 2", "weight: heavy"),
        ("weight: heavy", 1),
        "axes.0.weight",
        "'heavy' is not of type 'number'",
        id="weight-wrong-type",
    ),
    pytest.param(
        lambda t: replace_once(t, "weight: 1", "weight: 0"),
        ("weight: 0", 1),
        "axes.1.weight",
        "less than or equal to the minimum of 0",
        id="weight-zero",
    ),
    pytest.param(
        lambda t: replace_once(t, "function: outcome", "function: average"),
        ("function: average", 1),
        "axes.0.signals.0.function",
        "'average' is not one of",
        id="unknown-function",
    ),
    pytest.param(
        lambda t: replace_once(t, "function: share", "function: sum"),
        ("function: sum", 1),
        "axes.1.signals.0.function",
        "'sum' is not one of",
        id="unknown-function-flow-style",
    ),
    pytest.param(
        lambda t: replace_once(t, "- id: beta", "- id: alpha"),
        ("- id: alpha", 2),
        "axes.0.signals.1.id",
        "duplicate signal id in axis 'first'",
        id="duplicate-signal-id",
    ),
    pytest.param(
        lambda t: replace_once(t, "- id: second", "- id: first"),
        ("- id: first", 2),
        "axes.1.id",
        "duplicate axis id",
        id="duplicate-axis-id",
    ),
    pytest.param(
        lambda t: replace_once(t, "open: {points: 10", "open: {points: 12"),
        ("open: {points: 12", 1),
        "axes.0.signals.1.values.open",
        "12 points exceed the signal's max",
        id="lookup-value-above-max",
    ),
    pytest.param(
        lambda t: replace_once(
            t,
            "\n        values:\n          open: {points: 10, label: Good}"
            "\n          none: {points: 0, label: Bad}",
            "",
        ),
        ("- id: beta", 1),
        "axes.0.signals.1",
        "'values' is a required property",
        id="lookup-without-values",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{earned:g} of {total}"'),
        ("reason:", 1),
        "axes.0.reason",
        "unknown placeholder {total}",
        id="reason-unknown-placeholder",
    ),
    pytest.param(
        lambda t: replace_once(t, "min: 0}", "min: 10}"),
        ("- {id: high", 1),
        "tiers",
        "one tier must start at min 0",
        id="no-tier-at-zero",
    ),
    pytest.param(
        lambda t: replace_once(t, "min: 50}", "min: 150}"),
        ("min: 150", 1),
        "tiers.0.min",
        "150 is greater than the maximum of 100",
        id="tier-above-100",
    ),
    pytest.param(
        lambda t: replace_once(t, 'version: "0.1"', "version: 0.1"),
        ("version: 0.1", 1),
        "version",
        "0.1 is not of type 'string'",
        id="version-not-a-string",
    ),
    # -- checks no probe emits, or that could never score (auditor.checks)
    pytest.param(
        lambda t: replace_once(t, "check: official_domain", "check: official_domian"),
        ("check: official_domian", 1),
        "axes.0.signals.0.check",
        "unknown check 'official_domian': no probe emits it (did you mean 'official_domain'?",
        id="check-misspelt",
    ),
    pytest.param(
        lambda t: replace_once(t, "check: availability", "check: availabilty"),
        ("check: availabilty", 1),
        "axes.1.signals.0.check",
        "unknown check 'availabilty'",
        id="check-misspelt-flow-style",
    ),
    pytest.param(
        lambda t: replace_once(t, "check: official_domain", "check: probe.availability"),
        ("check: probe.availability", 1),
        "axes.0.signals.0.check",
        "only reports a breakage",
        id="check-that-only-reports-breakage",
    ),
    pytest.param(
        lambda t: replace_once(t, "check: license", "check: official_domain"),
        ("function: lookup", 1),
        "axes.0.signals.1.function",
        "lookup needs a check whose findings carry facts.class (license)",
        id="lookup-on-a-check-without-classes",
    ),
    pytest.param(
        lambda t: replace_once(t, "open: {points: 10", "opne: {points: 10"),
        ("opne: {points: 10", 1),
        "axes.0.signals.1.values.opne",
        "'license' never has class 'opne'",
        id="lookup-class-never-emitted",
    ),
    pytest.param(
        lambda t: replace_once(
            t,
            "check: availability, function: share,",
            "check: spec.quality, function: ratio, fact: summary_shar,",
        ),
        ("fact: summary_shar", 1),
        "axes.1.signals.0.fact",
        "'spec.quality' findings carry no 0..1 fact 'summary_shar'",
        id="ratio-fact-never-emitted",
    ),
    # -- numbers that would turn every score into nothing
    pytest.param(
        lambda t: replace_once(t, "weight: 2", "weight: .nan"),
        ("weight: .nan", 1),
        "axes.0.weight",
        "nan is not a finite number",
        id="weight-nan",
    ),
    pytest.param(
        lambda t: replace_once(t, "weight: 1", "weight: .inf"),
        ("weight: .inf", 1),
        "axes.1.weight",
        "inf is not a finite number",
        id="weight-inf",
    ),
    pytest.param(
        lambda t: replace_once(t, "        points: 10\n", "        points: .NaN\n"),
        ("points: .NaN", 1),
        "axes.0.signals.0.points",
        "nan is not a finite number",
        id="points-nan",
    ),
    pytest.param(
        lambda t: replace_once(t, "points: 100}", "points: .inf}"),
        ("points: .inf}", 1),
        "axes.1.signals.0.points",
        "inf is not a finite number",
        id="points-inf-flow-style",
    ),
    pytest.param(
        lambda t: replace_once(t, "open: {points: 10", "open: {points: .nan"),
        ("open: {points: .nan", 1),
        "axes.0.signals.1.values.open.points",
        "nan is not a finite number",
        id="lookup-points-nan",
    ),
    pytest.param(
        lambda t: replace_once(t, "min: 0}", "min: -.inf}"),
        ("min: -.inf}", 1),
        "tiers.1.min",
        "-inf is not a finite number",
        id="tier-min-minus-inf",
    ),
    pytest.param(
        lambda t: replace_once(t, "weight: 2", "weight: 1.0e+300"),
        ("weight: 1.0e+300", 1),
        "axes.0.weight",
        "is greater than the maximum of 1000000",
        id="weight-huge",
    ),
    # -- reason templates: plain named placeholders only
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{passed:>300000000}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{passed:>300000000}: only a type and a one-digit precision",
        id="reason-huge-width",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{earned:.300000000f}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{earned:.300000000f}: only a type and a one-digit precision",
        id="reason-huge-precision",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{earned:{count}}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{earned:{count}}: only a type and a one-digit precision",
        id="reason-nested-field",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{detail!r}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{detail!r}: conversions are not allowed",
        id="reason-conversion",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{detail.__class__}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{detail.__class__} uses attribute or index access",
        id="reason-attribute",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{detail[0]}"'),
        ("reason:", 1),
        "axes.0.reason",
        "{detail[0]} uses attribute or index access",
        id="reason-index",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"{}"'),
        ("reason:", 1),
        "axes.0.reason",
        "unknown placeholder {}",
        id="reason-positional",
    ),
    pytest.param(
        lambda t: replace_once(t, '"{earned:g}/{possible:g}"', '"' + "x" * 501 + '"'),
        ("reason:", 1),
        "axes.0.reason",
        "is too long",
        id="reason-template-too-long",
    ),
]


@pytest.mark.parametrize(("edit", "at", "key", "message"), MALFORMED)
def test_malformed_rules_name_file_line_and_key(
    tmp_path: Path, edit, at: tuple[str, int], key: str, message: str
) -> None:
    text = edit(VALID)
    path = write(tmp_path, text)
    error = load_error(path)
    line = line_of(text, *at)
    assert error.startswith(f"{path}:{line}: {key}: "), error
    assert message in error


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    text = replace_once(VALID, "title: Custom\n", "title: Custom\ncolour: red\n")
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.startswith(f"{path}:{line_of(text, 'colour: red')}: colour: "), error
    assert "'colour' was unexpected" in error


def test_unknown_top_level_key_points_at_its_line(tmp_path: Path) -> None:
    text = replace_once(VALID, "title: Custom\n", "title: Custom\ncolour: red\n")
    path = write(tmp_path, text)
    error = load_error(path)
    line = re.match(rf"{re.escape(str(path))}:(\d+):", error)
    assert line is not None, error
    assert int(line.group(1)) == line_of(text, "colour: red")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            replace_once(VALID, "title: Custom", "title: [Custom"), 4, id="unclosed-flow-sequence"
        ),
        pytest.param(replace_once(VALID, "title: Custom", "\ttitle: Custom"), 4, id="tab-indent"),
    ],
)
def test_not_yaml_at_all(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.startswith(f"{path}: not valid YAML: ")
    assert f"line {line}," in error


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- id: custom\n- version: '1'\n", id="list"),
        pytest.param("just a sentence, not rules\n", id="scalar"),
        pytest.param("# only a comment\n", id="empty"),
    ],
)
def test_a_document_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.startswith(f"{path}:1: ")
    assert "a methodology file is a mapping" in error


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    error = load_error(path)
    assert error.startswith(f"{path}: cannot read rules file")


def test_binary_file_is_a_rules_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", name="logo.yaml")
    error = load_error(path)
    assert str(path) in error


def test_reason_with_unbalanced_brace_is_a_rules_error(tmp_path: Path) -> None:
    text = replace_once(VALID, '"{earned:g}/{possible:g}"', '"{earned:g}/{possible"')
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.startswith(f"{path}:{line_of(text, 'reason:')}: axes.0.reason: ")


def test_reason_with_impossible_format_spec_is_refused_or_harmless(tmp_path: Path) -> None:
    text = replace_once(VALID, '"{earned:g}/{possible:g}"', '"{detail:g}"')
    path = write(tmp_path, text)
    try:
        methodology = load_methodology(path)
    except RulesError as exc:  # refusing it at load time is fine
        assert "axes.0.reason" in str(exc)
        return
    finding = Finding("official_domain", Outcome.PASS, "ok", "test")
    assess("x", [finding], methodology)  # must not crash the audit


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("{earned:g}/{possible:g}", "10/20"),
        ("{earned:.1f} of {possible:.0f}", "10.0 of 20"),
        ("{score:.0%} ({passed:d}/{count})", "5000% (1/2)"),
        ("{{literal}} {detail}", "{literal} No evidence collected"),
    ],
)
def test_plain_placeholders_with_a_type_and_precision_still_load(
    tmp_path: Path, template: str, rendered: str
) -> None:
    text = replace_once(VALID, '"{earned:g}/{possible:g}"', f'"{template}"')
    methodology = load_methodology(write(tmp_path, text))
    finding = Finding("official_domain", Outcome.PASS, "ok", "test")
    assert assess("x", [finding], methodology).axis("first").reason == rendered


# ---------------------------------------------------------------- Markdown rendering


def test_methodology_markdown_lists_axes_weights_and_lookup_labels(trust: Methodology) -> None:
    text = methodology_markdown(trust)
    assert text.startswith("# Trust score — methodology `trust` v1.1.0")
    for name, pct in [
        ("Officialness", "25.0%"),
        ("Availability", "25.0%"),
        ("Metadata completeness", "20.0%"),
        ("License clarity", "15.0%"),
        ("Agent readiness", "15.0%"),
    ]:
        assert f"| {name} | {pct} |" in text
        assert f"## {name} ({pct})" in text
    for key, points, label in [
        ("open", 100, "Recognised open licence"),
        ("restrictive", 60, "Recognised but restrictive licence"),
        ("unrecognised", 30, "Licence stated but not recognised"),
        ("none", 50, "No licence information found (unknown)"),
        ("conflicting", 0, "Sources state contradicting licences"),
    ]:
        assert f"| `{key}` | {points} | {label} |" in text
    for tier, minimum in [("Excellent", 85), ("Good", 70), ("Fair", 50), ("Poor", 0)]:
        assert f"| {tier} | ≥ {minimum} |" in text
    assert "left out of this axis's denominator" in text  # availability uses exclude


def test_methodology_markdown_normalises_weights(tmp_path: Path) -> None:
    text = methodology_markdown(load_methodology(write(tmp_path, VALID)))
    assert "| First | 66.7% |" in text
    assert "| Second | 33.3% |" in text
    assert "| `open` | 10 | Good |" in text
    assert "| Gamma | 100 | points × share of passes | `availability` |" in text
