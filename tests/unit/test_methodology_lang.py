"""The methodology in French: ``fr:`` blocks in the rules files, the same scores told in French,
and a recorded (English) assessment re-told only when the numbers come back the same."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import RulesError
from auditor.methodology import Methodology, load_methodology
from auditor.methodology.engine import assess
from auditor.methodology.load import builtin_rules
from auditor.methodology.localize import localized_assessment
from auditor.model import Finding, Outcome

PASS, FAIL = Outcome.PASS, Outcome.FAIL
WORD = re.compile(r"[A-Za-z]{2,}")


def finding(check: str, outcome: Outcome, message: str = "", **facts: Any) -> Finding:
    return Finding(check, outcome, message or f"{check} {outcome.value}", "test", facts=facts)


def seed_findings() -> list[Finding]:
    """The data.gouv.fr reference case: 40 / 100 / 90 / 50 / 85 -> 73.25."""
    metadata = [
        finding(f"metadata.{field}", FAIL if field == "license" else PASS)
        for field in (
            *("title", "description", "organization", "base_url", "spec_url"),
            *("docs_url", "homepage_url", "contact", "license", "tags"),
        )
    ]
    return [
        finding("official_domain", PASS, "data.gouv.fr is under gouv.fr"),
        finding("portal_listing", FAIL),
        finding("government_github_org", FAIL),
        finding("availability", PASS, "HTTP 200 in 80 ms"),
        finding("license", Outcome.UNKNOWN, "no licence stated", **{"class": "none"}),
        finding("spec.valid", PASS),
        finding("agent_discovery", FAIL),
        *metadata,
    ]


def texts(methodology: Methodology) -> list[tuple[str, str, dict[str, dict[str, str]]]]:
    """Every translatable node: (where, its English field texts, its translations)."""
    nodes: list[tuple[str, Any]] = [("methodology", methodology)]
    nodes += [(f"tier {t.id}", t) for t in methodology.tiers]
    for axis in methodology.axes:
        nodes.append((f"axis {axis.id}", axis))
        for signal in axis.signals:
            nodes.append((f"signal {axis.id}/{signal.id}", signal))
            nodes += [(f"value {signal.id}/{k}", v) for k, v in signal.values.items()]
    return [(where, node.translations["en"], node.translations) for where, node in nodes]


@pytest.mark.parametrize("name", sorted(builtin_rules()))
def test_every_text_of_the_built_in_rules_has_a_french_translation(name: str) -> None:
    missing = [
        f"{where}: {key}"
        for where, english, translations in texts(load_methodology(builtin_rules()[name]))
        for key, text in english.items()
        if WORD.search(re.sub(r"\{[^}]*\}", "", text)) and not translations["fr"].get(key)
    ]
    assert missing == []


def test_french_scores_are_the_english_scores_with_french_words() -> None:
    english = load_methodology()
    french = english.localized("fr")
    en = assess("data.gouv.fr", seed_findings(), english)
    fr = assess("data.gouv.fr", seed_findings(), french)
    assert en.score == fr.score == 73.25
    assert [a.score for a in fr.axes] == [40.0, 100.0, 90.0, 50.0, 85.0]
    assert fr.axes[0].name == "Officialité"
    assert fr.axes[0].reason.startswith("40/100 sur 5 signaux de preuve")
    assert fr.axes[1].reason == "Dernière vérification réussie"
    assert fr.axes[3].reason == "Aucune information de licence trouvée (inconnu)"
    assert en.axes[1].reason == "Latest verification succeeded"
    # the decimal mark follows the language inside reasons
    axis = replace(french.axes[0], reason="{score:.1f} / {earned:g}")
    odd = replace(french, axes=(axis,))
    assert assess("x", seed_findings(), odd).axes[0].reason == "40,0 / 40"


def test_an_axis_nothing_established_is_unknown_in_french() -> None:
    fr = assess("x", [], load_methodology().localized("fr"))
    assert fr.score is None
    assert fr.axes[1].reason == "Inconnu\u00a0: Aucune vérification n’a pu aboutir"


def test_localizing_twice_comes_back_to_english_and_refuses_unknown_languages() -> None:
    english = load_methodology()
    assert english.localized("fr").localized("en") == english
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        english.localized("de")


def test_a_recorded_assessment_is_retold_in_french_with_its_own_timestamp() -> None:
    english = load_methodology()
    recorded = assess("data.gouv.fr", seed_findings(), english)
    told = localized_assessment(recorded, seed_findings(), english.localized("fr"))
    assert told.assessed_at == recorded.assessed_at
    assert told.score == recorded.score
    assert told.axes[2].reason == "9 champs de métadonnées recommandés renseignés sur 10"


def test_a_recorded_assessment_that_does_not_score_the_same_is_kept_as_recorded() -> None:
    english = load_methodology()
    recorded = assess("data.gouv.fr", seed_findings(), english)
    french = english.localized("fr")
    # findings cut (e.g. a results file edited by hand): the numbers differ, keep the record
    assert localized_assessment(recorded, seed_findings()[:3], french) is recorded
    # scored under another version of the methodology
    other = replace(french, version="0.9")
    assert localized_assessment(recorded, seed_findings(), other) is recorded


def write_rules(tmp_path: Path, old: str, new: str) -> Path:
    text = builtin_rules()["trust-v1"].read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_misspelled_key_in_a_french_block_names_file_and_line(tmp_path: Path) -> None:
    path = write_rules(tmp_path, 'fr: {name: "Titre"}', 'fr: {nom: "Titre"}')
    with pytest.raises(RulesError, match=r"rules\.yaml:\d+: axes\.2\.signals\.0\.fr") as err:
        load_methodology(path)
    assert "nom" in str(err.value)


def test_a_french_reason_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        'reason: "{passed} champs',
        'reason: "{réussis} champs',
    )
    with pytest.raises(RulesError, match=r"axes\.2\.fr\.reason: unknown placeholder"):
        load_methodology(path)
