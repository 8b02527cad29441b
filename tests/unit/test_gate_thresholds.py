"""Gate thresholds from flags and config files, and which one wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.gate import ThresholdError, resolve_options
from auditor.gate.thresholds import describe, parse_min_flags
from auditor.methodology import load_methodology

TRUST = load_methodology()


def test_min_flags_accept_axis_ids_and_dashed_spellings() -> None:
    assert parse_min_flags(["availability=80", "license-clarity=60.5"], TRUST) == {
        "availability": 80.0,
        "license_clarity": 60.5,
    }


def test_unknown_axis_is_an_error_naming_the_valid_axes() -> None:
    with pytest.raises(ThresholdError) as caught:
        parse_min_flags(["speed=50"], TRUST)
    message = str(caught.value)
    assert "'speed'" in message
    for axis in (
        "officialness",
        "availability",
        "metadata_completeness",
        "license_clarity",
        "agent_readiness",
    ):
        assert axis in message


@pytest.mark.parametrize(
    "value",
    [
        "availability",
        "=50",
        "availability=abc",
        "availability=101",
        "availability=-1",
        "availability=nan",
    ],
)
def test_malformed_min_flags_are_refused(value: str) -> None:
    with pytest.raises(ThresholdError):
        parse_min_flags([value], TRUST)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_section(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.auditor.gate]\nfail-under = 70\noffline = true\n'
        "fail_on_invalid_spec = true\n\n[tool.auditor.gate.min]\navailability = 80\n",
    )
    options = resolve_options(load_config(directory=tmp_path), TRUST)
    assert options.offline is True
    assert options.thresholds.fail_under == 70
    assert options.thresholds.fail_on_invalid_spec is True
    assert dict(options.thresholds.minimums) == {"availability": 80}


def test_auditor_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.auditor.gate]\nfail_under = 70\n")
    write(tmp_path / "auditor.toml", "[gate]\nfail_under = 55\n")
    options = resolve_options(load_config(directory=tmp_path), TRUST)
    assert options.thresholds.fail_under == 55


def test_flags_win_over_the_file_key_by_key(tmp_path: Path) -> None:
    write(
        tmp_path / "auditor.toml",
        "[gate]\nfail_under = 55\noffline = true\nfail_on_invalid_spec = true\n"
        "[gate.min]\navailability = 80\nlicense_clarity = 50\n",
    )
    options = resolve_options(
        load_config(directory=tmp_path),
        TRUST,
        fail_under=90,
        minimums=["availability=10"],
        offline=False,
        fail_on_invalid_spec=False,
    )
    assert options.thresholds.fail_under == 90
    assert dict(options.thresholds.minimums) == {"availability": 10, "license_clarity": 50}
    assert options.offline is False and options.thresholds.fail_on_invalid_spec is False


def test_no_file_no_flags_means_no_threshold(tmp_path: Path) -> None:
    options = resolve_options(load_config(directory=tmp_path), TRUST)
    assert not options.thresholds.any and options.offline is False
    assert describe(options.thresholds, TRUST) == "none (reporting only)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[tool.auditor.gate]\nfail_undr = 50\n", "fail_undr: unknown key"),
        ("[tool.auditor.gate]\nfail_under = 'high'\n", "expected a score"),
        ("[tool.auditor.gate]\noffline = 'yes'\n", "expected true or false"),
        ("[tool.auditor.gate.min]\nspeed = 5\n", "unknown axis 'speed'"),
        ("[tool.auditor.gate]\nmin = 5\n", "expected a table"),
        ("[tool.auditor]\ngate = 5\n", "must be a table"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, body: str, expected: str) -> None:
    write(tmp_path / "pyproject.toml", body)
    with pytest.raises(ThresholdError) as caught:
        resolve_options(load_config(directory=tmp_path), TRUST)
    assert expected in str(caught.value)
    assert "pyproject.toml" in str(caught.value)


def test_describe_names_every_threshold() -> None:
    options = resolve_options(
        load_config(directory=Path("/nonexistent")),
        TRUST,
        fail_under=60,
        minimums=["license_clarity=50"],
        fail_on_invalid_spec=True,
    )
    assert (
        describe(options.thresholds, TRUST)
        == "composite >= 60, License clarity >= 50, a valid spec"
    )
