"""``auditor methodology --lang fr``: the methodology page in French, from the rules file."""

from __future__ import annotations

from click.testing import CliRunner

from auditor.cli import main


def test_methodology_in_french_uses_the_rules_files_french_texts() -> None:
    out = CliRunner().invoke(main, ["methodology", "--lang", "fr"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("# Score de confiance")
    assert "| Officialité | 25,0\u00a0% |" in out.output  # a no-break space before %
    assert "Officialness" not in out.output


def test_methodology_stays_english_by_default_and_refuses_unknown_languages() -> None:
    english = CliRunner().invoke(main, ["methodology"])
    assert english.exit_code == 0 and "Officialness" in english.output
    bad = CliRunner().invoke(main, ["methodology", "--lang", "de"])
    assert bad.exit_code == 2 and "unsupported language 'de'" in bad.output
